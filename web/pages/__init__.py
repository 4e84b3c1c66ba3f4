"""The server-rendered pages: one blueprint, one small module per page.

A story's pages live under ``/stories/<story>/`` (:data:`STORY`); sources, search, the audit log
and signing in are the whole chronicle's.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pages", __name__)
STORY = "/stories/<story>"

# The modules add their routes to ``bp`` when imported.
from chronicle_web.pages import (  # noqa: E402,F401
    audit, auth, claims, compare, editor, filters, home, narrative, search, sources, timeline, topics,
)
