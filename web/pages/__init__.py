"""The server-rendered pages."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, redirect, render_template, request, url_for

from chronicle_web.context import chronicle

bp = Blueprint("pages", __name__)

DEFAULT_DAY = "2022-01-07"


@bp.get("/")
def index():
    return redirect(url_for("pages.narrative", as_of=DEFAULT_DAY, lens="official"))


@bp.get("/narrative")
def narrative():
    """The lens's narrative as of a day, grouped by topic."""
    as_of = request.args.get("as_of") or date.today().isoformat()
    lens = request.args.get("lens") or "official"
    answer = chronicle().narrative(as_of, lens, request.args.get("known_at") or None)
    return render_template("pages/narrative.html", narrative=answer)
