"""A source's camps over time, as stated intervals that lens queries can join on."""

from __future__ import annotations

from chronicle.domain import day_of


def camp_intervals(entry: dict) -> list[tuple[str, int, str, str, str | None]]:
    """(source_id, number, camp, since_on, until_on) for each affiliation; the first holds from ''."""
    held = sorted((day_of(a["since"]) if a["since"] else "", number, a["camp"])
                  for number, a in enumerate(entry["camps"]))
    return [(entry["id"], number, camp, since, held[i + 1][0] if i + 1 < len(held) else None)
            for i, (since, number, camp) in enumerate(held)]
