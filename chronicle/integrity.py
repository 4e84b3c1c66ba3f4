"""The hash chain over the event log: any edit, deletion, insertion or reordering shows.

Each recorded event's hash covers its entry id and version, its type, its stored state and the
previous event's hash, so the chain fixes both the content and the recorded order. Someone with write access to the database could rewrite
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


def link_hash(previous: str, originator_id: Any, version: int, topic: str, state: bytes | str) -> str:
    """The hash of one event, chained to the previous one.

    The position is left out on purpose: the chain already fixes the order, and without it a
    copy of the log in another store (whose sequence may number events differently) keeps the
    same hashes and the same head.
    """
    entry = originator_id.hex if isinstance(originator_id, UUID) else str(originator_id).replace("-", "")
    head = f"{previous}|{entry}|{version}|{topic}|".encode()
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
    """Recompute the chain over (position, originator_id, version, topic, state, stored_hash) rows.

    Positions may have gaps (a PostgreSQL sequence skips numbers when a transaction rolls back);
    a deleted event shows as a hash left without its event, or as the next event's broken link.
    """
    previous, checked, last_position = GENESIS, 0, 0
    for position, originator_id, version, topic, state, stored in rows:
        where = f"{originator_id} version {version}"
        deleted = [o for o in orphans if last_position < o < position]
        if deleted:
            return ChainReport(checked, previous, deleted[0], "an event was deleted here: its hash remains")
        if stored is None:
            return ChainReport(checked, previous, position, "event has no hash: it was not recorded by chronicle", where)
        try:
            digest = link_hash(previous, originator_id, version, topic, state)
        except (TypeError, ValueError, AttributeError, UnicodeError) as error:
            return ChainReport(checked, previous, position, f"the stored row is malformed ({error})", where)
        if digest != stored:
            return ChainReport(checked, previous, position, "hash does not match the event's content or order", where)
        previous, checked, last_position = stored, checked + 1, position
    if orphans and max(orphans) > last_position:
        return ChainReport(checked, previous, min(o for o in orphans if o > last_position),
                           "an event was deleted here: its hash remains")
    return ChainReport(checked, previous)
