"""The claim aggregate's invariants, in memory."""

import pytest

from chronicle.domain import (
    Claim, ClaimRetractedError, DateOrderError, InvalidValueError, Source, editor_cvar, natural_id,
)

SOURCE, TOPIC = natural_id("source", "s"), natural_id("topic", "t")


def claim(**kwargs):
    values = {"slug": "c", "source_id": SOURCE, "topic_id": TOPIC, "stated": "2022-01-09",
              "text": "164 died", "figure": {"value": 164, "unit": "people"}}
    values.update(kwargs)
    return Claim.state(**values)


def test_ids_are_stable_so_a_reload_finds_the_same_entry():
    assert claim().id == claim().id == natural_id("claim", "c")


def test_every_event_carries_the_recording_editor():
    token = editor_cvar.set("aigerim")
    try:
        c = claim()
        c.revise("2022-01-15", figure={"value": 225, "unit": "people"})
    finally:
        editor_cvar.reset(token)
    assert [e.editor for e in c.collect_events()] == ["aigerim", "aigerim"]


def test_a_revision_keeps_what_it_does_not_change():
    c = claim(quote="164")
    c.revise("2022-01-15", figure={"value": 225, "unit": "people"})
    assert c.versions[-1]["text"] == "164 died" and c.versions[-1]["figure"]["value"] == 225


def test_a_retracted_claim_cannot_be_revised():
    c = claim()
    c.retract("2022-01-10", "technical error")
    with pytest.raises(ClaimRetractedError):
        c.revise("2022-01-11", text="new")


def test_a_revision_cannot_be_dated_before_what_it_revises():
    c = claim()
    with pytest.raises(DateOrderError, match="2022-01-08"):
        c.revise("2022-01-08", text="earlier")


@pytest.mark.parametrize("missing", [{"source_id": None}, {"topic_id": None}, {"stated": None},
                                     {"text": "", "quote": None}])
def test_a_claim_needs_a_source_a_topic_a_date_and_words(missing):
    with pytest.raises(InvalidValueError):
        claim(**missing)


def test_a_correction_changes_the_entry_not_the_number_of_versions():
    c = claim()
    c.correct({"text": "164 people died"}, "typo in our entry", version=0)
    assert len(c.versions) == 1 and c.versions[0]["text"] == "164 people died"


def test_a_correction_cannot_reorder_versions():
    c = claim()
    c.revise("2022-01-15", text="225")
    with pytest.raises(DateOrderError):
        c.correct({"stated": "2022-01-20"}, "wrong day", version=0)


def test_links_are_typed():
    with pytest.raises(InvalidValueError, match="relation"):
        claim().link("likes", natural_id("claim", "other"))


def test_a_source_needs_a_slug_shaped_camp():
    with pytest.raises(InvalidValueError):
        Source.register("x", "X", "Official Camp")
