"""Pure folds over index rows: a narrative's statuses, a topic's history, a claim's changes, a diff.

These take the rows a store returns and need no database, so they are tested in memory.
"""

from __future__ import annotations

import difflib
import json
from collections import defaultdict
from functools import lru_cache
from typing import Any

import orjson

from chronicle.dates import FuzzyDate
from chronicle.figures import Figure

CHALLENGES = ("disputes", "contradicts")


def _stored(text: str) -> Any:
    """A stored JSON value, read by orjson (a narrative decodes a few of them per claim shown, and the
    standard library took a fifth of an as-of answer's Python); what orjson refuses and the standard
    library writes (an integer past 64 bits) is read by the standard library."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


@lru_cache(maxsize=4096)
def _stated(stored: str) -> dict[str, Any]:
    """A stored date as presented (a chronicle's rows name the same few hundred days again and again)."""
    return present_date(FuzzyDate.from_dict(json.loads(stored)))


@lru_cache(maxsize=4096)
def _figure(stored: str) -> Figure:
    return Figure.from_dict(json.loads(stored))


def present_row(row: dict) -> dict[str, Any]:
    """One claim version as plain data: who, when, what, and where it came from."""
    figure = _figure(row["figure"]) if row["figure"] else None
    return {
        "story": row["story"],
        "claim": row["claim_slug"],
        "id": row["claim_id"],
        "version": row["version"],
        "part": row["part"],
        "kind": row["kind"],
        "topic": row["topic_slug"],
        "source": {"slug": row["source_slug"], "name": row["source_name"], "camp": row["source_camp"]},
        "via": ({"slug": row["via_slug"], "name": row["via_name"], "camp": row["via_camp"]}
                if row.get("via_slug") else None),
        "stated": dict(_stated(row["stated"])),
        "text": row["text"],
        "quote": row["quote"],
        "quote_language": row["quote_language"],
        "original": _stored(row["original"]) if row["original"] else None,
        "figure": present_figure(figure),
        "citations": _stored(row["citations"]) if row["citations"] else [],
        "reason": row["reason"],
        "note": row["note"],
        "recorded_at": row["recorded_at"],
        "recorded_by": row["recorded_by"],
        "correction": ({"at": row["corrected_at"], "by": row["corrected_by"], "reason": row["correction"]}
                       if row["corrected_at"] else None),
        "next_change": ({"kind": row["next_kind"], "on": row["stated_until"]} if row["next_kind"] else None),
    }


def present_date(stated: FuzzyDate) -> dict[str, Any]:
    """A fuzzy date with its precision kept."""
    return {"edtf": stated.edtf, "on": stated.sort_key, "until": stated.end.isoformat(),
            "precision": stated.precision, "approximate": stated.approximate,
            "part_of_day": stated.part_of_day, "note": stated.note, "label": stated.label()}


def present_figure(figure: Figure | None) -> dict[str, Any] | None:
    if figure is None:
        return None
    return {**figure.to_dict(), "label": figure.label(), "point": figure.point}


def narrate(rows: list[dict], links: list[dict], as_of: str) -> list[dict[str, Any]]:
    """Group current rows by topic and give each claim its status in the lens.

    On a figure topic the lens has one current figure: the latest stated, non-retracted one;
    the lens's other standing figures are superseded by it. A retraction therefore makes the
    previous standing figure current again until a newer one is stated.
    """
    by_topic: dict[str, list[dict]] = defaultdict(list)
    topics: dict[str, dict] = {}
    for row in rows:
        by_topic[row["topic_slug"]].append(row)
        topics[row["topic_slug"]] = {"slug": row["topic_slug"], "title": row["topic_title"],
                                     "kind": row["topic_kind"], "unit": row["topic_unit"]}
    link_map = _links_by_claim(links, as_of)
    groups = []
    for slug in sorted(by_topic):
        claims = [_with_status(row, link_map) for row in by_topic[slug]]
        current = _settle_figures(claims) if topics[slug]["kind"] == "figure" else None
        claims.sort(key=lambda c: (c["stated"]["on"], c["claim"]))
        groups.append({"topic": topics[slug], "current": current, "claims": claims})
    return groups


def _with_status(row: dict, link_map: dict[str, list[dict]]) -> dict[str, Any]:
    claim = present_row(row)
    claim["status"] = "retracted" if row["kind"] == "retracted" else "current"
    claim["superseded_by"] = None
    claim["revised_later"] = row["next_kind"] == "revised"
    claim["retracted_later"] = row["next_kind"] == "retracted"
    claim["links"] = link_map.get(row["claim_id"], [])
    claim["disputed"] = any(l["direction"] == "in" and l["relation"] in CHALLENGES for l in claim["links"])
    return claim


def _settle_figures(claims: list[dict]) -> str | None:
    standing = [c for c in claims if c["status"] == "current" and c["figure"]]
    if not standing:
        return None
    latest = max(standing, key=lambda c: (c["stated"]["on"], c["stated"]["until"], c["claim"]))
    for claim in standing:
        if claim is not latest:
            claim["status"] = "superseded"
            claim["superseded_by"] = latest["claim"]
    return latest["claim"]


def _links_by_claim(links: list[dict], as_of: str | None) -> dict[str, list[dict]]:
    """Each link on both its claims, if it had been made by ``as_of``."""
    result: dict[str, list[dict]] = defaultdict(list)
    for link in links:
        if as_of is not None and link["stated_on"] > as_of:
            continue
        base = {"relation": link["relation"], "on": link["stated_on"], "note": link["note"]}
        result[link["claim_id"]].append({**base, "direction": "out", "claim": link["target_slug"]})
        result[link["target_id"]].append({**base, "direction": "in", "claim": link["claim_slug"]})
    return result


def topic_history(rows: list[dict], earlier: dict[tuple, dict] | None = None) -> list[dict[str, Any]]:
    """Every version of every claim on a topic, in stated order, each with what it replaced.

    ``earlier`` gives, for a page that does not start at the beginning, the version before the
    page's first one of each (claim, part).
    """
    previous: dict[tuple, dict] = {key: present_row(row) for key, row in (earlier or {}).items()}
    history = []
    for row in rows:
        entry = present_row(row)
        before = previous.get((row["claim_id"], row["part"]))
        entry["replaces"] = ({"version": before["version"], "text": before["text"],
                              "figure": before["figure"]} if before else None)
        previous[(row["claim_id"], row["part"])] = entry
        history.append(entry)
    return history


def claim_versions(rows: list[dict]) -> list[dict[str, Any]]:
    """A claim's versions in stated order, each with its figures on other topics and what changed."""
    versions = []
    for row in rows:
        entry = present_row(row)
        if row["part"]:
            versions[-1]["figures"].append({"topic": entry["topic"], **entry["figure"]})
            continue
        entry["figures"] = []
        entry["changes"] = _changes(versions[-1], entry) if versions else []
        versions.append(entry)
    return versions


def _changes(before: dict, after: dict) -> list[dict[str, Any]]:
    changes = []
    if after["kind"] == "retracted":
        changes.append({"field": "status", "from": "standing", "to": "retracted", "reason": after["reason"]})
    if after["kind"] == "reinstated":
        changes.append({"field": "status", "from": "retracted", "to": "standing", "reason": after["note"]})
    if before["text"] != after["text"]:
        changes.append({"field": "text", "from": before["text"], "to": after["text"],
                        "diff": word_diff(before["text"] or "", after["text"] or "")})
    if before["quote"] != after["quote"]:
        changes.append({"field": "quote", "from": before["quote"], "to": after["quote"]})
    if (before["figure"] or {}).get("label") != (after["figure"] or {}).get("label"):
        changes.append({"field": "figure", "from": (before["figure"] or {}).get("label"),
                        "to": (after["figure"] or {}).get("label")})
    return changes


def word_diff(old: str, new: str) -> list[list[str]]:
    """A word-level diff as [op, text] pairs, op one of "=", "-", "+"."""
    a, b = old.split(), new.split()
    result = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            result.append(["=", " ".join(a[i1:i2])])
        if op in ("delete", "replace"):
            result.append(["-", " ".join(a[i1:i2])])
        if op in ("insert", "replace"):
            result.append(["+", " ".join(b[j1:j2])])
    return result


def diff(before: list[dict], after: list[dict], links: list[dict], start: str, end: str) -> dict[str, list]:
    """What changed in a lens's story between two narratives (each a list of topic groups)."""
    old = {(c["id"], c["topic"]): c for group in before for c in group["claims"]}
    new = {(c["id"], c["topic"]): c for group in after for c in group["claims"]}
    changes: dict[str, list] = {"added": [], "revised": [], "retracted": [], "superseded": [], "disputed": []}
    for key, claim in new.items():
        was = old.get(key)
        if was and claim["status"] == "superseded" and was["status"] == "current":
            changes["superseded"].append({"claim": claim, "by": claim["superseded_by"]})
        if claim["part"]:
            continue  # a figure on another topic changes with its statement, which is listed once
        if claim["status"] == "retracted" and (was is None or was["status"] != "retracted"):
            changes["retracted"].append({"claim": claim, "before": was})
        elif was is None:
            changes["added"].append({"claim": claim})
        elif was["version"] != claim["version"]:
            changes["revised"].append({"claim": claim, "before": was})
    statements = {claim["id"]: claim for claim in new.values() if not claim["part"]}
    for link in links:
        if start < link["stated_on"] <= end and link["relation"] in CHALLENGES and link["target_id"] in statements:
            changes["disputed"].append({"claim": statements[link["target_id"]], "by": link["claim_slug"],
                                        "relation": link["relation"], "on": link["stated_on"]})
    for items in changes.values():
        items.sort(key=lambda item: (item["claim"]["stated"]["on"], item["claim"]["claim"]))
    return changes
