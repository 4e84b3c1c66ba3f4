"""Event recorders that write each event's chained hash (see chronicle.integrity) beside it.

The hashes are written in the same transaction as the events, while the writer holds the log's
write lock, so the chain follows the recorded order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from chronicle.integrity import GENESIS, link_hash


class ChainedSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    """eventsourcing's SQLite recorder, writing each event's chained hash beside it."""

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
            previous = link_hash(previous, position, event.originator_id, event.originator_version,
                                 event.topic, event.state)
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
