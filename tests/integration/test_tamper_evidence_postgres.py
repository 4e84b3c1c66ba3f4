"""The same tampering as in test_tamper_evidence, done directly in PostgreSQL's tables."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from chronicle.bootstrap import open_chronicle
from chronicle.config import Settings
from chronicle.loader import load_chronicle
from chronicle.persistence.postgres import split_url
from tests.conftest import KAZAKHSTAN

pytestmark = pytest.mark.postgres


@pytest.fixture
def loaded(postgres_url, tmp_path):
    chronicle = open_chronicle(Settings(data_dir=tmp_path / "unused", database_url=postgres_url))
    load_chronicle(chronicle, KAZAKHSTAN)
    yield chronicle
    chronicle.view.close()
    chronicle.close()


@pytest.fixture
def attack(loaded, postgres_url):
    """Run SQL on the events table ({events}) as someone with database access would."""
    conninfo, schema = split_url(postgres_url)

    def run(statement: str, *params) -> list:
        query = sql.SQL(statement).format(events=sql.Identifier(schema, "chronicle_events"))
        with psycopg.connect(conninfo, autocommit=True) as db:
            cursor = db.execute(query, params)
            return cursor.fetchall() if cursor.description else []
    return run


def test_deleting_an_event_is_caught(loaded, attack):
    attack("DELETE FROM {events} WHERE notification_id = 5")
    report = loaded.verify_chain()
    assert report.broken_at == 5 and "deleted" in report.problem


def test_deleting_the_last_event_is_caught(loaded, attack):
    (last,), = attack("SELECT MAX(notification_id) FROM {events}")
    attack("DELETE FROM {events} WHERE notification_id = %s", last)
    report = loaded.verify_chain()
    assert report.broken_at == last and "deleted" in report.problem


def test_reordering_two_events_is_caught(loaded, attack):
    attack("UPDATE {events} SET notification_id = -3 WHERE notification_id = 3")
    attack("UPDATE {events} SET notification_id = 3 WHERE notification_id = 4")
    attack("UPDATE {events} SET notification_id = 4 WHERE notification_id = -3")
    assert loaded.verify_chain().broken_at == 3


def test_inserting_a_forged_event_is_caught(loaded, attack):
    attack("INSERT INTO {events} (originator_id, originator_version, topic, state) "
           "SELECT originator_id, 99, topic, state FROM {events} WHERE notification_id = 1")
    report = loaded.verify_chain()
    assert not report.ok and "no hash" in report.problem
