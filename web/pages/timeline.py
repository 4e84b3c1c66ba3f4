"""A story's timeline: incidents in occurred order with their claims, as of a day, in a lens."""

from __future__ import annotations

from flask import render_template

from chronicle_web.caching import answered
from chronicle_web.context import chronicle, story
from chronicle_web.pages import STORY, bp
from chronicle_web.pages.state import lens_choices, read_state, shift


@bp.get(f"{STORY}/timeline")
@answered
def timeline():
    """The lens's story as it stood on a day (by default the story's last change): what had happened,
    and what each source said about it."""
    state = read_state()
    told = chronicle().timeline(state.as_of, state.lens, state.known_at, story=story())
    before, after = chronicle().changes_around(told["as_of"], state.lens, state.known_at, story=story())
    return render_template("pages/timeline.html", state=state, story=told, lenses=lens_choices(),
                           previous_day=shift(told["as_of"], -1), next_day=shift(told["as_of"], 1),
                           previous_change=before, next_change=after)
