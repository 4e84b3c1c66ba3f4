"""Loading chronicle files: validate everything first, then record it in one transaction.

A folder is read as one chronicle (every ``*.json`` in it, sorted). Nothing is stored unless
every file, record and reference is valid, and a load that fails names the file, the record
and the field. Entries have stable ids (uuid5 of their slugs) and every event made from a file
carries a reference to its place in that file, so loading the same files again records nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from marshmallow import ValidationError

from chronicle.domain import ChronicleError, Claim, Incident, Source, Topic, natural_id
from chronicle.projections.names import normalise
from chronicle.schemas import ChronicleFile

SECTIONS = ("sources", "topics", "incidents", "claims")
KINDS = {"sources": "source", "topics": "topic", "incidents": "incident", "claims": "claim"}


class LoadError(ChronicleError):
    """A chronicle file that cannot be loaded; nothing from it was stored."""


@dataclass
class Record:
    """One validated record and where it came from."""

    data: dict
    file: str
    index: int
    section: str

    @property
    def where(self) -> str:
        return f"{self.file}: {self.section}[{self.index}] ({self.data.get('slug', '?')})"


@dataclass
class LoadReport:
    files: list[str] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=lambda: {k: 0 for k in KINDS.values()})
    events: int = 0
    unchanged: int = 0


def read_chronicle(path: Path) -> tuple[list[str], dict[str, list[Record]]]:
    """Read and validate a file or a folder of files; raise LoadError naming what is wrong."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.glob("*.json") if p.is_file())
        if not files:
            raise LoadError(f"{path}: no *.json chronicle files in this folder")
    elif path.is_file():
        files = [path]
    else:
        raise LoadError(f"{path}: no such file or folder")
    records: dict[str, list[Record]] = {section: [] for section in SECTIONS}
    for file in files:
        document = _validated(file)
        for section in SECTIONS:
            records[section].extend(Record(d, file.name, i, section) for i, d in enumerate(document[section]))
    _refuse_duplicates(records)
    return [str(f) for f in files], records


def _validated(file: Path) -> dict:
    try:
        raw = json.loads(file.read_text(encoding="utf-8"), object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as error:
        raise LoadError(f"{file.name}: line {error.lineno}, column {error.colno}: {error.msg}") from None
    except UnicodeDecodeError as error:
        raise LoadError(f"{file.name}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except ValueError as error:
        raise LoadError(f"{file.name}: {error}") from None
    if not isinstance(raw, dict):
        raise LoadError(f"{file.name}: a chronicle file is a JSON object with sources, topics, incidents, claims")
    try:
        return ChronicleFile().load(raw)
    except ValidationError as error:
        raise LoadError(f"{file.name}: " + "; ".join(describe_errors(error.messages, raw))) from None


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict:
    result: dict = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def describe_errors(messages: Any, data: Any, path: str = "") -> list[str]:
    """Flatten marshmallow's nested messages into "claims[3] (slug): figure.value: reason" lines."""
    if isinstance(messages, list):
        return [f"{path}: {m}" if path else str(m) for m in messages if not isinstance(m, dict | list)] + [
            line for m in messages if isinstance(m, dict | list) for line in describe_errors(m, data, path)
        ]
    lines = []
    for key, value in messages.items():
        child = data[key] if isinstance(data, list) and isinstance(key, int) and key < len(data) else (
            data.get(key) if isinstance(data, dict) else None)
        if isinstance(key, int):
            slug = child.get("slug") if isinstance(child, dict) else None
            label = f"{path}[{key}]" + (f" ({slug})" if slug else "")
        else:
            label = f"{path}.{key}" if path else str(key)
        lines.extend(describe_errors(value, child, label))
    return lines


def _refuse_duplicates(records: dict[str, list[Record]]) -> None:
    for section, items in records.items():
        seen: dict[str, Record] = {}
        for record in items:
            slug = record.data["slug"]
            if slug in seen:
                raise LoadError(f"{record.where}: slug {slug!r} is already used by {seen[slug].where}")
            seen[slug] = record


class _Plan:
    """Turns validated records into aggregates with pending events, checking every reference."""

    def __init__(self, chronicle: Any, records: dict[str, list[Record]]):
        self.chronicle = chronicle
        self.records = records
        self.aggregates: dict[UUID, Any] = {}
        self.report = LoadReport()
        self.source_names = self._source_names()

    def build(self) -> list[Any]:
        builders = {"sources": self._source, "topics": self._topic, "incidents": self._incident}
        for section, builder in builders.items():
            for record in self.records[section]:
                self._guarded(record, builder)
        for record in self.records["claims"]:
            self._guarded(record, self._claim_statement)
        for record in self.records["claims"]:
            self._guarded(record, self._claim_history)
        return [a for a in self.aggregates.values() if a.pending_events]

    def _guarded(self, record: Record, builder: Callable[[Record], None]) -> None:
        try:
            builder(record)
        except LoadError:
            raise
        except ChronicleError as error:
            raise LoadError(f"{record.where}: {error}") from None

    def _existing(self, kind: str, slug: str) -> Any | None:
        entry_id = natural_id(kind, slug)
        if entry_id in self.aggregates:
            return self.aggregates[entry_id]
        if entry_id in self.chronicle.repository:
            aggregate = self.chronicle.repository.get(entry_id)
            self.aggregates[entry_id] = aggregate
            return aggregate
        return None

    def _new(self, kind: str, aggregate: Any) -> None:
        self.aggregates[aggregate.id] = aggregate
        self.report.created[kind] += 1

    def _source(self, record: Record) -> None:
        if self._existing("source", record.data["slug"]) is None:
            self._new("source", Source.register(**record.data))
        else:
            self.report.unchanged += 1

    def _topic(self, record: Record) -> None:
        if self._existing("topic", record.data["slug"]) is None:
            self._new("topic", Topic.open(**record.data))
        else:
            self.report.unchanged += 1

    def _incident(self, record: Record) -> None:
        if self._existing("incident", record.data["slug"]) is None:
            self._new("incident", Incident.record(**record.data))
        else:
            self.report.unchanged += 1

    def _claim_statement(self, record: Record) -> None:
        data = record.data
        if self._existing("claim", data["slug"]) is not None:
            self.report.unchanged += 1
            return
        claim = Claim.state(
            data["slug"], self._source_id(record, data["source"], "source"),
            self._entry_id(record, "topic", data["topic"], "topic"), data["stated"], data["text"],
            data.get("quote"), data.get("figure"), data["citations"], data.get("note"),
            via_id=self._source_id(record, data["via"], "via") if data.get("via") else None,
            incident_ids=[self._entry_id(record, "incident", i, "incidents") for i in data["incidents"]],
            ref=f"{data['slug']}#stated",
        )
        self._new("claim", claim)

    def _claim_history(self, record: Record) -> None:
        data = record.data
        claim = self._existing("claim", data["slug"])
        for number, link in enumerate(data["links"]):
            ref = f"{data['slug']}#links/{number}"
            if ref not in claim.refs:
                target = self._entry_id(record, "claim", link["target"], f"links[{number}].target")
                claim.link(link["relation"], target, link.get("stated"), link.get("note"), ref=ref)
        for number, later in enumerate(data["events"]):
            ref = f"{data['slug']}#events/{number}"
            if ref not in claim.refs:
                try:
                    self._apply_event(record, claim, later, ref)
                except ChronicleError as error:
                    raise LoadError(f"{record.where}: events[{number}] ({later['type']}): {error}") from None

    def _apply_event(self, record: Record, claim: Claim, later: dict, ref: str) -> None:
        if later["type"] == "revised":
            claim.revise(later["stated"], later.get("text"), later.get("quote"), later.get("figure"),
                         later["citations"], later.get("note"), ref=ref)
        elif later["type"] == "retracted":
            claim.retract(later["stated"], later["reason"], later["citations"], ref=ref)
        else:
            changes = self._correction_changes(record, later["changes"])
            claim.correct(changes, later["reason"], later.get("version"), ref=ref)

    def _correction_changes(self, record: Record, changes: dict) -> dict:
        renamed = {"source": "source_id", "via": "via_id", "topic": "topic_id"}
        result = {}
        for name, value in changes.items():
            if name in ("source", "via"):
                value = self._source_id(record, value, f"changes.{name}")
            elif name == "topic":
                value = self._entry_id(record, "topic", value, "changes.topic")
            result[renamed.get(name, name)] = value
        return result

    def _source_names(self) -> dict[str, set[str]]:
        names: dict[str, set[str]] = {}
        for record in self.records["sources"]:
            data = record.data
            for name in [data["slug"], data["name"], *data["aliases"]]:
                names.setdefault(normalise(name), set()).add(data["slug"])
        return names

    def _source_id(self, record: Record, name: str, field_name: str) -> UUID:
        slugs = self.source_names.get(normalise(name), set())
        if len(slugs) == 1:
            return natural_id("source", next(iter(slugs)))
        if len(slugs) > 1:
            raise LoadError(f"{record.where}: {field_name}: {name!r} could be any of {', '.join(sorted(slugs))}")
        try:
            return UUID(self.chronicle.resolve_source(name)["id"])
        except ChronicleError:
            raise LoadError(f"{record.where}: {field_name}: no source is called {name!r}") from None

    def _entry_id(self, record: Record, kind: str, slug: str, field_name: str) -> UUID:
        entry_id = natural_id(kind, slug)
        if entry_id in self.aggregates or self._existing(kind, slug) is not None:
            return entry_id
        raise LoadError(f"{record.where}: {field_name}: no {kind} has the slug {slug!r}")


def load_chronicle(chronicle: Any, path: Path, progress: Callable[[int, int], None] | None = None) -> LoadReport:
    """Validate a chronicle file or folder and record what is new in it, all or nothing."""
    files, records = read_chronicle(path)
    plan = _Plan(chronicle, records)
    aggregates = plan.build()
    plan.report.files = files
    if aggregates:
        plan.report.events = sum(len(a.pending_events) for a in aggregates)
        chronicle.save_all(*aggregates, progress=progress)
    return plan.report
