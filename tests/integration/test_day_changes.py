"""The narrative page's "changed since the day before" (from the day's own rows) equals the diff of the two days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from chronicle.application import Chronicle


def _day_before(day: str) -> str:
    return (date.fromisoformat(day) - timedelta(days=1)).isoformat()


def _days(app: Chronicle, lens: str) -> list[str]:
    days = app.narrative_days(lens)
    # The change days, the days after them (nothing new, something maybe ended) and a day before all.
    return sorted(set(days) | {(date.fromisoformat(d) + timedelta(days=1)).isoformat() for d in days}
                  | {_day_before(days[0])})


@pytest.mark.parametrize("lens", ["official", "everyone", "independent-media", "tokayev"])
def test_the_days_changes_equal_the_diff_of_the_two_days(kazakhstan, lens):
    for day in _days(kazakhstan, "everyone"):
        told = kazakhstan.narrative_with_changes(day, lens)
        assert told["changes"] == kazakhstan.diff(_day_before(day), day, lens), day
        assert {k: v for k, v in told.items() if k != "changes"} == kazakhstan.narrative(day, lens)


def test_the_days_changes_equal_the_diff_as_known_earlier(kazakhstan):
    moments = sorted({e["recorded_at"] for e in kazakhstan.audit(0, 10000)})
    known = moments[len(moments) // 2]
    for day in kazakhstan.narrative_days("everyone")[::3]:
        told = kazakhstan.narrative_with_changes(day, "official", known)
        assert told["changes"] == kazakhstan.diff(_day_before(day), day, "official", known), day


def test_the_days_changes_equal_the_diff_when_a_source_moves_camp(kazakhstan):
    with kazakhstan.editing_as("test"):
        kazakhstan.move_source("opendemocracy-reporters", "official", "2022-01-08", note="a test move")
        kazakhstan.move_source("tokayev", "opposition", "2022-01-10", note="a test move")
    for day in ("2022-01-08", "2022-01-09", "2022-01-10", "2022-01-11"):
        for lens in ("official", "opposition", "camp:independent-media", "everyone"):
            told = kazakhstan.narrative_with_changes(day, lens)
            assert told["changes"] == kazakhstan.diff(_day_before(day), day, lens), (day, lens)
