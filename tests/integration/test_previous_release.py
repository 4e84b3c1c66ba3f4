"""A chronicle written by the previous release opens with this one and gives the same answers.

The export in tests/fixtures/previous-release/ holds the events exactly as release 0.1.0 stored
them (before stories). Importing it stores those rows unchanged; this release reads them through
eventsourcing's upcasting (``class_version`` and ``upcast_v1_v2``), never by rewriting them, so the
hash chain over the stored rows still verifies and ends at the same head.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from chronicle.bootstrap import open_chronicle
from chronicle.domain import LEGACY_STORY
from chronicle.persistence.postgres import split_url
from chronicle.transfer import import_events

FOLDER = Path(__file__).resolve().parent.parent / "fixtures" / "previous-release"
EXPORT = FOLDER / "chronicle-0.1.0.jsonl"
ANSWERS = json.loads((FOLDER / "answers.json").read_text(encoding="utf-8"))


def claimrow(c):
    f = c.get("figure") or {}
    return [c["claim"], c["version"], c["kind"], c.get("status"), c["text"], f.get("value"), f.get("low"),
            f.get("high"), c.get("disputed"), c["stated"]["edtf"], c["source"]["slug"]]


def digest(key: str, answer: dict):
    """The same cut of an answer as answers.json holds."""
    if key.startswith("narrative"):
        return {g["topic"]["slug"]: {"current": g["current"], "claims": [claimrow(c) for c in g["claims"]]}
                for g in answer["topics"]}
    if key.startswith("history"):
        return [[e["claim"], e["version"], e["kind"], e["stated"]["edtf"], (e["figure"] or {}).get("value"), e["text"],
                 e["reason"], (e["replaces"] or {}).get("version")] for e in answer["history"]]
    if key.startswith("claim"):
        return {"entry_version": answer["entry_version"],
                "versions": [[v["version"], v["kind"], v["stated"]["edtf"], v["text"], (v["figure"] or {}).get("value"),
                              [c["field"] for c in v["changes"]]] for v in answer["versions"]],
                "corrections": [[c["version"], c["fields"], c["reason"]] for c in answer["corrections"]],
                "links": [[link["relation"], link["direction"], link["claim"], link["on"]] for link in answer["links"]]}
    return {k: sorted(i["claim"]["claim"] for i in answer[k]) for k in ("added", "revised", "retracted", "superseded",
                                                                         "disputed")}


def ask(chronicle, key: str) -> dict:
    words = key.split()
    if words[0] == "narrative":
        return chronicle.narrative(words[1], words[2])
    if words[0] == "history":
        return chronicle.topic_history(words[1])
    if words[0] == "claim":
        return chronicle.claim_history(words[1])
    return chronicle.diff("2022-01-05", "2022-01-11", "official")


@pytest.fixture
def previous(chronicle):
    with EXPORT.open(encoding="utf-8") as lines:
        import_events(chronicle, lines)
    return chronicle


def test_the_previous_release_answers_the_same(previous):
    assert [s["slug"] for s in previous.stories()] == [LEGACY_STORY]
    assert sorted(t["slug"] for t in previous.entries("topic")) == ANSWERS["topics"]
    questions = [key for key in ANSWERS if key != "topics"]
    assert len(questions) > 90
    for key in questions:
        assert digest(key, ask(previous, key)) == ANSWERS[key], key


def test_its_hash_chain_still_verifies_and_ends_at_the_same_head(previous):
    head = json.loads(EXPORT.read_text(encoding="utf-8").splitlines()[-1])["head"]
    report = previous.verify_chain()
    assert report.ok and report.checked == 202 and report.head == head


def test_its_entries_keep_their_ids(previous):
    from chronicle.domain import natural_id
    assert previous.resolve("claim", "ministry-toll-164")["id"] == str(natural_id("claim", "ministry-toll-164"))


def test_read_models_of_an_older_layout_are_rebuilt_when_the_folder_is_opened(previous, settings):
    old_view = previous.view
    if settings.database_url:
        conninfo, _ = split_url(settings.database_url)
        with psycopg.connect(conninfo, autocommit=True) as db:
            db.execute(sql.SQL("DROP TABLE {}.layout").format(sql.Identifier(old_view.schema)))
    else:
        with sqlite3.connect(old_view.path) as db:
            db.execute("PRAGMA user_version = 0")
    previous.view.close()
    previous.close()
    reopened = open_chronicle(settings)
    try:
        assert reopened.view.layout == reopened.view.LAYOUT
        assert digest("claim ministry-toll-164", reopened.claim_history("ministry-toll-164")) == \
            ANSWERS["claim ministry-toll-164"]
        assert reopened.verify_chain().ok
    finally:
        reopened.view.close()
        reopened.close()
