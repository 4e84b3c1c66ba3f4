"""`chronicle migrate` copies a SQLite chronicle to PostgreSQL: every event in order, every answer the same."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from chronicle.bootstrap import open_chronicle
from chronicle.config import Settings
from chronicle.loader import load_chronicle
from chronicle.migrate import MigrationError, migrate
from tests.conftest import KAZAKHSTAN

pytestmark = pytest.mark.postgres

LENSES = ["official", "everyone", "expert", "independent-media", "tokayev,independent-media"]
WORDS = ["Zhomart", "technical error", "caliph", "terrorists", "Almaty", "164", "тоқаев"]


@pytest.fixture
def source(tmp_path):
    """The Kazakhstan chronicle on SQLite, with every kind of event the fixture lacks added by editors."""
    chronicle = open_chronicle(Settings(data_dir=tmp_path / "sqlite"))
    with chronicle.editing_as("fixture-loader"):
        load_chronicle(chronicle, KAZAKHSTAN)
    with chronicle.editing_as("desk-editor"):
        chronicle.correct_claim("ministry-toll-164", {"text": "164 people had died (corrected entry)."},
                                "our entry dropped a word", version=0)
        chronicle.revise_claim("tokayev-20000-terrorists-and-bandits", "2022-01-20", text="A later wording")
        chronicle.link_claims("prosecutor-death-toll", "supports", "ministry-toll-164", note="same morgues")
        chronicle.amend_entry("source", "tokayev", {"aliases": ["Kassym-Zhomart Tokayev", "Tokaev"]}, "a spelling")
    yield chronicle
    chronicle.view.close()
    chronicle.close()


def run_migrate(data, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CHRONICLE_DATA": str(data), "CHRONICLE_EDITOR": "migrator"}
    env.pop("CHRONICLE_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "chronicle.cli", "migrate", "--to", url],
                          env=env, capture_output=True, text=True, timeout=300)


def every_answer(chronicle) -> dict[str, str]:
    """Every question the chronicle answers, asked every way the fixture makes meaningful."""
    events = list(chronicle.event_log())
    days = chronicle.narrative_days("everyone") + ["2021-12-31", "2022-09-01", "2030-01-01"]
    moments = [events[n]["recorded_at"] for n in (0, len(events) // 2, -2)]
    answers = {f"narrative {day} {lens}": chronicle.narrative(day, lens) for day in days for lens in LENSES}
    answers.update({f"known {day} {at}": chronicle.narrative(day, "everyone", at) for day in days for at in moments})
    answers.update({f"diff {a} {b}": chronicle.diff(a, b, "official") for a, b in zip(days, days[1:])})
    for kind in ("source", "topic", "incident"):
        answers[f"{kind}s"] = chronicle.entries(kind)
    for topic in chronicle.entries("topic"):
        answers[f"history {topic['slug']}"] = chronicle.topic_history(topic["slug"])
        answers[f"history {topic['slug']} then"] = chronicle.topic_history(topic["slug"], moments[1])
    for claim in chronicle.view.entries("claim"):
        answers[f"claim {claim['slug']}"] = chronicle.claim_history(claim["slug"])
    for source in chronicle.entries("source"):
        answers[f"source {source['slug']}"] = chronicle.source_claims(source["slug"])
    answers.update({f"lens history {lens}": chronicle.lens_history(lens) for lens in LENSES})
    answers["incidents"] = chronicle.incidents()
    answers["audit"] = chronicle.audit(limit=100000)
    answers["log"] = events
    answers["head"] = chronicle.head()["hash"]
    # Which entries match is the same on both stores; ranking and snippets are each engine's own.
    answers.update({f"search {word}": sorted((hit["kind"], hit["slug"], hit["title"]) for hit in chronicle.search(word))
                    for word in WORDS})
    return {question: json.dumps(answer, sort_keys=True, default=str) for question, answer in answers.items()}


def test_migrate_copies_every_event_in_order_and_every_answer_is_the_same(source, postgres_url, tmp_path):
    expected = every_answer(source)
    result = run_migrate(tmp_path / "sqlite", postgres_url)
    assert result.returncode == 0, result.stderr
    count = sum(1 for _ in source.event_log())
    assert f"copied {count} events (0 were already there)" in result.stdout
    copy = open_chronicle(Settings(data_dir=tmp_path / "unused", database_url=postgres_url))
    try:
        assert copy.verify_chain().ok
        actual = every_answer(copy)
        assert actual.keys() == expected.keys()
        assert [q for q in expected if actual[q] != expected[q]] == []
        assert [e["position"] for e in copy.event_log()] == list(range(1, count + 1))
    finally:
        copy.view.close()
        copy.close()


def test_migrating_again_copies_only_what_was_recorded_since(source, postgres_url, tmp_path):
    target = open_chronicle(Settings(data_dir=tmp_path / "unused", database_url=postgres_url))
    try:
        first = migrate(source, target, batch=25)
        assert first.already == 0 and first.copied == sum(1 for _ in source.event_log())
        assert migrate(source, target).copied == 0
        with source.editing_as("desk-editor"):
            source.retract_claim("tokayev-20000-terrorists-and-bandits", "2022-02-01", "withdrawn by the office")
        again = migrate(source, target)
        assert (again.already, again.copied) == (first.copied, 1)
        assert target.narrative("2022-02-02", "official") == source.narrative("2022-02-02", "official")
    finally:
        target.view.close()
        target.close()


def test_a_target_holding_another_chronicle_is_refused_and_left_as_it_was(source, postgres_url, tmp_path):
    other = open_chronicle(Settings(data_dir=tmp_path / "other", database_url=postgres_url))
    try:
        other.register_source("someone-else", "Someone Else", "official")
        before = list(other.event_log())
        with pytest.raises(MigrationError, match="not this chronicle's"):
            migrate(source, other)
        assert list(other.event_log()) == before
    finally:
        other.view.close()
        other.close()


def test_an_unreachable_server_is_one_clear_line_on_stderr(source, tmp_path):
    result = run_migrate(tmp_path / "sqlite", "postgresql://postgres@127.0.0.1:1/test")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("error: cannot reach PostgreSQL at 127.0.0.1:1/test")
