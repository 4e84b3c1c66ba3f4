"""The home page: the stories the chronicle holds, each with its period, its counts and its last change."""

from __future__ import annotations

from flask import redirect, render_template, url_for

from chronicle_web.caching import answered
from chronicle_web.context import chronicle, current_story
from chronicle_web.pages import STORY, bp
from chronicle_web.pages.state import whole_number

# The home page lists this many stories at a time, then links to the next ones.
PAGE = 100


@bp.get("/")
@answered
def index():
    """The stories, a page at a time, each linking to its timeline (which opens on the story's last change)."""
    offset, stories = whole_number("offset"), chronicle().stories()
    following = offset + PAGE if offset + PAGE < len(stories) else None
    return render_template("pages/home.html", stories=stories[offset:offset + PAGE], total=len(stories),
                           offset=offset, following=following, previous=max(offset - PAGE, 0) if offset else None)


@bp.get("/stories")
def stories():
    return redirect(url_for("pages.index"))


@bp.get(STORY)
def story():
    return redirect(url_for("pages.timeline"))


@bp.app_context_processor
def _story_context() -> dict:
    """The story a page is about (None outside a story), for the header's links."""
    return {"current_story": current_story(), "view_status": view_status}


def view_status() -> dict:
    """The banner's view state: read from the stores only when the view is known (in memory) to be stopped or behind."""
    app = chronicle()
    if app.projection.stopped is None and app.behind is None:
        return {"fault": None, "behind": None}
    return app.view_status()
