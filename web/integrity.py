"""Whether the event log's hash chain verifies, shared by the API and the audit log page."""

from __future__ import annotations

import time

from flask import current_app

from chronicle_web.context import chronicle

# Recomputing the chain reads every event: at most once a minute per head (INTEGRITY_CACHE_SECONDS).
_verified: dict[str, tuple[float, object]] = {}


def chain_status() -> dict:
    """The head and the verification of the chain up to it, recomputed when the cached one is stale."""
    app = chronicle()
    head = app.head()
    checked_at, report = _verified.get(head["hash"], (0.0, None))
    if report is None or time.monotonic() - checked_at > current_app.config.get("INTEGRITY_CACHE_SECONDS", 60):
        report = app.verify_chain()
        _verified.clear()
        _verified[head["hash"]] = (time.monotonic(), report)
    return {"position": head["position"], "head": head["hash"], "verified": report.ok,
            "checked": report.checked, "broken_at": report.broken_at, "problem": report.problem}
