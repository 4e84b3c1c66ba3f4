"""Event recorders that write each event's chained hash (see chronicle.integrity) beside it.

The hashes are written in the same transaction as the events, while the writer holds the log's
write lock, so the chain follows the recorded order.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier

from chronicle.integrity import GENESIS, link_hash


class ChainedSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    """eventsourcing's SQLite recorder, writing each event's chained hash beside it."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._heads = threading.local()
        self._head_reads: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def max_notification_id(self) -> int | None:
        """The log's head, which every answered request reads first: on this thread's own read-only
        connection, in autocommit, as one statement. eventsourcing's own takes a pooled connection and
        a transaction (BEGIN, SELECT, ROLLBACK), a third of the time of a cached answer here. A file it
        cannot open that way (in memory, or read-only without its WAL index) is read as eventsourcing reads it."""
        db = getattr(self._heads, "db", None) or self._open_head_read()
        if db is not None:
            try:
                return db.execute(self.select_max_notification_id_statement).fetchone()[0]
            except sqlite3.Error:
                self._close_head_read(db)
        return super().max_notification_id()

    def _open_head_read(self) -> sqlite3.Connection | None:
        pool = self.datastore.pool
        if pool.is_sqlite_memory_mode:
            return None
        try:
            db = sqlite3.connect(f"file:{pool.db_name}?mode=ro", uri=True, isolation_level=None,
                                 check_same_thread=False, timeout=pool.lock_timeout or 5)
        except sqlite3.Error:
            return None
        self._heads.db = db
        with self._lock:
            self._head_reads.append(db)
        return db

    def _close_head_read(self, db: sqlite3.Connection) -> None:
        """Drop this thread's head connection after a failure: the next read opens a fresh one."""
        self._heads.db = None
        with self._lock:
            if db in self._head_reads:
                self._head_reads.remove(db)
        db.close()

    def close_reads(self) -> None:
        """Close every thread's head connection (the application is closing)."""
        with self._lock:
            reads, self._head_reads = self._head_reads, []
        for db in reads:
            db.close()
        self._heads = threading.local()

    def construct_create_table_statements(self) -> list[str]:
        return super().construct_create_table_statements() + [
            "CREATE TABLE IF NOT EXISTS event_hashes (position INTEGER PRIMARY KEY, hash TEXT NOT NULL)"
        ]

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        positions = super()._insert_events(c, stored_events, **kwargs)
        if not positions:
            return positions
        # The inserts above took the write lock, so no other writer can extend the chain now.
        c.execute("SELECT hash FROM event_hashes WHERE position < ? ORDER BY position DESC LIMIT 1", (positions[0],))
        row = c.fetchone()
        previous = row[0] if row else GENESIS
        hashes = []
        for position, event in zip(positions, stored_events):
            previous = link_hash(previous, event.originator_id, event.originator_version, event.topic, event.state)
            hashes.append((position, previous))
        c.executemany("INSERT INTO event_hashes (position, hash) VALUES (?, ?)", hashes)
        return positions

    def chain_rows(self, batch: int = 5000) -> Iterator[tuple]:
        """Every event with its stored hash, in recorded order, read a batch at a time."""
        after = 0
        while True:
            with self.datastore.transaction(commit=False) as c:
                c.execute(f"SELECT e.rowid, e.originator_id, e.originator_version, e.topic, e.state, h.hash "
                          f"FROM {self.events_table_name} e LEFT JOIN event_hashes h ON h.position = e.rowid "
                          f"WHERE e.rowid > ? ORDER BY e.rowid LIMIT ?", (after, batch))
                rows = [tuple(r) for r in c.fetchall()]
            if not rows:
                return
            yield from rows
            after = rows[-1][0]

    def orphan_hashes(self) -> list[int]:
        """Positions that have a hash but no event: deleted events."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT position FROM event_hashes WHERE position NOT IN "
                      f"(SELECT rowid FROM {self.events_table_name}) ORDER BY position")
            return [r[0] for r in c.fetchall()]

    def head(self) -> tuple[int, str]:
        """The position and hash of the last recorded event."""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT position, hash FROM event_hashes ORDER BY position DESC LIMIT 1")
            row = c.fetchone()
        return (row[0], row[1]) if row else (0, GENESIS)


class ChainedPostgresApplicationRecorder(PostgresApplicationRecorder):
    """eventsourcing's PostgreSQL recorder, writing each event's chained hash beside it."""

    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        self.hashes_table = SQL("{schema}.{table}").format(
            schema=Identifier(self.datastore.schema), table=Identifier(f"{events_table_name}_hashes"))
        self.events_table = SQL("{schema}.{table}").format(
            schema=Identifier(self.datastore.schema), table=Identifier(events_table_name))
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {0} (position bigint PRIMARY KEY, hash text NOT NULL)").format(self.hashes_table))

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """eventsourcing's insert, in one transaction, without psycopg's pipeline mode.

        eventsourcing 9.5.6 sends the lock, the NOTIFY and the INSERT ... RETURNING in a pipeline. With
        some thousands of events the client blocks sending the INSERT while the server blocks sending
        its RETURNING rows, and neither returns (psycopg/psycopg#685): the second of two 10,000-event
        saves hung every time here. Each statement is awaited instead; the statements, the lock, the
        order and the one transaction are eventsourcing's own, and the chain is written inside it.
        (eventsourcing's `enable_db_functions` path is not taken: it would record events without the chain.)"""
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._insert_events(curs, stored_events, **kwargs)
            if not stored_events:
                return None
            self._insert_stored_events(curs, stored_events, **kwargs)
            return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)

    def _fetch_ids_after_insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        positions = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if not positions:
            return positions
        # The insert holds the events table's EXCLUSIVE lock until commit: writers extend the chain one at a time.
        curs.execute(SQL("SELECT hash FROM {0} ORDER BY position DESC LIMIT 1").format(self.hashes_table))
        row = curs.fetchone()
        previous = row["hash"] if row else GENESIS
        hashes = []
        for event in stored_events:
            previous = link_hash(previous, event.originator_id, event.originator_version, event.topic, event.state)
            hashes.append(previous)
        # One statement, not executemany: psycopg pipelines executemany, and a pipeline of some thousands of
        # rows never returned here (psycopg/psycopg#685); unnest also costs one round trip instead of many.
        curs.execute(SQL("INSERT INTO {0} (position, hash) SELECT * FROM unnest(%s::bigint[], %s::text[])")
                     .format(self.hashes_table), (list(positions), hashes))
        return positions

    def chain_rows(self, batch: int = 5000) -> Iterator[tuple]:
        """Every event with its stored hash, in recorded order, read a batch at a time."""
        after = 0
        while True:
            with self.datastore.get_connection() as conn, conn.cursor() as curs:
                curs.execute(SQL(
                    "SELECT e.notification_id, e.originator_id, e.originator_version, e.topic, e.state, h.hash "
                    "FROM {0} e LEFT JOIN {1} h ON h.position = e.notification_id "
                    "WHERE e.notification_id > %s ORDER BY e.notification_id LIMIT %s"
                ).format(self.events_table, self.hashes_table), (after, batch))
                rows = [(r["notification_id"], r["originator_id"], r["originator_version"], r["topic"],
                         bytes(r["state"]), r["hash"]) for r in curs.fetchall()]
            if not rows:
                return
            yield from rows
            after = rows[-1][0]

    def orphan_hashes(self) -> list[int]:
        """Positions that have a hash but no event: deleted events."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(SQL("SELECT h.position FROM {0} h LEFT JOIN {1} e ON e.notification_id = h.position "
                             "WHERE e.notification_id IS NULL ORDER BY h.position").format(
                self.hashes_table, self.events_table))
            return [r["position"] for r in curs.fetchall()]

    def head(self) -> tuple[int, str]:
        """The position and hash of the last recorded event."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(SQL("SELECT position, hash FROM {0} ORDER BY position DESC LIMIT 1").format(self.hashes_table))
            row = curs.fetchone()
        return (row["position"], row["hash"]) if row else (0, GENESIS)
