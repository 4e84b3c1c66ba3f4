"""What an attacker or an accident can send or do, and what the chronicle does about it.

A forged event stops the read models before it (reads go on, writes wait, `verify` names it); a
broken chain is not rebuilt without being told; a full or read-only disk refuses writes and stores
nothing; bad dates and instants are clear errors; every list can be paged; a slow read is cut off.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from chronicle.application import (
    BrokenChainError, InvalidQueryError, StoreUnavailableError, UnknownEntryError, ViewStoppedError,
)
from chronicle.bootstrap import open_chronicle
from chronicle.config import Settings
from chronicle.domain import InvalidValueError
from chronicle.loader import load_chronicle
from chronicle.persistence.postgres import split_url
from tests.conftest import KAZAKHSTAN

CLI = [sys.executable, "-m", "chronicle.cli"]


def forge_a_copy(chronicle, settings: Settings) -> None:
    """Insert, behind the chronicle's back, a copy of a real statement under a new id."""
    if settings.database_url:
        conninfo, schema = split_url(settings.database_url)
        with psycopg.connect(conninfo, autocommit=True) as db:
            table = sql.Identifier(schema, "chronicle_events")
            db.execute(sql.SQL("INSERT INTO {0} (originator_id, originator_version, topic, state) "
                               "SELECT %s, 1, topic, state FROM {0} WHERE topic LIKE %s LIMIT 1")
                       .format(table), (uuid.uuid4(), "%Claim.Stated"))
        return
    with sqlite3.connect(settings.events_path) as db:
        topic, state = db.execute("SELECT topic, state FROM stored_events WHERE topic LIKE '%Claim.Stated' LIMIT 1"
                                  ).fetchone()
        db.execute("INSERT INTO stored_events (originator_id, originator_version, topic, state) VALUES (?, 1, ?, ?)",
                   (uuid.uuid4().hex, topic, state))


def test_a_forged_copy_stops_the_view_before_it_and_verify_names_it(kazakhstan, settings):
    head = kazakhstan.recorder.max_notification_id()
    forge_a_copy(kazakhstan, settings)
    reopened = open_chronicle(settings)
    try:
        status = reopened.view_status()
        assert status["fault"]["position"] == head + 1 and "Claim.Stated" in status["fault"]["event"]
        assert status["position"] == head
        assert reopened.narrative("2022-01-09", "official")["topics"], "reads serve the last good position"
        report = reopened.verify_chain()
        assert not report.ok and report.broken_at == head + 1 and "no hash" in report.problem
        with pytest.raises(ViewStoppedError, match=f"before event {head + 1}"):
            reopened.revise_claim("prosecutor-death-toll", "2022-09-01", text="after the forgery")
        with pytest.raises(BrokenChainError, match=f"position {head + 1}"):
            reopened.rebuild()
        reopened.rebuild(accept_broken_chain=True)
        assert reopened.view_status()["fault"]["position"] == head + 1
    finally:
        reopened.view.close()
        reopened.close()


def test_the_cli_reports_a_forgery_without_crashing(kazakhstan, settings):
    forge_a_copy(kazakhstan, settings)
    env = {**os.environ, "CHRONICLE_DATA": str(settings.data_dir)}
    verify = subprocess.run([*CLI, "verify"], env=env, capture_output=True, text=True, timeout=120)
    assert verify.returncode == 2 and "BROKEN at position" in verify.stderr and "Traceback" not in verify.stderr
    assert "read models stopped before event" in verify.stderr
    narrative = subprocess.run([*CLI, "narrative", "--as-of", "2022-01-09"], env=env, capture_output=True,
                               text=True, timeout=120)
    assert narrative.returncode == 0 and "ministry-toll-164" in narrative.stdout
    rebuild = subprocess.run([*CLI, "rebuild"], env=env, capture_output=True, text=True, timeout=120)
    assert rebuild.returncode == 1 and "--accept-broken-chain" in rebuild.stderr


def test_the_fault_is_logged_once_not_on_every_read(kazakhstan, settings, caplog):
    forge_a_copy(kazakhstan, settings)
    with caplog.at_level("ERROR", logger="chronicle.projection"):
        for _ in range(5):
            kazakhstan.narrative("2022-01-09", "official")
    assert len([r for r in caplog.records if "stopped before event" in r.getMessage()]) == 1


@pytest.mark.parametrize("limit", [1, 7, 50])
def test_a_lens_history_in_pages_is_the_whole_history(kazakhstan, limit):
    whole = kazakhstan.lens_history("everyone")
    pages, offset = [], 0
    while True:
        page = kazakhstan.lens_history("everyone", limit=limit, offset=offset)
        assert len(page["history"]) <= limit
        pages += page["history"]
        offset += limit
        if not page["page"]["more"]:
            break
    assert json.dumps(pages, sort_keys=True) == json.dumps(whole["history"], sort_keys=True)


@pytest.mark.parametrize("day", ["٢٠٢٢-01-09", "２０２２-01-09", "2022-01-09x", "2022-1-9"])
def test_a_day_in_other_digits_is_refused(kazakhstan, day):
    with pytest.raises(InvalidQueryError):
        kazakhstan.narrative(day, "official")
    with pytest.raises(InvalidValueError):
        kazakhstan.revise_claim("prosecutor-death-toll", day, text="x")


@pytest.mark.parametrize("slug", ["death-toll\n", "Death-Toll", "death toll", "-x"])
def test_a_slug_with_a_trailing_newline_or_capitals_is_refused(kazakhstan, slug):
    with pytest.raises(InvalidValueError, match="slug"):
        kazakhstan.open_topic(slug, "T", "question")
    with pytest.raises(InvalidValueError):
        kazakhstan.register_source("s", "S", slug)


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59", "tomorrow", "٢٠٢٢-01-01"])
def test_a_known_at_outside_what_a_clock_can_say_is_a_clear_error(kazakhstan, moment):
    with pytest.raises(InvalidQueryError, match="known at"):
        kazakhstan.narrative("2022-01-09", "official", moment)


def test_a_search_hit_is_bounded_whatever_the_text(kazakhstan):
    kazakhstan.state_claim("long-word", "tokayev", "death-toll", "2022-01-09", "a" + "b" * 19_999,
                           citations=[{"document": "d"}])
    with pytest.raises(InvalidValueError, match="text: Length"):
        kazakhstan.state_claim("longer-word", "tokayev", "death-toll", "2022-01-09", "a" * 1_000_000)
    for hit in kazakhstan.search("a") + kazakhstan.search("abbb"):
        assert len(hit["title"] or "") <= 302 and len(hit["snippet"] or "") <= 402


def test_an_unknown_story_is_a_clear_error(kazakhstan):
    with pytest.raises(UnknownEntryError, match="no story is called"):
        kazakhstan.topic_history("death-toll", story="atlantis")


@pytest.mark.sqlite_only("interrupts SQLite's reads through its progress handler")
def test_a_read_past_its_deadline_is_interrupted_and_the_next_one_runs(kazakhstan):
    view = kazakhstan.view
    slow = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000) "
            "SELECT count(*) FROM n")
    with view.bounded(0.05), pytest.raises(sqlite3.OperationalError, match="interrupted"):
        view.db.execute(slow).fetchone()
    assert kazakhstan.narrative("2022-01-09", "official")["topics"]


@pytest.mark.postgres
def test_postgres_cancels_a_read_past_the_query_timeout(postgres_url, tmp_path):
    settings = Settings(data_dir=tmp_path / "d", database_url=postgres_url, query_timeout=0.05)
    chronicle = open_chronicle(settings)
    try:
        with pytest.raises(psycopg.errors.QueryCanceled):
            chronicle.view._fetch("SELECT pg_sleep(1)")
        load_chronicle(chronicle, KAZAKHSTAN)  # the projection's batches are not bounded
        assert chronicle.view_status()["position"] == chronicle.view_status()["head"]
    finally:
        chronicle.view.close()
        chronicle.close()


def small_disk(tmp_path: Path, size: str) -> Path:
    """A tmpfs of the given size, or a skip when this machine cannot mount one."""
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], capture_output=True)
    if result.returncode:
        pytest.skip(f"cannot mount a small disk here: {result.stderr.decode().strip()}")
    return mount


@pytest.fixture
def full_disk(tmp_path):
    mount = small_disk(tmp_path, "1500k")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.sqlite_only("fills the disk under SQLite's files")
def test_a_full_disk_refuses_writes_stores_nothing_and_still_serves_reads(full_disk):
    chronicle = open_chronicle(Settings(data_dir=full_disk / "data"))
    try:
        load_chronicle(chronicle, KAZAKHSTAN)
        before = chronicle.recorder.max_notification_id()
        with pytest.raises(StoreUnavailableError, match="disk is full"):
            for day in range(1, 30):
                chronicle.revise_claim("prosecutor-death-toll", f"2022-09-{day:02d}", text="x" * 15000)
        stored = chronicle.recorder.max_notification_id()
        assert all(e["data"].get("text") != "" for e in chronicle.event_log(before))
        assert chronicle.verify_chain().ok and chronicle.verify_chain().checked == stored
        assert chronicle.narrative("2022-01-09", "official")["topics"]
    finally:
        chronicle.view.close()
        chronicle.close()
    subprocess.run(["mount", "-o", "remount,ro", str(full_disk)], check=True)
    chronicle = open_chronicle(Settings(data_dir=full_disk / "data"))
    try:
        with pytest.raises(StoreUnavailableError, match="readonly"):
            chronicle.revise_claim("prosecutor-death-toll", "2022-10-01", text="read-only")
        assert chronicle.recorder.max_notification_id() == stored
        assert chronicle.claim_history("prosecutor-death-toll")["versions"]
        assert chronicle.verify_chain().ok
    finally:
        chronicle.view.close()
        chronicle.close()


@pytest.mark.sqlite_only("races on one fresh data folder's files")
def test_processes_started_together_on_a_fresh_folder_agree_on_one_view(tmp_path):
    env = {**os.environ, "CHRONICLE_DATA": str(tmp_path / "fresh")}
    env.pop("CHRONICLE_DATABASE_URL", None)
    runs = [subprocess.Popen([*CLI, "stories"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            for _ in range(6)]
    ended = [run.communicate(timeout=120) for run in runs]
    assert [(run.returncode, err.decode()[-2000:]) for run, (_, err) in zip(runs, ended)] == [(0, "")] * 6
    views = tmp_path / "fresh" / "views"
    assert len(list(views.glob("view-*.sqlite"))) == 1
    assert (views / (views / "CURRENT").read_text().strip()).exists()


@pytest.mark.parametrize("ask", [
    lambda c: c.narrative("2022-01-09", "offi\x00cial"), lambda c: c.claim_history("ministry\x00-toll-164"),
    lambda c: c.topic_history("death-toll", story="kazakhstan\x00"), lambda c: c.source_claims("tok\x00ayev"),
    lambda c: c.search("terror\x00ists"), lambda c: c.narrative("2022-01-09", "official", "2022-01-09\x00"),
    lambda c: c.narrative("2022-01\x00-09", "official"),
], ids=["lens", "claim", "story", "source", "search", "known-at", "as-of"])
def test_a_nul_in_a_name_or_question_is_a_clear_error_on_every_store(kazakhstan, ask):
    with pytest.raises(InvalidQueryError, match="NUL"):
        ask(kazakhstan)


@pytest.mark.sqlite_only("tampers with SQLite's event file")
def test_verify_names_a_malformed_row_instead_of_crashing(kazakhstan, settings):
    with sqlite3.connect(settings.events_path) as db:
        db.execute("UPDATE stored_events SET state = NULL, topic = NULL WHERE rowid = 7")
    report = kazakhstan.verify_chain()
    assert report.broken_at == 7 and "malformed" in report.problem


@pytest.mark.sqlite_only("starts servers on one fresh data folder")
def test_two_servers_started_together_on_a_fresh_folder_both_serve_with_one_key(tmp_path):
    from tests.live import request, start_server

    env = {**os.environ, "CHRONICLE_DATA": str(tmp_path / "fresh")}
    env.pop("CHRONICLE_DATABASE_URL", None)
    subprocess.run([*CLI, "load", str(KAZAKHSTAN)], env=env, check=True, capture_output=True, timeout=120)
    (tmp_path / "fresh" / "secret_key").unlink(missing_ok=True)
    servers = [subprocess.Popen([*CLI, "serve", "--port", str(port)], env=env, stderr=subprocess.PIPE)
               for port in (_free(), _free())]
    try:
        ports = [int(s.args[-1]) for s in servers]
        for port, server in zip(ports, servers):
            from tests.live import wait_for
            wait_for(port, server)
            response, _ = request(port, "GET", "/api/v1/stories")
            assert response.status == 200
        key = (tmp_path / "fresh" / "secret_key").read_text()
        assert len(key.strip()) == 64 and not list((tmp_path / "fresh").glob(".secret_key.*"))
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)


def _free() -> int:
    from tests.live import free_port
    return free_port()


@pytest.mark.parametrize("runner", [["pytest"], [sys.executable, "-m", "pytest"]], ids=["pytest", "python -m pytest"])
def test_both_ways_of_running_the_tests_collect_the_whole_suite_from_the_root(runner):
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([*runner, "--collect-only", "-q", "-p", "no:cacheprovider"], cwd=root,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and "ERROR" not in result.stdout, result.stdout[-2000:]
    assert "tests/integration/test_hardening.py" in result.stdout and "tests collected" in result.stdout
