"""Two dates of a story side by side: what a lens's story gained, revised, retracted and saw disputed between them."""

from __future__ import annotations

from flask import render_template, request

from chronicle_web.caching import answered
from chronicle_web.context import chronicle, story
from chronicle_web.pages import STORY, bp
from chronicle_web.pages.state import lens_choices, read_state


@bp.get(f"{STORY}/compare")
@answered
def compare():
    """The two narratives' standing figures side by side, then every change between them."""
    state = read_state()
    start = (request.args.get("from") or "").strip() or state.as_of
    end = (request.args.get("to") or "").strip() or state.as_of
    changes = chronicle().diff(start, end, state.lens, state.known_at, story=story())
    before = chronicle().narrative(changes["from"], state.lens, state.known_at, story=story())
    after = chronicle().narrative(changes["to"], state.lens, state.known_at, story=story())
    return render_template("pages/compare.html", state=state, changes=changes, lenses=lens_choices(),
                           rows=side_by_side(before["topics"], after["topics"]))


def side_by_side(before: list[dict], after: list[dict]) -> list[dict]:
    """One row per topic: its standing figure (or how many claims stood) on each date."""
    old = {g["topic"]["slug"]: g for g in before}
    new = {g["topic"]["slug"]: g for g in after}
    rows = []
    for slug in sorted(set(old) | set(new), key=lambda s: (new.get(s) or old[s])["topic"]["title"].casefold()):
        topic = (new.get(slug) or old[slug])["topic"]
        rows.append({"topic": topic, "before": _standing(old.get(slug)), "after": _standing(new.get(slug))})
    return rows


def _standing(group: dict | None) -> dict:
    if group is None:
        return {"claim": None, "count": 0}
    current = next((c for c in group["claims"] if c["claim"] == group["current"]), None)
    return {"claim": current, "count": sum(1 for c in group["claims"] if c["status"] != "retracted")}
