"""Access to the application objects the factory attached to the Flask app, and the request's story."""

from __future__ import annotations

from flask import current_app, g

from chronicle.application import Chronicle
from chronicle.tokens import TokenStore


def chronicle() -> Chronicle:
    return current_app.extensions["chronicle"]


def tokens() -> TokenStore:
    return current_app.extensions["chronicle_tokens"]


def story() -> str:
    """The slug of the story the request's URL names (``/stories/<story>/...``)."""
    return g.story["slug"]


def current_story() -> dict | None:
    """The story the request's URL names, if it names one."""
    return g.get("story")
