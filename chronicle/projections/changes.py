"""What changed in a lens's narrative since the day before, from the day's own rows.

A narrative's rows are those current on its day. The day before's are the same rows less those stated
on the day, plus the rows the day's versions replaced (stated before it, ending on it). Only the topics
those touch can differ, so only they are told again for the day before; :func:`folds.diff` then compares
as it compares two whole narratives.
"""

from __future__ import annotations

from chronicle.projections import narrative as folds


def day_changes(rows: list[dict], earlier: list[dict], links: list[dict], topics: list[dict], day: str,
                previous: str) -> dict[str, list]:
    """The diff of ``previous``'s narrative and ``day``'s (told from ``rows`` as ``topics``), where
    ``earlier`` are the rows current on ``previous`` that ended on ``day``."""
    touched = {r["topic_slug"] for r in rows if r["stated_on"] == day} | {r["topic_slug"] for r in earlier}
    before = [r for r in rows if r["stated_on"] < day and r["topic_slug"] in touched] + earlier
    unchanged = [group for group in topics if group["topic"]["slug"] not in touched]
    return folds.diff(folds.narrate(before, links, previous) + unchanged, topics, links, previous, day)
