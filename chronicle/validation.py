"""One check at the boundary of the domain: every event's payload, before it is stored.

Whichever door an event came in by (a file, the API, the CLI, a form, a correction, an import),
its stored form is validated here by a marshmallow schema of that event type before it reaches
the log, so that nothing is stored that a read model, a page or an export cannot serve: types,
ranges (figures within what every store and output holds), lengths of every text, and the
character classes of slugs, camps, languages and dates. The domain's own rules (a retraction
before a revision, a range whose low exceeds its high) are checked by the aggregates; this is
the shape of what they record.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from chronicle.dates import PARTS_OF_DAY, FuzzyDate, FuzzyDateError
from chronicle.domain import LANGUAGE, RELATIONS, SLUG, TOPIC_KINDS, InvalidValueError
from chronicle.figures import QUALIFIERS, Figure, FigureError
from chronicle.schemas import SOURCE_KINDS, Number

# What an event records besides its payload: who, when and where it is in the log.
BOOKKEEPING = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic", "editor"})
LONG, SHORT = 20000, 1000


def _no_nul(value: str) -> None:
    if "\x00" in value:
        raise ValidationError("contains a NUL character (U+0000), which no store keeps")


def Text(size: int = LONG, **kwargs: Any) -> fields.String:  # noqa: N802 - used like a field class
    """A string of at most ``size`` characters, without NUL."""
    return fields.String(validate=[validate.Length(max=size), _no_nul], **kwargs)


def Words(size: int = LONG, **kwargs: Any) -> fields.String:  # noqa: N802
    """A string that says something: not empty."""
    return fields.String(validate=[validate.Length(min=1, max=size), _no_nul], **kwargs)


def Slug(**kwargs: Any) -> fields.String:  # noqa: N802
    return fields.String(validate=validate.Regexp(SLUG, error="must be lowercase letters, digits and hyphens"),
                         **kwargs)


def Tag(**kwargs: Any) -> fields.String:  # noqa: N802
    return fields.String(validate=validate.Regexp(LANGUAGE, error="must be a BCP 47 language tag"), **kwargs)


class Stored(Schema):
    class Meta:
        unknown = RAISE


class StoredDate(Stored):
    edtf = fields.String(required=True, validate=validate.Length(max=64))
    part_of_day = fields.String(allow_none=True, validate=validate.OneOf(PARTS_OF_DAY))
    note = Text(SHORT, allow_none=True)

    @validates_schema
    def parses(self, data: dict, **kwargs: Any) -> None:
        try:
            FuzzyDate.parse(data["edtf"], data.get("part_of_day"), data.get("note"))
        except FuzzyDateError as error:
            raise ValidationError(str(error), "edtf") from None


class _When(fields.Nested):
    """A stored date, checked by :class:`StoredDate`; a date that passed once is not checked again.

    A chronicle's events name the same few hundred days again and again (every statement's and
    citation's date), so the outcome of the check is remembered for the last few thousand dates.
    """

    passed: dict[tuple, bool] = {}
    REMEMBERED = 4096

    def _deserialize(self, value: Any, attr: str | None, data: Any, partial: Any = None, **kwargs: Any) -> Any:
        key = _date_key(value)
        if key is not None and key in self.passed:
            return value
        loaded = super()._deserialize(value, attr, data, partial=partial, **kwargs)
        if key is not None:
            if len(self.passed) >= self.REMEMBERED:
                self.passed.clear()
            self.passed[key] = True
        return loaded


def _date_key(value: Any) -> tuple | None:
    """A stored date as a key, if it is a dict of strings (or None) under the date's own names only."""
    if type(value) is not dict or not value.keys() <= {"edtf", "part_of_day", "note"}:
        return None
    key = (value.get("edtf"), value.get("part_of_day"), value.get("note"), tuple(sorted(value)))
    return key if all(type(part) is str or part is None for part in key[:3]) else None


def When(**kwargs: Any) -> fields.Nested:  # noqa: N802 - used like a field class
    return _When(StoredDate, **kwargs)


class StoredPart(Stored):
    label = Words(SHORT, required=True)
    value = Number(required=True)
    qualifier = fields.String(validate=validate.OneOf(QUALIFIERS), required=True)


class StoredFigure(Stored):
    unit = Words(SHORT, required=True)
    value = Number(allow_none=True)
    low = Number(allow_none=True)
    best = Number(allow_none=True)
    high = Number(allow_none=True)
    qualifier = fields.String(validate=validate.OneOf(QUALIFIERS), required=True)
    breakdown = fields.List(fields.Nested(StoredPart), required=True, validate=validate.Length(max=200))

    @validates_schema
    def is_a_figure(self, data: dict, **kwargs: Any) -> None:
        try:
            Figure.from_dict(data)
        except (FigureError, KeyError, TypeError) as error:
            raise ValidationError(str(error)) from None


class StoredOtherFigure(StoredFigure):
    topic_id = fields.UUID(required=True)


class StoredCitation(Stored):
    document = Words(required=True)
    outlet = Text(SHORT, allow_none=True)
    title = Text(SHORT, allow_none=True)
    authors = fields.List(Text(SHORT), allow_none=True, validate=validate.Length(max=100))
    url = fields.Url(allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=2000))
    date = When(allow_none=True)
    quote = Text(allow_none=True)
    locator = Text(SHORT, allow_none=True)
    note = Text(allow_none=True)


class StoredOriginal(Stored):
    language = Tag(allow_none=True)
    text = Text(allow_none=True)
    translator = Text(SHORT, allow_none=True)


def Citations(**kwargs: Any) -> fields.List:  # noqa: N802
    return fields.List(fields.Nested(StoredCitation), validate=validate.Length(max=100), **kwargs)


def Ref() -> fields.String:
    return fields.String(allow_none=True, validate=validate.Length(max=300))


class StoryStarted(Stored):
    slug = Slug(required=True)
    title = Words(SHORT, required=True)
    description = Text(allow_none=True)
    period = When(allow_none=True)


class SourceRegistered(Stored):
    slug = Slug(required=True)
    name = Words(SHORT, required=True)
    camp = Slug(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(SOURCE_KINDS))
    aliases = fields.List(Words(SHORT), required=True, validate=validate.Length(max=200))
    description = Text(allow_none=True)


class SourceMoved(Stored):
    camp = Slug(required=True)
    since = When(required=True)
    note = Text(allow_none=True)
    citations = Citations(required=True)
    ref = Ref()


class TopicOpened(Stored):
    story = Slug(required=True)
    slug = Slug(required=True)
    title = Words(SHORT, required=True)
    kind = fields.String(required=True, validate=validate.OneOf(TOPIC_KINDS))
    unit = Text(SHORT, allow_none=True)
    description = Text(allow_none=True)


class IncidentRecorded(Stored):
    story = Slug(required=True)
    slug = Slug(required=True)
    title = Words(SHORT, required=True)
    occurred = When(required=True)
    place = Text(SHORT, allow_none=True)
    description = Text(allow_none=True)
    citations = Citations(required=True)


class ClaimWords(Stored):
    """What a version of a claim says: the fields a statement, a revision and a correction share."""

    text = Words(allow_none=True)
    quote = Words(allow_none=True)
    quote_language = Tag(allow_none=True)
    original = fields.Nested(StoredOriginal, allow_none=True)
    figure = fields.Nested(StoredFigure, allow_none=True)
    figures = fields.List(fields.Nested(StoredOtherFigure), allow_none=True, validate=validate.Length(max=50))
    citations = Citations()
    note = Text(allow_none=True)


class ClaimStated(ClaimWords):
    story = Slug(required=True)
    slug = Slug(required=True)
    source_id = fields.UUID(required=True)
    topic_id = fields.UUID(required=True)
    via_id = fields.UUID(allow_none=True)
    incident_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(max=100))
    stated = When(required=True)
    text = Words(required=True)
    ref = Ref()


class ClaimRevised(ClaimWords):
    stated = When(required=True)
    ref = Ref()
    snapshot = fields.Boolean()


class ClaimRetracted(Stored):
    stated = When(required=True)
    reason = Words(required=True)
    citations = Citations(required=True)
    ref = Ref()
    snapshot = fields.Boolean()


class ClaimReinstated(Stored):
    stated = When(required=True)
    note = Text(allow_none=True)
    citations = Citations(required=True)
    ref = Ref()


class ClaimLinked(Stored):
    relation = fields.String(required=True, validate=validate.OneOf(RELATIONS))
    target_id = fields.UUID(required=True)
    stated = When(allow_none=True)
    note = Text(allow_none=True)
    ref = Ref()


class ClaimChanges(ClaimWords):
    """What an editorial correction of a claim may set, each to a value its read models can serve."""

    stated = When()
    reason = Words()
    source_id = fields.UUID()
    topic_id = fields.UUID()
    via_id = fields.UUID(allow_none=True)
    incident_ids = fields.List(fields.UUID(), validate=validate.Length(max=100))
    text = Words()
    citations = Citations()


class ClaimCorrected(Stored):
    version = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=0, max=2**31 - 1))
    changes = fields.Nested(ClaimChanges, required=True)
    reason = Words(required=True)
    ref = Ref()


AMENDABLE = {
    "Story": {"title": Words(SHORT), "description": Text(allow_none=True),
              "period": When(allow_none=True)},
    "Source": {"name": Words(SHORT), "camp": Slug(), "kind": fields.String(validate=validate.OneOf(SOURCE_KINDS)),
               "aliases": fields.List(Words(SHORT), validate=validate.Length(max=200)),
               "description": Text(allow_none=True)},
    "Topic": {"title": Words(SHORT), "unit": Text(SHORT, allow_none=True), "description": Text(allow_none=True)},
    "Incident": {"title": Words(SHORT), "occurred": When(), "place": Text(SHORT, allow_none=True),
                 "description": Text(allow_none=True), "citations": Citations()},
}


def _amended(kind: str) -> type[Schema]:
    changes = Stored.from_dict(AMENDABLE[kind], name=f"{kind}Changes")
    return Stored.from_dict({"changes": fields.Nested(changes, required=True), "reason": Words(required=True)},
                            name=f"{kind}Amended")


SCHEMAS: dict[str, Schema] = {name: schema() for name, schema in {
    "Story.Started": StoryStarted, "Source.Registered": SourceRegistered, "Source.Moved": SourceMoved,
    "Topic.Opened": TopicOpened, "Incident.Recorded": IncidentRecorded, "Claim.Stated": ClaimStated,
    "Claim.Revised": ClaimRevised, "Claim.Retracted": ClaimRetracted, "Claim.Reinstated": ClaimReinstated,
    "Claim.Linked": ClaimLinked, "Claim.Corrected": ClaimCorrected,
    **{f"{kind}.Amended": _amended(kind) for kind in AMENDABLE},
}.items()}


def payload(event: Any) -> dict:
    """An event's stored payload: its fields without the log's bookkeeping."""
    return {k: v for k, v in vars(event).items() if k not in BOOKKEEPING}


def check_event(event: Any, kind: str) -> None:
    """Refuse an event whose payload is not of its type's stored shape, naming the field and the value.

    ``kind`` is the class name of the entry the event belongs to (Claim, Source, ...): an amendment
    is one event type for every kind of entry, with each kind's own fields.
    """
    name = type(event).__qualname__.replace("Amendable.", f"{kind}.")
    schema = SCHEMAS.get(name)
    if schema is None:
        raise InvalidValueError(f"{name} is not an event the chronicle records")
    data = payload(event)
    errors = schema.validate(data)
    if errors:
        raise InvalidValueError(f"{name}: " + "; ".join(_lines(errors, data)))


def _lines(messages: Any, data: Any, path: str = "") -> list[str]:
    """marshmallow's nested messages as "changes.text: Not a valid string (got 123)" lines."""
    if isinstance(messages, list):
        got = f" (got {_short(data)})" if path and not isinstance(data, dict | list) else ""
        return [f"{path}: {m}{got}" if path else str(m) for m in messages if isinstance(m, str)] + [
            line for m in messages if isinstance(m, dict) for line in _lines(m, data, path)]
    lines = []
    for key, value in messages.items():
        if key == "_schema":
            lines.extend(_lines(value, data, path))
            continue
        child = data.get(key) if isinstance(data, dict) else (
            data[key] if isinstance(data, list) and isinstance(key, int) and key < len(data) else None)
        label = f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else str(key))
        lines.extend(_lines(value, child, label))
    return lines


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_aggregates(aggregates: Any) -> None:
    """Check every pending event of the aggregates about to be saved."""
    for aggregate in aggregates:
        for event in aggregate.pending_events:
            check_event(event, type(aggregate).__name__)


def check_stored(events: Any, mapper: Any) -> None:
    """Check stored events (of an import or a copy) as the chronicle would have checked them when recorded."""
    kinds: dict[Any, str] = {}
    for number, stored in enumerate(events, start=1):
        try:
            event = mapper.to_domain_event(stored)
        except Exception as error:  # an unknown type, or a payload that no longer decodes
            raise InvalidValueError(f"event {number}: cannot be read ({type(error).__name__}: {error})") from None
        topic = getattr(event, "originator_topic", None)
        if topic:
            kinds[stored.originator_id] = topic.rsplit(":", 1)[-1].split(".")[-1]
        try:
            check_event(event, kinds.get(stored.originator_id, "?"))
        except InvalidValueError as error:
            raise InvalidValueError(f"event {number}: {error}") from None
