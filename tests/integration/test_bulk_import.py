"""The bulk import: chunks checked by their schemas in a child process, recorded, folded once."""

from __future__ import annotations

import pytest

from dataclasses import replace

from bench.generator import STATEMENTS, history
from bench.importer import _apply, import_history
from chronicle.bootstrap import open_chronicle
from chronicle.bulk import BulkRecorder
from chronicle.domain import Claim, InvalidValueError, Source, Topic, entry_id, natural_id


def _claim(slug: str, text: str) -> Claim:
    return Claim.state("bulk", slug, natural_id("source", "ministry"), entry_id("topic", "bulk", "toll"), "2022-01-05", text)


def test_a_chunk_the_schemas_refuse_is_not_recorded_and_the_error_names_the_field(chronicle):
    recorder = BulkRecorder(chronicle)
    recorder.record([Source.register("ministry", "Ministry", "official"), Topic.open("bulk", "toll", "Toll", "figure", "people")])
    recorder.record([_claim("fine", "A statement the schemas accept.")])
    recorder.record([_claim("too-long", "x" * 20001)])  # the domain takes it; the stored schema does not
    with pytest.raises(InvalidValueError, match="text"):
        recorder.finish()
    assert chronicle.recorder.max_notification_id() == 3  # the source, the topic and the first claim only
    assert not any(stored.originator_id == _claim("too-long", "y").id
                   for stored in chronicle.recorder.select_notifications(start=1, limit=10))


def test_a_bulk_import_answers_as_one_event_at_a_time_does(tmp_path, settings):
    """The same history imported in bulk (folded into a fresh generation at the end) and in small chunks
    caught up as it goes gives the same answers."""
    bulk = open_chronicle(settings)
    import_history(bulk, history(3000, seed=11), chunk=1000)
    assert bulk.view_status()["position"] == bulk.view_status()["head"]
    steady = open_chronicle(replace(settings, data_dir=tmp_path / "steady", database_url=None))
    claims, pending = {}, {}
    for command in history(3000, seed=11):
        aggregate = _apply(command, claims)
        if aggregate is not None:
            pending[aggregate.id] = aggregate
        if command[0] in STATEMENTS and len(pending) >= 50:
            steady.save_all(*pending.values())
            pending.clear()
    steady.save_all(*pending.values())
    for story in [s["slug"] for s in bulk.stories()][:5]:
        for lens in ("everyone", f"{story}-official"):
            days = bulk.narrative_days(lens, story=story)
            for day in days[:: max(1, len(days) // 4)]:
                assert _unrecorded(bulk.narrative(day, lens, story=story)) == \
                    _unrecorded(steady.narrative(day, lens, story=story))


def _unrecorded(answer):
    """An answer without the recording times, which differ between two imports of the same history."""
    if isinstance(answer, dict):
        return {k: _unrecorded(v) for k, v in answer.items() if k not in ("recorded_at", "known_at", "at")}
    if isinstance(answer, list):
        return [_unrecorded(v) for v in answer]
    return answer


def test_saves_of_ten_thousand_events_are_recorded_whole_with_their_chain(chronicle):
    """A file of some thousands of statements is loaded in one transaction. On PostgreSQL, eventsourcing's
    pipelined insert of that many events deadlocked (psycopg/psycopg#685): the second such save never returned."""
    before = chronicle.recorder.max_notification_id() or 0
    chronicle.save_all(Source.register("ministry", "Ministry", "official"),
                       Topic.open("bulk", "toll", "Toll", "figure", "people"), catch_up=False)
    for round in range(3):
        chronicle.save_all(*[_claim(f"claim-{round}-{number}", f"Statement {number}.") for number in range(10_000)],
                           catch_up=False)
    assert chronicle.recorder.max_notification_id() == before + 30_002
    assert chronicle.verify_chain().ok and chronicle.verify_chain().checked == before + 30_002
