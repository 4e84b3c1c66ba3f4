"""Sources: who speaks, grouped by camp, and each source's statements in every story."""

from __future__ import annotations

from itertools import groupby

from flask import render_template, request

from chronicle_web.caching import answered
from chronicle_web.context import chronicle
from chronicle_web.pages import bp


@bp.get("/sources")
@answered
def sources():
    """Every source, by camp (a source speaks in every story)."""
    entries = sorted(chronicle().entries("source"), key=lambda s: (s["camp"] != "official", s["camp"], s["name"]))
    camps = [(camp, list(members)) for camp, members in groupby(entries, key=lambda s: s["camp"])]
    return render_template("pages/sources.html", camps=camps)


@bp.get("/sources/<slug>")
@answered
def source(slug: str):
    """A source's aliases and every version of every claim it stated or carried, in every story."""
    known_at = (request.args.get("known_at") or "").strip() or None
    claims = chronicle().source_claims(slug, known_at)
    titles = {s["slug"]: s["title"] for s in chronicle().entries("story")}
    spoken = list(dict.fromkeys(v["story"] for v in claims["versions"]))
    return render_template("pages/source.html", claims=claims, known_at=known_at, titles=titles,
                           stories=[(slug, titles.get(slug, slug)) for slug in spoken],
                           claim_count=len({(v["story"], v["claim"]) for v in claims["versions"]}))
