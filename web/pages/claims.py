"""A claim's page: every version with what changed, who stated it, when and by whom it was recorded."""

from __future__ import annotations

from flask import render_template, request

from chronicle_web.context import chronicle
from chronicle_web.pages import bp
from chronicle_web.pages.auth import current_editor


@bp.get("/claims/<slug>")
def claim(slug: str):
    """Every version of a claim, the word-level changes between them, its corrections and its links."""
    known_at = (request.args.get("known_at") or "").strip() or None
    history = chronicle().claim_history(slug, known_at)
    topic = chronicle().resolve("topic", history["versions"][0]["topic"])
    return render_template("pages/claim.html", history=history, topic=topic, known_at=known_at,
                           latest=history["versions"][-1], may_edit=current_editor() is not None)
