"""Search across claims, quotes, sources and their aliases, topics and incidents."""

from __future__ import annotations

from flask import render_template, request

from chronicle_web.context import chronicle
from chronicle_web.pages import bp

KINDS = {"claim": "Claims", "source": "Sources", "topic": "Topics", "incident": "Incidents"}


@bp.get("/search")
def search():
    """Entries matching every word, best first, each with the passage that matched."""
    text = (request.args.get("q") or "").strip()
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else None
    results = chronicle().search(text, kind) if text else []
    incidents = {i["id"]: i for i in chronicle().incidents()} if any(r["kind"] == "incident" for r in results) else {}
    return render_template("pages/search.html", text=text, kind=kind, kinds=KINDS, results=results,
                           incidents=incidents)
