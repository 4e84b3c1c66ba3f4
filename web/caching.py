"""HTTP caching of the answers to questions: validators, conditional GETs and the serialised bodies.

An answer is a pure function of the view's generation, the log position and the question (the URL), so
its validators come from those: the ``ETag`` from all three, ``Last-Modified`` from when the event at that
position was recorded. A conditional GET whose validator still matches is answered ``304 Not Modified``
with no body; any other is answered from the body kept under the same key, serialised once: by this
process (in memory) or by another server process of this machine (web/shared_bodies.py).

A question pinned to a ``known_at`` before the last recorded event can never change: the API marks it
``public, max-age=31536000, immutable``; everything else is ``no-cache`` (revalidate). Pages say who is
signed in, so they are ``private`` and ``Vary: Cookie``; an editor's pages (and any page with a message
waiting for its reader) are neither validated nor kept.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, g, make_response, request, session
from werkzeug.http import http_date, parse_date

from chronicle.answers import LRU, reading, reading_at
from chronicle_web.answer_front import AT, KEPT, AnswerFront
from chronicle_web.context import chronicle
from chronicle_web.shared_bodies import SharedBodies

IMMUTABLE = "public, max-age=31536000, immutable"
PAGE_IMMUTABLE = "private, max-age=31536000, immutable"
REVALIDATE = "no-cache"
PAGE_REVALIDATE = "private, no-cache"
BODIES = 4096  # serialised answers kept per process
BODY_BYTES = 48 * 2**20  # and at most this many bytes of them
KEPT_HEADERS = ("Content-Type", "Link", "Content-Disposition")


def register(app: Flask) -> None:
    """Keep serialised answers, and read an answered request at the position it first reads."""
    app.extensions["chronicle_bodies"] = LRU(int(app.config.get("CHRONICLE_CACHED_BODIES") or BODIES),
                                             int(app.config.get("CHRONICLE_CACHED_BODY_BYTES") or BODY_BYTES),
                                             _body_bytes)
    shared = app.config.get("CHRONICLE_SHARED_BODIES", True)
    if shared:  # on by default: the processes of one machine share the bodies they made (web/shared_bodies.py)
        path = Path(shared) if isinstance(shared, (str, Path)) else \
            app.extensions["chronicle_settings"].data_dir / "bodies.sqlite"
        app.extensions["chronicle_shared_bodies"] = SharedBodies(path)
    front = app.config.get("CHRONICLE_ANSWER_FRONT", os.environ.get("CHRONICLE_ANSWER_FRONT", "on"))
    if str(front).lower() not in ("off", "0", "false", "no"):  # inside the middlewares that settle the origin
        app.wsgi_app = AnswerFront(app.wsgi_app, app)

    @app.url_value_preprocessor
    def read_at_one_position(endpoint: str | None, _values: dict | None) -> None:
        if request.method in ("GET", "HEAD") and getattr(app.view_functions.get(endpoint), "answered", False):
            at = request.environ.get(AT) or chronicle().read_position()
            g.reading = (at, reading_at(at))
            g.reading[1].__enter__()

    @app.teardown_request
    def done_reading(_error: BaseException | None) -> None:
        reading = g.pop("reading", None)
        if reading is not None:
            reading[1].__exit__(None, None, None)


def answered(view: Callable) -> Callable:
    """A GET view whose answer is cached by position: validated, answered 304 when unchanged, kept serialised."""

    @wraps(view)
    def respond(*args: Any, **words: Any) -> Response:
        page = request.blueprint != "api"
        if page and _personal():
            return _marked(make_response(view(*args, **words)), {"Cache-Control": PAGE_REVALIDATE})
        app = chronicle()
        at = reading() or app.read_position()
        if app.behind or app.projection.stopped:  # the view is not at that position: nothing to promise
            with reading_at(at):
                response = make_response(view(*args, **words))
            return _marked(response, {"Cache-Control": PAGE_REVALIDATE if page else REVALIDATE})
        key = (*at, request.endpoint, request.root_url, request.full_path, (g.get("story") or {}).get("slug"))
        tag = _tag(key)  # the ETag's, and the key in the file the server processes share
        headers = _validators(app, at[1], tag, page)
        if _not_modified(headers):
            return Response(status=304, headers=headers)
        response = _kept(key, tag) or _made(key, tag, at, view, args, words)
        if response.status_code == 200:
            response.headers.update(headers)
        return response

    respond.answered = True
    return respond


def _personal() -> bool:
    """Whether the page is its reader's own: an editor is signed in, or a message waits to be shown."""
    return bool(session.get("sid") or session.get("_flashes"))


def _validators(app: Any, position: int, tag: str, page: bool) -> dict:
    known = request.args.get("known_at")
    recorded = app.recorded_at(position)
    settled = app.settled(known, position)
    modified = min(recorded, app.known_moment(known)) if settled else recorded
    headers = {"ETag": f'"{position}-{tag}"',
               "Cache-Control": (PAGE_IMMUTABLE if page else IMMUTABLE) if settled else
               (PAGE_REVALIDATE if page else REVALIDATE)}
    if modified:
        headers["Last-Modified"] = http_date(datetime.fromisoformat(modified))
    if page:
        headers["Vary"] = "Cookie"
    return headers


def _not_modified(headers: dict) -> bool:
    """Whether the client's copy is current (If-None-Match first; If-Modified-Since only without it)."""
    if request.if_none_match:
        return request.if_none_match.contains_weak(headers["ETag"].strip('"'))
    since, modified = request.if_modified_since, headers.get("Last-Modified")
    if since is None or modified is None:
        return False
    modified_at = parse_date(modified)
    # A time within the last second may hide an event recorded in the same second: it validates nothing.
    return modified_at is not None and time.time() - modified_at.timestamp() >= 1 and modified_at <= since


def _kept(key: tuple, tag: str) -> Response | None:
    kept = current_app.extensions["chronicle_bodies"].get(key)
    shared = current_app.extensions.get("chronicle_shared_bodies")
    if kept is None and shared is not None:
        kept = shared.get(tag)
        if kept is not None:
            current_app.extensions["chronicle_bodies"].put(key, kept)
    if kept is None:
        return None
    body, headers = kept
    request.environ[KEPT] = (key[:2], body)  # the front may send it again at this position (web/answer_front.py)
    return Response(body, headers=headers)


def _tag(key: tuple) -> str:
    return hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest()


def _made(key: tuple, tag: str, at: tuple, view: Callable, args: tuple, words: dict) -> Response:
    modified = session.modified
    with reading_at(at):
        response = make_response(view(*args, **words))
    if response.status_code == 200 and not response.is_streamed and session.modified == modified:
        headers = [(name, value) for name, value in response.headers if name in KEPT_HEADERS]
        body = response.get_data()
        current_app.extensions["chronicle_bodies"].put(key, (body, headers))
        shared = current_app.extensions.get("chronicle_shared_bodies")
        if shared is not None:
            shared.put(tag, body, headers)
        request.environ[KEPT] = (at, body)
    return response


def _marked(response: Response, headers: dict) -> Response:
    for name, value in headers.items():
        response.headers.setdefault(name, value)
    if request.blueprint != "api":
        response.vary.add("Cookie")
    return response


def _body_bytes(kept: tuple) -> int:
    body, headers = kept[0], kept[1]  # (body, headers) here; (body, headers, etag) from the front
    return len(body) + sum(len(name) + len(value) for name, value in headers)
