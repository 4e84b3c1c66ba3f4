"""A claim's page: every version with what changed, who stated it, when and by whom it was recorded."""

from __future__ import annotations

from flask import render_template, request

from chronicle_web.caching import answered
from chronicle_web.context import chronicle, story
from chronicle_web.pages import STORY, bp
from chronicle_web.pages.auth import current_editor


@bp.get(f"{STORY}/claims/<slug>")
@answered
def claim(slug: str):
    """Every version of a claim, the word-level changes between them, its corrections and its links."""
    known_at = (request.args.get("known_at") or "").strip() or None
    history = chronicle().claim_history(slug, known_at, story=story())
    topic = chronicle().resolve("topic", history["versions"][0]["topic"], story())
    titles = {t["slug"]: t["title"] for t in chronicle().entries("topic", story())}
    return render_template("pages/claim.html", history=history, topic=topic, known_at=known_at,
                           latest=history["versions"][-1], titles=titles, may_edit=current_editor() is not None)
