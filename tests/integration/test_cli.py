"""The ``chronicle`` command, run as a user runs it: a real process on real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import KAZAKHSTAN


@pytest.fixture
def run(tmp_path):
    env = {**os.environ, "CHRONICLE_DATA": str(tmp_path / "data"), "CHRONICLE_EDITOR": "cli-test"}

    def chronicle(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", "chronicle.cli", *args], env=env,
                                capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            raise AssertionError(f"chronicle {' '.join(args)} failed: {result.stderr}")
        return result
    return chronicle


@pytest.fixture
def loaded(run):
    run("load", str(KAZAKHSTAN))
    return run


def test_load_is_idempotent_and_quiet_when_piped(run):
    first = run("load", str(KAZAKHSTAN))
    second = run("load", str(KAZAKHSTAN), "--json")
    assert "events recorded" in first.stdout and first.stderr == ""
    assert json.loads(second.stdout)["events"] == 0


def test_narrative_as_json_and_as_a_table(loaded):
    answer = json.loads(loaded("narrative", "--as-of", "2022-01-16", "--lens", "official", "--json").stdout)
    toll = next(g for g in answer["topics"] if g["topic"]["slug"] == "death-toll")
    assert toll["current"] == "prosecutor-death-toll"
    table = loaded("narrative", "--as-of", "2022-01-16", "--lens", "official").stdout
    assert "Death toll of the January events" in table and "225 people" in table


def test_a_lens_can_name_a_source_by_an_alias(loaded):
    answer = json.loads(loaded("narrative", "--as-of", "2022-01-08", "--lens", "Kassym-Zhomart Tokayev", "--json").stdout)
    sources = {c["source"]["slug"] for g in answer["topics"] for c in g["claims"]}
    assert sources == {"tokayev"}


def test_history_diff_claim_and_source(loaded):
    history = json.loads(loaded("history", "death-toll", "--json").stdout)["history"]
    assert [h["figure"]["value"] for h in history if h["figure"] and h["kind"] != "retracted"] == [50, 164, 225, 227, 230, 238]
    diff = json.loads(loaded("diff", "2022-01-05", "2022-01-11", "--lens", "official", "--json").stdout)
    assert diff["from"] == "2022-01-05" and diff["retracted"][0]["claim"]["claim"] == "ministry-toll-164"
    assert "prosecutor-death-toll" in loaded("claim", "prosecutor-death-toll").stdout
    assert "camp official" in loaded("source", "Kassym-Zhomart Tokayev").stdout


def test_known_at_shows_the_entry_before_a_correction(loaded):
    events = json.loads(loaded("events", "--json").stdout)
    known_at = events[-1]["recorded_at"]
    loaded("correct", "ministry-toll-164", "--version", "0", "--set", "text=Corrected entry.", "--reason", "typo")
    old = loaded("narrative", "--as-of", "2022-01-09", "--known-at", known_at, "--json").stdout
    new = loaded("narrative", "--as-of", "2022-01-09", "--json").stdout
    assert "Corrected entry." not in old and "Corrected entry." in new
    last = json.loads(loaded("events", "--json").stdout)[-1]
    assert last["type"].endswith("Claim.Corrected") and last["editor"] == "cli-test"


def test_events_are_in_recorded_order_and_stamped_with_the_editor(loaded):
    events = json.loads(loaded("events", "--json").stdout)
    assert {e["editor"] for e in events} == {"cli-test"}
    assert [e["position"] for e in events] == list(range(1, len(events) + 1))
    assert events[0]["recorded_at"] <= events[-1]["recorded_at"]


def test_rebuild_keeps_the_answers(loaded):
    before = loaded("narrative", "--as-of", "2022-01-16", "--json").stdout
    assert "rebuilt the view from" in loaded("rebuild").stdout
    assert loaded("narrative", "--as-of", "2022-01-16", "--json").stdout == before


@pytest.mark.parametrize("args, message", [
    (("narrative", "--as-of", "16 January"), "as of: '16 January' is not a day"),
    (("history", "no-such-topic"), "no topic is called 'no-such-topic'"),
    (("narrative", "--as-of", "2022-01-16", "--known-at", "yesterday"), "known at: 'yesterday'"),
    (("load", "/no/such/folder"), "no such file or folder"),
    (("revise", "ministry-toll-164", "--stated", "2022-01-11", "--text", "x"), "retraction of 2022-01-10"),
])
def test_errors_go_to_stderr_with_a_non_zero_exit(loaded, args, message):
    result = loaded(*args, check=False)
    assert result.returncode != 0 and message in result.stderr and result.stdout == ""
