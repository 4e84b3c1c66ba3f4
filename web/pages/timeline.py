"""The timeline: incidents in occurred order with their claims, as of a day, in a lens."""

from __future__ import annotations

from flask import redirect, render_template, url_for

from chronicle_web.context import chronicle
from chronicle_web.pages import bp
from chronicle_web.pages.state import lens_choices, read_state, shift


@bp.get("/")
def index():
    return redirect(url_for("pages.timeline"))


@bp.get("/timeline")
def timeline():
    """The lens's story as it stood on a day: what had happened, and what each source said about it."""
    state = read_state()
    story = chronicle().timeline(state.as_of, state.lens, state.known_at)
    before, after = chronicle().changes_around(story["as_of"], state.lens, state.known_at)
    return render_template("pages/timeline.html", state=state, story=story, lenses=lens_choices(),
                           previous_day=shift(story["as_of"], -1), next_day=shift(story["as_of"], 1),
                           previous_change=before, next_change=after)
