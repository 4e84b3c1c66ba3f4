"""Editing, deleting, reordering or inserting rows in the event store is caught by `verify`."""

from __future__ import annotations

import sqlite3

import pytest

from chronicle.integrity import GENESIS

pytestmark = pytest.mark.sqlite_only("tampers with the SQLite event file; test_postgres_views tampers on PostgreSQL")


@pytest.fixture
def database(kazakhstan, settings):
    """A direct connection to the event store file, as an attacker with the file would have."""
    connection = sqlite3.connect(settings.events_path)
    yield connection
    connection.close()


def test_an_untouched_log_verifies_up_to_its_head(kazakhstan):
    report = kazakhstan.verify_chain()
    assert report.ok and report.checked == sum(1 for _ in kazakhstan.event_log())
    assert report.head == kazakhstan.head()["hash"] != GENESIS


def test_new_events_extend_the_chain(kazakhstan):
    before = kazakhstan.head()
    kazakhstan.correct_claim("ministry-toll-164", {"note": "checked against the archive"}, "added a note", version=0)
    after = kazakhstan.head()
    assert after["position"] == before["position"] + 1 and kazakhstan.verify_chain().ok


def test_editing_an_events_content_is_caught_at_that_event(kazakhstan, database):
    position, = database.execute("SELECT rowid FROM stored_events WHERE CAST(state AS TEXT) LIKE '%164 people had died%'").fetchone()
    database.execute("UPDATE stored_events SET state = CAST(replace(CAST(state AS TEXT), '164', '146') AS BLOB) "
                     "WHERE rowid = ?", (position,))
    database.commit()
    report = kazakhstan.verify_chain()
    assert report.broken_at == position and "content" in report.problem


def test_deleting_an_event_is_caught(kazakhstan, database):
    database.execute("DELETE FROM stored_events WHERE rowid = 5")
    database.commit()
    report = kazakhstan.verify_chain()
    assert report.broken_at == 5 and "deleted" in report.problem


def test_deleting_the_last_event_is_caught_by_its_orphaned_hash(kazakhstan, database):
    last, = database.execute("SELECT MAX(rowid) FROM stored_events").fetchone()
    database.execute("DELETE FROM stored_events WHERE rowid = ?", (last,))
    database.commit()
    report = kazakhstan.verify_chain()
    assert report.broken_at == last and "deleted" in report.problem


def test_reordering_two_events_is_caught(kazakhstan, database):
    rows = database.execute("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
                            "WHERE rowid IN (3, 4) ORDER BY rowid").fetchall()
    database.execute("DELETE FROM stored_events WHERE rowid IN (3, 4)")
    database.executemany("INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) "
                         "VALUES (?, ?, ?, ?, ?)", [(rows[1][0], *rows[0][1:]), (rows[0][0], *rows[1][1:])])
    database.commit()
    report = kazakhstan.verify_chain()
    assert report.broken_at == 3


def test_inserting_a_forged_event_is_caught(kazakhstan, database):
    original = database.execute("SELECT originator_id, topic, state FROM stored_events WHERE rowid = 1").fetchone()
    database.execute("INSERT INTO stored_events (originator_id, originator_version, topic, state) VALUES (?, 99, ?, ?)",
                     original)
    database.commit()
    report = kazakhstan.verify_chain()
    assert not report.ok and "no hash" in report.problem


def test_verify_on_the_command_line_names_the_broken_event(kazakhstan, database, settings):
    import os
    import subprocess
    import sys

    database.execute("UPDATE stored_events SET state = replace(state, 'Tokayev', 'Tokaev') WHERE rowid = 1")
    database.commit()
    env = {**os.environ, "CHRONICLE_DATA": str(settings.data_dir)}
    result = subprocess.run([sys.executable, "-m", "chronicle.cli", "verify"], env=env, capture_output=True, text=True)
    assert result.returncode == 2 and "BROKEN at position 1" in result.stderr
