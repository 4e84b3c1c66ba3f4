"""Many stories in one chronicle: they stay apart; a load compares content, not slugs; a source's
camp changes on a stated day; figures may be estimates, and a statement may give several."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from chronicle.application import DuplicateEntryError, UnknownEntryError
from chronicle.loader import LoadError, load_chronicle
from tests.conftest import KAZAKHSTAN, SECOND_STORY

FIRE = "tower-fire-2017"
KZ = "kazakhstan-2022"


def values(history: dict) -> list:
    return [(e["figure"] or {}).get("point") for e in history["history"]]


def event_count(chronicle) -> int:
    return sum(1 for _ in chronicle.event_log())


def test_two_stories_with_the_same_slugs_stay_apart(two_stories):
    assert [s["slug"] for s in two_stories.stories()] == [KZ, FIRE]
    kz, fire = (two_stories.topic_history("death-toll", story=s) for s in (KZ, FIRE))
    assert values(fire) == [30, 58, 64, 79, 71]
    assert 164 in values(kz) and not {30, 58, 79, 71} & set(values(kz))
    kz_claim = two_stories.claim_history("ministry-toll-164", story=KZ)
    fire_claim = two_stories.claim_history("ministry-toll-164", story=FIRE)
    assert kz_claim["id"] != fire_claim["id"] and fire_claim["versions"][0]["figure"]["value"] == 64
    official = two_stories.narrative("2022-01-16", "official", story=KZ)
    assert {c["story"] for g in official["topics"] for c in g["claims"]} == {KZ}
    assert two_stories.diff("2017-06-15", "2017-06-30", "everyone", story=FIRE)["story"] == FIRE
    assert {c["story"] for c in two_stories.lens_history("everyone", story=FIRE)["history"]} == {FIRE}
    assert two_stories.narrative_days("everyone", story=FIRE)[0] == "2017-06-16"
    assert [i["slug"] for i in two_stories.incidents(story=FIRE)] == ["tower-fire"]


def test_with_several_stories_a_question_must_name_one(two_stories):
    with pytest.raises(UnknownEntryError, match="holds 2 stories: name one"):
        two_stories.narrative("2022-01-16", "official")
    with pytest.raises(UnknownEntryError, match="no story is called 'nowhere'"):
        two_stories.narrative("2022-01-16", "official", story="nowhere")


def test_a_source_speaks_in_every_story_and_search_says_which(two_stories):
    versions = two_stories.source_claims("city-police")["versions"]
    assert {v["story"] for v in versions} == {FIRE}
    hits = two_stories.search("death toll")
    assert {h["story"] for h in hits if h["kind"] == "topic"} == {KZ, FIRE}
    assert {h["story"] for h in two_stories.search("toll", story=FIRE)} <= {FIRE, None}


def test_a_slug_taken_in_a_story_is_refused_but_free_in_another(two_stories):
    with pytest.raises(DuplicateEntryError, match="already exists in story 'tower-fire-2017'"):
        two_stories.open_topic("death-toll", "Again", "figure", "people", story=FIRE)
    with pytest.raises(DuplicateEntryError):
        two_stories.state_claim("police-death-toll", "city-police", "death-toll", "2017-06-20", "x", story=FIRE)
    two_stories.state_claim("police-death-toll", "tokayev", "death-toll", "2022-01-20", "x", story=KZ)
    assert two_stories.claim_history("police-death-toll", story=KZ)["versions"][0]["text"] == "x"


def test_a_camp_change_moves_a_source_out_of_the_official_lens_on_its_day(two_stories):
    """The fixture's City Police joins the camp 'independent' from 2017-09-01."""
    def official(day):
        return {c["claim"] for g in two_stories.narrative(day, "official", story=FIRE)["topics"] for c in g["claims"]}
    assert official("2017-08-31") == {"police-death-toll"}
    assert official("2017-09-01") == set()
    assert {c["claim"] for g in two_stories.narrative("2017-09-01", "independent", story=FIRE)["topics"]
            for c in g["claims"]} == {"police-death-toll"}
    assert two_stories.resolve_source("city-police")["camp"] == "independent"


def test_a_camp_change_recorded_later_moves_a_source_into_the_official_lens(kazakhstan):
    kazakhstan.register_source("defector", "A defector", "opposition")
    kazakhstan.state_claim("defector-says", "defector", "death-toll", "2022-01-08", "Hundreds died.")
    before = kazakhstan.narrative("2022-01-12", "official")
    kazakhstan.move_source("defector", "official", "2022-01-10", citations=[{"document": "test"}])
    claims = lambda answer: {c["claim"] for g in answer["topics"] for c in g["claims"]}  # noqa: E731
    assert "defector-says" not in claims(before)
    assert "defector-says" in claims(kazakhstan.narrative("2022-01-12", "official"))
    assert "defector-says" not in claims(kazakhstan.narrative("2022-01-09", "official"))
    assert "defector-says" in claims(kazakhstan.narrative("2022-01-09", "opposition"))


def copy_of(tmp_path, source=KAZAKHSTAN):
    folder = tmp_path / source.name
    shutil.copytree(source, folder)
    return folder


def edit(folder, name, change):
    path = folder / name
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize("change, fields", [
    (lambda d: d["claims"][1].update(text="A different paraphrase."), ["text"]),
    (lambda d: d["claims"][1]["figure"].update(value=165), ["figure.value"]),
    (lambda d: d["claims"][1]["events"][0].update(reason="Another reason."), ["events[0]", "reason"]),
    (lambda d: d["claims"][1]["events"][0].update(type="revised", figure={"value": 1, "unit": "people"},
                                                   reason=None), ["events[0]", "type"]),
])
def test_a_slug_already_stored_with_other_content_fails_the_load_naming_each_field(kazakhstan, tmp_path,
                                                                                      change, fields):
    folder = copy_of(tmp_path)
    edit(folder, "death-toll.json", change)
    edit(folder, "president.json", lambda d: d["claims"].append({**d["claims"][0], "slug": "brand-new-claim"}))
    before = event_count(kazakhstan)
    with pytest.raises(LoadError) as refused:
        load_chronicle(kazakhstan, folder)
    message = str(refused.value)
    assert "death-toll.json: claims[1] (ministry-toll-164)" in message
    assert all(name in message for name in fields), message
    assert "'corrected'" in message and "Nothing was loaded" in message
    assert event_count(kazakhstan) == before, "the new claim beside it was not stored either"


def test_a_source_stored_with_another_camp_is_named(kazakhstan, tmp_path):
    folder = copy_of(tmp_path)
    edit(folder, "sources.json", lambda d: d["sources"][0].update(camp="opposition"))
    with pytest.raises(LoadError, match=r"sources\[0\] \(tokayev\): differs .*camp \(stored: \"official\""):
        load_chronicle(kazakhstan, folder)


def test_a_folder_that_names_no_story_loads_into_one_named_after_it(chronicle, tmp_path):
    folder = tmp_path / "Fire Story"
    folder.mkdir()
    document = json.loads((SECOND_STORY / "story.json").read_text(encoding="utf-8"))
    del document["story"]
    (folder / "all.json").write_text(json.dumps(document), encoding="utf-8")
    load_chronicle(chronicle, folder)
    assert [s["slug"] for s in chronicle.stories()] == ["fire-story"]
    assert values(chronicle.topic_history("death-toll"))[0] == 30


def test_an_estimate_and_a_two_figure_statement_round_trip_through_the_file(two_stories):
    claim = two_stories.claim_history("police-death-toll", story=FIRE)
    presumed = next(v for v in claim["versions"] if v["stated"]["on"] == "2017-06-19")
    assert {k: presumed["figure"][k] for k in ("low", "best", "high", "qualifier")} == \
        {"low": 50, "best": 58, "high": 80, "qualifier": "presumed"}
    assert isinstance(presumed["figure"]["best"], int)
    assert presumed["figures"][0]["topic"] == "missing" and presumed["figures"][0]["value"] == 58
    missing = two_stories.topic_history("missing", story=FIRE)
    assert values(missing) == [58, 58, 58]


def cli(settings, *args):
    env = {**os.environ, "CHRONICLE_DATA": str(settings.data_dir)}
    result = subprocess.run([sys.executable, "-m", "chronicle.cli", *args], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_cli_keeps_stories_apart_and_round_trips_figures(two_stories, settings):
    listed = json.loads(cli(settings, "stories", "--json"))
    assert [(s["slug"], s["last_day"]) for s in listed] == [(KZ, "2022-08-01"), (FIRE, "2017-11-16")]
    fire = json.loads(cli(settings, "history", "death-toll", "--story", FIRE, "--json"))
    assert [e["figure"]["point"] for e in fire["history"]] == [30, 58, 64, 79, 71]
    cli(settings, "revise", "police-death-toll", "--story", FIRE, "--stated", "2017-06-21",
        "--figure", '{"low": 60, "best": 65, "high": 90, "unit": "people", "qualifier": "estimated"}',
        "--figures", '[{"topic": "missing", "value": 40, "unit": "people"}]', "--citation", "a later report")
    claim = json.loads(cli(settings, "claim", "police-death-toll", "--story", FIRE, "--json"))
    added = next(v for v in claim["versions"] if v["stated"]["on"] == "2017-06-21")
    assert added["figure"]["best"] == 65 and added["figures"][0]["value"] == 40
    assert [v["stated"]["on"] for v in claim["versions"]] == sorted(v["stated"]["on"] for v in claim["versions"])
    kz = json.loads(cli(settings, "claim", "ministry-toll-164", "--story", KZ, "--json"))
    assert kz["versions"][0]["figure"]["value"] == 164 and isinstance(kz["versions"][0]["figure"]["value"], int)
