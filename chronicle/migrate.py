"""Copying a chronicle to another store: every event, in recorded order, then its read models.

The events are copied as stored (same ids, versions, types and bytes) a batch per transaction,
and the target's recorder chains them as it writes. The chain's hashes leave positions out, so
the copy's head hash must equal the source's after every batch: that is the check that nothing
was lost, added or reordered. Migrating again copies only what was recorded since, so a large
chronicle can be copied while it is in use and topped up during a short stop of its writers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from chronicle.domain import ChronicleError
from chronicle.integrity import GENESIS


@dataclass
class MigrationReport:
    copied: int = 0
    already: int = 0
    head: str = GENESIS
    indexed: int = 0


def migrate(source: Any, target: Any, batch: int = 2000,
            progress: Callable[[int, int], None] | None = None) -> MigrationReport:
    """Copy the source's events that the target lacks, check the chain, then catch up the target's views."""
    report = MigrationReport()
    total = source.recorder.max_notification_id() or 0
    rows = source.recorder.chain_rows()
    report.already = _skip_copied(rows, target.head()["hash"])
    pending: list[tuple] = []
    for row in rows:
        pending.append(row)
        if len(pending) == batch:
            report.copied += _copy(target, pending)
            if progress:
                progress(report.already + report.copied, total)
    report.copied += _copy(target, pending)
    report.head = source.head()["hash"]
    if target.head()["hash"] != report.head:
        raise MigrationError(f"the copy's head hash {target.head()['hash']} is not the source's {report.head}")
    report.indexed = target.catch_up(progress)
    return report


def _skip_copied(rows: Iterator[tuple], head: str) -> int:
    """Advance past the events the target already holds; refuse a target that holds anything else."""
    if head == GENESIS:
        return 0
    for count, (*_, digest) in enumerate(rows, start=1):
        if digest == head:
            return count
    raise MigrationError("the target already holds events that are not this chronicle's: "
                         "migrate into an empty database or schema")


def _copy(target: Any, rows: list[tuple]) -> int:
    """Record a batch of stored events in the target in one transaction; check the chain still matches."""
    if not rows:
        return 0
    target.recorder.insert_events([
        StoredEvent(originator_id=UUID(str(originator_id)), originator_version=version, topic=topic,
                    state=bytes(state) if not isinstance(state, str) else state.encode("utf-8"))
        for _, originator_id, version, topic, state, _ in rows])
    if target.head()["hash"] != rows[-1][-1]:
        raise MigrationError(f"the copy diverged from the source at position {rows[-1][0]}: "
                             "its hash does not match; the copy stops here")
    count = len(rows)
    rows.clear()
    return count


class MigrationError(ChronicleError):
    """A copy that cannot be made or does not match its source."""
