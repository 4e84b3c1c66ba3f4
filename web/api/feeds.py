"""Atom feeds of revisions and retractions, per topic and per lens, for people who follow a story."""

from __future__ import annotations

from flask import Response, request, url_for

from chronicle import exports, schemas
from chronicle_web.api import bp
from chronicle_web.api.openapi import described
from chronicle_web.api.schemas import shared
from chronicle_web.context import chronicle

ATOM = "application/atom+xml"


@bp.get("/topics/<topic>/feed.atom")
@described("Revisions and retractions on a topic, as an Atom feed", media=ATOM, errors=(404,), tag="feeds")
def topic_feed(topic: str):
    """Newest statement first; each entry's id is stable, so a reader sees each change once."""
    answer = shared(schemas.TopicHistoryOut).dump(chronicle().topic_history(topic))
    return _feed(f"topic/{answer['topic']['slug']}", f"{answer['topic']['title']}: revisions and retractions",
                 answer["history"])


@bp.get("/lenses/<lens>/feed.atom")
@described("Revisions and retractions by a lens's sources, as an Atom feed", media=ATOM, errors=(404,),
           tag="feeds")
def lens_feed(lens: str):
    """A lens is official, everyone, a camp, a source, or several joined by commas."""
    answer = shared(schemas.LensHistoryOut).dump(chronicle().lens_history(lens))
    return _feed(f"lens/{answer['lens']}", f"{answer['lens']}: revisions and retractions", answer["history"])


def _feed(key: str, title: str, history: list[dict]) -> Response:
    claim_url = url_for("api.claim", claim="CLAIM", _external=True).replace("CLAIM", "{claim}")
    text = exports.atom_feed(key, title, request.url, history, claim_url)
    return Response(text, mimetype=ATOM)
