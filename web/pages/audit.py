"""The audit log: every event in recorded order, filtered by what happened and which editor did it."""

from __future__ import annotations

from flask import render_template, request

from chronicle_web.caching import answered
from chronicle_web.context import chronicle
from chronicle_web.integrity import chain_status
from chronicle_web.pages import bp

PAGE = 100
# What a reader asks for, and the events that answer it.
KINDS = {
    "revision": ("Revised",),
    "retraction": ("Retracted",),
    "reinstatement": ("Reinstated",),
    "correction": ("Corrected", "Amended"),
    "statement": ("Stated",),
    "link": ("Linked",),
    "entry": ("Started", "Registered", "Opened", "Recorded"),
}
LABELS = {"Stated": "statement", "Revised": "revision", "Retracted": "retraction", "Reinstated": "reinstatement",
          "Corrected": "editorial correction", "Amended": "editorial correction", "Linked": "link",
          "Started": "new story", "Registered": "new source", "Moved": "camp change", "Opened": "new topic",
          "Recorded": "new incident"}


@bp.get("/audit")
@answered
def audit():
    """A page of the event log after a position, newest last, with links to the entries it touched."""
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else None
    editor = (request.args.get("editor") or "").strip() or None
    after = request.args.get("after", type=int, default=0) or 0
    rows = events(after, kind, editor)
    return render_template("pages/audit.html", rows=rows, kind=kind, kinds=KINDS, editor=editor, labels=LABELS,
                           chain=chain_status(),
                           names=entry_names(), next_after=rows[-1]["position"] if len(rows) == PAGE else None)


def events(after: int, kind: str | None, editor: str | None) -> list[dict]:
    """Up to a page of events after a position; a kind that spans several events merges their queries."""
    if kind is None:
        return chronicle().audit(after, PAGE, editor=editor)
    found = [row for event in KINDS[kind] for row in chronicle().audit(after, PAGE, event=event, editor=editor)]
    return sorted(found, key=lambda row: row["position"])[:PAGE]


def entry_names() -> dict[str, tuple[str, str, str | None]]:
    """Every entry's id mapped to its kind, slug and story, to link audit rows to pages."""
    app = chronicle()
    stories = app.entries("story")
    names = {entry["id"]: ("story", entry["slug"], entry["slug"]) for entry in stories}
    names.update({entry["id"]: ("source", entry["slug"], None) for entry in app.entries("source")})
    for told in (s["slug"] for s in stories):
        for kind in ("topic", "incident", "claim"):
            names.update({entry["id"]: (kind, entry["slug"], told) for entry in app.entries(kind, told)})
    return names
