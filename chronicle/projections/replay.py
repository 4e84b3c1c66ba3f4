"""Answering from the log alone: replay every event, then pick what was current.

This is the slow, obviously-correct way to answer a narrative question. It is the yardstick
the benchmark compares the as-of index against, and the reference model the tests check the
index with: both must give the same answer.
"""

from __future__ import annotations

import json
from typing import Any

from chronicle.domain import Claim, Source, camp_on, day_of
from chronicle.projections import narrative as folds
from chronicle.projections.asof import CREATED_KINDS, stamp
from chronicle.projections.claims import annotate
from chronicle.projections.rows import derive_rows
from chronicle.projections.store import Lens


def replay(app: Any, known_at: str | None = None) -> dict[str, dict]:
    """Fold the whole log (up to ``known_at``) into claims, entries and links."""
    claims: dict[str, Claim] = {}
    entries: dict[str, dict] = {}
    links: list[dict] = []
    for notification in _all_notifications(app):
        event = app.mapper.to_domain_event(notification)
        at = stamp(event.timestamp)
        if known_at is not None and at > known_at:
            break
        entry_id = str(event.originator_id)
        if isinstance(event, Claim.Event):
            claim = event.mutate(claims.get(entry_id))
            annotate(claim, event, at, event.editor)
            claims[entry_id] = claim
            if isinstance(event, Claim.Linked):
                links.append({"claim_id": entry_id, **claim.links[-1], "recorded_at": at})
        elif type(event) in CREATED_KINDS:
            entries[entry_id] = {"kind": CREATED_KINDS[type(event)], "id": entry_id, **vars(event)}
            if isinstance(event, Source.Registered):
                entries[entry_id]["camps"] = [{"camp": event.camp, "since": None}]
        elif isinstance(event, Source.Moved):
            entries[entry_id]["camps"].append({"camp": event.camp, "since": event.since})
            entries[entry_id]["camp"] = camp_on(entries[entry_id]["camps"], None)
        else:
            entries[entry_id].update(event.changes)
            if "camp" in event.changes and "camps" in entries[entry_id]:
                entries[entry_id]["camps"][0]["camp"] = event.changes["camp"]
    return {"claims": claims, "entries": entries, "links": links}


def _all_notifications(app: Any, batch: int = 5000) -> Any:
    position = 0
    while True:
        notifications = app.recorder.select_notifications(start=position + 1, limit=batch)
        if not notifications:
            return
        yield from notifications
        position = notifications[-1].id


def replayed_narrative(app: Any, as_of: str, lens: Lens, known_at: str | None = None,
                       story: str | None = None) -> list[dict]:
    """A story's narrative topic groups (the only story's, by default), computed from a replay of the log."""
    state = replay(app, known_at)
    entries, claims = state["entries"], state["claims"]
    if story is None:
        story = app.resolve_story(None)["slug"]
    rows = []
    for claim in claims.values():
        if claim.story != story:
            continue
        current = [row for row in derive_rows(claim) if row["stated_on"] <= as_of
                   and (row["stated_until"] is None or row["stated_until"] > as_of)]
        rows.extend(_joined(row, claim, entries) for row in current if _in_lens(row, entries, lens, as_of))
    links = [_link(link, claims) for link in state["links"]]
    ids = {row["claim_id"] for row in rows}
    links = sorted((link for link in links if link["claim_id"] in ids or link["target_id"] in ids),
                   key=lambda l: (l["stated_on"], l["claim_slug"], l["target_slug"], l["relation"]))
    return folds.narrate(rows, links, as_of)


def _in_lens(row: dict, entries: dict, lens: Lens, as_of: str) -> bool:
    if lens.everyone:
        return True
    speakers = [row["source_id"]] + ([row["via_id"]] if row["via_id"] else [])
    return any(s in lens.source_ids or camp_on(entries[s]["camps"], as_of) in lens.camps for s in speakers)


def _joined(row: dict, claim: Claim, entries: dict) -> dict:
    source, topic = entries[row["source_id"]], entries[row["topic_id"]]
    via = entries.get(row["via_id"]) if row["via_id"] else None
    return {**row, "claim_slug": claim.slug,
            "source_slug": source["slug"], "source_name": source["name"], "source_camp": source["camp"],
            "via_slug": via["slug"] if via else None, "via_name": via["name"] if via else None,
            "via_camp": via["camp"] if via else None,
            "topic_slug": topic["slug"], "topic_title": topic["title"], "topic_kind": topic["kind"],
            "topic_unit": topic["unit"]}


def _link(link: dict, claims: dict[str, Claim]) -> dict:
    source = claims[link["claim_id"]]
    stated = link["stated"] or source.versions[0]["stated"]
    return {"claim_id": link["claim_id"], "relation": link["relation"], "target_id": str(link["target_id"]),
            "stated_on": day_of(stated), "note": link["note"], "claim_slug": source.slug,
            "target_slug": claims[str(link["target_id"])].slug}


def dumps(groups: list[dict]) -> str:
    """A canonical text form of a narrative, for comparing two answers."""
    return json.dumps(groups, sort_keys=True, default=str)
