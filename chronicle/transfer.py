"""Export the event log as JSON Lines, and import such an export into an empty chronicle.

An export is every stored event in recorded order, one JSON object a line, with its chained
hash, then a last line carrying the head hash and the count. The stored state is kept as the
exact text that was hashed, so an import into an empty store (SQLite or PostgreSQL) reproduces
the same order, the same hashes and so the same head hash; a reader can check a copy against
the published head.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO, Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from chronicle.domain import ChronicleError
from chronicle.integrity import GENESIS, link_hash
from chronicle.validation import check_stored

FORMAT = "chronicle-events/1"


def export_lines(chronicle: Any) -> Iterator[str]:
    """The export up to the head as it was when the export began, line by line (no newlines)."""
    last, _ = chronicle.recorder.head()
    count, head = 0, GENESIS
    for position, originator_id, version, topic, state, digest in chronicle.recorder.chain_rows():
        if position > last:
            break
        text = state if isinstance(state, str) else bytes(state).decode("utf-8")
        yield json.dumps({"position": position, "id": str(UUID(str(originator_id))), "version": version,
                          "topic": topic, "state": text, "hash": digest}, ensure_ascii=False)
        count, head = count + 1, digest
    yield json.dumps({"format": FORMAT, "events": count, "head": head})


def read_export(lines: Iterable[str]) -> list[StoredEvent]:
    """Parse and check an export: every line well formed, the chain intact, the trailer present."""
    events: list[StoredEvent] = []
    previous, last_position = GENESIS, 0
    trailer = None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if trailer is not None:
            raise ImportRefused(f"line {number}: data after the closing line")
        record = _json_line(line, number)
        if "format" in record:
            trailer = record
            continue
        event = _stored_event(record, number, last_position)
        last_position = record["position"]
        expected = link_hash(previous, event.originator_id, event.originator_version, event.topic, event.state)
        if record["hash"] != expected:
            raise ImportRefused(f"line {number}: hash does not match the event (position {record['position']})")
        events.append(event)
        previous = expected
    if trailer is None:
        raise ImportRefused("the export is truncated: its closing line with the head hash is missing")
    if trailer.get("format") != FORMAT or trailer.get("events") != len(events) or trailer.get("head") != previous:
        raise ImportRefused(f"the closing line does not match the events: {len(events)} events, head {previous}")
    return events


def _json_line(line: str, number: int) -> dict:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise ImportRefused(f"line {number}: not JSON ({error.msg} at column {error.colno})") from None
    if not isinstance(record, dict):
        raise ImportRefused(f"line {number}: not a JSON object")
    return record


def _stored_event(record: dict, number: int, after: int) -> StoredEvent:
    missing = [k for k in ("position", "id", "version", "topic", "state", "hash") if k not in record]
    if missing:
        raise ImportRefused(f"line {number}: missing {', '.join(missing)}")
    if not isinstance(record["position"], int) or record["position"] <= after:
        raise ImportRefused(f"line {number}: position {record['position']!r} does not follow {after}")
    try:
        originator_id = UUID(record["id"])
    except (ValueError, TypeError, AttributeError):
        raise ImportRefused(f"line {number}: id {record['id']!r} is not a UUID") from None
    if not isinstance(record["state"], str) or not isinstance(record["version"], int):
        raise ImportRefused(f"line {number}: state must be text and version an integer")
    return StoredEvent(originator_id=originator_id, originator_version=record["version"],
                       topic=record["topic"], state=record["state"].encode("utf-8"))


def import_events(chronicle: Any, stream: IO[str]) -> int:
    """Import a checked export into an empty chronicle in one transaction; return the count."""
    events = read_export(stream)
    if chronicle.recorder.max_notification_id():
        raise ImportRefused("the chronicle is not empty: import into a new data folder")
    try:
        check_stored(events, chronicle.mapper)
    except ChronicleError as error:
        raise ImportRefused(f"{error}; nothing was imported") from None
    if events:
        chronicle.recorder.insert_events(events)
    chronicle.catch_up()
    return len(events)


class ImportRefused(ChronicleError):
    """An export that is malformed, truncated or tampered with; nothing was imported."""
