"""Atom feeds of revisions and retractions of a story, per topic and per lens, for people who follow it."""

from __future__ import annotations

from flask import Response, request, url_for

from chronicle import exports, schemas
from chronicle_web.api import bp
from chronicle_web.api.openapi import described
from chronicle_web.api.reads import STORY
from chronicle_web.api.schemas import shared
from chronicle_web.context import chronicle, story

ATOM = "application/atom+xml"
# A feed holds the newest FEED_ENTRIES revisions and retractions (docs/api.md): readers poll it for news.
FEED_ENTRIES = 100


def newest(history: list[dict]) -> list[dict]:
    """The newest FEED_ENTRIES revisions and retractions, in the order the feed gives them."""
    changes = [entry for entry in history if entry["kind"] in ("revised", "retracted")]
    changes.sort(key=lambda e: (e["stated"]["on"], e["recorded_at"] or "", e["claim"]), reverse=True)
    return changes[:FEED_ENTRIES]


@bp.get(f"{STORY}/topics/<topic>/feed.atom")
@described("Revisions and retractions on a topic, as an Atom feed", media=ATOM, errors=(404,), tag="feeds")
def topic_feed(topic: str):
    """Newest statement first; each entry's id is stable, so a reader sees each change once."""
    found = chronicle().topic_history(topic, story=story())
    answer = shared(schemas.TopicHistoryOut).dump(found)
    return _feed(f"story/{story()}/topic/{answer['topic']['slug']}",
                 f"{answer['topic']['title']}: revisions and retractions", found["history"], answer["history"])


@bp.get(f"{STORY}/lenses/<lens>/feed.atom")
@described("Revisions and retractions by a lens's sources, as an Atom feed", media=ATOM, errors=(404,),
           tag="feeds")
def lens_feed(lens: str):
    """A lens is official, everyone, a camp, a source, or several joined by commas."""
    found = chronicle().lens_history(lens, story=story())
    answer = shared(schemas.LensHistoryOut).dump(found)
    return _feed(f"story/{story()}/lens/{answer['lens']}", f"{answer['lens']}: revisions and retractions",
                 found["history"], answer["history"])


def _feed(key: str, title: str, found: list[dict], history: list[dict]) -> Response:
    """An entry's id is a URN of its claim's id and version, and for a figure the statement gives on
    another topic, of its part too: each change has an id of its own, in every story."""
    history = [{**entry, "id": f"{entry['id']}/part/{raw['part']}"} if raw.get("part") else entry
               for raw, entry in zip(found, history)]
    history = newest(history)
    claim_url = url_for("api.claim", claim="CLAIM", _external=True).replace("CLAIM", "{claim}")
    text = exports.atom_feed(key, title, request.url, history, claim_url)
    return Response(text, mimetype=ATOM)
