"""The questions the core must answer from the Kazakhstan fixture, on real SQLite files."""

from __future__ import annotations

import json
import random
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from chronicle.bootstrap import open_chronicle
from chronicle.config import Settings
from chronicle.loader import load_chronicle
from tests.conftest import KAZAKHSTAN


def claims_in(narrative: dict) -> dict[str, dict]:
    return {c["claim"]: c for group in narrative["topics"] for c in group["claims"]}


def official_toll(chronicle, day: str) -> dict:
    narrative = chronicle.narrative(day, "official")
    group = next(g for g in narrative["topics"] if g["topic"]["slug"] == "death-toll")
    return claims_in({"topics": [group]})[group["current"]]


def test_the_terrorists_framing_enters_the_official_narrative_on_7_january(kazakhstan):
    assert "tokayev-20000-terrorists-and-bandits" not in claims_in(kazakhstan.narrative("2022-01-06", "official"))
    framing = claims_in(kazakhstan.narrative("2022-01-08", "official"))["tokayev-20000-terrorists-and-bandits"]
    assert framing["quote"] == "20,000 terrorists and bandits"
    assert framing["status"] == "current" and framing["disputed"] is False


def test_the_official_death_toll_moves_as_the_record_says(kazakhstan):
    assert official_toll(kazakhstan, "2022-01-09")["figure"]["value"] == 164
    retracted = claims_in(kazakhstan.narrative("2022-01-10", "official"))["ministry-toll-164"]
    assert retracted["status"] == "retracted" and "technical error" in retracted["reason"]
    assert official_toll(kazakhstan, "2022-01-16")["figure"]["value"] == 225
    assert official_toll(kazakhstan, "2022-09-01")["figure"]["value"] == 238


def test_a_retraction_makes_the_previous_standing_figure_current_again(kazakhstan):
    toll = official_toll(kazakhstan, "2022-01-10")
    assert toll["claim"] == "authorities-toll-fewer-than-50" and toll["status"] == "current"
    narrative = claims_in(kazakhstan.narrative("2022-01-16", "official"))
    assert narrative["authorities-toll-fewer-than-50"]["status"] == "superseded"
    assert narrative["authorities-toll-fewer-than-50"]["superseded_by"] == "prosecutor-death-toll"


def test_the_confession_is_official_between_its_broadcast_and_its_retraction(kazakhstan):
    assert "ruzakhunov-televised-confession" not in claims_in(kazakhstan.narrative("2022-01-09", "official"))
    broadcast = claims_in(kazakhstan.narrative("2022-01-11", "official"))["ruzakhunov-televised-confession"]
    assert broadcast["status"] == "current" and broadcast["via"]["slug"] == "kazakh-state-tv"
    assert broadcast["retracted_later"] is True
    after = claims_in(kazakhstan.narrative("2022-01-14", "official"))["ruzakhunov-televised-confession"]
    assert after["status"] == "retracted" and "deported" in after["reason"]


def test_the_death_toll_history_lists_every_version_in_stated_order_with_its_source(kazakhstan):
    history = kazakhstan.topic_history("death-toll")["history"]
    figures = [(h["source"]["slug"], h["kind"], h["figure"]["value"]) for h in history if h["figure"]]
    assert figures == [
        ("kazakh-authorities", "stated", 50),
        ("ministry-of-information", "stated", 164),
        ("ministry-of-information", "retracted", 164),
        ("prosecutor-general", "stated", 225),
        ("prosecutor-general", "revised", 227),
        ("prosecutor-general", "revised", 230),
        ("prosecutor-general", "revised", 238),
    ]
    assert [h["stated"]["on"] for h in history] == sorted(h["stated"]["on"] for h in history)
    assert history[-1]["replaces"]["figure"]["value"] == 230


def test_a_source_is_found_by_any_of_its_spellings(kazakhstan):
    for name in ("tokayev", "Kassym-Zhomart Tokayev", "kassym-jomart tokayev", "President Tokayev"):
        assert kazakhstan.resolve_source(name)["slug"] == "tokayev"


def test_diff_shows_what_changed_in_the_official_story(kazakhstan):
    changes = kazakhstan.diff("2022-01-05", "2022-01-11", "official")
    added = {item["claim"]["claim"] for item in changes["added"]}
    assert {"tokayev-20000-terrorists-and-bandits", "tokayev-attacked-by-terrorists"} <= added
    assert [i["claim"]["claim"] for i in changes["retracted"]] == ["ministry-toll-164"]
    disputed = {(i["claim"]["claim"], i["by"]) for i in changes["disputed"]}
    assert ("ministry-toll-164", "health-ministry-denies-164") in disputed


def test_known_at_before_an_editorial_correction_shows_the_uncorrected_entry(kazakhstan):
    before = datetime.now(timezone.utc).isoformat()
    time.sleep(0.01)
    with kazakhstan.editing_as("desk-editor"):
        kazakhstan.correct_claim("ministry-toll-164", {"text": "164 people had died (corrected entry)."},
                                 "our entry dropped a word", version=0)
    old = claims_in(kazakhstan.narrative("2022-01-09", "official", known_at=before))["ministry-toll-164"]
    new = claims_in(kazakhstan.narrative("2022-01-09", "official"))["ministry-toll-164"]
    assert old["text"].startswith("164 people had died, 103") and old["correction"] is None
    assert new["text"] == "164 people had died (corrected entry)."
    assert new["correction"]["by"] == "desk-editor" and new["correction"]["reason"] == "our entry dropped a word"
    history = kazakhstan.claim_history("ministry-toll-164")
    assert len(history["versions"]) == 2, "a correction is not a new version of what the source said"
    assert history["corrections"][0]["fields"] == ["text"]


def test_known_at_before_anything_was_recorded_is_empty(kazakhstan):
    assert kazakhstan.narrative("2022-01-16", "everyone", known_at="2000-01-01T00:00:00Z")["topics"] == []


def test_loading_in_a_shuffled_order_gives_the_same_answers(kazakhstan, tmp_path):
    shuffled = tmp_path / "shuffled"
    shuffled.mkdir()
    rng = random.Random(7)
    for number, file in enumerate(sorted(KAZAKHSTAN.glob("*.json"), reverse=True)):
        document = json.loads(file.read_text())
        for section in ("sources", "topics", "incidents", "claims"):
            rng.shuffle(document.get(section, []))
        (shuffled / f"{number:02d}.json").write_text(json.dumps(document))
    other = open_chronicle(Settings(data_dir=tmp_path / "other"))
    load_chronicle(other, shuffled)
    for day in ("2022-01-06", "2022-01-09", "2022-01-10", "2022-01-16", "2022-09-01"):
        assert answers(other, day) == answers(kazakhstan, day)


def answers(chronicle, day: str) -> str:
    """Everything a reader sees, minus recording times (which differ between two loads)."""
    narrative = chronicle.narrative(day, "everyone")
    for group in narrative["topics"]:
        for claim in group["claims"]:
            claim.pop("recorded_at"), claim.pop("recorded_by")
    return json.dumps(narrative, sort_keys=True)


@pytest.mark.sqlite_only("checks the old view's file is gone; test_postgres_views checks the same of its schema")
def test_rebuild_gives_byte_identical_answers(kazakhstan):
    questions = [
        lambda c: c.narrative("2022-01-16", "official"),
        lambda c: c.narrative("2022-01-11", "everyone"),
        lambda c: c.topic_history("death-toll"),
        lambda c: c.claim_history("prosecutor-death-toll"),
        lambda c: c.diff("2022-01-05", "2022-01-11", "official"),
        lambda c: c.source_claims("tokayev"),
        lambda c: c.audit(limit=1000),
    ]
    before = [json.dumps(q(kazakhstan), sort_keys=True) for q in questions]
    old_view = kazakhstan.view.path
    assert kazakhstan.rebuild() == sum(1 for _ in kazakhstan.event_log())
    assert kazakhstan.view.path != old_view and not old_view.exists()
    assert [json.dumps(q(kazakhstan), sort_keys=True) for q in questions] == before


def test_a_second_process_reads_the_view_the_first_one_wrote(kazakhstan, settings):
    reader = open_chronicle(settings)
    assert reader.narrative("2022-01-16", "official") == kazakhstan.narrative("2022-01-16", "official")
    with kazakhstan.editing_as("desk-editor"):
        kazakhstan.revise_claim("tokayev-20000-terrorists-and-bandits", "2022-01-20", text="Revised wording")
    assert claims_in(reader.narrative("2022-01-21", "official"))["tokayev-20000-terrorists-and-bandits"]["text"] == "Revised wording"


@pytest.mark.sqlite_only("deletes the views folder; test_postgres_views drops the view schema instead")
def test_a_view_that_lost_its_tracking_catches_up_from_the_log(kazakhstan, settings):
    """A crash between saving events and indexing them leaves a lagging view, not a wrong one."""
    expected = kazakhstan.narrative("2022-01-16", "official")
    shutil.rmtree(settings.views_dir)
    fresh = open_chronicle(settings)
    assert fresh.narrative("2022-01-16", "official") == expected


def test_search_finds_claims_quotes_and_sources_by_alias(kazakhstan):
    assert kazakhstan.search("Zhomart")[0]["slug"] == "tokayev"
    hits = [r["slug"] for r in kazakhstan.search("technical error")]
    assert hits == ["ministry-toll-164"]
    assert "pro-government-experts-caliphate" in [r["slug"] for r in kazakhstan.search("caliph")]
    assert kazakhstan.search('"(*') == []
    assert all(r["kind"] for r in kazakhstan.search('NEAR(" OR terror'))


def test_a_new_claim_and_its_links_are_one_transaction(kazakhstan):
    import pytest as _pytest
    from chronicle.application import UnknownEntryError

    before = sum(1 for _ in kazakhstan.event_log())
    with _pytest.raises(UnknownEntryError):
        kazakhstan.state_claim("new-dispute", "independent-experts", "nature-of-the-violence", "2022-01-20",
                               "Not terrorists", citations=[{"document": "x"}],
                               links=[{"relation": "disputes", "target": "tokayev-attacked-by-terrorists"},
                                      {"relation": "disputes", "target": "no-such-claim"}])
    assert sum(1 for _ in kazakhstan.event_log()) == before
    kazakhstan.state_claim("new-dispute", "independent-experts", "nature-of-the-violence", "2022-01-20",
                           "Not terrorists", citations=[{"document": "x"}],
                           links=[{"relation": "disputes", "target": "tokayev-attacked-by-terrorists"}])
    assert sum(1 for _ in kazakhstan.event_log()) == before + 2
    links = kazakhstan.claim_history("tokayev-attacked-by-terrorists")["links"]
    assert {"relation": "disputes", "direction": "in", "claim": "new-dispute"}.items() <= next(
        l for l in links if l["claim"] == "new-dispute").items()
