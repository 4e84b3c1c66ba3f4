"""The chronicle's aggregates: sources, topics, incidents and claims, and their events.

Events hold plain data (strings, numbers, dicts) so that they stay readable in the log and can
be upcast as they evolve; the value objects in :mod:`chronicle.dates` and
:mod:`chronicle.figures` validate that data before an event is triggered. Every event is
stamped with the editor who recorded it. Event timestamps are recording times; the dates the
domain cares about (stated, occurred) are explicit fields.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import field
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from chronicle.dates import FuzzyDate, FuzzyDateError
from chronicle.figures import Figure, FigureError

editor_cvar: ContextVar[str] = ContextVar("editor", default="system")

NAMESPACE = UUID("6f1d4a52-6a43-4f55-8d4b-6f2d1c0c4e21")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}$")
TOPIC_KINDS = ("figure", "question")
RELATIONS = ("disputes", "contradicts", "reframes", "supports")
CLAIM_FIELDS = ("source_id", "topic_id", "via_id", "incident_ids")
VERSION_FIELDS = ("text", "quote", "figure", "citations", "stated", "note", "reason")


def natural_id(kind: str, slug: str) -> UUID:
    """The stable id of an entry: the same slug always gives the same id."""
    return uuid5(NAMESPACE, f"{kind}/{slug}")


def check_slug(slug: str) -> str:
    """Refuse a slug that is not lowercase letters, digits and hyphens."""
    if not isinstance(slug, str) or not SLUG.match(slug):
        raise InvalidValueError(f"slug {slug!r} must be lowercase letters, digits and hyphens")
    return slug


def refuse_nul(**fields: Any) -> None:
    """Refuse text containing U+0000: no store keeps it reliably (PostgreSQL text cannot)."""
    for name, value in fields.items():
        if _has_nul(value):
            raise InvalidValueError(f"{name} contains a NUL character (U+0000), which cannot be stored")


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def parse_date(value: dict | str, name: str = "date") -> dict:
    """Validate a fuzzy date given as EDTF text or its stored dict; return the stored dict."""
    try:
        if isinstance(value, str):
            return FuzzyDate.parse(value).to_dict()
        return FuzzyDate.from_dict(value).to_dict()
    except (FuzzyDateError, KeyError, TypeError) as error:
        raise InvalidValueError(f"{name}: {error}") from None


def parse_figure(value: dict | None) -> dict | None:
    """Validate a figure's stored dict; None means the claim has no figure."""
    try:
        figure = Figure.from_dict(value)
    except (FigureError, KeyError, TypeError) as error:
        raise InvalidValueError(f"figure: {error}") from None
    return figure.to_dict() if figure else None


def day_of(stated: dict) -> str:
    """The ISO day a stored fuzzy date sorts by."""
    return FuzzyDate.from_dict(stated).sort_key


class ChronicleEvent(Aggregate.Event):
    """Every event records which editor (person or token) put it in the chronicle."""

    editor: str = field(default_factory=editor_cvar.get, init=False)


class Amendable(Aggregate):
    """Sources, topics and incidents: entries whose fields an editor may correct."""

    amendable: tuple[str, ...] = ()

    class Amended(ChronicleEvent):
        """An editorial correction of the entry's fields (never a statement by a source)."""

        changes: dict
        reason: str

    def amend(self, changes: dict, reason: str) -> None:
        """Correct some of this entry's fields, saying why."""
        unknown = sorted(set(changes) - set(self.amendable))
        if unknown:
            raise InvalidValueError(f"cannot amend {', '.join(unknown)}: amendable are {', '.join(self.amendable)}")
        if not reason:
            raise InvalidValueError("an amendment needs a reason")
        refuse_nul(changes=changes, reason=reason)
        self._amend(changes=changes, reason=reason)

    @event(Amended)
    def _amend(self, changes: dict, reason: str) -> None:
        for name, value in changes.items():
            setattr(self, name, value)


class Source(Amendable):
    """Who speaks: a person, ministry, outlet or group, in a camp, known by several names."""

    amendable = ("name", "camp", "kind", "aliases", "description")

    class Registered(ChronicleEvent, Aggregate.Created):
        slug: str
        name: str
        camp: str
        kind: str
        aliases: list
        description: str | None

    @staticmethod
    def create_id(slug: str, **_: Any) -> UUID:
        return natural_id("source", slug)

    @event(Registered)
    def __init__(self, slug: str, name: str, camp: str, kind: str, aliases: list, description: str | None):
        self.slug = slug
        self.name = name
        self.camp = camp
        self.kind = kind
        self.aliases = aliases
        self.description = description

    @classmethod
    def register(cls, slug: str, name: str, camp: str, kind: str = "organisation",
                 aliases: list | None = None, description: str | None = None) -> Source:
        """Register a new source after checking its slug, name and camp."""
        check_slug(slug)
        check_slug(camp)
        refuse_nul(name=name, kind=kind, aliases=aliases, description=description)
        if not name:
            raise InvalidValueError("a source needs a name")
        return cls(slug=slug, name=name, camp=camp, kind=kind, aliases=list(aliases or []),
                   description=description)


class Topic(Amendable):
    """What claims are about: a figure (with a unit) or an open question."""

    amendable = ("title", "unit", "description")

    class Opened(ChronicleEvent, Aggregate.Created):
        slug: str
        title: str
        kind: str
        unit: str | None
        description: str | None

    @staticmethod
    def create_id(slug: str, **_: Any) -> UUID:
        return natural_id("topic", slug)

    @event(Opened)
    def __init__(self, slug: str, title: str, kind: str, unit: str | None, description: str | None):
        self.slug = slug
        self.title = title
        self.kind = kind
        self.unit = unit
        self.description = description

    @classmethod
    def open(cls, slug: str, title: str, kind: str = "question", unit: str | None = None,
             description: str | None = None) -> Topic:
        """Open a topic; a figure topic needs a unit."""
        check_slug(slug)
        if kind not in TOPIC_KINDS:
            raise InvalidValueError(f"topic kind {kind!r} must be one of {', '.join(TOPIC_KINDS)}")
        if kind == "figure" and not unit:
            raise InvalidValueError(f"figure topic {slug!r} needs a unit")
        if not title:
            raise InvalidValueError("a topic needs a title")
        refuse_nul(title=title, unit=unit, description=description)
        return cls(slug=slug, title=title, kind=kind, unit=unit, description=description)


class Incident(Amendable):
    """Something that happened, when (at the precision known) and where."""

    amendable = ("title", "occurred", "place", "description", "citations")

    class Recorded(ChronicleEvent, Aggregate.Created):
        slug: str
        title: str
        occurred: dict
        place: str | None
        description: str | None
        citations: list

    @staticmethod
    def create_id(slug: str, **_: Any) -> UUID:
        return natural_id("incident", slug)

    @event(Recorded)
    def __init__(self, slug: str, title: str, occurred: dict, place: str | None,
                 description: str | None, citations: list):
        self.slug = slug
        self.title = title
        self.occurred = occurred
        self.place = place
        self.description = description
        self.citations = citations

    @classmethod
    def record(cls, slug: str, title: str, occurred: dict | str, place: str | None = None,
               description: str | None = None, citations: list | None = None) -> Incident:
        """Record an incident with its (fuzzy) occurred date."""
        check_slug(slug)
        if not title:
            raise InvalidValueError("an incident needs a title")
        refuse_nul(title=title, occurred=occurred, place=place, description=description, citations=citations)
        return cls(slug=slug, title=title, occurred=parse_date(occurred, "occurred"), place=place,
                   description=description, citations=list(citations or []))


class Claim(Aggregate):
    """What a source stated about a topic, and everything that later happened to that statement.

    ``versions`` holds the source's own words in stated order: the statement, then each
    revision or the retraction. An editorial correction rewrites the recorded content of one
    version (or of the claim's attribution) without adding a version: it is our fix, not theirs.
    """

    class Stated(ChronicleEvent, Aggregate.Created):
        slug: str
        source_id: UUID
        topic_id: UUID
        via_id: UUID | None
        incident_ids: list
        stated: dict
        text: str
        quote: str | None
        figure: dict | None
        citations: list
        note: str | None
        ref: str | None = None

    class Revised(ChronicleEvent):
        stated: dict
        text: str | None
        quote: str | None
        figure: dict | None
        citations: list
        note: str | None
        ref: str | None = None

    class Retracted(ChronicleEvent):
        stated: dict
        reason: str
        citations: list
        ref: str | None = None

    class Linked(ChronicleEvent):
        relation: str
        target_id: UUID
        stated: dict | None
        note: str | None
        ref: str | None = None

    class Corrected(ChronicleEvent):
        version: int | None
        changes: dict
        reason: str
        ref: str | None = None

    @staticmethod
    def create_id(slug: str, **_: Any) -> UUID:
        return natural_id("claim", slug)

    @event(Stated)
    def __init__(self, slug: str, source_id: UUID, topic_id: UUID, via_id: UUID | None,
                 incident_ids: list, stated: dict, text: str, quote: str | None,
                 figure: dict | None, citations: list, note: str | None, ref: str | None = None):
        self.slug = slug
        self.source_id = source_id
        self.topic_id = topic_id
        self.via_id = via_id
        self.incident_ids = incident_ids
        self.versions = [_version("stated", stated, text, quote, figure, citations, note)]
        self.links: list[dict] = []
        self.refs = [ref] if ref else []

    @classmethod
    def state(cls, slug: str, source_id: UUID, topic_id: UUID, stated: dict | str, text: str,
              quote: str | None = None, figure: dict | None = None, citations: list | None = None,
              note: str | None = None, via_id: UUID | None = None, incident_ids: list | None = None,
              ref: str | None = None) -> Claim:
        """A source states something: it needs a source, a topic, a date and words."""
        check_slug(slug)
        if source_id is None or topic_id is None:
            raise InvalidValueError("a claim needs a source and a topic")
        if stated is None:
            raise InvalidValueError("a claim needs the date it was stated")
        if not (text or quote):
            raise InvalidValueError("a claim needs its text or a quote")
        refuse_nul(text=text, quote=quote, figure=figure, citations=citations, note=note, stated=stated)
        return cls(slug=slug, source_id=source_id, topic_id=topic_id, via_id=via_id,
                   incident_ids=list(incident_ids or []), stated=parse_date(stated, "stated"),
                   text=text or quote, quote=quote, figure=parse_figure(figure),
                   citations=list(citations or []), note=note, ref=ref)

    @property
    def is_retracted(self) -> bool:
        return self.versions[-1]["kind"] == "retracted"

    @property
    def latest_day(self) -> str:
        return day_of(self.versions[-1]["stated"])

    def revise(self, stated: dict | str, text: str | None = None, quote: str | None = None,
               figure: dict | None = None, citations: list | None = None, note: str | None = None,
               ref: str | None = None) -> None:
        """The source changes its words or its figure, on a date no earlier than its last."""
        self._check_open("revise")
        stated = parse_date(stated, "stated")
        self._check_not_before(stated, "a revision")
        if text is None and quote is None and figure is None:
            raise InvalidValueError("a revision needs new text, a new quote or a new figure")
        refuse_nul(text=text, quote=quote, figure=figure, citations=citations, note=note)
        self._revise(stated=stated, text=text, quote=quote, figure=parse_figure(figure),
                     citations=list(citations or []), note=note, ref=ref)

    def retract(self, stated: dict | str, reason: str, citations: list | None = None,
                ref: str | None = None) -> None:
        """The source withdraws the claim, saying why (or why others say it did)."""
        self._check_open("retract")
        stated = parse_date(stated, "stated")
        self._check_not_before(stated, "a retraction")
        if not reason:
            raise InvalidValueError("a retraction needs a reason")
        refuse_nul(reason=reason, citations=citations)
        self._retract(stated=stated, reason=reason, citations=list(citations or []), ref=ref)

    def link(self, relation: str, target_id: UUID, stated: dict | str | None = None,
             note: str | None = None, ref: str | None = None) -> None:
        """This claim disputes, contradicts, reframes or supports another claim."""
        if relation not in RELATIONS:
            raise InvalidValueError(f"relation {relation!r} must be one of {', '.join(RELATIONS)}")
        if target_id == self.id:
            raise InvalidValueError("a claim cannot be linked to itself")
        refuse_nul(note=note)
        stated = parse_date(stated, "stated") if stated is not None else None
        self._link(relation=relation, target_id=target_id, stated=stated, note=note, ref=ref)

    def correct(self, changes: dict, reason: str, version: int | None = None,
                ref: str | None = None) -> None:
        """An editor fixes the chronicle's entry: what was recorded, not what was said."""
        if not reason:
            raise InvalidValueError("a correction needs a reason")
        if not changes:
            raise InvalidValueError("a correction needs at least one change")
        unknown = sorted(set(changes) - set(CLAIM_FIELDS) - set(VERSION_FIELDS))
        if unknown:
            raise InvalidValueError(f"cannot correct {', '.join(unknown)}")
        refuse_nul(changes=changes, reason=reason)
        changes = dict(changes)
        if set(changes) & set(VERSION_FIELDS):
            self._check_version_correction(version, changes)
        self._correct(version=version, changes=changes, reason=reason, ref=ref)

    def _check_version_correction(self, version: int | None, changes: dict) -> None:
        if version is None or not 0 <= version < len(self.versions):
            raise InvalidValueError(f"version {version!r} does not exist: the claim has {len(self.versions)}")
        if "figure" in changes:
            changes["figure"] = parse_figure(changes["figure"])
        if "stated" in changes:
            changes["stated"] = parse_date(changes["stated"], "stated")
            day = day_of(changes["stated"])
            before = self.versions[version - 1] if version else None
            after = self.versions[version + 1] if version + 1 < len(self.versions) else None
            if (before and day < day_of(before["stated"])) or (after and day > day_of(after["stated"])):
                raise DateOrderError(f"corrected date {day} would put version {version} out of order")

    def _check_open(self, action: str) -> None:
        if self.is_retracted:
            raise ClaimRetractedError(f"claim {self.slug!r} was retracted: it cannot {action}")

    def _check_not_before(self, stated: dict, what: str) -> None:
        if day_of(stated) < self.latest_day:
            raise DateOrderError(
                f"{what} of {self.slug!r} cannot be dated {day_of(stated)}, "
                f"before the version it revises ({self.latest_day})"
            )

    @event(Revised)
    def _revise(self, stated: dict, text: str | None, quote: str | None, figure: dict | None,
                citations: list, note: str | None, ref: str | None) -> None:
        last = self.versions[-1]
        self.versions.append(_version(
            "revised", stated,
            last["text"] if text is None else text,
            last["quote"] if quote is None and text is None else quote,
            last["figure"] if figure is None else figure,
            citations, note,
        ))
        self._remember(ref)

    @event(Retracted)
    def _retract(self, stated: dict, reason: str, citations: list, ref: str | None) -> None:
        last = self.versions[-1]
        retracted = _version("retracted", stated, last["text"], last["quote"], last["figure"], citations, None)
        retracted["reason"] = reason
        self.versions.append(retracted)
        self._remember(ref)

    @event(Linked)
    def _link(self, relation: str, target_id: UUID, stated: dict | None, note: str | None,
              ref: str | None) -> None:
        self.links.append({"relation": relation, "target_id": target_id, "stated": stated, "note": note})
        self._remember(ref)

    @event(Corrected)
    def _correct(self, version: int | None, changes: dict, reason: str, ref: str | None) -> None:
        for name in CLAIM_FIELDS:
            if name in changes:
                setattr(self, name, changes[name])
        if version is not None:
            self.versions[version].update({k: v for k, v in changes.items() if k in VERSION_FIELDS})
        self._remember(ref)

    def _remember(self, ref: str | None) -> None:
        if ref:
            self.refs.append(ref)


def _version(kind: str, stated: dict, text: str, quote: str | None, figure: dict | None,
             citations: list, note: str | None) -> dict:
    return {"kind": kind, "stated": stated, "text": text, "quote": quote, "figure": figure,
            "citations": citations, "note": note, "reason": None}


class ChronicleError(Exception):
    """Base class of the errors the chronicle refuses a command with."""


class InvalidValueError(ChronicleError):
    """A value that the domain cannot accept (a bad slug, date, figure or relation)."""


class ClaimRetractedError(ChronicleError):
    """A retracted claim cannot be revised or retracted again."""


class DateOrderError(ChronicleError):
    """A revision or retraction dated before the version it follows."""
