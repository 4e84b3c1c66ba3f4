"""What is particular to PostgreSQL: view generations as schemas, several processes on one database."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from uuid import UUID

import psycopg
import pytest
from psycopg import sql

from chronicle.bootstrap import open_chronicle, open_tokens
from chronicle.config import Settings
from chronicle.loader import load_chronicle
from chronicle.persistence.postgres import split_url
from tests.conftest import KAZAKHSTAN

CATCH_UP = "from chronicle.bootstrap import open_chronicle; from chronicle.config import from_environment; open_chronicle(from_environment())"
REVISE = """
import sys
from chronicle.application import ConcurrentWriteError, StaleVersionError
from chronicle.bootstrap import open_chronicle
from chronicle.config import from_environment
chronicle = open_chronicle(from_environment())
claim, count, day = sys.argv[1], int(sys.argv[2]), sys.argv[3]
done = 0
while done < count:
    try:
        chronicle.revise_claim(claim, day, text=f"{claim} revision {done}")
        done += 1
    except (ConcurrentWriteError, StaleVersionError):
        pass
"""


@pytest.fixture
def settings_pg(postgres_url, tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "unused", database_url=postgres_url, editor="test-editor")


@pytest.fixture
def loaded(settings_pg):
    chronicle = open_chronicle(settings_pg)
    with chronicle.editing_as("fixture-loader"):
        load_chronicle(chronicle, KAZAKHSTAN)
    yield chronicle
    chronicle.view.close()
    chronicle.close()


def schemas(url: str) -> set[str]:
    conninfo, schema = split_url(url)
    with psycopg.connect(conninfo) as db:
        rows = db.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (schema + "%",)).fetchall()
    return {name for (name,) in rows}


def view_rows(url: str, schema: str) -> tuple:
    with psycopg.connect(split_url(url)[0]) as db:
        db.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        versions = db.execute("SELECT claim_id, version, kind, stated_on, stated_until, text FROM versions "
                              "ORDER BY claim_id, version, recorded_from").fetchall()
        links = db.execute("SELECT claim_id, relation, target_id FROM links ORDER BY 1, 2, 3").fetchall()
        audit = db.execute("SELECT position, event FROM audit ORDER BY position").fetchall()
        return versions, links, audit


def forget_views(url: str) -> None:
    """Lose every read model, as after restoring only the events from a backup."""
    conninfo, schema = split_url(url)
    with psycopg.connect(conninfo, autocommit=True) as db:
        db.execute(sql.SQL("DELETE FROM {}.chronicle_views").format(sql.Identifier(schema)))
        for name in schemas(url) - {schema}:
            db.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


@pytest.mark.postgres
def test_split_url_keeps_libpq_parameters_and_takes_the_schema_for_itself():
    assert split_url("postgres://u:p@db.example:5433/news?sslmode=require&schema=desk") == (
        "postgresql://u:p@db.example:5433/news?sslmode=require", "desk")
    assert split_url("postgresql:///news")[1] == "chronicle"
    with pytest.raises(ValueError, match="schema 'Desk-1'"):
        split_url("postgresql:///news?schema=Desk-1")


@pytest.mark.postgres
def test_a_rebuild_moves_every_worker_to_the_new_generation_and_drops_the_old(loaded, settings_pg):
    worker = open_chronicle(settings_pg)
    before = worker.narrative("2022-01-16", "official")
    old = loaded.view.schema
    assert worker.view.schema == old
    assert loaded.rebuild() == sum(1 for _ in loaded.event_log())
    assert loaded.view.schema != old and old not in schemas(settings_pg.database_url)
    assert worker.narrative("2022-01-16", "official") == before
    assert worker.view.schema == loaded.view.schema
    worker.view.close()
    worker.close()


@pytest.mark.postgres
def test_views_lost_altogether_are_rebuilt_from_the_log(loaded, settings_pg):
    expected = loaded.narrative("2022-01-16", "official")
    forget_views(settings_pg.database_url)
    fresh = open_chronicle(settings_pg)
    assert fresh.narrative("2022-01-16", "official") == expected
    fresh.view.close()
    fresh.close()


@pytest.mark.postgres
def test_kill_nine_during_catch_up_then_resume_gives_the_clean_view(loaded, settings_pg):
    claim = loaded.repository.get(UUID(loaded.resolve("claim", "prosecutor-death-toll")["id"]))
    for day in range(600):
        claim.revise((date(2023, 1, 1) + timedelta(days=day)).isoformat(),
                     figure={"value": 238 + day, "unit": "people"})
    loaded.save_all(claim)
    url = settings_pg.database_url
    clean = view_rows(url, loaded.view.schema)
    env = {**os.environ, "CHRONICLE_DATABASE_URL": url, "CHRONICLE_VIEW_BATCH_SIZE": "1"}
    rng = random.Random(2022)
    interrupted = 0
    for attempt in range(4):
        forget_views(url)
        process = subprocess.Popen([sys.executable, "-c", CATCH_UP], env=env)
        time.sleep(rng.uniform(0.8, 2.0))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            interrupted += 1
        process.wait()
        resumed = open_chronicle(settings_pg)
        assert view_rows(url, resumed.view.schema) == clean, f"attempt {attempt}"
        resumed.view.close()
        resumed.close()
    assert interrupted, "no run was interrupted: the kill came too late every time"


@pytest.mark.postgres
def test_several_writers_at_once_lose_nothing_and_keep_the_chain(loaded, settings_pg):
    env = {**os.environ, "CHRONICLE_DATABASE_URL": settings_pg.database_url, "CHRONICLE_EDITOR": "writer"}
    claims = ["tokayev-20000-terrorists-and-bandits", "tokayev-attacked-by-terrorists", "prosecutor-death-toll"]
    before = sum(1 for _ in loaded.event_log())
    writers = [subprocess.Popen([sys.executable, "-c", REVISE, claim, "30", "2023-01-01"], env=env)
               for claim in claims[:2]]
    # Two writers revise the same claim: each conflict is refused and retried, never lost or doubled.
    writers += [subprocess.Popen([sys.executable, "-c", REVISE, claims[-1], "15", "2023-01-01"], env=env)
                for _ in range(2)]
    assert [writer.wait(timeout=300) for writer in writers] == [0] * len(writers)
    events = list(loaded.event_log())
    assert len(events) == before + 30 * 2 + 15 * 2
    assert loaded.verify_chain().ok
    history = loaded.claim_history(claims[-1])
    assert len([v for v in history["versions"] if v["text"].startswith(claims[-1] + " revision")]) == 30
    reader = open_chronicle(settings_pg)
    assert reader.narrative("2023-02-02", "everyone") == loaded.narrative("2023-02-02", "everyone")
    reader.view.close()
    reader.close()


@pytest.mark.postgres
def test_tampering_with_an_event_row_is_caught_by_verify(loaded, settings_pg):
    conninfo, schema = split_url(settings_pg.database_url)
    with psycopg.connect(conninfo) as db:
        db.execute(sql.SQL("UPDATE {}.chronicle_events SET state = convert_to(replace(convert_from(state, 'UTF8'), "
                           "'Tokayev', 'Tokaev'), 'UTF8') WHERE notification_id = 1").format(sql.Identifier(schema)))
    report = loaded.verify_chain()
    assert report.broken_at == 1 and "content" in report.problem


@pytest.mark.postgres
def test_tokens_live_beside_the_events_and_survive_a_rebuild(loaded, settings_pg):
    tokens = open_tokens(settings_pg)
    secret = tokens.create("desk-editor")
    reader = tokens.create("reader", read_only=True)
    loaded.rebuild()
    again = open_tokens(settings_pg)
    assert again.verify(secret).name == "desk-editor" and again.verify(reader).read_only
    assert again.revoke("desk-editor") and again.verify(secret) is None
    assert [(t.name, t.revoked_at is not None) for t in again.all()] == [("desk-editor", True), ("reader", False)]


@pytest.mark.parametrize("query, slugs", [
    ("ÉLECTION fraud", ["accented"]),
    ("election fra", ["accented"]),
    ("fraud election", ["accented"]),
    ("fraud nothing", []),
])
def test_search_folds_case_and_accents_and_takes_the_last_word_as_a_prefix(chronicle, query, slugs):
    chronicle.start_story("a-story", "A story")
    chronicle.register_source("s", "S", "official")
    chronicle.open_topic("t", "T", "question")
    chronicle.state_claim("accented", "s", "t", "2022-01-07", "The élection was a fraud, said the observers.")
    chronicle.state_claim("other", "s", "t", "2022-01-07", "Nothing to see here.")
    assert [hit["slug"] for hit in chronicle.search(query)] == slugs
