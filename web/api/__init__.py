"""The JSON API under /api/v1: one module per concern, all on this blueprint."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__)

from chronicle_web.api import (  # noqa: E402,F401  (routes)
    exports, feeds, integrity, memento, openapi, reads, stories, writes,
)
