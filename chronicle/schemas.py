"""Marshmallow schemas: the contract for chronicle files, the CLI's JSON and the HTTP API.

Input schemas (``*Record``) validate what people write and reject unknown fields. Output
schemas describe what queries return; the CLI and the API dump answers through them.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from chronicle.dates import PARTS_OF_DAY, FuzzyDate, FuzzyDateError
from chronicle.domain import LANGUAGE, RELATIONS, SLUG, TOPIC_KINDS
from chronicle.figures import LIMIT, QUALIFIERS

def Slug(**kwargs) -> fields.String:  # noqa: N802 - used like a field class
    """A required slug: lowercase letters, digits and hyphens."""
    return fields.String(required=True, validate=validate.Regexp(SLUG, error="must be lowercase letters, digits and hyphens"),
                         **kwargs)

SOURCE_KINDS = ("person", "organisation", "ministry", "outlet", "group", "office", "party", "movement")
Text = lambda **kw: fields.String(validate=validate.Length(min=1, max=20000), **kw)  # noqa: E731


class Number(fields.Number):
    """A finite number that every store and output can hold; integers stay integers."""

    num_type = float
    default_error_messages = {"invalid": "Not a valid number.",
                              "range": f"must be a finite number no larger than {LIMIT:,} in size"}

    def _format_num(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, int):
            number = value
        else:
            number = float(value)
            if number.is_integer() and abs(number) <= LIMIT:
                number = int(number)
        if number != number or abs(number) > LIMIT:
            raise self.make_error("range")
        return number

    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


def Language(**kwargs) -> fields.String:  # noqa: N802 - used like a field class
    """A BCP 47 language tag: en, ru, kk, kk-Cyrl."""
    return fields.String(validate=validate.Regexp(LANGUAGE, error="must be a BCP 47 language tag, such as en, ru or kk"),
                         **kwargs)


class Strict(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


class FuzzyDateField(fields.Field):
    """An EDTF-subset string, or {"date", "part_of_day", "note"}; loads to the stored dict."""

    default_error_messages = {"invalid": "{error}"}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            text, part, note = value, None, None
        elif isinstance(value, dict) and set(value) <= {"date", "part_of_day", "note"} and "date" in value:
            text, part, note = value["date"], value.get("part_of_day"), value.get("note")
        else:
            raise self.make_error("invalid", error='use "YYYY-MM-DD" or {"date": ..., "part_of_day": ..., "note": ...}')
        if not isinstance(text, str) or (part is not None and part not in PARTS_OF_DAY):
            raise self.make_error("invalid", error=f"part_of_day must be one of {', '.join(PARTS_OF_DAY)}")
        try:
            return FuzzyDate.parse(text, part, note).to_dict()
        except FuzzyDateError as error:
            raise self.make_error("invalid", error=str(error)) from None

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class CitationRecord(Strict):
    document = Text(required=True, metadata={"description": "the document it was said or reported in"})
    outlet = Text(allow_none=True, metadata={"description": "who published the document"})
    title = Text(allow_none=True, metadata={"description": "the document's title as published"})
    authors = fields.List(Text(), allow_none=True, metadata={"description": "its authors, as the document names them"})
    url = fields.Url(allow_none=True, schemes={"http", "https"})
    date = FuzzyDateField(allow_none=True, metadata={"description": "when the document was published"})
    quote = Text(allow_none=True)
    locator = fields.String(allow_none=True, metadata={"description": "page, paragraph or timestamp"})
    note = fields.String(allow_none=True)


class PartRecord(Strict):
    label = Text(required=True)
    value = Number(required=True)
    qualifier = fields.String(validate=validate.OneOf(QUALIFIERS), load_default="exactly")


class FigureRecord(Strict):
    unit = Text(required=True)
    value = Number(allow_none=True)
    low = Number(allow_none=True)
    best = Number(allow_none=True, metadata={"description": "an estimate's best figure, between its low and high"})
    high = Number(allow_none=True)
    qualifier = fields.String(validate=validate.OneOf(QUALIFIERS), load_default="exactly")
    breakdown = fields.List(fields.Nested(PartRecord), load_default=list)

    @validates_schema
    def one_number(self, data, **kwargs):
        has_range = data.get("low") is not None or data.get("high") is not None
        if data.get("value") is None and not has_range:
            raise ValidationError("give a value, a low and a high, or a low, best and high", "value")
        if data.get("value") is not None and (has_range or data.get("best") is not None):
            raise ValidationError("give a value, a range or an estimate, not a mix", "value")
        if has_range and (data.get("low") is None or data.get("high") is None or data["low"] > data["high"]):
            raise ValidationError("a range needs a low no greater than its high", "low")
        if data.get("best") is not None and has_range and not data["low"] <= data["best"] <= data["high"]:
            raise ValidationError("an estimate's best figure must lie between its low and its high", "best")


class OtherFigureRecord(FigureRecord):
    """A figure the same statement gives on another figure topic ("and 2,265 injured")."""

    topic = fields.String(required=True, metadata={"description": "the figure topic's slug"})


class OriginalRecord(Strict):
    """What a translated quote renders: the original words' language, the words when a document
    gives them, and who translated them."""

    language = Language(allow_none=True)
    text = Text(allow_none=True)
    translator = Text(allow_none=True)


class CampRecord(Strict):
    """A camp the source joined from a stated date on."""

    camp = fields.String(required=True, validate=validate.Regexp(SLUG, error="must be a slug, e.g. official"))
    since = FuzzyDateField(required=True)
    note = fields.String(allow_none=True)
    citations = fields.List(fields.Nested(CitationRecord), load_default=list)


class StoryRecord(Strict):
    slug = Slug()
    title = Text(required=True)
    description = fields.String(allow_none=True)
    period = FuzzyDateField(allow_none=True, metadata={"description": "the stretch of time the story covers"})


class SourceRecord(Strict):
    slug = Slug()
    name = Text(required=True)
    camp = fields.String(required=True, validate=validate.Regexp(SLUG, error="must be a slug, e.g. official"))
    kind = fields.String(validate=validate.OneOf(SOURCE_KINDS), load_default="organisation")
    aliases = fields.List(Text(), load_default=list)
    description = fields.String(allow_none=True)
    camps = fields.List(fields.Nested(CampRecord), load_default=list,
                        metadata={"description": "camps joined later, each from its stated date"})


class TopicRecord(Strict):
    slug = Slug()
    title = Text(required=True)
    kind = fields.String(validate=validate.OneOf(TOPIC_KINDS), load_default="question")
    unit = fields.String(allow_none=True)
    description = fields.String(allow_none=True)

    @validates_schema
    def figure_has_unit(self, data, **kwargs):
        if data.get("kind") == "figure" and not data.get("unit"):
            raise ValidationError("a figure topic needs a unit", "unit")


class IncidentRecord(Strict):
    slug = Slug()
    title = Text(required=True)
    occurred = FuzzyDateField(required=True)
    place = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    citations = fields.List(fields.Nested(CitationRecord), load_default=list)


class LinkRecord(Strict):
    relation = fields.String(required=True, validate=validate.OneOf(RELATIONS))
    target = fields.String(required=True, metadata={"description": "the slug of the claim linked to"})
    stated = FuzzyDateField(allow_none=True, metadata={"description": "defaults to this claim's stated date"})
    note = fields.String(allow_none=True)


CORRECTABLE = ("text", "quote", "quote_language", "original", "figure", "figures", "citations", "stated", "note",
               "reason", "source", "via", "topic")
EVENT_TYPES = ("revised", "retracted", "reinstated", "corrected")


class ClaimEventRecord(Strict):
    """A later event in a claim's life: a revision, a retraction, a reinstatement or an editorial correction."""

    type = fields.String(required=True, validate=validate.OneOf(EVENT_TYPES))
    stated = FuzzyDateField()
    text = Text(allow_none=True)
    quote = Text(allow_none=True)
    quote_language = Language(allow_none=True)
    original = fields.Nested(OriginalRecord, allow_none=True)
    figure = fields.Nested(FigureRecord, allow_none=True)
    figures = fields.List(fields.Nested(OtherFigureRecord), allow_none=True)
    reason = Text(allow_none=True)
    citations = fields.List(fields.Nested(CitationRecord), load_default=list)
    note = fields.String(allow_none=True)
    version = fields.Integer(allow_none=True, validate=validate.Range(min=0))
    changes = fields.Dict(keys=fields.String(validate=validate.OneOf(CORRECTABLE)))

    @validates_schema
    def fits_its_type(self, data, **kwargs):
        kind = data.get("type")
        if kind in ("revised", "retracted", "reinstated") and "stated" not in data:
            raise ValidationError(f"a {kind} event needs the date it was stated", "stated")
        if kind == "revised" and not any(data.get(k) is not None for k in ("text", "quote", "figure", "figures")):
            raise ValidationError("a revision needs new text, a new quote or a new figure", "text")
        if kind in ("retracted", "corrected") and not data.get("reason"):
            raise ValidationError(f"a {kind} event needs a reason", "reason")
        if kind == "corrected" and not data.get("changes"):
            raise ValidationError("a correction needs changes", "changes")


class ClaimRecord(Strict):
    slug = Slug()
    source = fields.String(required=True, metadata={"description": "slug, name or alias of who said it"})
    via = fields.String(allow_none=True, metadata={"description": "the outlet or channel that published it"})
    topic = fields.String(required=True)
    incidents = fields.List(fields.String(), load_default=list)
    stated = FuzzyDateField(required=True)
    text = Text(required=True, metadata={"description": "the claim in a close paraphrase"})
    quote = Text(allow_none=True, metadata={"description": "the words as reported"})
    quote_language = Language(allow_none=True, metadata={"description": "the quote's language (BCP 47)"})
    original = fields.Nested(OriginalRecord, allow_none=True,
                             metadata={"description": "for a translated quote: the words it translates"})
    figure = fields.Nested(FigureRecord, allow_none=True)
    figures = fields.List(fields.Nested(OtherFigureRecord), load_default=list,
                          metadata={"description": "figures the statement gives on other figure topics"})
    citations = fields.List(fields.Nested(CitationRecord), required=True, validate=validate.Length(min=1))
    note = fields.String(allow_none=True)
    links = fields.List(fields.Nested(LinkRecord), load_default=list)
    events = fields.List(fields.Nested(ClaimEventRecord), load_default=list)


class StoryField(fields.Field):
    """A story named by its slug, or described in full."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            if not SLUG.match(value):
                raise ValidationError("must be a story's slug (lowercase letters, digits and hyphens) or a story")
            return {"slug": value}
        if isinstance(value, dict):
            return StoryRecord().load(value)
        raise ValidationError("must be a story's slug or {slug, title, description, period}")


class ChronicleFile(Strict):
    """One chronicle file: the story it is about, any of the four sections, a title and description."""

    story = StoryField(metadata={"description": "the story the file's topics, incidents and claims belong to"})
    title = fields.String()
    description = fields.String()
    sources = fields.List(fields.Nested(SourceRecord), load_default=list)
    topics = fields.List(fields.Nested(TopicRecord), load_default=list)
    incidents = fields.List(fields.Nested(IncidentRecord), load_default=list)
    claims = fields.List(fields.Nested(ClaimRecord), load_default=list)


# ----- output


class Out(Schema):
    class Meta:
        ordered = True


class DateOut(Out):
    edtf = fields.String()
    on = fields.String(metadata={"description": "the ISO day the date sorts by (its earliest day)"})
    until = fields.String(metadata={"description": "the last day the date could be"})
    precision = fields.String()
    approximate = fields.Boolean()
    part_of_day = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    label = fields.String()


class NumberOut(fields.Field):
    """A number as stored: integers stay integers."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class FigureOut(Out):
    unit = fields.String()
    value = NumberOut(allow_none=True)
    low = NumberOut(allow_none=True)
    best = NumberOut(allow_none=True)
    high = NumberOut(allow_none=True)
    qualifier = fields.String()
    breakdown = fields.List(fields.Dict())
    label = fields.String()
    point = NumberOut()


class OtherFigureOut(FigureOut):
    topic = fields.String()


class SourceRef(Out):
    slug = fields.String()
    name = fields.String()
    camp = fields.String()


class LinkOut(Out):
    relation = fields.String()
    direction = fields.String(metadata={"description": "out: this claim links to the other; in: the other links here"})
    claim = fields.String()
    on = fields.String()
    note = fields.String(allow_none=True)


class CorrectionOut(Out):
    at = fields.String()
    by = fields.String()
    reason = fields.String()


class VersionOut(Out):
    story = fields.String()
    claim = fields.String()
    id = fields.String()
    version = fields.Integer(metadata={"description": "the order it was recorded in: 0 for the statement, then one "
                                                      "per revision, retraction or reinstatement"})
    part = fields.Integer(metadata={"description": "0 for the claim's own topic; n for the statement's n-th figure "
                                                   "on another figure topic"})
    kind = fields.String(metadata={"description": "stated, revised, retracted or reinstated"})
    topic = fields.String()
    source = fields.Nested(SourceRef)
    via = fields.Nested(SourceRef, allow_none=True)
    stated = fields.Nested(DateOut)
    text = fields.String(allow_none=True)
    quote = fields.String(allow_none=True)
    quote_language = fields.String(allow_none=True)
    original = fields.Dict(allow_none=True)
    figure = fields.Nested(FigureOut, allow_none=True)
    citations = fields.List(fields.Dict())
    reason = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    recorded_at = fields.String(allow_none=True)
    recorded_by = fields.String(allow_none=True)
    correction = fields.Nested(CorrectionOut, allow_none=True)
    next_change = fields.Dict(allow_none=True)


class NarrativeClaimOut(VersionOut):
    status = fields.String(metadata={"description": "current, superseded or retracted"})
    superseded_by = fields.String(allow_none=True)
    revised_later = fields.Boolean()
    retracted_later = fields.Boolean()
    disputed = fields.Boolean()
    links = fields.List(fields.Nested(LinkOut))


class TopicOut(Out):
    id = fields.String()
    story = fields.String()
    slug = fields.String()
    title = fields.String()
    kind = fields.String()
    unit = fields.String(allow_none=True)
    description = fields.String(allow_none=True)


class TopicGroupOut(Out):
    topic = fields.Nested(TopicOut)
    current = fields.String(allow_none=True, metadata={"description": "the lens's current figure, for a figure topic"})
    claims = fields.List(fields.Nested(NarrativeClaimOut))


class NarrativeOut(Out):
    story = fields.String()
    as_of = fields.String()
    lens = fields.String()
    known_at = fields.String(allow_none=True)
    topics = fields.List(fields.Nested(TopicGroupOut))


class HistoryEntryOut(VersionOut):
    replaces = fields.Dict(allow_none=True)


class TopicHistoryOut(Out):
    story = fields.String()
    topic = fields.Nested(TopicOut)
    known_at = fields.String(allow_none=True)
    history = fields.List(fields.Nested(HistoryEntryOut))


class ClaimVersionOut(VersionOut):
    figures = fields.List(fields.Nested(OtherFigureOut))
    changes = fields.List(fields.Dict())


class ClaimHistoryOut(Out):
    story = fields.String()
    claim = fields.String()
    id = fields.String()
    known_at = fields.String(allow_none=True)
    entry_version = fields.Integer(metadata={"description": "how many events the entry has: its ETag"})
    versions = fields.List(fields.Nested(ClaimVersionOut))
    corrections = fields.List(fields.Dict())
    links = fields.List(fields.Nested(LinkOut))


class ChangeOut(Out):
    claim = fields.Nested(NarrativeClaimOut)
    before = fields.Nested(NarrativeClaimOut, allow_none=True)
    by = fields.String()
    relation = fields.String()
    on = fields.String()


class DiffOut(Out):
    story = fields.String()
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()
    lens = fields.String()
    known_at = fields.String(allow_none=True)
    added = fields.List(fields.Nested(ChangeOut))
    revised = fields.List(fields.Nested(ChangeOut))
    retracted = fields.List(fields.Nested(ChangeOut))
    superseded = fields.List(fields.Nested(ChangeOut))
    disputed = fields.List(fields.Nested(ChangeOut))


class SourceOut(Out):
    id = fields.String()
    slug = fields.String()
    name = fields.String()
    camp = fields.String()
    kind = fields.String(allow_none=True)
    aliases = fields.List(fields.String())
    description = fields.String(allow_none=True)
    camps = fields.List(fields.Dict(), metadata={"description": "each camp with the stated date it holds from"})


class SourceClaimsOut(Out):
    source = fields.Nested(SourceOut)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    versions = fields.List(fields.Nested(VersionOut))


class IncidentOut(Out):
    id = fields.String()
    story = fields.String()
    slug = fields.String()
    title = fields.String()
    occurred = fields.Dict()
    place = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    citations = fields.List(fields.Dict())


class EventOut(Out):
    position = fields.Integer(metadata={"description": "the event's place in the recorded order"})
    id = fields.String()
    version = fields.Integer()
    type = fields.String()
    recorded_at = fields.String()
    editor = fields.String(allow_none=True)
    data = fields.Dict()


class AuditOut(Out):
    position = fields.Integer()
    recorded_at = fields.String()
    editor = fields.String(allow_none=True)
    kind = fields.String()
    event = fields.String()
    entry_id = fields.String()
    summary = fields.String(allow_none=True)


class StoryOut(Out):
    id = fields.String()
    slug = fields.String()
    title = fields.String()
    description = fields.String(allow_none=True)
    period = fields.Nested(DateOut, allow_none=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    first_day = fields.String(allow_none=True, metadata={"description": "the first stated day of its claims"})
    last_day = fields.String(allow_none=True, metadata={"description": "the last day its story changed"})


class LoadReportOut(Out):
    files = fields.List(fields.String())
    created = fields.Dict(keys=fields.String(), values=fields.Integer())
    events = fields.Integer()
    unchanged = fields.Integer()


class IncidentDatedOut(IncidentOut):
    occurred = fields.Nested(DateOut)


class LensPageOut(Out):
    limit = fields.Integer(allow_none=True)
    offset = fields.Integer()
    more = fields.Boolean(metadata={"description": "whether another page follows"})


class LensHistoryOut(Out):
    story = fields.String()
    lens = fields.String()
    known_at = fields.String(allow_none=True)
    history = fields.List(fields.Nested(HistoryEntryOut))
    page = fields.Nested(LensPageOut)


class SearchHitOut(Out):
    kind = fields.String(metadata={"description": "claim, source, topic, incident or story"})
    id = fields.String()
    story = fields.String(allow_none=True, metadata={"description": "the story it is in (sources are in none)"})
    slug = fields.String()
    title = fields.String()
    snippet = fields.String(allow_none=True, metadata={"description": "the matching words in [brackets]"})
