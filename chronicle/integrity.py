"""The hash chain over the event log: any edit, deletion, insertion or reordering shows.

Each recorded event's hash covers its position, its entry id and version, its type, its stored
state and the previous event's hash. Someone with write access to the database could rewrite
the whole chain consistently; that is why exports and the API publish the head hash, so that
copies held elsewhere can be compared with it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

GENESIS = "0" * 64


def link_hash(previous: str, position: int, originator_id: Any, version: int, topic: str, state: bytes | str) -> str:
    """The hash of one event, chained to the previous one."""
    entry = originator_id.hex if isinstance(originator_id, UUID) else str(originator_id).replace("-", "")
    head = f"{previous}|{position}|{entry}|{version}|{topic}|".encode()
    body = state.encode("utf-8") if isinstance(state, str) else bytes(state)
    return hashlib.sha256(head + body).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """The outcome of recomputing the chain: how far it held, and the first broken link if any."""

    checked: int
    head: str
    broken_at: int | None = None
    problem: str | None = None
    entry: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_links(rows: Iterable[tuple], orphans: Sequence[int] = ()) -> ChainReport:
    """Recompute the chain over (position, originator_id, version, topic, state, stored_hash) rows."""
    previous, checked = GENESIS, 0
    expected_position = 1
    for position, originator_id, version, topic, state, stored in rows:
        where = f"{originator_id} version {version}"
        if position != expected_position:
            return ChainReport(checked, previous, expected_position,
                               f"event at position {expected_position} is missing (next is {position})", where)
        if stored is None:
            return ChainReport(checked, previous, position, "event has no hash: it was not recorded by chronicle", where)
        if link_hash(previous, position, originator_id, version, topic, state) != stored:
            return ChainReport(checked, previous, position, "hash does not match the event's content or order", where)
        previous, checked, expected_position = stored, checked + 1, position + 1
    if orphans:
        return ChainReport(checked, previous, min(orphans), "a hash has no event: an event was deleted")
    return ChainReport(checked, previous)
