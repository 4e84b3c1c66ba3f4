"""The narrative's statuses, computed in memory from index rows."""

import json

from chronicle.projections.narrative import diff, narrate, word_diff


def row(claim, stated_on, value=None, kind="stated", version=0, source="s", camp="official", next_kind=None,
        until=None, topic="toll", topic_kind="figure"):
    return {
        "claim_id": claim, "claim_slug": claim, "version": version, "part": 0, "kind": kind, "story": "kz",
        "source_id": source, "source_slug": source, "source_name": source, "source_camp": camp,
        "via_id": None, "via_slug": None, "via_name": None, "via_camp": None,
        "topic_id": topic, "topic_slug": topic, "topic_title": topic, "topic_kind": topic_kind, "topic_unit": "people",
        "stated_on": stated_on, "stated_until": until, "next_kind": next_kind,
        "stated": json.dumps({"edtf": stated_on, "part_of_day": None, "note": None}),
        "text": f"{claim} says {value}", "quote": None, "quote_language": None, "original": None,
        "figure": json.dumps({"unit": "people", "value": value}) if value is not None else None,
        "figure_value": value, "citations": "[]", "reason": "oops" if kind == "retracted" else None, "note": None,
        "recorded_at": "2026-01-01T00:00:00+00:00", "recorded_by": "ed",
        "corrected_at": None, "corrected_by": None, "correction": None,
    }


def statuses(groups):
    return {c["claim"]: (c["status"], c["superseded_by"]) for g in groups for c in g["claims"]}


def test_the_latest_stated_figure_is_current_and_the_others_are_superseded():
    groups = narrate([row("early", "2022-01-06", 50), row("later", "2022-01-15", 225)], [], "2022-01-16")
    assert groups[0]["current"] == "later"
    assert statuses(groups) == {"early": ("superseded", "later"), "later": ("current", None)}


def test_a_retracted_figure_gives_way_to_the_previous_standing_one():
    groups = narrate([row("early", "2022-01-06", 50), row("wrong", "2022-01-10", 164, kind="retracted", version=1)],
                     [], "2022-01-10")
    assert groups[0]["current"] == "early"
    assert statuses(groups)["wrong"] == ("retracted", None)


def test_question_topics_have_no_single_current_claim():
    groups = narrate([row("a", "2022-01-07", topic="why", topic_kind="question"),
                      row("b", "2022-01-08", topic="why", topic_kind="question")], [], "2022-01-09")
    assert groups[0]["current"] is None and statuses(groups) == {"a": ("current", None), "b": ("current", None)}


def test_a_dispute_counts_only_from_the_day_it_was_made():
    link = {"claim_id": "b", "claim_slug": "b", "relation": "disputes", "target_id": "a", "target_slug": "a",
            "stated_on": "2022-01-12", "note": None}
    rows = [row("a", "2022-01-07", topic="why", topic_kind="question")]
    assert narrate(rows, [link], "2022-01-11")[0]["claims"][0]["disputed"] is False
    assert narrate(rows, [link], "2022-01-12")[0]["claims"][0]["disputed"] is True


def test_later_revisions_are_flagged_without_leaking_their_content():
    claim = narrate([row("a", "2022-01-15", 225, next_kind="revised", until="2022-01-25")], [], "2022-01-16")[0]["claims"][0]
    assert claim["revised_later"] and claim["figure"]["value"] == 225 and claim["next_change"]["on"] == "2022-01-25"


def test_diff_sorts_changes_into_added_revised_and_retracted():
    before = narrate([row("a", "2022-01-06", 50)], [], "2022-01-08")
    after = narrate([row("a", "2022-01-06", 50, version=1, kind="revised"),
                     row("b", "2022-01-10", 164, kind="retracted", version=1),
                     row("c", "2022-01-15", 225)], [], "2022-01-16")
    changes = diff(before, after, [], "2022-01-08", "2022-01-16")
    assert [i["claim"]["claim"] for i in changes["added"]] == ["c"]
    assert [i["claim"]["claim"] for i in changes["retracted"]] == ["b"]
    assert [i["claim"]["claim"] for i in changes["revised"]] == ["a"]
    assert [i["claim"]["claim"] for i in changes["superseded"]] == ["a"]


def test_word_diff_marks_what_was_removed_and_added():
    assert word_diff("164 people died", "225 people died") == [["-", "164"], ["+", "225"], ["=", "people died"]]
