"""The server-rendered pages: one blueprint, one small module per page."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pages", __name__)

# The modules add their routes to ``bp`` when imported.
from chronicle_web.pages import (  # noqa: E402,F401
    audit, auth, claims, compare, editor, filters, narrative, search, sources, timeline, topics,
)
