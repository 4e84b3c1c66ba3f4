"""The API's own schemas: query arguments, pages, problems and the envelopes around the chronicle's answers.

The chronicle's data is described by :mod:`chronicle.schemas`; what is only about HTTP lives here.
"""

from __future__ import annotations

from functools import cache

from marshmallow import RAISE, Schema, fields, validate

from chronicle import schemas
from chronicle.compiled_dumps import compiled
from chronicle.domain import SLUG

MAX_LIMIT = 500
# Event positions are 64-bit integers in both stores; "after" is one less than the first position read.
POSITION_MAX = 2**63 - 2
KINDS = ("claim", "source", "topic", "incident", "story")


@cache
def shared(schema_class: type[Schema]) -> Schema:
    """One instance per schema class: dumping and loading keep no state, and making one costs more than
    most requests (every field and nested schema is copied). An output schema dumps through its
    compiled form (chronicle/compiled_dumps.py), which gives marshmallow's result at a fraction of the cost."""
    schema = schema_class()
    if issubclass(schema_class, schemas.Out):
        schema.dump = compiled(schema)
    return schema


class Args(Schema):
    """Query arguments: unknown ones are refused, so a typo is an error rather than ignored."""

    class Meta:
        unknown = RAISE
        ordered = True


DAY = validate.Regexp(r"^\d{4}-\d{2}-\d{2}$", error="must be a day, YYYY-MM-DD")
Day = lambda **kw: fields.String(validate=DAY, **kw)  # noqa: E731
KnownAt = lambda: fields.String(metadata={  # noqa: E731
    "description": "answer as the chronicle stood at this instant (ISO 8601; a bare day means its end)"})


class PagingArgs(Args):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=MAX_LIMIT))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class NarrativeArgs(PagingArgs):
    as_of = Day(required=True, metadata={"description": "the stated day the story is told as of"})
    lens = fields.String(load_default="official", metadata={
        "description": "official, everyone, a camp, a source (slug, name or alias), or several joined by commas"})
    known_at = KnownAt()


class KnownAtArgs(Args):
    known_at = KnownAt()


class DiffArgs(Args):
    from_ = Day(required=True, data_key="from")
    to = Day(required=True)
    lens = fields.String(load_default="official")
    known_at = KnownAt()


class IncidentArgs(PagingArgs):
    occurred_from = Day(metadata={"description": "incidents that may have occurred on or after this day"})
    occurred_to = Day(metadata={"description": "incidents that may have occurred on or before this day"})
    place = fields.String(metadata={"description": "part of the place's name, any case"})


class EventArgs(Args):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=POSITION_MAX),
                           metadata={"description": "the cursor: the position of the last event already seen"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=MAX_LIMIT))


class SearchArgs(Args):
    q = fields.String(required=True, validate=validate.Length(min=1, max=500))
    kind = fields.String(validate=validate.OneOf(KINDS))
    story = fields.String(metadata={"description": "only this story's entries (and the sources, which every "
                                                   "story shares); default: every story"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_LIMIT))


class AxisArgs(Args):
    """Which time axis a TimeGate or TimeMap is on, and what it pins."""

    axis = fields.String(load_default="stated", validate=validate.OneOf(("stated", "recorded")), metadata={
        "description": "stated (default): Accept-Datetime picks the day the story is told as of; "
                       "recorded: it picks when the chronicle knew it"})
    as_of = Day(metadata={"description": "recorded axis only: the day the story is told as of (default: today)"})
    known_at = KnownAt()


class OriginalArgs(Args):
    as_of = Day(metadata={"description": "the day the story is told as of (default: today, UTC); "
                                         "with it, the resource changes only in recorded time"})


class ExportArgs(Args):
    as_of = Day(required=True)
    lens = fields.String(load_default="official")
    known_at = KnownAt()


class EventExportArgs(Args):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=POSITION_MAX))


# ----- output


class PageOut(schemas.Out):
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()
    next = fields.String(allow_none=True, metadata={"description": "the next page's URL, also in the Link header"})


def paged(item_schema: type[Schema], name: str) -> type[Schema]:
    """A page of items of one schema."""
    return type(name, (schemas.Out,), {"items": fields.List(fields.Nested(item_schema)),
                                       "page": fields.Nested(PageOut)})


StoryPageOut = paged(schemas.StoryOut, "StoryPageOut")
SourcePageOut = paged(schemas.SourceOut, "SourcePageOut")
TopicPageOut = paged(schemas.TopicOut, "TopicPageOut")
IncidentPageOut = paged(schemas.IncidentDatedOut, "IncidentPageOut")


class ClaimRefOut(schemas.Out):
    id = fields.String()
    slug = fields.String()


ClaimPageOut = paged(ClaimRefOut, "ClaimPageOut")


class NarrativePageOut(schemas.NarrativeOut):
    page = fields.Nested(PageOut, metadata={"description": "pages over the topics"})


class ChangeDaysOut(schemas.Out):
    story = fields.String()
    lens = fields.String()
    known_at = fields.String(allow_none=True)
    days = fields.List(fields.String(), metadata={"description": "the stated days on which the lens's narrative "
                                                                 "changed, oldest first"})


class EventPageOut(schemas.Out):
    events = fields.List(fields.Nested(schemas.EventOut))
    next_after = fields.Integer(allow_none=True, metadata={"description": "pass as after= for the next page"})


class SearchOut(schemas.Out):
    query = fields.String()
    results = fields.List(fields.Nested(schemas.SearchHitOut))


class MementoLinkOut(schemas.Out):
    """One link of a TimeMap or a Link header (RFC 7089 / RFC 8288)."""

    uri = fields.String()
    rel = fields.String()
    type = fields.String()
    datetime = fields.String()
    from_ = fields.String(data_key="from", attribute="from")
    until = fields.String()


class TimelineDateOut(schemas.Out):
    year = fields.Integer()
    month = fields.Integer()
    day = fields.Integer()
    display_date = fields.String()


class TimelineTextOut(schemas.Out):
    headline = fields.String()
    text = fields.String()


class TimelineEventOut(schemas.Out):
    unique_id = fields.String()
    start_date = fields.Nested(TimelineDateOut)
    end_date = fields.Nested(TimelineDateOut)
    text = fields.Nested(TimelineTextOut)
    group = fields.String()


class TimelineOut(schemas.Out):
    """TimelineJS 3's JSON format."""

    title = fields.Dict(metadata={"description": '{"text": {"headline": ..., "text": ...}}'})
    events = fields.List(fields.Nested(TimelineEventOut))


# ----- bodies: the file format's records, with the slug required (a file may rely on its position)

SlugRequired = lambda: fields.String(  # noqa: E731
    required=True, validate=validate.Regexp(SLUG, error="must be lowercase letters, digits and hyphens"))


class SourceCreate(schemas.SourceRecord):
    slug = SlugRequired()


class TopicCreate(schemas.TopicRecord):
    slug = SlugRequired()


class IncidentCreate(schemas.IncidentRecord):
    slug = SlugRequired()


class ClaimCreate(schemas.ClaimRecord):
    """A new claim: the file format's claim without its later links and events (they have their own endpoints).

    Like a file's claim it may give `figures` on other figure topics of its story (`{"topic": slug, ...}`),
    the quote's language (`quote_language`) and, for a translated quote, the `original` it renders;
    a figure may be an estimate (`low`, `best`, `high`)."""

    class Meta(schemas.Strict.Meta):
        exclude = ("links", "events")

    slug = SlugRequired()


EVENT_FIELDS = {
    "revised": {"type", "stated", "text", "quote", "quote_language", "original", "figure", "figures", "citations",
                "note"},
    "retracted": {"type", "stated", "reason", "citations"},
    "reinstated": {"type", "stated", "note", "citations"},
    "corrected": {"type", "changes", "reason", "version"},
}

