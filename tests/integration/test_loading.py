"""Loading chronicle files: idempotent, atomic, and precise about what is wrong."""

from __future__ import annotations

import json
import shutil

import pytest

from chronicle.loader import LoadError, load_chronicle
from tests.conftest import KAZAKHSTAN


def event_count(chronicle) -> int:
    return sum(1 for _ in chronicle.event_log())


def test_loading_twice_records_nothing_the_second_time(kazakhstan):
    before = event_count(kazakhstan)
    report = load_chronicle(kazakhstan, KAZAKHSTAN)
    assert report.events == 0 and event_count(kazakhstan) == before
    assert report.unchanged == sum(report.created.values()) + report.unchanged


def test_a_later_event_added_to_a_file_is_the_only_thing_recorded_on_reload(kazakhstan, tmp_path):
    folder = tmp_path / "fixture"
    shutil.copytree(KAZAKHSTAN, folder)
    path = folder / "terrorism-framing.json"
    document = json.loads(path.read_text())
    document["claims"][1]["events"] = [{"type": "revised", "stated": "2022-01-20", "text": "Later wording",
                                        "citations": [{"document": "A later report"}]}]
    path.write_text(json.dumps(document))
    report = load_chronicle(kazakhstan, folder)
    assert report.events == 1
    assert load_chronicle(kazakhstan, folder).events == 0


def broken_copy(tmp_path, mutate) -> object:
    folder = tmp_path / "broken"
    shutil.copytree(KAZAKHSTAN, folder)
    path = folder / "death-toll.json"
    document = json.loads(path.read_text())
    mutate(document)
    path.write_text(json.dumps(document))
    return folder


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["claims"][1]["figure"].update(value="many"),
     r"death-toll.json: claims\[1\] \(ministry-toll-164\)\.figure\.value: Not a valid number"),
    (lambda d: d["claims"][0].update(stated="6 January"),
     r"claims\[0\] \(authorities-toll-fewer-than-50\)\.stated: '6 January' is not a date"),
    (lambda d: d["claims"][2].pop("citations"),
     r"claims\[2\] \(health-ministry-denies-164\)\.citations: Missing data"),
    (lambda d: d["claims"][0].update(colour="red"), r"claims\[0\].*colour: Unknown field"),
    (lambda d: d["claims"][1].pop("slug"), r"death-toll.json: claims\[1\]\.slug: Missing data"),
    (lambda d: d["claims"][3].update(source="nobody-at-all"),
     r"death-toll.json: claims\[3\] \(prosecutor-death-toll\): source: no source is called 'nobody-at-all'"),
    (lambda d: d["claims"][3]["events"][1].update(stated="2022-01-01"),
     r"prosecutor-death-toll\): events\[1\] \(revised\): a revision .* dated 2022-01-01 does not fit: "
     r"no version can be dated before the claim's statement \(2022-01-15\)"),
    (lambda d: d["claims"][2]["links"][0].update(target="no-such-claim"),
     r"links\[0\]\.target: no claim has the slug 'no-such-claim'"),
])
def test_a_bad_file_stores_nothing_and_names_the_file_record_and_field(chronicle, tmp_path, mutate, message):
    with pytest.raises(LoadError, match=message):
        load_chronicle(chronicle, broken_copy(tmp_path, mutate))
    assert event_count(chronicle) == 0
    assert chronicle.entries("source") == []


def test_broken_json_is_reported_with_its_line(chronicle, tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "claims.json").write_text('{"claims": [\n  {"slug": "x",}\n]}')
    with pytest.raises(LoadError, match=r"claims.json: line 2, column 16"):
        load_chronicle(chronicle, folder)


def test_duplicate_keys_and_slugs_are_refused(chronicle, tmp_path):
    (tmp_path / "a.json").write_text('{"sources": [], "sources": []}')
    with pytest.raises(LoadError, match="duplicate key 'sources'"):
        load_chronicle(chronicle, tmp_path / "a.json")
    folder = tmp_path / "twice"
    shutil.copytree(KAZAKHSTAN, folder)
    shutil.copy(folder / "topics.json", folder / "zz-topics.json")
    with pytest.raises(LoadError, match=r"zz-topics.json: topics\[0\] \(death-toll\): slug 'death-toll' is already used by topics.json"):
        load_chronicle(chronicle, folder)
    assert event_count(chronicle) == 0


def test_a_file_that_breaks_after_good_records_stores_none_of_them(chronicle, tmp_path):
    def late_break(document):
        document["claims"][-1]["events"][-1]["stated"] = "2021-12-31"
    with pytest.raises(LoadError):
        load_chronicle(chronicle, broken_copy(tmp_path, late_break))
    assert event_count(chronicle) == 0
