"""Search across every story's claims, quotes, topics and incidents, the stories, and the sources and their aliases."""

from __future__ import annotations

from flask import render_template, request

from chronicle_web.caching import answered
from chronicle_web.context import chronicle
from chronicle_web.pages import bp

KINDS = {"claim": "Claims", "source": "Sources", "topic": "Topics", "incident": "Incidents", "story": "Stories"}


@bp.get("/search")
@answered
def search():
    """Entries matching every word, best first, each with the passage that matched and the story it is in;
    ``story=`` keeps one story's (and the sources, which every story shares)."""
    text = (request.args.get("q") or "").strip()
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else None
    only = (request.args.get("story") or "").strip() or None
    stories = chronicle().entries("story")
    results = chronicle().search(text, kind, story=only) if text else []
    incidents = {i["id"]: i for s in {r["story"] for r in results if r["kind"] == "incident"}
                 for i in chronicle().incidents(story=s)}
    return render_template("pages/search.html", text=text, kind=kind, kinds=KINDS, results=results,
                           incidents=incidents, stories=stories, only=only,
                           titles={s["slug"]: s["title"] for s in stories})
