"""The read models on SQLite: one file per view generation, beside the event store's file.

A rebuild writes a new generation while the old one keeps serving, then a one-line pointer
file (``CURRENT``) is replaced atomically, so a rebuild never blocks writers or readers.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from chronicle.persistence.queries import SQLITE, SharedReads
from chronicle.projections.camps import camp_intervals
from chronicle.projections.rows import CONTENT_COLUMNS
from chronicle.projections.store import LAYOUT, PositionMoved, ViewBatch, ViewLocator, ViewStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS tracking (
    application_name TEXT PRIMARY KEY, notification_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS faults (
    application_name TEXT NOT NULL, position INTEGER NOT NULL, event TEXT NOT NULL, reason TEXT NOT NULL,
    at TEXT NOT NULL, PRIMARY KEY (application_name, position));
CREATE TABLE IF NOT EXISTS stories (
    id TEXT PRIMARY KEY, slug TEXT UNIQUE NOT NULL, title TEXT NOT NULL, description TEXT, period TEXT);
CREATE TABLE IF NOT EXISTS sources (
    id TEXT PRIMARY KEY, slug TEXT UNIQUE NOT NULL, name TEXT NOT NULL, camp TEXT NOT NULL,
    kind TEXT, aliases TEXT NOT NULL, description TEXT, camps TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS source_camps (
    source_id TEXT NOT NULL, number INTEGER NOT NULL, camp TEXT NOT NULL, since_on TEXT NOT NULL,
    until_on TEXT, PRIMARY KEY (source_id, number)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS source_names (
    key TEXT NOT NULL, source_id TEXT NOT NULL, PRIMARY KEY (key, source_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS source_names_source ON source_names (source_id);
CREATE TABLE IF NOT EXISTS topics (
    id TEXT PRIMARY KEY, story TEXT NOT NULL, slug TEXT NOT NULL, title TEXT NOT NULL, kind TEXT NOT NULL,
    unit TEXT, description TEXT, UNIQUE (story, slug));
CREATE TABLE IF NOT EXISTS incidents (
    id TEXT PRIMARY KEY, story TEXT NOT NULL, slug TEXT NOT NULL, title TEXT NOT NULL, occurred TEXT NOT NULL,
    place TEXT, description TEXT, citations TEXT NOT NULL, UNIQUE (story, slug));
CREATE TABLE IF NOT EXISTS claims (
    id TEXT PRIMARY KEY, story TEXT NOT NULL, slug TEXT NOT NULL, version INTEGER NOT NULL,
    incident_ids TEXT NOT NULL, corrections TEXT, UNIQUE (story, slug));
CREATE TABLE IF NOT EXISTS versions (
    row_id INTEGER PRIMARY KEY,
    claim_id TEXT NOT NULL, version INTEGER NOT NULL, part INTEGER NOT NULL, kind TEXT NOT NULL,
    story TEXT NOT NULL, source_id TEXT NOT NULL, via_id TEXT, topic_id TEXT NOT NULL,
    stated_on TEXT NOT NULL, stated_until TEXT, next_kind TEXT, stated TEXT NOT NULL,
    text TEXT, quote TEXT, quote_language TEXT, original TEXT, figure TEXT, figure_value REAL,
    citations TEXT, reason TEXT, note TEXT,
    recorded_at TEXT, recorded_by TEXT, corrected_at TEXT, corrected_by TEXT, correction TEXT,
    recorded_from TEXT NOT NULL, recorded_until TEXT);
CREATE INDEX IF NOT EXISTS versions_claim ON versions (claim_id, version);
CREATE TABLE IF NOT EXISTS links (
    claim_id TEXT NOT NULL, relation TEXT NOT NULL, target_id TEXT NOT NULL, story TEXT NOT NULL,
    stated_on TEXT NOT NULL, note TEXT, recorded_at TEXT NOT NULL, editor TEXT);
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(
    kind UNINDEXED, entry_id UNINDEXED, story UNINDEXED, slug, title, body,
    tokenize = "unicode61 remove_diacritics 2");
CREATE TABLE IF NOT EXISTS search_rows (entry_id TEXT PRIMARY KEY, row INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit (
    position INTEGER PRIMARY KEY, recorded_at TEXT NOT NULL, editor TEXT, kind TEXT NOT NULL,
    event TEXT NOT NULL, entry_id TEXT NOT NULL, summary TEXT);
"""

# The indexes only queries use. A rebuild builds them once its generation is full, which is far
# quicker than keeping them up to date row by row.
QUERY_INDEXES = """
CREATE INDEX IF NOT EXISTS sources_camp ON sources (camp);
CREATE INDEX IF NOT EXISTS source_camps_camp ON source_camps (camp, since_on);
CREATE INDEX IF NOT EXISTS versions_now ON versions (story, stated_on, stated_until, source_id, via_id)
    WHERE recorded_until IS NULL;
CREATE INDEX IF NOT EXISTS versions_topic ON versions (topic_id, stated_on);
CREATE INDEX IF NOT EXISTS versions_source ON versions (source_id, stated_on);
CREATE INDEX IF NOT EXISTS versions_via ON versions (via_id, stated_on) WHERE via_id IS NOT NULL;
-- The current rows alone, with where their stated interval ends: a narrative reads only what it returns.
CREATE INDEX IF NOT EXISTS versions_source_now ON versions (source_id, stated_on, stated_until)
    WHERE recorded_until IS NULL;
CREATE INDEX IF NOT EXISTS versions_via_now ON versions (via_id, stated_on, stated_until)
    WHERE recorded_until IS NULL;
CREATE INDEX IF NOT EXISTS links_from ON links (claim_id);
CREATE INDEX IF NOT EXISTS links_to ON links (target_id);
CREATE INDEX IF NOT EXISTS links_on ON links (story, stated_on);
"""

ROW_COLUMNS = CONTENT_COLUMNS + ("recorded_from", "recorded_until")
_INSERT_ROW = (
    f"INSERT INTO versions ({', '.join(ROW_COLUMNS)}) "
    f"VALUES ({', '.join(':' + c for c in ROW_COLUMNS)})"
)


@contextmanager
def opening_folder(data_dir: Path) -> Iterator[None]:
    """Held while a process creates a data folder's tables. eventsourcing creates them in a deferred
    transaction, which SQLite refuses at once ("database is locked", its busy timeout unused) when
    another process wrote the schema since it began: processes opening one folder take turns."""
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    try:
        lock = open(Path(data_dir) / "opening.lock", "a")
    except OSError:  # a read-only folder: nobody can create its tables, so there is nothing to wait for
        yield
        return
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _connect(path: Path, expired: Callable[[], bool]) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    # A read past its deadline is interrupted ("interrupted"), so one slow question cannot hold a
    # worker; SQLite calls this every few thousand virtual-machine steps.
    connection.set_progress_handler(expired, 20000)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA journal_mode=WAL")
    # The view is derived from the log: losing the last batch to a power cut only means the
    # tracking position is older too, and the next catch-up redoes that batch.
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA foreign_keys=OFF")
    # A chronicle of a million statements has a view of several GB; SQLite's default 2 MB page
    # cache per connection re-reads the upper levels of its indexes on every query.
    connection.execute("PRAGMA cache_size=-16384")
    return connection


class SQLiteViewBatch(ViewBatch):
    """One view transaction on SQLite."""

    def __init__(self, connection: sqlite3.Connection):
        self.db = connection
        self.texts: dict[str, tuple] = {}
        self.links: list[tuple] = []
        self.audit: list[tuple] = []

    def save_claims(self, facts: list[tuple]) -> None:
        self.db.executemany(
            "INSERT INTO claims (id, story, slug, version, incident_ids, corrections) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET version = excluded.version, incident_ids = excluded.incident_ids, "
            "corrections = excluded.corrections", facts)

    def close_rows(self, closes: list[tuple]) -> None:
        self.db.executemany(
            "UPDATE versions SET recorded_until = ? WHERE claim_id = ? AND version = ? AND part = ? "
            "AND recorded_until IS NULL", [(until, claim_id, version, part) for claim_id, version, part, until in closes])

    def insert_rows(self, rows: list[dict]) -> None:
        self.db.executemany(_INSERT_ROW, rows)

    def load_entry(self, entry_id: str) -> tuple[str, dict]:
        for kind, table in (("source", "sources"), ("topic", "topics"), ("incident", "incidents"),
                            ("story", "stories")):
            row = self.db.execute(f"SELECT * FROM {table} WHERE id = ?", (entry_id,)).fetchone()
            if row:
                return kind, _decode_entry(dict(row))
        raise KeyError(entry_id)

    def save_story(self, entry: dict) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO stories (id, slug, title, description, period) "
            "VALUES (:id, :slug, :title, :description, :period)",
            {**entry, "period": json.dumps(entry["period"], ensure_ascii=False) if entry["period"] else None})

    def save_source(self, entry: dict, keys: list[str]) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO sources (id, slug, name, camp, kind, aliases, description, camps) "
            "VALUES (:id, :slug, :name, :camp, :kind, :aliases, :description, :camps)",
            {**entry, "aliases": json.dumps(entry["aliases"], ensure_ascii=False),
             "camps": json.dumps(entry["camps"], ensure_ascii=False)},
        )
        self.db.execute("DELETE FROM source_names WHERE source_id = ?", (entry["id"],))
        self.db.executemany("INSERT INTO source_names (key, source_id) VALUES (?, ?)",
                            [(key, entry["id"]) for key in keys])
        self.db.execute("DELETE FROM source_camps WHERE source_id = ?", (entry["id"],))
        self.db.executemany("INSERT INTO source_camps (source_id, number, camp, since_on, until_on) "
                            "VALUES (?, ?, ?, ?, ?)", camp_intervals(entry))

    def save_topic(self, entry: dict) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO topics (id, story, slug, title, kind, unit, description) "
            "VALUES (:id, :story, :slug, :title, :kind, :unit, :description)", entry)

    def save_incident(self, entry: dict) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO incidents (id, story, slug, title, occurred, place, description, citations) "
            "VALUES (:id, :story, :slug, :title, :occurred, :place, :description, :citations)",
            {**entry, "occurred": json.dumps(entry["occurred"], ensure_ascii=False),
             "citations": json.dumps(entry["citations"], ensure_ascii=False)},
        )

    def save_link(self, claim_id: str, relation: str, target_id: str, story: str, stated_on: str,
                  note: str | None, recorded_at: str, editor: str) -> None:
        self.links.append((claim_id, relation, target_id, story, stated_on, note, recorded_at, editor))

    def log_event(self, position: int, recorded_at: str, editor: str, kind: str, event: str,
                  entry_id: str, summary: str) -> None:
        self.audit.append((position, recorded_at, editor, kind, event, entry_id, summary))

    def index_text(self, kind: str, entry_id: str, slug: str, title: str, body: str, story: str | None) -> None:
        self.texts[entry_id] = (kind, entry_id, story, slug, title, body)

    def write(self) -> None:
        """Write what the batch buffered: links, the audit log and the full-text rows."""
        self.db.executemany("INSERT INTO links (claim_id, relation, target_id, story, stated_on, note, recorded_at, "
                            "editor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", self.links)
        self.db.executemany("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?)", self.audit)
        self._write_texts()

    def _write_texts(self) -> None:
        """Replace the full-text rows of the entries the batch touched, in bulk.

        An FTS5 table can only find a row fast by its rowid, so search_rows keeps each entry's;
        deleting by the unindexed entry_id would scan the whole index.
        """
        if not self.texts:
            return
        ids = list(self.texts)
        rows: dict[str, int] = {}
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            rows.update(self.db.execute(f"SELECT entry_id, row FROM search_rows WHERE entry_id IN "
                                        f"({', '.join('?' * len(part))})", part).fetchall())
        last = self.db.execute("SELECT rowid FROM search ORDER BY rowid DESC LIMIT 1").fetchone()
        self.db.executemany("DELETE FROM search WHERE rowid = ?", [(row,) for row in rows.values()])
        following = (last[0] if last else 0) + 1
        new = []
        for entry_id in ids:
            if entry_id not in rows:
                rows[entry_id] = following
                new.append((entry_id, following))
                following += 1
        self.db.executemany("INSERT INTO search (rowid, kind, entry_id, story, slug, title, body) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)", [(rows[i], *self.texts[i]) for i in ids])
        self.db.executemany("INSERT INTO search_rows (entry_id, row) VALUES (?, ?)", new)


def _facts(row: dict) -> dict:
    return {"version": row["version"], "incident_ids": json.loads(row["incident_ids"]),
            "corrections": json.loads(row["corrections"]) if row["corrections"] else []}


def _decode_entry(row: dict) -> dict:
    for name in ("aliases", "occurred", "citations", "camps", "period"):
        if name in row and isinstance(row[name], str):
            row[name] = json.loads(row[name])
    return row


class SQLiteViewStore(SharedReads, ViewStore):
    """The read models in one SQLite file; the reads are chronicle/persistence/queries.py's."""

    dialect = SQLITE

    def __init__(self, path: Path, indexed: bool = True):
        self.path = Path(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        made = self.db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'tracking'").fetchone()[0]
        if not made or self.layout == LAYOUT:  # a generation of an older layout is only read, then rebuilt
            self.db.executescript(f"BEGIN IMMEDIATE;\n{SCHEMA}\n{QUERY_INDEXES if indexed else ''}\n"
                                  f"{'' if made else f'PRAGMA user_version = {LAYOUT};'}\nCOMMIT;")

    @property
    def layout(self) -> int:
        """The layout this generation was written in (0 for one older than layouts)."""
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    @contextmanager
    def bounded(self, seconds: float | None) -> Iterator[None]:
        """Interrupt this thread's reads that run past ``seconds`` from now (None: no bound)."""
        before = getattr(self._local, "deadline", None)
        self._local.deadline = None if seconds is None else time.monotonic() + seconds
        try:
            yield
        finally:
            self._local.deadline = before

    def _expired(self) -> bool:
        deadline = getattr(self._local, "deadline", None)
        return deadline is not None and time.monotonic() > deadline

    @property
    def db(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = _connect(self.path, self._expired)
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self.db
        _begin_immediate(db)
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    @contextmanager
    def batch(self, application_name: str, expected: int, last: int) -> Iterator[ViewBatch]:
        with self.bounded(None), self._transaction() as db:
            if (self.max_tracking_id(application_name) or 0) != expected:
                raise PositionMoved(expected)
            batch = SQLiteViewBatch(db)
            yield batch
            batch.write()
            db.execute("INSERT INTO tracking VALUES (?, ?) ON CONFLICT (application_name) "
                       "DO UPDATE SET notification_id = excluded.notification_id", (application_name, last))

    def record_fault(self, application_name: str, position: int, event: str, reason: str, at: str) -> bool:
        with self.bounded(None), self._transaction() as db:
            return db.execute("INSERT OR IGNORE INTO faults VALUES (?, ?, ?, ?, ?)",
                              (application_name, position, event, reason, at)).rowcount == 1

    def _fetch(self, statement: str, params: dict | None = None) -> list[dict]:
        # Plain tuples zipped with the column names: half the cost of dict(sqlite3.Row) per row.
        cursor = self.db.cursor()
        cursor.row_factory = None
        cursor.execute(statement, params or {})
        if cursor.description is None:  # a statement that returns no rows
            return []
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def claim_facts(self, claim_id: str) -> dict | None:
        row = self.db.execute("SELECT version, incident_ids, corrections FROM claims WHERE id = ?",
                              (claim_id,)).fetchone()
        return _facts(dict(row)) if row else None

    def _search_query(self, terms: list[str]) -> str | None:
        """FTS5's query: every term a phrase, the last one a prefix."""
        if not terms:
            return None
        query = " ".join('"' + term.replace('"', '""') + '"' for term in terms[:-1])
        return f'{query} "{terms[-1].replace(chr(34), chr(34) * 2)}"*'.strip()

    def close(self) -> None:
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()


def _begin_immediate(db: sqlite3.Connection) -> None:
    """Take the write lock up front, so two writers queue instead of failing on upgrade."""
    for attempt in range(100):
        try:
            db.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            time.sleep(min(0.01 * (attempt + 1), 0.2))
    db.execute("BEGIN IMMEDIATE")


class SQLiteViewLocator(ViewLocator):
    """View generations in ``<data>/views/``, the current one named in ``views/CURRENT``."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.pointer = self.directory / "CURRENT"

    def current(self) -> ViewStore:
        if not self.pointer.exists():
            self._point_to(self._new_name(), first=True)
        return SQLiteViewStore(self.directory / self.pointer.read_text().strip())

    def fresh(self) -> ViewStore:
        return SQLiteViewStore(self.directory / self._new_name(), indexed=False)

    def promote(self, store: ViewStore) -> ViewStore:
        assert isinstance(store, SQLiteViewStore)
        store.db.executescript(f"BEGIN IMMEDIATE;\n{QUERY_INDEXES}\nCOMMIT;")
        # A rebuild writes its generation in large transactions: give the log's pages back to the file.
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        previous = self.pointer.read_text().strip() if self.pointer.exists() else None
        self._point_to(store.path.name)
        if previous and previous != store.path.name:
            for suffix in ("", "-wal", "-shm"):
                (self.directory / f"{previous}{suffix}").unlink(missing_ok=True)
        return store

    def _new_name(self) -> str:
        return f"view-{time.time_ns()}-{os.getpid()}.sqlite"

    def _point_to(self, name: str, first: bool = False) -> None:
        """Write the pointer whole, then move it into place (or, the first time, link it unless
        another process named the first generation already)."""
        temporary = self.pointer.with_name(f"CURRENT.{os.getpid()}.{threading.get_ident()}.tmp")
        temporary.write_text(name + "\n")
        try:
            if first:
                os.link(temporary, self.pointer)
            else:
                os.replace(temporary, self.pointer)
        except FileExistsError:
            pass
        finally:
            temporary.unlink(missing_ok=True)
