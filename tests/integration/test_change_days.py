"""A lens's history, the days its story changed, and the nearest ones to a day ("previous/next change")."""

from __future__ import annotations

import time
from bisect import bisect_left, bisect_right
from datetime import datetime, timezone

import pytest

from chronicle.projections.asof import stamp

LENSES = ["official", "everyone", "opposition", "tokayev", "independent-media,expert"]


def reference_rows(chronicle, lens: str, known_at: str | None) -> list[dict]:
    """The lens's rows read topic by topic and filtered here: the slow, obvious way."""
    chosen = chronicle.resolve_lens(lens)
    rows = [row for topic in chronicle.view.entries("topic") for row in chronicle.view.topic_rows(topic["id"], known_at)
            if chosen.everyone or {row["source_camp"], row["via_camp"]} & chosen.camps
            or {row["source_id"], row["via_id"]} & chosen.source_ids]
    return sorted(rows, key=lambda r: (r["stated_on"], r["claim_slug"], r["version"]))


def reference_days(chronicle, lens: str, known_at: str | None) -> list[str]:
    rows = reference_rows(chronicle, lens, known_at)
    links = chronicle.view.links(sorted({row["claim_id"] for row in rows}), known_at)
    return sorted({row["stated_on"] for row in rows} | {link["stated_on"] for link in links})


def reference_around(days: list[str], day: str) -> tuple[str | None, str | None]:
    before = days[bisect_left(days, day) - 1] if bisect_left(days, day) else None
    after = bisect_right(days, day)
    return before, days[after] if after < len(days) else None


@pytest.fixture
def later(kazakhstan):
    """The fixture, then a moment, then a revision and a link stated on days nothing else was."""
    moment = stamp(datetime.now(timezone.utc))
    time.sleep(0.01)
    kazakhstan.revise_claim("tokayev-20000-terrorists-and-bandits", "2022-02-02", text="A later wording")
    kazakhstan.link_claims("prosecutor-death-toll", "supports", "ministry-toll-164", stated="2022-02-09")
    return kazakhstan, moment


@pytest.mark.parametrize("lens", LENSES)
def test_a_lens_history_holds_every_row_of_its_sources_and_channels(later, lens):
    chronicle, moment = later
    for known_at in (None, moment):
        history = chronicle.lens_history(lens, known_at)["history"]
        expected = reference_rows(chronicle, lens, known_at)
        assert [(e["id"], e["version"]) for e in history] == [(r["claim_id"], r["version"]) for r in expected]


@pytest.mark.parametrize("lens", LENSES)
def test_change_days_are_every_day_the_lens_history_and_its_links_name(later, lens):
    chronicle, moment = later
    for known_at in (None, moment):
        assert chronicle.narrative_days(lens, known_at) == reference_days(chronicle, lens, known_at)


@pytest.mark.parametrize("lens", LENSES)
def test_the_nearest_changes_around_a_day_are_those_of_the_whole_list(later, lens):
    chronicle, moment = later
    for known_at in (None, moment):
        days = reference_days(chronicle, lens, known_at)
        for day in ["2021-12-31", "2022-01-05", "2022-01-08", "2022-01-10", "2022-01-31", "2022-02-05", "2023-01-01"]:
            assert chronicle.changes_around(day, lens, known_at) == reference_around(days, day), (day, known_at)


def test_a_later_revision_and_link_move_the_next_change_only_for_now(later):
    chronicle, moment = later
    assert chronicle.changes_around("2022-01-31", "official")[1] == "2022-02-02"
    assert chronicle.changes_around("2022-02-02", "official")[1] == "2022-02-09"
    assert chronicle.changes_around("2022-01-31", "official", moment)[1] == "2022-03-14"
