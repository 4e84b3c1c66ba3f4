"""The API publishes the head hash, whether the chain verifies, and an export that carries the head."""

from __future__ import annotations

import io
import sqlite3

import pytest

from chronicle.bootstrap import open_chronicle
from chronicle.config import Settings
from chronicle.transfer import import_events
from chronicle_web import create_app


@pytest.fixture
def client(kazakhstan, settings):
    app = create_app({"CHRONICLE_DATA": str(settings.data_dir), "TESTING": True, "INTEGRITY_CACHE_SECONDS": 0})
    return app.test_client()


def test_integrity_shows_the_head_and_a_verified_chain(client, kazakhstan):
    body = client.get("/api/v1/integrity").get_json()
    head = kazakhstan.head()
    assert body == {"position": head["position"], "head": head["hash"], "verified": True,
                    "checked": sum(1 for _ in kazakhstan.event_log()), "broken_at": None, "problem": None,
                    "view": {"position": head["position"], "head": head["position"], "fault": None, "behind": None}}


@pytest.mark.sqlite_only("edits the SQLite event file")
def test_integrity_reports_a_tampered_log(client, settings, store):
    with sqlite3.connect(settings.events_path) as db:
        db.execute("UPDATE stored_events SET state = CAST(replace(CAST(state AS TEXT), 'Tokayev', 'Tokaev') AS BLOB) "
                   "WHERE rowid = 1")
    body = client.get("/api/v1/integrity").get_json()
    assert body["verified"] is False and body["broken_at"] == 1


def test_the_export_imports_into_an_empty_store_with_the_same_head(client, kazakhstan, tmp_path):
    response = client.get("/api/v1/export.jsonl")
    assert response.mimetype == "application/jsonl"
    copy = open_chronicle(Settings(data_dir=tmp_path / "copy"))
    import_events(copy, io.StringIO(response.get_data(as_text=True)))
    assert copy.head() == kazakhstan.head()



def test_the_audit_log_shows_the_head_hash_and_the_chains_state(client, kazakhstan):
    page = client.get("/audit").get_data(as_text=True)
    assert kazakhstan.head()["hash"] in page and "verifies" in page


@pytest.mark.sqlite_only("edits the SQLite event file")
def test_the_audit_log_says_where_the_chain_is_broken(client, settings, store):
    with sqlite3.connect(settings.events_path) as db:
        db.execute("DELETE FROM stored_events WHERE rowid = 7")
    page = client.get("/audit").get_data(as_text=True)
    assert "The hash chain is broken at event 7" in page
