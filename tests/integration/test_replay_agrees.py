"""The as-of index and a naive replay of the log give the same narratives."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from chronicle.projections.replay import dumps, replayed_narrative

DAYS = ["2022-01-04", "2022-01-06", "2022-01-07", "2022-01-09", "2022-01-10", "2022-01-11",
        "2022-01-16", "2022-02-01", "2022-03-14", "2022-09-01"]


@pytest.mark.parametrize("lens", ["official", "everyone", "expert", "tokayev,independent-media"])
def test_index_and_replay_agree_on_every_day(kazakhstan, lens):
    for day in DAYS:
        indexed = kazakhstan.narrative(day, lens)["topics"]
        replayed = replayed_narrative(kazakhstan, day, kazakhstan.resolve_lens(lens))
        assert dumps(indexed) == dumps(replayed), (lens, day)


def test_index_and_replay_agree_on_what_was_known_before_a_correction(kazakhstan):
    before = datetime.now(timezone.utc).isoformat()
    time.sleep(0.01)
    with kazakhstan.editing_as("desk"):
        kazakhstan.correct_claim("prosecutor-death-toll", {"figure": {"value": 226, "unit": "people"}},
                                 "mistyped figure", version=0)
    known = kazakhstan.narrative("2022-01-16", "official", known_at=before)
    lens = kazakhstan.resolve_lens("official")
    assert dumps(known["topics"]) == dumps(replayed_narrative(kazakhstan, "2022-01-16", lens, known["known_at"]))
    assert dumps(kazakhstan.narrative("2022-01-16", "official")["topics"]) == dumps(
        replayed_narrative(kazakhstan, "2022-01-16", lens))
