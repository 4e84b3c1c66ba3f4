"""Token hashes in the chronicle's PostgreSQL schema: not part of the chronicle, they survive rebuilds."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from chronicle.persistence.postgres import ensure_schema, split_url
from chronicle.tokens import Token, TokenStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS chronicle_tokens (
    name text NOT NULL, hash text PRIMARY KEY, read_only boolean NOT NULL, created_at text NOT NULL);
CREATE TABLE IF NOT EXISTS chronicle_token_revocations (hash text PRIMARY KEY, revoked_at text NOT NULL);
CREATE TABLE IF NOT EXISTS chronicle_token_sessions (
    hash text PRIMARY KEY, token_hash text NOT NULL, started_at text NOT NULL, ended_at text);
CREATE INDEX IF NOT EXISTS chronicle_token_sessions_by_token ON chronicle_token_sessions (token_hash);
"""
_WITH_REVOCATIONS = ("SELECT t.*, r.revoked_at FROM chronicle_tokens t "
                     "LEFT JOIN chronicle_token_revocations r ON r.hash = t.hash ")


class PostgresTokenStore(TokenStore):
    def __init__(self, url: str):
        self.conninfo, self.schema = split_url(url)
        ensure_schema(self.conninfo, self.schema)
        with self._connect() as db:
            db.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"chronicle-tokens:{self.schema}",))
            db.execute(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[psycopg.Connection]:
        with psycopg.connect(self.conninfo, row_factory=dict_row) as db:
            db.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(self.schema)))
            yield db

    def add(self, name: str, token_hash: str, read_only: bool) -> Token:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._connect() as db:
            db.execute("INSERT INTO chronicle_tokens VALUES (%s, %s, %s, %s)", (name, token_hash, read_only, now))
        return Token(name, read_only, now)

    def find(self, token_hash: str) -> tuple[Token, str] | None:
        with self._connect() as db:
            row = db.execute(_WITH_REVOCATIONS + "WHERE t.hash = %s", (token_hash,)).fetchone()
        if row is None or row["revoked_at"]:
            return None
        return Token(row["name"], row["read_only"], row["created_at"]), row["hash"]

    def revoke(self, name: str) -> bool:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._connect() as db:
            cursor = db.execute("INSERT INTO chronicle_token_revocations SELECT hash, %s FROM chronicle_tokens "
                                "WHERE name = %s ON CONFLICT (hash) DO NOTHING", (now, name))
            db.execute("UPDATE chronicle_token_sessions SET ended_at = %s WHERE ended_at IS NULL "
                       "AND token_hash IN (SELECT hash FROM chronicle_tokens WHERE name = %s)", (now, name))
            return cursor.rowcount > 0

    def all(self) -> list[Token]:
        with self._connect() as db:
            rows = db.execute(_WITH_REVOCATIONS + 'ORDER BY t.created_at, t.name COLLATE "C"').fetchall()
        return [Token(r["name"], r["read_only"], r["created_at"], r["revoked_at"]) for r in rows]

    def add_session(self, session_hash: str, token_hash: str) -> None:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._connect() as db:
            db.execute("INSERT INTO chronicle_token_sessions VALUES (%s, %s, %s, NULL)", (session_hash, token_hash, now))

    def find_session(self, session_hash: str) -> Token | None:
        with self._connect() as db:
            row = db.execute("SELECT t.*, r.revoked_at FROM chronicle_token_sessions s "
                             "JOIN chronicle_tokens t ON t.hash = s.token_hash "
                             "LEFT JOIN chronicle_token_revocations r ON r.hash = t.hash "
                             "WHERE s.hash = %s AND s.ended_at IS NULL", (session_hash,)).fetchone()
        if row is None or row["revoked_at"]:
            return None
        return Token(row["name"], row["read_only"], row["created_at"])

    def close_session(self, session_hash: str) -> None:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._connect() as db:
            db.execute("UPDATE chronicle_token_sessions SET ended_at = %s WHERE hash = %s AND ended_at IS NULL",
                       (now, session_hash))
