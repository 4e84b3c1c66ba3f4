"""The chronicle's aggregates: sources, topics, incidents and claims, and their events.

Events hold plain data (strings, numbers, dicts) so that they stay readable in the log and can
be upcast as they evolve; the value objects in :mod:`chronicle.dates` and
:mod:`chronicle.figures` validate that data before an event is triggered. Every event is
stamped with the editor who recorded it. Event timestamps are recording times; the dates the
domain cares about (stated, occurred) are explicit fields.
"""

from __future__ import annotations

import functools
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
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}\Z")
LANGUAGE = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*\Z")
# The one story of a chronicle written before stories existed: its entries keep their ids.
LEGACY_STORY = "chronicle"
TOPIC_KINDS = ("figure", "question")
RELATIONS = ("disputes", "contradicts", "reframes", "supports")
CLAIM_FIELDS = ("source_id", "topic_id", "via_id", "incident_ids")
VERSION_FIELDS = ("text", "quote", "quote_language", "original", "figure", "figures", "citations", "stated",
                  "note", "reason")
VERSION_KINDS = ("stated", "revised", "retracted", "reinstated")


def natural_id(kind: str, slug: str) -> UUID:
    """The stable id of an entry: the same slug always gives the same id."""
    return uuid5(NAMESPACE, f"{kind}/{slug}")


def entry_id(kind: str, story: str, slug: str) -> UUID:
    """The stable id of a topic, incident or claim: its slug is unique within its story."""
    return natural_id(kind, slug if story == LEGACY_STORY else f"{story}/{slug}")


def check_slug(slug: str) -> str:
    """Refuse a slug that is not lowercase letters, digits and hyphens."""
    if not isinstance(slug, str) or not SLUG.match(slug):
        raise InvalidValueError(f"slug {slug!r} must be lowercase letters, digits and hyphens")
    return slug


_TEXTS = ("text", "quote", "quote_language", "note", "reason")


def check_shapes(fields: dict) -> None:
    """Refuse words of the wrong kind before they reach an event: texts are strings, citations and
    incidents are lists (of objects, for citations)."""
    for name in _TEXTS:
        if fields.get(name) is not None and not isinstance(fields[name], str):
            raise InvalidValueError(f"{name}: must be text, not {type(fields[name]).__name__}")
    citations = fields.get("citations")
    if citations is not None and (not isinstance(citations, list) or not all(isinstance(c, dict) for c in citations)):
        raise InvalidValueError("citations: must be a list of citations (objects)")
    if fields.get("incident_ids") is not None and not isinstance(fields["incident_ids"], list):
        raise InvalidValueError("incident_ids: must be a list")


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
        if not isinstance(value, dict):
            raise InvalidValueError(f"{name}: must be EDTF text or a date object, not {type(value).__name__}")
        return FuzzyDate.from_dict(value).to_dict()
    except (FuzzyDateError, KeyError, TypeError, AttributeError) as error:
        raise InvalidValueError(f"{name}: {error}") from None


def parse_figure(value: dict | None) -> dict | None:
    """Validate a figure's stored dict; None means the claim has no figure."""
    if value is not None and not isinstance(value, dict):
        raise InvalidValueError(f"figure: must be an object, not {type(value).__name__}")
    try:
        figure = Figure.from_dict(value)
    except (FigureError, KeyError, TypeError, AttributeError) as error:
        raise InvalidValueError(f"figure: {error}") from None
    return figure.to_dict() if figure else None


def check_language(tag: str | None, name: str = "quote_language") -> str | None:
    """Refuse a language that is not a BCP 47 tag such as ``en``, ``ru`` or ``kk-Cyrl``."""
    if tag is not None and (not isinstance(tag, str) or not LANGUAGE.match(tag)):
        raise InvalidValueError(f"{name} {tag!r} must be a BCP 47 language tag, such as en, ru or kk")
    return tag


def parse_original(original: dict | None) -> dict | None:
    """The words a translated quote renders: their language, the original text and the translator."""
    if original is None:
        return None
    if not isinstance(original, dict) or set(original) - {"language", "text", "translator"}:
        raise InvalidValueError("original takes language, text and translator")
    check_language(original.get("language"), "original.language")
    return {"language": original.get("language"), "text": original.get("text"),
            "translator": original.get("translator")}


def parse_figures(figures: list | None) -> list:
    """Figures on other figure topics carried by the same statement, each with its topic's id."""
    if figures is not None and not isinstance(figures, list):
        raise InvalidValueError(f"figures: must be a list, not {type(figures).__name__}")
    parsed = []
    for number, figure in enumerate(figures or []):
        if not isinstance(figure, dict) or not figure.get("topic_id"):
            raise InvalidValueError(f"figures[{number}] needs the topic it counts")
        try:
            checked = Figure.from_dict(figure)
        except (FigureError, KeyError, TypeError, AttributeError) as error:
            raise InvalidValueError(f"figures[{number}]: {error}") from None
        parsed.append({"topic_id": str(figure["topic_id"]), **checked.to_dict()})
    return parsed


def day_of(stated: dict) -> str:
    """The ISO day a stored fuzzy date sorts by."""
    return _first_day(stated["edtf"])


@functools.lru_cache(maxsize=65536)
def _first_day(edtf: str) -> str:
    return FuzzyDate.parse(edtf).sort_key


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
        self._amended(changes)

    def _amended(self, changes: dict) -> None:
        """What else an amendment changes in the entry's state (nothing, unless overridden)."""


class Story(Amendable):
    """One contested event: the topics, incidents and claims about it belong to it."""

    amendable = ("title", "description", "period")

    class Started(ChronicleEvent, Aggregate.Created):
        slug: str
        title: str
        description: str | None
        period: dict | None

    @staticmethod
    def create_id(slug: str, **_: Any) -> UUID:
        return natural_id("story", slug)

    @event(Started)
    def __init__(self, slug: str, title: str, description: str | None, period: dict | None):
        self.slug = slug
        self.title = title
        self.description = description
        self.period = period

    @classmethod
    def start(cls, slug: str, title: str, description: str | None = None,
              period: dict | str | None = None) -> Story:
        """Start a story after checking its slug, title and period."""
        check_slug(slug)
        if not title:
            raise InvalidValueError("a story needs a title")
        refuse_nul(title=title, description=description, period=period)
        return cls(slug=slug, title=title, description=description,
                   period=parse_date(period, "period") if period is not None else None)


class Source(Amendable):
    """Who speaks: a person, ministry, outlet or group, in a camp, known by several names.

    Sources are shared by every story. A source's camp can change (an official dismissed, a
    party leaving government): ``camps`` holds each affiliation with the stated day it holds
    from, the registered one from the beginning.
    """

    amendable = ("name", "camp", "kind", "aliases", "description")

    class Moved(ChronicleEvent):
        """The source joined another camp from a stated date on (a statement of fact, with evidence)."""

        camp: str
        since: dict
        note: str | None
        citations: list
        ref: str | None = None

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
        self.camps = [{"camp": camp, "since": None}]

    def _amended(self, changes: dict) -> None:
        if "camp" in changes:
            self.camps[0] = {"camp": changes["camp"], "since": None}
            self.camp = camp_on(self.camps, None)

    def move(self, camp: str, since: dict | str, note: str | None = None, citations: list | None = None,
             ref: str | None = None) -> None:
        """Record that the source is in another camp from ``since`` on."""
        check_slug(camp)
        refuse_nul(note=note, citations=citations)
        self._move(camp=camp, since=parse_date(since, "since"), note=note, citations=list(citations or []), ref=ref)

    @event(Moved)
    def _move(self, camp: str, since: dict, note: str | None, citations: list, ref: str | None = None) -> None:
        self.camps.append({"camp": camp, "since": since})
        self.camp = camp_on(self.camps, None)

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


def camp_on(camps: list[dict], day: str | None) -> str:
    """The camp of the latest affiliation that holds on ``day`` (None: the latest of all)."""
    held = [(day_of(a["since"]) if a["since"] else "", n, a["camp"]) for n, a in enumerate(camps)]
    return max(h for h in held if day is None or h[0] <= day)[2]


class Topic(Amendable):
    """What claims are about: a figure (with a unit) or an open question."""

    amendable = ("title", "unit", "description")

    class Opened(ChronicleEvent, Aggregate.Created):
        class_version = 2
        story: str
        slug: str
        title: str
        kind: str
        unit: str | None
        description: str | None

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["story"] = LEGACY_STORY

    @staticmethod
    def create_id(story: str, slug: str, **_: Any) -> UUID:
        return entry_id("topic", story, slug)

    @event(Opened)
    def __init__(self, story: str, slug: str, title: str, kind: str, unit: str | None, description: str | None):
        self.story = story
        self.slug = slug
        self.title = title
        self.kind = kind
        self.unit = unit
        self.description = description

    @classmethod
    def open(cls, story: str, slug: str, title: str, kind: str = "question", unit: str | None = None,
             description: str | None = None) -> Topic:
        """Open a topic of a story; a figure topic needs a unit."""
        check_slug(story)
        check_slug(slug)
        if kind not in TOPIC_KINDS:
            raise InvalidValueError(f"topic kind {kind!r} must be one of {', '.join(TOPIC_KINDS)}")
        if kind == "figure" and not unit:
            raise InvalidValueError(f"figure topic {slug!r} needs a unit")
        if not title:
            raise InvalidValueError("a topic needs a title")
        refuse_nul(title=title, unit=unit, description=description)
        return cls(story=story, slug=slug, title=title, kind=kind, unit=unit, description=description)


class Incident(Amendable):
    """Something that happened, when (at the precision known) and where."""

    amendable = ("title", "occurred", "place", "description", "citations")

    class Recorded(ChronicleEvent, Aggregate.Created):
        class_version = 2
        story: str
        slug: str
        title: str
        occurred: dict
        place: str | None
        description: str | None
        citations: list

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["story"] = LEGACY_STORY

    @staticmethod
    def create_id(story: str, slug: str, **_: Any) -> UUID:
        return entry_id("incident", story, slug)

    @event(Recorded)
    def __init__(self, story: str, slug: str, title: str, occurred: dict, place: str | None,
                 description: str | None, citations: list):
        self.story = story
        self.slug = slug
        self.title = title
        self.occurred = occurred
        self.place = place
        self.description = description
        self.citations = citations

    @classmethod
    def record(cls, story: str, slug: str, title: str, occurred: dict | str, place: str | None = None,
               description: str | None = None, citations: list | None = None) -> Incident:
        """Record an incident of a story with its (fuzzy) occurred date."""
        check_slug(story)
        check_slug(slug)
        if not title:
            raise InvalidValueError("an incident needs a title")
        refuse_nul(title=title, occurred=occurred, place=place, description=description, citations=citations)
        return cls(story=story, slug=slug, title=title, occurred=parse_date(occurred, "occurred"), place=place,
                   description=description, citations=list(citations or []))


class Claim(Aggregate):
    """What a source stated about a topic, and everything that later happened to that statement.

    ``versions`` holds the source's own words in stated order: the statement, then each
    revision, retraction or reinstatement, placed by the day it was stated whatever order it was
    recorded in (versions of one day keep their recording order). Each version keeps its
    ``number``, the order it was recorded in, which corrections and readers refer to; what a
    version leaves out (a revision of the figure alone keeps the words) it takes from the version
    before it in stated order. An editorial correction rewrites the recorded content of one version
    (or of the claim's attribution) without adding a version: it is our fix, not theirs.
    """

    class Stated(ChronicleEvent, Aggregate.Created):
        class_version = 2
        story: str
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
        figures: list = field(default_factory=list)
        quote_language: str | None = None
        original: dict | None = None

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state.update(story=LEGACY_STORY, figures=[], quote_language=None, original=None)

    class Revised(ChronicleEvent):
        class_version = 2
        stated: dict
        text: str | None
        quote: str | None
        figure: dict | None
        citations: list
        note: str | None
        ref: str | None = None
        figures: list | None = None
        quote_language: str | None = None
        original: dict | None = None
        # The first release copied what a revision left out from the version before it as it was
        # recorded; its events keep that meaning, so a later correction does not flow into them.
        snapshot: bool = False

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state.update(figures=None, quote_language=None, original=None, snapshot=True)

    class Retracted(ChronicleEvent):
        class_version = 2
        stated: dict
        reason: str
        citations: list
        ref: str | None = None
        snapshot: bool = False

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["snapshot"] = True

    class Reinstated(ChronicleEvent):
        """The source stands by its retracted words again, from a stated date, on some evidence."""

        stated: dict
        note: str | None
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
    def create_id(story: str, slug: str, **_: Any) -> UUID:
        return entry_id("claim", story, slug)

    @event(Stated)
    def __init__(self, story: str, slug: str, source_id: UUID, topic_id: UUID, via_id: UUID | None,
                 incident_ids: list, stated: dict, text: str, quote: str | None,
                 figure: dict | None, citations: list, note: str | None, ref: str | None = None,
                 figures: list | None = None, quote_language: str | None = None, original: dict | None = None):
        self.story = story
        self.slug = slug
        self.source_id = source_id
        self.topic_id = topic_id
        self.via_id = via_id
        self.incident_ids = incident_ids
        self.versions = _resolved([_version(0, "stated", stated, {
            "text": text, "quote": quote, "quote_language": quote_language, "original": original,
            "figure": figure, "figures": list(figures or []), "citations": citations, "note": note})])
        self.links: list[dict] = []
        self.refs = [ref] if ref else []

    @classmethod
    def state(cls, story: str, slug: str, source_id: UUID, topic_id: UUID, stated: dict | str, text: str,
              quote: str | None = None, figure: dict | None = None, citations: list | None = None,
              note: str | None = None, via_id: UUID | None = None, incident_ids: list | None = None,
              ref: str | None = None, figures: list | None = None, quote_language: str | None = None,
              original: dict | None = None) -> Claim:
        """A source states something: it needs a source, a topic, a date and words."""
        check_slug(story)
        check_slug(slug)
        if source_id is None or topic_id is None:
            raise InvalidValueError("a claim needs a source and a topic")
        if stated is None:
            raise InvalidValueError("a claim needs the date it was stated")
        if not (text or quote):
            raise InvalidValueError("a claim needs its text or a quote")
        refuse_nul(text=text, quote=quote, figure=figure, figures=figures, citations=citations, note=note,
                   stated=stated, original=original)
        return cls(story=story, slug=slug, source_id=source_id, topic_id=topic_id, via_id=via_id,
                   incident_ids=list(incident_ids or []), stated=parse_date(stated, "stated"),
                   text=text or quote, quote=quote, figure=parse_figure(figure),
                   citations=list(citations or []), note=note, ref=ref, figures=parse_figures(figures),
                   quote_language=check_language(quote_language), original=parse_original(original))

    @property
    def is_retracted(self) -> bool:
        return self.versions[-1]["kind"] == "retracted"

    def version_numbered(self, number: int) -> dict:
        """The version recorded ``number``-th (0 is the statement)."""
        return next(v for v in self.versions if v["number"] == number)

    def revise(self, stated: dict | str, text: str | None = None, quote: str | None = None,
               figure: dict | None = None, citations: list | None = None, note: str | None = None,
               ref: str | None = None, figures: list | None = None, quote_language: str | None = None,
               original: dict | None = None) -> None:
        """The source changes its words or its figures, on a date no earlier than its statement."""
        stated = parse_date(stated, "stated")
        if text is None and quote is None and figure is None and figures is None:
            raise InvalidValueError("a revision needs new text, a new quote or a new figure")
        if quote is None and (quote_language is not None or original is not None):
            raise InvalidValueError("quote_language and original describe a quote: give the revised quote with them")
        refuse_nul(text=text, quote=quote, figure=figure, figures=figures, citations=citations, note=note,
                   original=original)
        self._check_placed("revised", stated)
        self._revise(stated=stated, text=text, quote=quote, figure=parse_figure(figure),
                     citations=list(citations or []), note=note, ref=ref,
                     figures=None if figures is None else parse_figures(figures),
                     quote_language=check_language(quote_language), original=parse_original(original))

    def retract(self, stated: dict | str, reason: str, citations: list | None = None,
                ref: str | None = None) -> None:
        """The source withdraws the claim, saying why (or why others say it did)."""
        stated = parse_date(stated, "stated")
        if not reason:
            raise InvalidValueError("a retraction needs a reason")
        refuse_nul(reason=reason, citations=citations)
        self._check_placed("retracted", stated)
        self._retract(stated=stated, reason=reason, citations=list(citations or []), ref=ref)

    def reinstate(self, stated: dict | str, note: str | None = None, citations: list | None = None,
                  ref: str | None = None) -> None:
        """The source stands by a retracted claim again, from a stated date."""
        stated = parse_date(stated, "stated")
        refuse_nul(note=note, citations=citations)
        self._check_placed("reinstated", stated)
        self._reinstate(stated=stated, note=note, citations=list(citations or []), ref=ref)

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
        check_shapes(changes)
        if version is not None and (isinstance(version, bool) or not isinstance(version, int)
                                    or not 0 <= version < len(self.versions)):
            raise InvalidValueError(f"version: this claim has no version {version!r} "
                                    f"(its versions are numbered 0 to {len(self.versions) - 1})")
        if set(changes) & set(VERSION_FIELDS):
            self._check_version_correction(version, changes)
        self._correct(version=version, changes=changes, reason=reason, ref=ref)

    def _check_version_correction(self, version: int | None, changes: dict) -> None:
        if not isinstance(version, int) or not 0 <= version < len(self.versions):
            raise InvalidValueError(f"version {version!r} does not exist: the claim has {len(self.versions)}")
        check_shapes(changes)
        if "figure" in changes:
            changes["figure"] = parse_figure(changes["figure"])
        if "figures" in changes:
            changes["figures"] = parse_figures(changes["figures"])
        if "quote_language" in changes:
            check_language(changes["quote_language"])
        if "original" in changes:
            changes["original"] = parse_original(changes["original"])
        if "stated" in changes:
            changes["stated"] = parse_date(changes["stated"], "stated")
            moved = [dict(v, stated=changes["stated"]) if v["number"] == version else v for v in self.versions]
            _check_order(moved, f"corrected date {day_of(changes['stated'])} of version {version}")

    def _check_placed(self, kind: str, stated: dict) -> None:
        """Refuse a version that cannot stand where its stated day puts it."""
        _check_order([*self.versions, _version(len(self.versions), kind, stated, {})],
                     f"a {_NOUNS[kind]} of {self.slug!r} dated {day_of(stated)}")

    @event(Revised)
    def _revise(self, stated: dict, text: str | None, quote: str | None, figure: dict | None,
                citations: list, note: str | None, ref: str | None, figures: list | None = None,
                quote_language: str | None = None, original: dict | None = None, snapshot: bool = False) -> None:
        given = {"text": text, "quote": quote, "quote_language": quote_language, "original": original,
                 "figure": figure, "figures": figures}
        self._add("revised", stated, {**(self._copied(given) if snapshot else given), "citations": citations,
                                      "note": note})
        self._remember(ref)

    @event(Retracted)
    def _retract(self, stated: dict, reason: str, citations: list, ref: str | None, snapshot: bool = False) -> None:
        self._add("retracted", stated, {**(self._copied({}) if snapshot else {}), "citations": citations,
                                        "reason": reason})
        self._remember(ref)

    def _copied(self, given: dict) -> dict:
        """What the first release stored for a version: the words it left out, copied from the last one."""
        last = self.versions[-1]
        keeps_quote = given.get("quote") is None and given.get("text") is None
        copied = {name: given.get(name) if given.get(name) is not None else last[name] for name in _INHERITED}
        copied.update({name: last[name] if keeps_quote else given.get(name) for name in _QUOTE})
        return copied

    @event(Reinstated)
    def _reinstate(self, stated: dict, note: str | None, citations: list, ref: str | None) -> None:
        self._add("reinstated", stated, {"citations": citations, "note": note})
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
            fixed = self.version_numbered(version)
            for name, value in changes.items():
                if name == "stated":
                    fixed["stated"] = value
                elif name in VERSION_FIELDS:
                    fixed["given"][name] = value
            self.versions = _resolved(self.versions)
        self._remember(ref)

    def _add(self, kind: str, stated: dict, given: dict) -> None:
        self.versions = _resolved([*self.versions, _version(len(self.versions), kind, stated, given)])

    def _remember(self, ref: str | None) -> None:
        if ref:
            self.refs.append(ref)


_NOUNS = {"stated": "statement", "revised": "revision", "retracted": "retraction", "reinstated": "reinstatement"}
# What a version takes from the one before it in stated order when it does not say it.
_INHERITED = ("text", "figure", "figures")
_QUOTE = ("quote", "quote_language", "original")


def _version(number: int, kind: str, stated: dict, given: dict) -> dict:
    return {"number": number, "kind": kind, "stated": stated, "given": given}


def _ordered(versions: list[dict]) -> list[dict]:
    return sorted(versions, key=lambda v: (day_of(v["stated"]), v["number"]))


def _resolved(versions: list[dict]) -> list[dict]:
    """The versions in stated order, each with its full words: what it gave, else its predecessor's."""
    resolved: list[dict] = []
    for version in _ordered(versions):
        given, before = version["given"], resolved[-1] if resolved else {}
        words = {name: given.get(name) if given.get(name) is not None else before.get(name)
                 for name in _INHERITED}
        keeps_quote = given.get("quote") is None and given.get("text") is None
        words.update({name: before.get(name) if keeps_quote else given.get(name) for name in _QUOTE})
        if version["kind"] == "stated":
            words.update({name: given.get(name) for name in (*_INHERITED, *_QUOTE)})
        words["figures"] = list(words["figures"] or [])
        carry = {k: v for k, v in version.items() if k in ("recorded_at", "recorded_by", "corrections")}
        resolved.append({**_version(version["number"], version["kind"], version["stated"], given), **words,
                         "citations": list(given.get("citations") or []), "note": given.get("note"),
                         "reason": given.get("reason"), **carry})
    return resolved


def _check_order(versions: list[dict], what: str) -> None:
    """A claim's versions must read, in stated order, as a statement and what followed from it."""
    ordered = _ordered(versions)
    first, statement = ordered[0], next(v for v in versions if v["number"] == 0)
    if first is not statement:
        raise DateOrderError(
            f"{what} does not fit: no version can be dated before the claim's statement "
            f"({day_of(statement['stated'])}), and the {_NOUNS[first['kind']]} would be dated {day_of(first['stated'])}")
    for before, after in zip(ordered, ordered[1:]):
        if before["kind"] == "retracted" and after["kind"] != "reinstated":
            raise ClaimRetractedError(
                f"{what} does not fit: the {_NOUNS[after['kind']]} of {day_of(after['stated'])} would follow "
                f"the source's retraction of {day_of(before['stated'])} with no reinstatement between them "
                "(record the source standing by its words again first)")
        if after["kind"] == "reinstated" and before["kind"] != "retracted":
            raise ClaimRetractedError(f"{what}: only a retracted claim can be reinstated, and the version "
                                      f"before it ({day_of(before['stated'])}) is {before['kind']}")


class ChronicleError(Exception):
    """Base class of the errors the chronicle refuses a command with."""


class InvalidValueError(ChronicleError):
    """A value that the domain cannot accept (a bad slug, date, figure or relation)."""


class ClaimRetractedError(ChronicleError):
    """A retracted claim cannot be revised or retracted again."""


class DateOrderError(ChronicleError):
    """A revision or retraction dated before the version it follows."""
