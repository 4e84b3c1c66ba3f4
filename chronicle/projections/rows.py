"""The as-of index rows of one claim, derived from its folded state.

Each row is one version of a claim (the statement, a revision, a retraction or a reinstatement)
with the *stated* interval in which it was the source's current word: from its own stated day up
to, not including, the next version's in stated order. A version that also carries figures on
other figure topics has one more row for each (``part`` 1, 2, ...), on that topic. The store adds the *recorded* interval in which the
chronicle held the row: a row is never changed, only closed, when a later event (a revision
that ends its stated interval, or an editor's correction of its content) makes it stale.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Iterable
from typing import Any

from chronicle.domain import Claim, day_of
from chronicle.figures import Figure

CONTENT_COLUMNS = (
    "claim_id", "version", "part", "kind", "story", "source_id", "via_id", "topic_id",
    "stated_on", "stated_until", "next_kind", "stated", "text", "quote", "quote_language", "original",
    "figure", "figure_value",
    "citations", "reason", "note", "recorded_at", "recorded_by",
    "corrected_at", "corrected_by", "correction",
)


def derive_rows(claim: Claim, numbers: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """Versions of the claim (all, or those numbered) as index rows, with their stated intervals."""
    versions = claim.versions
    wanted = None if numbers is None else set(numbers)
    ids = (str(claim.id), str(claim.source_id), str(claim.via_id) if claim.via_id else None, str(claim.topic_id))
    rows = []
    for place, version in enumerate(versions):
        if wanted is not None and version["number"] not in wanted:
            continue
        following = versions[place + 1] if place + 1 < len(versions) else None
        row = _row(claim, ids, version, following)
        rows.append(row)
        for part, other in enumerate(version.get("figures") or [], start=1):
            figure = {k: v for k, v in other.items() if k != "topic_id"}
            rows.append({**row, "part": part, "topic_id": other["topic_id"], "figure": _json(figure),
                         "figure_value": Figure.from_dict(figure).point})
    return rows


def _row(claim: Claim, ids: tuple, version: dict, following: dict | None) -> dict[str, Any]:
    figure = Figure.from_dict(version["figure"])
    last_fix = version.get("corrections", [])[-1:] or [{}]
    claim_id, source_id, via_id, topic_id = ids
    return {
        "claim_id": claim_id,
        "version": version["number"],
        "part": 0,
        "kind": version["kind"],
        "story": claim.story,
        "source_id": source_id,
        "via_id": via_id,
        "topic_id": topic_id,
        "stated_on": day_of(version["stated"]),
        "stated_until": day_of(following["stated"]) if following else None,
        "next_kind": following["kind"] if following else None,
        "stated": _json(version["stated"]),
        "text": version["text"],
        "quote": version["quote"],
        "quote_language": version.get("quote_language"),
        "original": _json(version.get("original")),
        "figure": _json(version["figure"]),
        "figure_value": figure.point if figure else None,
        "citations": _json(version["citations"]),
        "reason": version["reason"],
        "note": version["note"],
        "recorded_at": version.get("recorded_at"),
        "recorded_by": version.get("recorded_by"),
        "corrected_at": last_fix[0].get("at"),
        "corrected_by": last_fix[0].get("by"),
        "correction": last_fix[0].get("reason"),
    }


# What makes two rows the same entry: everything but their recorded interval.
row_key = operator.itemgetter(*CONTENT_COLUMNS)

# One encoder for every row: json.dumps with options builds a new one on each call.
_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return _ENCODE(value)
