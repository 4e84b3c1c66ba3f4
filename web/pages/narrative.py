"""A story's narrative of a day: the lens's claims by topic, and what changed since the day before."""

from __future__ import annotations

from flask import render_template

from chronicle_web.context import chronicle, story
from chronicle_web.pages import STORY, bp
from chronicle_web.pages.state import lens_choices, read_state, shift


@bp.get(f"{STORY}/narrative")
def narrative():
    """The lens's narrative as of a day, grouped by topic, with each claim's status and citation."""
    state = read_state()
    app, where = chronicle(), story()
    told = app.narrative(state.as_of, state.lens, state.known_at, story=where)
    previous_day = shift(told["as_of"], -1)
    changes = app.diff(previous_day, told["as_of"], state.lens, state.known_at, story=where)
    before, after = app.changes_around(told["as_of"], state.lens, state.known_at, story=where)
    titles = {g["topic"]["slug"]: g["topic"]["title"] for g in told["topics"]}
    return render_template("pages/narrative.html", state=state, narrative=told, changes=changes, titles=titles,
                           lenses=lens_choices(), previous_day=previous_day, next_day=shift(told["as_of"], 1),
                           previous_change=before, next_change=after)
