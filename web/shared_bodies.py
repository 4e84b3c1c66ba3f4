"""Serialised answers shared by the server processes of one machine, in a SQLite file beside the data.

Each process keeps its own recently used bodies in memory (``chronicle_bodies``); a body that one
process has made is also written here, so that another process asked the same question at the same
position answers it with one indexed read instead of making it again. A server run as N processes
(gunicorn, waitress behind a balancer) would otherwise make every answer N times.

A key names the view generation, the log position and the whole request (see web/caching.py), so an
entry is never stale: a new event or a rebuild changes the key, and old rows are pruned by age, the
file holding at most ``rows`` of them. It is a cache: a body it cannot read or write (the file is
locked, full, read-only or damaged) is a miss, never an error, and the file can be deleted at any time.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)

ROWS = 10000  # bodies kept in the file (a narrative page at a million statements is about 30 KB)
LARGEST = 2**20  # a body larger than this is not shared: the file stays under ROWS MB whatever is asked
PRUNE_EVERY = 500  # puts between two prunes (by each process)
SCHEMA = ("CREATE TABLE IF NOT EXISTS bodies (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, "
          "body BLOB NOT NULL, headers TEXT NOT NULL)")


class SharedBodies:
    """A bounded map from a key's digest to (body, headers), shared by processes through one file."""

    def __init__(self, path: Path, rows: int = ROWS, prune_every: int = PRUNE_EVERY):
        self.path = Path(path)
        self.rows = rows
        self.prune_every = prune_every
        self._local = threading.local()
        self._puts = 0
        self._warned = False

    def get(self, key: str) -> tuple[bytes, list[tuple[str, str]]] | None:
        try:
            row = self._db().execute("SELECT body, headers FROM bodies WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as error:
            self._failed(error)
            return None
        if row is None:
            return None
        return row[0], [tuple(pair) for pair in json.loads(row[1])]

    def put(self, key: str, body: bytes, headers: list[tuple[str, str]]) -> None:
        if len(body) > LARGEST:
            return
        try:
            db = self._db()
            db.execute("INSERT OR IGNORE INTO bodies (key, body, headers) VALUES (?, ?, ?)",
                       (key, body, json.dumps(headers)))
            self._puts += 1
            if self._puts % self.prune_every == 0:
                db.execute("DELETE FROM bodies WHERE id <= (SELECT max(id) FROM bodies) - ?", (self.rows,))
        except sqlite3.OperationalError as error:
            if _locked(error):  # another thread or process is writing: this body is not shared, at no wait
                return
            self._failed(error)
        except sqlite3.Error as error:
            self._failed(error)

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            # No busy timeout: a cache that waits for a lock costs more than the answer it saves. Readers
            # never wait in WAL mode; a writer that finds the file locked skips that body.
            db = sqlite3.connect(self.path, timeout=0, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(SCHEMA)
            self._local.db = db
        return db

    def _failed(self, error: sqlite3.Error) -> None:
        """Answer without the shared file; say so once per process, and try a fresh connection next time."""
        if not self._warned:
            log.warning("the shared answer cache %s is not used now: %s", self.path, error)
            self._warned = True
        db = getattr(self._local, "db", None)
        self._local.db = None
        if db is not None:
            try:
                db.close()
            except sqlite3.Error:
                pass


def _locked(error: sqlite3.OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)
