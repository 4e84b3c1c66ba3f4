"""Fixtures shared by every test: a chronicle on real SQLite files, and the same on PostgreSQL.

Every test that uses ``settings`` (and so ``chronicle`` and ``kazakhstan``) runs once per store:
on SQLite files in a temporary folder, and on PostgreSQL in a schema of its own, dropped
afterwards. PostgreSQL is CHRONICLE_TEST_DATABASE_URL (default: the server on 127.0.0.1:5432,
database ``test``); without it the PostgreSQL runs skip and say why, and fail when CI is set.
Mark a test ``sqlite_only("why")`` when it reaches into SQLite's files.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg
import pytest

from chronicle.bootstrap import open_chronicle
from chronicle.config import Settings
from chronicle.loader import load_chronicle

ROOT = Path(__file__).resolve().parent.parent
KAZAKHSTAN = ROOT / "fixtures" / "kazakhstan-2022"
# A synthetic second story that reuses the Kazakhstan story's slugs (death-toll, ministry-toll-164).
SECOND_STORY = ROOT / "tests" / "fixtures" / "second-story"


# Tests write far faster than anyone may in production (10 sign-ins a minute per address, 120 writes a
# minute per token: docs/security.md). They raise the limits through configuration, so the apps and the
# `chronicle serve` processes they start still limit; tests/integration/test_web_security.py sets the
# defaults back where it tests the limits themselves.
TEST_RATE_LIMIT = "100000 per minute"
os.environ.setdefault("CHRONICLE_RATE_LIMIT_SIGN_IN", TEST_RATE_LIMIT)
os.environ.setdefault("CHRONICLE_RATE_LIMIT_WRITES", TEST_RATE_LIMIT)

STORES = ("sqlite", pytest.param("postgresql", marks=pytest.mark.postgres))
TEST_DATABASE_URL = os.environ.get("CHRONICLE_TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "store" in metafunc.fixturenames:
        only = metafunc.definition.get_closest_marker("sqlite_only")
        metafunc.parametrize("store", ["sqlite"] if only else STORES, indirect=True)


@pytest.fixture(scope="session")
def postgres_server() -> str | None:
    """Why PostgreSQL cannot be reached, or None when it can."""
    try:
        with psycopg.connect(TEST_DATABASE_URL, connect_timeout=3):
            return None
    except psycopg.Error as error:
        return f"PostgreSQL is not reachable at {TEST_DATABASE_URL} ({str(error).strip()}); " \
               "set CHRONICLE_TEST_DATABASE_URL"


@pytest.fixture
def postgres_url(postgres_server: str | None):
    """A PostgreSQL URL whose schema is this test's alone, dropped afterwards."""
    if postgres_server:
        if os.environ.get("CI"):
            pytest.fail(f"the PostgreSQL tests must run in CI, but {postgres_server}")
        pytest.skip(postgres_server)
    schema = f"t_{uuid.uuid4().hex[:16]}"
    yield f"{TEST_DATABASE_URL}{'&' if '?' in TEST_DATABASE_URL else '?'}schema={schema}"
    drop_schemas(schema)


@pytest.fixture
def store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str | None:
    """The store a test runs on: None for SQLite files, or a PostgreSQL URL."""
    if request.param == "sqlite":
        return None
    url = request.getfixturevalue("postgres_url")
    # Programs the test starts (create_app, the CLI) read the environment, so they use this store too.
    monkeypatch.setenv("CHRONICLE_DATABASE_URL", url)
    return url


def drop_schemas(prefix: str) -> None:
    """Drop a test's schemas: its events and tokens, and every view generation."""
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as db:
        names = db.execute("SELECT nspname FROM pg_namespace WHERE nspname = %s OR nspname LIKE %s",
                           (prefix, prefix.replace("_", r"\_") + r"\_view\_%")).fetchall()
        for (name,) in names:
            db.execute(f'DROP SCHEMA "{name}" CASCADE')


@pytest.fixture
def settings(tmp_path: Path, store: str | None) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=store, editor="test-editor")


@pytest.fixture
def chronicle(settings: Settings):
    app = open_chronicle(settings)
    yield app
    app.view.close()
    app.close()


@pytest.fixture
def kazakhstan(chronicle):
    """The chronicle with the Kazakhstan fixture loaded."""
    with chronicle.editing_as("fixture-loader"):
        load_chronicle(chronicle, KAZAKHSTAN)
    return chronicle


@pytest.fixture
def two_stories(kazakhstan):
    """The Kazakhstan chronicle with the synthetic tower-fire story loaded beside it."""
    with kazakhstan.editing_as("fixture-loader"):
        load_chronicle(kazakhstan, SECOND_STORY)
    return kazakhstan


@pytest.fixture
def app(kazakhstan, settings):
    """The web application (pages and API) over the loaded chronicle's store."""
    from chronicle_web import create_app

    web = create_app({"CHRONICLE_DATA": str(settings.data_dir), "TESTING": True})
    yield web
    web.extensions["chronicle"].view.close()
    web.extensions["chronicle"].close()


@pytest.fixture
def client(app):
    return app.test_client()
