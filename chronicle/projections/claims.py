"""The projection's working set of folded claims, kept between batches instead of in the view.

A claim is folded with the domain's own mutators (``event.mutate``), annotated with what only the
log knows (when and by whom each version and correction was recorded). The view keeps no copy of
that state: a claim the working set does not hold is folded again from its own events in the log,
which are the truth, and its open index rows are exactly the rows derived from it (every event
that changes a row re-derives them). The working set is only valid at the position it was left
at: when another process has moved the view on, or a batch failed half-way, it is dropped.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

from chronicle.domain import Claim
from chronicle.projections.rows import derive_rows

CACHED_CLAIMS = 10000


class Folded:
    """One claim as the projection holds it: the folded aggregate and its open index rows."""

    __slots__ = ("claim", "rows")

    def __init__(self, claim: Claim | None, rows: list[dict]):
        self.claim = claim
        self.rows = rows


class ClaimCache:
    """The most recently touched claims, at most ``size``, valid at ``position`` only."""

    def __init__(self, size: int = CACHED_CLAIMS):
        self.size = size
        self.position: int | None = None
        self._claims: OrderedDict[str, Folded] = OrderedDict()

    def start(self, position: int) -> None:
        """A batch starts after ``position``: what was folded elsewhere or before a failure is dropped."""
        if self.position != position:
            self.clear()

    def get(self, claim_id: str) -> Folded | None:
        folded = self._claims.get(claim_id)
        if folded is not None:
            self._claims.move_to_end(claim_id)
        return folded

    def put(self, claim_id: str, folded: Folded) -> None:
        self._claims[claim_id] = folded
        self._claims.move_to_end(claim_id)

    def committed(self, position: int) -> None:
        """The batch up to ``position`` is in the view: keep the working set for the next one."""
        while len(self._claims) > self.size:
            self._claims.popitem(last=False)
        self.position = position

    def clear(self) -> None:
        self._claims.clear()
        self.position = None

    def __len__(self) -> int:
        return len(self._claims)


def refold(events: Iterable[Any], stamp: Callable[[Any], str]) -> Folded:
    """A claim folded from its events as the projection folded them, with its open rows."""
    claim = None
    for event in events:
        claim = event.mutate(claim)
        annotate(claim, event, stamp(event.timestamp), getattr(event, "editor", "system"))
    if claim is None:
        return Folded(None, [])
    return Folded(claim, derive_rows(claim))


def events_before(app: Any, claim_id: str, version: int) -> Iterable[Any]:
    """The claim's events before its ``version`` (all already folded into the view)."""
    return app.repository.event_store.get(UUID(claim_id), lte=version - 1)


def annotate(claim: Claim, event: Any, at: str, editor: str) -> None:
    """Add to the folded claim what only the log knows: when and by whom each part was recorded."""
    if isinstance(event, (Claim.Stated, Claim.Revised, Claim.Retracted, Claim.Reinstated)):
        claim.version_numbered(len(claim.versions) - 1).update({"recorded_at": at, "recorded_by": editor})
    elif isinstance(event, Claim.Corrected):
        fix = {"at": at, "by": editor, "reason": event.reason, "version": event.version,
               "fields": sorted(event.changes)}
        claim.__dict__.setdefault("corrections", []).append(fix)
        if event.version is not None:
            claim.version_numbered(event.version).setdefault("corrections", []).append(fix)


def touched_versions(event: Any) -> list[int] | None:
    """The versions whose rows an event can change; None for all of them.

    A version placed by its stated day can land between two others, and what it says can flow
    into the versions after it, so anything but a statement or a link re-derives the claim.
    """
    if isinstance(event, Claim.Stated):
        return [0]
    if isinstance(event, Claim.Linked):
        return []
    return None


def claim_words(claim: Claim) -> str:
    """Everything searchable in a claim: every version's words, reasons, notes and cited quotes."""
    words = []
    for version in claim.versions:
        original = version.get("original") or {}
        words.extend([version["text"], version["quote"], original.get("text"), version["reason"], version["note"]])
        words.extend(c.get("quote") for c in version["citations"])
    return " ".join(dict.fromkeys(w for w in words if w))


def claim_facts(claim: Claim) -> tuple:
    """What the view keeps of a claim besides its rows: (id, story, slug, entry version, incidents, corrections)."""
    corrections = claim.__dict__.get("corrections")
    return (str(claim.id), claim.story, claim.slug, claim.version,
            json.dumps([str(i) for i in claim.incident_ids or []]),
            json.dumps(corrections, ensure_ascii=False, sort_keys=True) if corrections else None)
