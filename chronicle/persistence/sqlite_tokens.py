"""Token hashes in their own SQLite file: they are not part of the chronicle and survive rebuilds."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from chronicle.tokens import Token, TokenStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    name TEXT NOT NULL, hash TEXT PRIMARY KEY, read_only INTEGER NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS revocations (hash TEXT PRIMARY KEY, revoked_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    hash TEXT PRIMARY KEY, token_hash TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT);
CREATE INDEX IF NOT EXISTS sessions_by_token ON sessions (token_hash);
"""


class SQLiteTokenStore(TokenStore):
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.row_factory = sqlite3.Row
        return db

    def add(self, name: str, token_hash: str, read_only: bool) -> Token:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._connect() as db:
            db.execute("INSERT INTO tokens VALUES (?, ?, ?, ?)", (name, token_hash, int(read_only), now))
        return Token(name, read_only, now)

    def find(self, token_hash: str) -> tuple[Token, str] | None:
        with self._connect() as db:
            row = db.execute("SELECT t.*, r.revoked_at FROM tokens t LEFT JOIN revocations r ON r.hash = t.hash "
                             "WHERE t.hash = ?", (token_hash,)).fetchone()
        if row is None or row["revoked_at"]:
            return None
        return Token(row["name"], bool(row["read_only"]), row["created_at"]), row["hash"]

    def revoke(self, name: str) -> bool:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._connect() as db:
            cursor = db.execute("INSERT OR IGNORE INTO revocations SELECT hash, ? FROM tokens WHERE name = ?",
                                (now, name))
            db.execute("UPDATE sessions SET ended_at = ? WHERE ended_at IS NULL "
                       "AND token_hash IN (SELECT hash FROM tokens WHERE name = ?)", (now, name))
            return cursor.rowcount > 0

    def all(self) -> list[Token]:
        with self._connect() as db:
            rows = db.execute("SELECT t.*, r.revoked_at FROM tokens t LEFT JOIN revocations r ON r.hash = t.hash "
                              "ORDER BY t.created_at, t.name").fetchall()
        return [Token(r["name"], bool(r["read_only"]), r["created_at"], r["revoked_at"]) for r in rows]

    def add_session(self, session_hash: str, token_hash: str) -> None:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._connect() as db:
            db.execute("INSERT INTO sessions VALUES (?, ?, ?, NULL)", (session_hash, token_hash, now))

    def find_session(self, session_hash: str) -> Token | None:
        with self._connect() as db:
            row = db.execute("SELECT t.*, r.revoked_at FROM sessions s JOIN tokens t ON t.hash = s.token_hash "
                             "LEFT JOIN revocations r ON r.hash = t.hash WHERE s.hash = ? AND s.ended_at IS NULL",
                             (session_hash,)).fetchone()
        if row is None or row["revoked_at"]:
            return None
        return Token(row["name"], bool(row["read_only"]), row["created_at"])

    def close_session(self, session_hash: str) -> None:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._connect() as db:
            db.execute("UPDATE sessions SET ended_at = ? WHERE hash = ? AND ended_at IS NULL", (now, session_hash))
