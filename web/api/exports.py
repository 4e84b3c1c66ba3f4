"""Exports: CSV of a story's narrative and of a topic's history, TimelineJS JSON of a story in a lens,
and the whole event log as JSON Lines."""

from __future__ import annotations

from flask import Response, stream_with_context

from chronicle import exports, schemas
from chronicle_web.api import bp
from chronicle_web.api import schemas as api
from chronicle_web.api.schemas import shared
from chronicle_web.api.inputs import load_args
from chronicle_web.api.openapi import described
from chronicle_web.api.reads import STORY
from chronicle_web.context import chronicle, story
from chronicle_web.stories import facts

CSV = "text/csv"
JSON_LINES = "application/jsonl"


@bp.get(f"{STORY}/narrative.csv")
@described("A narrative as CSV, one row per claim", args=api.ExportArgs, media=CSV, errors=(400, 404), tag="exports")
def narrative_csv():
    """Columns: topic, status, claim, stated (EDTF, precision kept), source, figure, text... Text a
    spreadsheet would run as a formula starts with an apostrophe."""
    args = load_args(shared(api.ExportArgs))
    answer = shared(schemas.NarrativeOut).dump(chronicle().narrative(args["as_of"], args["lens"], args.get("known_at"),
                                                                     story=story()))
    text = exports.to_csv(exports.NARRATIVE_COLUMNS, exports.narrative_rows(answer))
    return _download(text, CSV, f"narrative-{answer['story']}-{answer['lens']}-{answer['as_of']}.csv")


@bp.get(f"{STORY}/topics/<topic>/history.csv")
@described("A topic's history as CSV, one row per version", args=api.KnownAtArgs, media=CSV, errors=(400, 404),
           tag="exports")
def topic_history_csv(topic: str):
    """Every version of every claim on the topic, in stated order, with the figure it replaced."""
    args = load_args(shared(api.KnownAtArgs))
    answer = shared(schemas.TopicHistoryOut).dump(chronicle().topic_history(topic, args.get("known_at"), story=story()))
    text = exports.to_csv(exports.HISTORY_COLUMNS, exports.history_rows(answer["history"]))
    return _download(text, CSV, f"history-{answer['story']}-{answer['topic']['slug']}.csv")


@bp.get("/events.jsonl")
@described("The whole event log as JSON Lines, in recorded order (streamed)", args=api.EventExportArgs,
           media=JSON_LINES, errors=(400,), tag="exports")
def events_jsonl():
    """One event per line, each as the `/events` endpoint gives it; `after` skips what you have."""
    args = load_args(shared(api.EventExportArgs))
    app, schema = chronicle(), shared(schemas.EventOut)
    lines = exports.json_lines(schema.dump(event) for event in app.event_log(args["after"]))
    return Response(stream_with_context(lines), mimetype=JSON_LINES,
                    headers={"Content-Disposition": 'attachment; filename="events.jsonl"'})


@bp.get(f"{STORY}/lenses/<lens>/timeline.json")
@described("A lens's timeline in TimelineJS 3's JSON format", args=api.KnownAtArgs, out=api.TimelineOut,
           errors=(400, 404), tag="exports")
def timeline(lens: str):
    """Every statement, revision and retraction in the story by the lens's sources, for a newsroom's
    TimelineJS embed."""
    args = load_args(shared(api.KnownAtArgs))
    history = chronicle().lens_history(lens, args.get("known_at"), story=story())
    answer = shared(schemas.LensHistoryOut).dump(history)
    slides = exports.timeline(answer["history"], f"{facts(story())['title']}: what {answer['lens']} said",
                              "Statements, revisions and retractions, as recorded by the chronicle.")
    for entry, slide in zip(history["history"], slides["events"]):
        if entry.get("part"):  # a statement's figure on another topic: a slide of its own, with an id of its own
            slide["unique_id"] += f"-p{entry['part']}"
    return shared(api.TimelineOut).dump(slides)


def _download(text: str, media: str, filename: str) -> Response:
    safe = "".join(c if c.isalnum() or c in "-._" else "_" for c in filename)
    return Response(text, mimetype=media, headers={"Content-Disposition": f'attachment; filename="{safe}"'})
