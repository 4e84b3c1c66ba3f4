"""Links built inside a page's loops: ``url_for`` costs about as much as the claim card it sits in, and a
page of 200 cards asks for the same few hundred URLs again and again, so each is built once per root."""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, current_app, g, request, url_for


def register(app: Flask) -> None:
    app.jinja_env.globals["link"] = link


def link(endpoint: str, **values: str) -> str:
    """``url_for(endpoint, **values)`` (a path, never an external URL), remembered."""
    story = (g.get("story") or {}).get("slug")
    return _built(id(current_app._get_current_object()), request.script_root, story, endpoint,
                  tuple(sorted(values.items())))


@lru_cache(maxsize=8192)
def _built(app: int, root: str, story: str | None, endpoint: str, values: tuple) -> str:
    return url_for(endpoint, **dict(values))
