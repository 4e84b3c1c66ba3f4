"""A story's narrative of a day: the lens's claims by topic, and what changed since the day before.

The page holds at most PAGE_CLAIMS claims (the everyone lens of a large story holds thousands): it ends
before the topic that would pass that, or cuts a topic that alone holds more, and links to the next page.
The list of changes shows at most CHANGES of each kind, and links to the comparison for the rest.
"""

from __future__ import annotations

from flask import render_template

from chronicle_web.api.paging import narrative_page
from chronicle_web.caching import answered
from chronicle_web.context import chronicle, story
from chronicle_web.pages import STORY, bp
from chronicle_web.pages.state import lens_choices, read_state, shift, whole_number

PAGE_CLAIMS = 200
CHANGES = 50
KINDS = ("added", "revised", "retracted", "superseded", "disputed")


@bp.get(f"{STORY}/narrative")
@answered
def narrative():
    """The lens's narrative as of a day, grouped by topic, with each claim's status and citation."""
    state = read_state()
    offset, claim_offset = whole_number("offset"), whole_number("claim_offset")
    app, where = chronicle(), story()
    told = app.narrative_with_changes(state.as_of, state.lens, state.known_at, story=where)
    changes = told.pop("changes")
    titles = {g["topic"]["slug"]: g["topic"]["title"] for g in told["topics"]}
    told["topics"], paged = narrative_page(told["topics"], len(told["topics"]) or 1, offset, claim_offset,
                                           PAGE_CLAIMS)
    shown = {c["claim"] for g in told["topics"] for c in g["claims"]}
    previous_day = changes["from"]
    more = {kind: max(0, len(changes[kind]) - CHANGES) for kind in KINDS}
    changes.update({kind: changes[kind][:CHANGES] for kind in KINDS})
    before, after = app.changes_around(told["as_of"], state.lens, state.known_at, story=where)
    return render_template("pages/narrative.html", state=state, narrative=told, changes=changes, titles=titles,
                           lenses=lens_choices(), previous_day=previous_day, next_day=shift(told["as_of"], 1),
                           previous_change=before, next_change=after, paged=paged, shown=shown, more=more,
                           page_claims=PAGE_CLAIMS, first_page=offset == 0 and claim_offset == 0)
