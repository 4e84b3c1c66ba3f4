"""Loading chronicle files: validate everything first, then record it in one transaction.

A folder is read as one chronicle (every ``*.json`` in it, sorted). Each file names the story its
topics, incidents and claims belong to; a file that names none belongs to the story named after
its folder. Nothing is stored unless every file, record and reference is valid, and a load that
fails names the file, the record and the field. Entries have stable ids (uuid5 of their story and
slug) and every event made from a file carries a reference to its place in that file, so loading
the same files again records nothing. A record whose slug is stored already must say what the
stored one says: a different one is refused, field by field, since a stored entry changes only
by a new event.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from marshmallow import ValidationError

from chronicle.domain import (
    ChronicleError, Claim, Incident, Source, Story, Topic, entry_id, natural_id, parse_figure, parse_figures,
    parse_original,
)
from chronicle.projections.names import normalise
from chronicle.schemas import ChronicleFile
from chronicle.validation import payload

SECTIONS = ("sources", "topics", "incidents", "claims")
KINDS = {"sources": "source", "topics": "topic", "incidents": "incident", "claims": "claim"}


class LoadError(ChronicleError):
    """A chronicle file that cannot be loaded; nothing from it was stored."""


@dataclass
class Record:
    """One validated record, the story it belongs to and where it came from."""

    data: dict
    file: str
    index: int
    section: str
    story: str | None = None

    @property
    def where(self) -> str:
        return f"{self.file}: {self.section}[{self.index}] ({self.data.get('slug', '?')})"


@dataclass
class LoadReport:
    files: list[str] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=lambda: {k: 0 for k in ("story", *KINDS.values())})
    events: int = 0
    unchanged: int = 0


@dataclass
class Chronicle:
    """What a file or folder holds: its records by section, and the stories they belong to."""

    files: list[str]
    records: dict[str, list[Record]]
    stories: dict[str, Record]


def read_chronicle(path: Path, story: str | None = None) -> Chronicle:
    """Read and validate a file or a folder of files; raise LoadError naming what is wrong.

    Files that name no story belong to ``story``, or else to the story named after their folder.
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.glob("*.json") if p.is_file())
        if not files:
            raise LoadError(f"{path}: no *.json chronicle files in this folder")
        default = _story_slug(path.resolve().name)
    elif path.is_file():
        files = [path]
        default = _story_slug(path.resolve().parent.name)
    else:
        raise LoadError(f"{path}: no such file or folder")
    default = story or default
    records: dict[str, list[Record]] = {section: [] for section in SECTIONS}
    stories: dict[str, Record] = {}
    for file in files:
        document = _validated(file)
        if story and document.get("story") and document["story"]["slug"] != story:
            raise LoadError(f"{file.name}: story: the file is about {document['story']['slug']!r}, not {story!r}")
        named = document.get("story") or {"slug": default}
        known = stories.get(named["slug"])
        if known is None or ("title" in named and "title" not in known.data):
            stories[named["slug"]] = Record(named, file.name, 0, "story", named["slug"])
        elif "title" in named and named != known.data:
            raise LoadError(f"{file.name}: story: {named['slug']!r} is described differently in {known.file}")
        for section in SECTIONS:
            records[section].extend(Record(d, file.name, i, section, named["slug"])
                                    for i, d in enumerate(document[section]))
    _refuse_duplicates(records)
    return Chronicle([str(f) for f in files], records, stories)


def _story_slug(name: str) -> str:
    """A folder's name as a story's slug: "Kazakhstan 2022" is kazakhstan-2022."""
    slug = re.sub(r"[^a-z0-9]+", "-", normalise(name)).strip("-")[:120]
    return slug or "story"


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
        seen: dict[tuple, Record] = {}
        for record in items:
            key = (None if section == "sources" else record.story, record.data["slug"])
            if key in seen:
                raise LoadError(f"{record.where}: slug {key[1]!r} is already used by {seen[key].where}")
            seen[key] = record


class _Plan:
    """Turns validated records into aggregates with pending events, checking every reference."""

    def __init__(self, chronicle: Any, read: Chronicle):
        self.chronicle = chronicle
        self.records = read.records
        self.stories = read.stories
        self.aggregates: dict[UUID, Any] = {}
        self.report = LoadReport()
        self.source_names = self._source_names()

    def build(self) -> list[Any]:
        for record in self.records["sources"]:
            self._guarded(record, self._source)
        for record in self.stories.values():
            self._guarded(record, self._story)
        for section, builder in {"topics": self._topic, "incidents": self._incident}.items():
            for record in self.records[section]:
                self._guarded(record, builder)
        for record in self.records["sources"]:
            self._guarded(record, self._source_camps)
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

    def _existing(self, aggregate_id: UUID) -> Any | None:
        if aggregate_id in self.aggregates:
            return self.aggregates[aggregate_id]
        if aggregate_id in self.chronicle.repository:
            aggregate = self.chronicle.repository.get(aggregate_id)
            self.aggregates[aggregate_id] = aggregate
            return aggregate
        return None

    def _add(self, kind: str, record: Record, fresh: Any) -> None:
        """Keep a new entry; or, if its id is taken, check that the stored one says the same."""
        stored = self._existing(fresh.id)
        if stored is None:
            self.aggregates[fresh.id] = fresh
            self.report.created[kind] += 1
            return
        if fresh.id in self.chronicle.repository:
            self._same(record, self._recorded(stored.id, 1)[0], fresh.pending_events[0])
        self.report.unchanged += 1

    def _recorded(self, aggregate_id: UUID, upto: int | None = None) -> list[Any]:
        """The stored events of an entry (the first ``upto`` of them)."""
        store = self.chronicle.repository.event_store
        return list(store.get(aggregate_id, lte=upto) if upto else store.get(aggregate_id))

    def _same(self, record: Record, stored: Any, fresh: Any, where: str = "") -> None:
        """Refuse a record whose content differs from what was stored for it, naming each field."""
        differences = _differences(_content(stored), _content(fresh))
        if type(stored).__name__ != type(fresh).__name__:
            differences.insert(0, f"type (stored: {type(stored).__name__.lower()}, "
                                  f"in the file: {type(fresh).__name__.lower()})")
        if differences:
            raise LoadError(
                f"{record.where}{where}: differs from the {KINDS.get(record.section, 'story')} stored with this "
                f"slug: {'; '.join(differences)}. Nothing was loaded. A stored entry changes only by a new "
                "event: add a 'corrected' event to the claim's events (our entry was wrong) or a 'revised' "
                "or 'retracted' one (the source changed its words), or give the new entry another slug")

    def _story(self, record: Record) -> None:
        data = record.data
        if "title" not in data:
            if natural_id("story", data["slug"]) not in self.chronicle.repository:
                self._add("story", record, Story.start(data["slug"], data["slug"]))
            return
        self._add("story", record, Story.start(data["slug"], data["title"], data.get("description"),
                                               data.get("period")))

    def _source(self, record: Record) -> None:
        data = {k: v for k, v in record.data.items() if k != "camps"}
        self._add("source", record, Source.register(**data))

    def _source_camps(self, record: Record) -> None:
        source = self._existing(natural_id("source", record.data["slug"]))
        for number, moved in enumerate(record.data["camps"]):
            ref = f"{record.data['slug']}#camps/{number}"
            probe = Source.register(**{k: v for k, v in record.data.items() if k != "camps"})
            probe.move(moved["camp"], moved["since"], moved.get("note"), moved["citations"], ref=ref)
            fresh = probe.pending_events[-1]
            stored = self._by_ref(source).get(ref)
            if stored is not None:
                self._same(record, stored, fresh, f": camps[{number}]")
            else:
                source.move(moved["camp"], moved["since"], moved.get("note"), moved["citations"], ref=ref)

    def _by_ref(self, aggregate: Any) -> dict[str, Any]:
        """The stored events of an entry that came from a file, by their place in it."""
        if aggregate.version <= len(aggregate.pending_events):
            return {}
        return {e.ref: e for e in self._recorded(aggregate.id) if getattr(e, "ref", None)}

    def _topic(self, record: Record) -> None:
        self._add("topic", record, Topic.open(record.story, **record.data))

    def _incident(self, record: Record) -> None:
        self._add("incident", record, Incident.record(record.story, **record.data))

    def _claim_statement(self, record: Record) -> None:
        data = record.data
        claim = Claim.state(
            record.story, data["slug"], self._source_id(record, data["source"], "source"),
            self._entry_id(record, "topic", data["topic"], "topic"), data["stated"], data["text"],
            data.get("quote"), data.get("figure"), data["citations"], data.get("note"),
            via_id=self._source_id(record, data["via"], "via") if data.get("via") else None,
            incident_ids=[self._entry_id(record, "incident", i, "incidents") for i in data["incidents"]],
            ref=f"{data['slug']}#stated", figures=self._figures(record, data["figures"], "figures"),
            quote_language=data.get("quote_language"), original=data.get("original"),
        )
        self._add("claim", record, claim)

    def _figures(self, record: Record, figures: list | None, field_name: str) -> list | None:
        if figures is None:
            return None
        found = []
        for number, figure in enumerate(figures):
            topic_id = self._entry_id(record, "topic", figure["topic"], f"{field_name}[{number}].topic")
            topic = self._existing(topic_id)
            if topic.kind != "figure":
                raise LoadError(f"{record.where}: {field_name}[{number}].topic: {figure['topic']!r} is not a figure topic")
            found.append({**{k: v for k, v in figure.items() if k != "topic"}, "topic_id": str(topic_id)})
        return found

    def _claim_history(self, record: Record) -> None:
        data = record.data
        claim = self._existing(entry_id("claim", record.story, data["slug"]))
        stored = self._by_ref(claim)
        for number, link in enumerate(data["links"]):
            ref = f"{data['slug']}#links/{number}"
            target = self._entry_id(record, "claim", link["target"], f"links[{number}].target")
            if ref in stored:
                probe = Claim.state(record.story, "probe", natural_id("probe", "source"), natural_id("probe", "topic"),
                                    "2000", "probe")
                probe.link(link["relation"], target, link.get("stated"), link.get("note"), ref=ref)
                self._same(record, stored[ref], probe.pending_events[-1], f": links[{number}]")
            elif ref not in claim.refs:
                claim.link(link["relation"], target, link.get("stated"), link.get("note"), ref=ref)
        for number, later in enumerate(data["events"]):
            ref = f"{data['slug']}#events/{number}"
            if ref in stored:
                self._same(record, stored[ref], self._probe_event(record, claim, later, ref), f": events[{number}]")
            elif ref not in claim.refs:
                try:
                    self._apply_event(record, claim, later, ref)
                except ChronicleError as error:
                    raise LoadError(f"{record.where}: events[{number}] ({later['type']}): {error}") from None

    def _probe_event(self, record: Record, claim: Claim, later: dict, ref: str) -> Any:
        """The event a stored event's record would make now, made on a copy of the claim."""
        probe = object.__new__(Claim)
        probe.__dict__.update({k: v for k, v in claim.__dict__.items() if k != "_pending_events"})
        probe.__dict__.update(_pending_events=[], versions=[dict(v, given=dict(v["given"])) for v in claim.versions],
                              refs=[r for r in claim.refs if r != ref])
        try:
            self._apply_event(record, probe, later, ref, checked=False)
        except ChronicleError:
            pass
        return probe.pending_events[-1] if probe.pending_events else object()

    def _apply_event(self, record: Record, claim: Claim, later: dict, ref: str, checked: bool = True) -> None:
        kind = later["type"]
        if kind == "revised":
            words = {"figures": self._figures(record, later.get("figures"), "figures")} if "figures" in later else {}
            if not checked:
                claim._revise(stated=later["stated"], text=later.get("text"), quote=later.get("quote"),
                              figure=parse_figure(later.get("figure")), citations=later["citations"], note=later.get("note"),
                              ref=ref, quote_language=later.get("quote_language"), original=parse_original(later.get("original")),
                              figures=None if "figures" not in later else (None if words["figures"] is None else parse_figures(words["figures"])))
                return
            claim.revise(later["stated"], later.get("text"), later.get("quote"), later.get("figure"),
                         later["citations"], later.get("note"), ref=ref, quote_language=later.get("quote_language"),
                         original=later.get("original"), **words)
        elif kind == "retracted":
            (claim._retract(stated=later["stated"], reason=later["reason"], citations=later["citations"], ref=ref)
             if not checked else claim.retract(later["stated"], later["reason"], later["citations"], ref=ref))
        elif kind == "reinstated":
            (claim._reinstate(stated=later["stated"], note=later.get("note"), citations=later["citations"], ref=ref)
             if not checked else claim.reinstate(later["stated"], later.get("note"), later["citations"], ref=ref))
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
            elif name == "figures":
                value = self._figures(record, value, "changes.figures")
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
        found = entry_id(kind, record.story, slug)
        if self._existing(found) is not None:
            return found
        raise LoadError(f"{record.where}: {field_name}: no {kind} has the slug {slug!r} in story {record.story!r}")


def _content(event: Any) -> dict:
    """What a stored and a fresh event are compared on: the payload, without where it came from in a file."""
    return {k: v for k, v in payload(event).items() if k != "ref"}


def _differences(stored: Any, fresh: Any, path: str = "") -> list[str]:
    """Each field, as a dotted path, whose value differs between two event payloads."""
    if isinstance(stored, dict) and isinstance(fresh, dict):
        found = []
        for key in sorted(set(stored) | set(fresh), key=str):
            found.extend(_differences(stored.get(key), fresh.get(key), f"{path}.{key}" if path else str(key)))
        return found
    if isinstance(stored, list) and isinstance(fresh, list) and len(stored) == len(fresh):
        return [line for i, (a, b) in enumerate(zip(stored, fresh)) for line in _differences(a, b, f"{path}[{i}]")]
    if stored == fresh or (isinstance(stored, UUID | str) and isinstance(fresh, UUID | str) and str(stored) == str(fresh)):
        return []
    return [f"{path} (stored: {_short(stored)}, in the file: {_short(fresh)})"]


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def load_chronicle(chronicle: Any, path: Path, progress: Callable[[int, int], None] | None = None,
                   story: str | None = None) -> LoadReport:
    """Validate a chronicle file or folder and record what is new in it, all or nothing."""
    read = read_chronicle(path, story)
    plan = _Plan(chronicle, read)
    aggregates = plan.build()
    plan.report.files = read.files
    if aggregates:
        plan.report.events = sum(len(a.pending_events) for a in aggregates)
        chronicle.save_all(*aggregates, progress=progress)
    return plan.report
