"""Links built inside a page's loops: ``url_for`` costs about as much as the claim card it sits in, and a
page of 200 cards asks for the same few hundred URLs again and again, so each is built once per root.

Most of a page's links differ only by a slug (a claim's, a source's, a topic's), and a slug is lowercase
letters, digits and hyphens, which no part of a URL escapes. So for slug values the endpoint's URL is
built once with a marker in place of each value, and each link fills the markers in; any other value
goes through ``url_for`` itself.
"""

from __future__ import annotations

import re
from functools import lru_cache

from flask import Flask, current_app, g, request, url_for

SLUG_TEXT = re.compile(r"[a-z0-9-]+").fullmatch


def register(app: Flask) -> None:
    app.jinja_env.globals["link"] = link


def link(endpoint: str, **values: str) -> str:
    """``url_for(endpoint, **values)`` (a path, never an external URL), remembered."""
    story = (g.get("story") or {}).get("slug")
    app = id(current_app._get_current_object())
    if all(type(value) is str and SLUG_TEXT(value) for value in values.values()):
        pattern = _pattern(app, request.script_root, story, endpoint, tuple(sorted(values)))
        for name, value in values.items():
            pattern = pattern.replace(f"%7B{name}%7D", value, 1)
        return pattern
    return _built(app, request.script_root, story, endpoint, tuple(sorted(values.items())))


@lru_cache(maxsize=1024)
def _pattern(app: int, root: str, story: str | None, endpoint: str, names: tuple) -> str:
    """The endpoint's URL with ``{name}`` (escaped, as a URL escapes braces) in place of each value."""
    return url_for(endpoint, **{name: "{" + name + "}" for name in names})


@lru_cache(maxsize=8192)
def _built(app: int, root: str, story: str | None, endpoint: str, values: tuple) -> str:
    return url_for(endpoint, **dict(values))
