"""The narrative of a day: the lens's claims by topic, and what changed since the day before."""

from __future__ import annotations

from flask import render_template

from chronicle_web.context import chronicle
from chronicle_web.pages import bp
from chronicle_web.pages.state import lens_choices, read_state, shift


@bp.get("/narrative")
def narrative():
    """The lens's narrative as of a day, grouped by topic, with each claim's status and citation."""
    state = read_state()
    story = chronicle().narrative(state.as_of, state.lens, state.known_at)
    previous_day = shift(story["as_of"], -1)
    changes = chronicle().diff(previous_day, story["as_of"], state.lens, state.known_at)
    before, after = chronicle().changes_around(story["as_of"], state.lens, state.known_at)
    titles = {g["topic"]["slug"]: g["topic"]["title"] for g in story["topics"]}
    return render_template("pages/narrative.html", state=state, narrative=story, changes=changes, titles=titles,
                           lenses=lens_choices(), previous_day=previous_day, next_day=shift(story["as_of"], 1),
                           previous_change=before, next_change=after)
