"""A story's topics: for a figure, a step chart of every source's value over stated time and the revision table;
for a question, its claims over time."""

from __future__ import annotations

from flask import render_template, request
from markupsafe import Markup

from chronicle_web import charts
from chronicle_web.caching import answered
from chronicle_web.context import chronicle, story
from chronicle_web.pages import STORY, bp


@bp.get(f"{STORY}/topics")
@answered
def topics():
    """Every topic of the story, figures first."""
    entries = sorted(chronicle().entries("topic", story()),
                     key=lambda t: (t["kind"] != "figure", t["title"].casefold()))
    return render_template("pages/topics.html", topics=entries)


@bp.get(f"{STORY}/topics/<slug>")
@answered
def topic(slug: str):
    """One topic's history: the chart (for a figure) and every version of every claim, in stated order."""
    known_at = (request.args.get("known_at") or "").strip() or None
    history = chronicle().topic_history(slug, known_at, story=story())
    chart, series = None, []
    if history["topic"]["kind"] == "figure":
        series = charts.figure_series(history["history"])
        title = f"{history['topic']['title']}: every source's figure over stated time"
        chart = Markup(charts.step_chart(series, history["topic"]["unit"] or "", title)) if series else None
    return render_template("pages/topic.html", history=history, chart=chart, series=series,
                           official=charts.OFFICIAL, known_at=known_at)
