"""The stories a chronicle holds: each the contested event its topics, incidents and claims are about."""

from __future__ import annotations

from flask import url_for

from chronicle import schemas
from chronicle_web.api import bp
from chronicle_web.api import schemas as api
from chronicle_web.api.auth import writer
from chronicle_web.api.inputs import load_args, load_body
from chronicle_web.api.openapi import described
from chronicle_web.api.paging import next_link, page
from chronicle_web.api.schemas import shared
from chronicle_web.caching import answered
from chronicle_web.context import chronicle, story
from chronicle_web.stories import facts


@bp.get("/stories")
@described("Every story, with its period, counts and the last day its story changed", args=api.PagingArgs,
           out=api.StoryPageOut, errors=(400,), headers=("Link",))
@answered
def stories():
    """Each story's questions live under `/stories/<story>/`: its narrative, topics, claims, incidents, lenses."""
    args = load_args(shared(api.PagingArgs))
    shown, about = page(chronicle().stories(), args["limit"], args["offset"])
    return shared(api.StoryPageOut).dump({"items": shown, "page": about}), next_link(about["next"])


@bp.get("/stories/<story>")
@described("One story", out=schemas.StoryOut, errors=(404,))
@answered
def one_story():
    """`last_day` is the last stated day on which anything in the story changed."""
    return shared(schemas.StoryOut).dump(facts(story()))


@bp.post("/stories")
@writer
@described("Start a story", body=schemas.StoryRecord, out=schemas.StoryOut, status=201, write=True, errors=(409,),
           headers=("Location",), tag="writes")
def start_story():
    """Its slug must be new; its topics, incidents and claims are then written under `/stories/<slug>/`."""
    data = load_body(schemas.StoryRecord())
    chronicle().start_story(**data)
    return shared(schemas.StoryOut).dump(facts(data["slug"])), 201, {
        "Location": url_for("api.one_story", story=data["slug"])}
