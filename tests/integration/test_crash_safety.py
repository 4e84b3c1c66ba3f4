"""Killing the view's catch-up half-way neither loses nor repeats an event."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from uuid import UUID

import pytest

from chronicle.bootstrap import open_chronicle
from chronicle.config import Settings

pytestmark = pytest.mark.sqlite_only("reads the view's SQLite file; test_postgres_views kills a catch-up on PostgreSQL")

CATCH_UP = "from chronicle.bootstrap import open_chronicle; from chronicle.config import from_environment; open_chronicle(from_environment())"


def view_rows(chronicle) -> tuple:
    db = chronicle.view.db
    versions = db.execute("SELECT claim_id, version, kind, stated_on, stated_until, text FROM versions "
                          "ORDER BY claim_id, version, recorded_from").fetchall()
    links = db.execute("SELECT claim_id, relation, target_id FROM links ORDER BY 1, 2, 3").fetchall()
    audit = db.execute("SELECT position, event FROM audit ORDER BY position").fetchall()
    return [tuple(r) for r in versions], [tuple(r) for r in links], [tuple(r) for r in audit]


def many_revisions(chronicle, count: int) -> None:
    """Give the log enough events that a catch-up takes long enough to be interrupted."""
    claim = chronicle.repository.get(UUID(chronicle.resolve("claim", "prosecutor-death-toll")["id"]))
    for day in range(count):
        claim.revise((date(2023, 1, 1) + timedelta(days=day)).isoformat(), figure={"value": 238 + day, "unit": "people"})
    chronicle.save_all(claim)


def test_kill_nine_during_catch_up_then_resume_gives_the_clean_view(kazakhstan, settings):
    many_revisions(kazakhstan, 800)
    clean = view_rows(kazakhstan)
    rng = random.Random(2022)
    env = {**os.environ, "CHRONICLE_DATA": str(settings.data_dir), "CHRONICLE_VIEW_BATCH_SIZE": "1"}
    interrupted = 0
    for attempt in range(5):
        shutil.rmtree(settings.views_dir)
        process = subprocess.Popen([sys.executable, "-c", CATCH_UP], env=env)
        time.sleep(rng.uniform(0.3, 1.2))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            interrupted += 1
        process.wait()
        resumed = open_chronicle(Settings(data_dir=settings.data_dir))
        assert view_rows(resumed) == clean, f"attempt {attempt}"
        resumed.view.close()
    assert interrupted, "no run was interrupted: the kill came too late every time"


def test_incremental_indexing_matches_indexing_each_claim_from_scratch(kazakhstan):
    """The projection re-derives only the versions an event touches; that must equal a full derivation."""
    from chronicle.projections.rows import derive_rows, row_key

    with kazakhstan.editing_as("desk"):
        kazakhstan.correct_claim("prosecutor-death-toll", {"stated": "2022-03-15"}, "wrong day", version=2)
        kazakhstan.correct_claim("ministry-toll-164", {"source_id": "kazakh-authorities"}, "misattributed")
    for entry in kazakhstan.view.entries("claim"):
        claim = kazakhstan.repository.get(UUID(entry["id"]))
        stored = kazakhstan.view.db.execute(
            "SELECT * FROM versions WHERE claim_id = ? AND recorded_until IS NULL ORDER BY version",
            (entry["id"],)).fetchall()
        expected = sorted(row_key(r)[:17] for r in derive_rows(claim))
        assert sorted(row_key(dict(r))[:17] for r in stored) == expected, entry["slug"]
