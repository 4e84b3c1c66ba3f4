"""An export imported into an empty store gives the same answers and the same head hash."""

from __future__ import annotations

import io
import json

import pytest

from chronicle.bootstrap import open_chronicle
from chronicle.config import Settings
from chronicle.transfer import ImportRefused, export_lines, import_events


@pytest.fixture
def exported(kazakhstan) -> list[str]:
    with kazakhstan.editing_as("desk"):
        kazakhstan.correct_claim("ministry-toll-164", {"note": "checked"}, "added a note", version=0)
    return list(export_lines(kazakhstan))


@pytest.fixture
def empty(tmp_path):
    return open_chronicle(Settings(data_dir=tmp_path / "copy"))


def test_the_export_ends_with_the_head_hash(kazakhstan, exported):
    trailer = json.loads(exported[-1])
    assert trailer == {"format": "chronicle-events/1", "events": len(exported) - 1, "head": kazakhstan.head()["hash"]}


def test_import_into_an_empty_store_keeps_answers_and_head_hash(kazakhstan, exported, empty):
    assert import_events(empty, io.StringIO("\n".join(exported))) == len(exported) - 1
    assert empty.head() == kazakhstan.head() and empty.verify_chain().ok
    for day in ("2022-01-09", "2022-01-10", "2022-01-16"):
        assert empty.narrative(day, "everyone") == kazakhstan.narrative(day, "everyone")
    assert empty.claim_history("ministry-toll-164") == kazakhstan.claim_history("ministry-toll-164")
    assert list(empty.event_log()) == list(kazakhstan.event_log())


@pytest.mark.parametrize("damage, message", [
    (lambda lines: lines[:-1], "truncated"),
    (lambda lines: lines[:5] + lines[6:], "line 6: hash does not match"),
    (lambda lines: [lines[1], lines[0]] + lines[2:], "line 1: hash does not match"),
    (lambda lines: [lines[0].replace('"position": 1,', '"position": "1",')] + lines[1:], "line 1: position '1'"),
    (lambda lines: [lines[0].replace("Tokayev", "Tokaev")] + lines[1:], "line 1: hash does not match"),
    (lambda lines: lines[:3] + ["{not json"] + lines[3:], "line 4: not JSON"),
    (lambda lines: lines + [lines[0]], "data after the closing line"),
])
def test_a_damaged_export_is_refused_and_nothing_is_imported(exported, empty, damage, message):
    with pytest.raises(ImportRefused, match=message):
        import_events(empty, io.StringIO("\n".join(damage(exported))))
    assert empty.recorder.max_notification_id() in (None, 0)


def test_import_refuses_a_store_that_is_not_empty(kazakhstan, exported):
    with pytest.raises(ImportRefused, match="not empty"):
        import_events(kazakhstan, io.StringIO("\n".join(exported)))
