"""The claim aggregate's invariants, in memory."""

import pytest

from chronicle.domain import (
    LEGACY_STORY, Claim, ClaimRetractedError, DateOrderError, InvalidValueError, Source, Topic, camp_on,
    editor_cvar, entry_id, natural_id,
)

SOURCE, TOPIC = natural_id("source", "s"), natural_id("topic", "t")


def claim(**kwargs):
    values = {"story": "kz", "slug": "c", "source_id": SOURCE, "topic_id": TOPIC, "stated": "2022-01-09",
              "text": "164 died", "figure": {"value": 164, "unit": "people"}}
    values.update(kwargs)
    return Claim.state(**values)


def fire(*revisions):
    """A police toll of at least 30, revised on the given (day, value) pairs in that recording order."""
    c = claim(story="fire", stated="2017-06-16", text="at least 30", figure={"value": 30, "unit": "people"})
    for day, value in revisions:
        c.revise(day, figure={"value": value, "unit": "people"})
    return c


def test_ids_are_stable_so_a_reload_finds_the_same_entry():
    assert claim().id == claim().id == entry_id("claim", "kz", "c")


def test_the_same_slug_in_two_stories_is_two_entries():
    assert claim(story="kz").id != claim(story="fire").id
    assert Topic.open("kz", "death-toll", "Toll", "figure", "people").id != \
        Topic.open("fire", "death-toll", "Toll", "figure", "people").id


def test_entries_of_the_story_before_stories_keep_their_ids():
    assert entry_id("claim", LEGACY_STORY, "c") == natural_id("claim", "c")


def test_a_revision_recorded_late_takes_its_place_by_stated_date():
    late = fire(("2017-06-28", 79), ("2017-11-16", 71), ("2017-06-19", 58))
    in_order = fire(("2017-06-19", 58), ("2017-06-28", 79), ("2017-11-16", 71))
    assert [v["figure"]["value"] for v in late.versions] == [30, 58, 79, 71]
    assert [(v["stated"], v["figure"]) for v in late.versions] == \
        [(v["stated"], v["figure"]) for v in in_order.versions]
    assert [v["number"] for v in late.versions] == [0, 3, 1, 2]


def test_what_a_late_revision_says_flows_into_the_versions_after_it():
    c = fire(("2017-06-28", 79))
    c.revise("2017-06-19", text="58 dead or missing, presumed dead")
    assert [v["text"] for v in c.versions] == ["at least 30", "58 dead or missing, presumed dead",
                                                "58 dead or missing, presumed dead"]


def test_versions_of_one_day_keep_their_recording_order():
    c = fire(("2017-06-19", 58), ("2017-06-19", 60))
    assert [v["figure"]["value"] for v in c.versions] == [30, 58, 60]


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


def test_nothing_can_be_dated_before_the_claim_was_first_stated():
    c = claim()
    with pytest.raises(DateOrderError, match="2022-01-08"):
        c.revise("2022-01-08", text="earlier")
    with pytest.raises(DateOrderError, match="statement"):
        c.retract("2022-01-01", "never said")


def test_a_revision_after_the_retraction_needs_a_reinstatement():
    c = claim()
    c.retract("2022-01-10", "technical error")
    with pytest.raises(ClaimRetractedError, match="reinstatement"):
        c.revise("2022-01-12", text="new")
    c.reinstate("2022-01-11", note="stood by it", citations=[{"document": "d"}])
    c.revise("2022-01-12", figure={"value": 170, "unit": "people"})
    assert [v["kind"] for v in c.versions] == ["stated", "retracted", "reinstated", "revised"]
    assert c.versions[2]["figure"]["value"] == 164 and not c.is_retracted


def test_a_late_retraction_cannot_come_before_a_later_revision():
    c = claim()
    c.revise("2022-01-15", figure={"value": 225, "unit": "people"})
    with pytest.raises(ClaimRetractedError, match="2022-01-15"):
        c.retract("2022-01-10", "withdrawn")


def test_only_a_retracted_claim_can_be_reinstated():
    with pytest.raises(ClaimRetractedError, match="only a retracted claim"):
        claim().reinstate("2022-01-11")


def test_a_revision_before_the_retraction_is_placed_before_it():
    c = claim()
    c.retract("2022-01-20", "withdrawn")
    c.revise("2022-01-15", figure={"value": 225, "unit": "people"})
    assert [(v["kind"], v["figure"]["value"]) for v in c.versions] == \
        [("stated", 164), ("revised", 225), ("retracted", 225)]


@pytest.mark.parametrize("missing", [{"source_id": None}, {"topic_id": None}, {"stated": None},
                                     {"text": "", "quote": None}])
def test_a_claim_needs_a_source_a_topic_a_date_and_words(missing):
    with pytest.raises(InvalidValueError):
        claim(**missing)


def test_a_correction_changes_the_entry_not_the_number_of_versions():
    c = claim()
    c.correct({"text": "164 people died"}, "typo in our entry", version=0)
    assert len(c.versions) == 1 and c.versions[0]["text"] == "164 people died"


def test_a_correction_cannot_move_the_statement_after_a_later_version():
    c = claim()
    c.revise("2022-01-15", text="225")
    with pytest.raises(DateOrderError):
        c.correct({"stated": "2022-01-20"}, "wrong day", version=0)


def test_a_corrected_date_moves_a_revision_to_its_place():
    c = fire(("2017-06-19", 58), ("2017-06-28", 79))
    c.correct({"stated": "2017-06-18"}, "our typo", version=2)
    assert [v["figure"]["value"] for v in c.versions] == [30, 79, 58]


def test_a_correction_of_a_version_refers_to_it_by_its_number_whatever_its_place():
    c = fire(("2017-06-28", 79), ("2017-06-19", 58))
    c.correct({"text": "58 presumed dead"}, "our paraphrase", version=2)
    assert [v["text"] for v in c.versions] == ["at least 30", "58 presumed dead", "58 presumed dead"]


def test_a_source_changes_camp_from_a_stated_date():
    s = Source.register("police", "City Police", "official")
    s.move("independent", "2017-09-01")
    assert s.camp == "independent"
    assert camp_on(s.camps, "2017-08-31") == "official" and camp_on(s.camps, "2017-09-01") == "independent"


def test_a_statement_can_carry_figures_on_other_topics():
    c = claim(figures=[{"topic_id": natural_id("topic", "injured"), "value": 2265, "unit": "people"}])
    assert c.versions[0]["figures"][0]["value"] == 2265
    c.revise("2022-01-15", figure={"value": 225, "unit": "people"})
    assert c.versions[1]["figures"] == c.versions[0]["figures"]
    with pytest.raises(InvalidValueError, match="figures"):
        claim(figures=[{"value": 1, "unit": "people"}])


def test_a_quote_carries_its_language_and_what_it_translates():
    c = claim(quote="20,000 terrorists", quote_language="en", original={"language": "ru", "translator": "openDemocracy"})
    assert c.versions[0]["quote_language"] == "en" and c.versions[0]["original"]["language"] == "ru"
    with pytest.raises(InvalidValueError, match="BCP 47"):
        claim(quote="x", quote_language="english please")


def test_links_are_typed():
    with pytest.raises(InvalidValueError, match="relation"):
        claim().link("likes", natural_id("claim", "other"))


def test_a_source_needs_a_slug_shaped_camp():
    with pytest.raises(InvalidValueError):
        Source.register("x", "X", "Official Camp")
