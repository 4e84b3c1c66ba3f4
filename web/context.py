"""Access to the application objects the factory attached to the Flask app."""

from __future__ import annotations

from flask import current_app

from chronicle.application import Chronicle
from chronicle.tokens import TokenStore


def chronicle() -> Chronicle:
    return current_app.extensions["chronicle"]


def tokens() -> TokenStore:
    return current_app.extensions["chronicle_tokens"]
