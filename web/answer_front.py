"""WSGI middleware in front of Flask: a GET this process has answered at the view's current position is
answered again from the status line, headers and body it sent, without routing, hooks or a view.

An answer is a pure function of the view's generation, the log position and the request (web/caching.py),
so what Flask sent for a request is what it would send again until the position moves. The front keys
what was sent by (generation, position, scheme, host, script name, path, query) and replays it: a
``304`` when the client's ``If-None-Match`` holds its ETag, else the same ``200``. It keeps only what
``caching.answered`` marked as kept (a ``200`` whose body was kept, with no cookie set), and it leaves
to Flask every request whose answer could depend on anything outside that key:

- a method other than GET (HEAD, and every write);
- a session cookie (an editor signed in, a message waiting), or an ``Authorization`` header;
- a header the views read (``Accept-Datetime``) or that makes a request conditional or partial in a way
  the front does not judge (``If-Modified-Since`` without ``If-None-Match``, ``If-Match``, ``Range``);
- a NUL anywhere in the request's headers, which Flask refuses with a 400 naming the header;
- a view that is behind the log or stopped, whose answers say so and promise nothing.

On a miss, the position the front read is handed to Flask (``chronicle.at`` in the environ), so a
request still reads the log's head once. Entries share the bounded LRU of serialised bodies
(``chronicle_bodies``) and its bytes: clearing it clears both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.datastructures import Headers
from werkzeug.http import parse_etags, remove_entity_headers

AT = "chronicle.at"  # the (generation, position) the front read, for Flask's request to read at
KEPT = "chronicle.kept"  # set by caching.answered: (the position read at, the body kept) of a 200 it sent
LEFT_TO_FLASK = ("HTTP_AUTHORIZATION", "HTTP_ACCEPT_DATETIME", "HTTP_RANGE", "HTTP_IF_MATCH", "HTTP_IF_RANGE",
                 "HTTP_IF_UNMODIFIED_SINCE")


class AnswerFront:
    """Replays what Flask sent for a request, while the view stays at the position it was sent at."""

    def __init__(self, wsgi_app: Callable, flask_app: Any):
        self.wsgi_app = wsgi_app
        self.flask_app = flask_app
        self.static_prefix = f"{flask_app.static_url_path}/"

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        key = self._key(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        sent = self.flask_app.extensions["chronicle_bodies"].get(key)
        if sent is not None:
            return _resend(sent, environ, start_response)
        return self._answer(key, environ, start_response)

    def _key(self, environ: dict) -> tuple | None:
        """The request's key at the current position, or None for a request left to Flask."""
        if environ.get("REQUEST_METHOD") != "GET" or any(name in environ for name in LEFT_TO_FLASK):
            return None
        if environ.get("PATH_INFO", "").startswith(self.static_prefix):  # files: no answer, no head to read
            return None
        if "HTTP_IF_MODIFIED_SINCE" in environ and "HTTP_IF_NONE_MATCH" not in environ:
            return None
        cookie = environ.get("HTTP_COOKIE")
        if cookie and self.flask_app.config["SESSION_COOKIE_NAME"] in cookie:
            return None
        if any("\x00" in name or "\x00" in value for name, value in environ.items()
               if name.startswith("HTTP_") and isinstance(value, str)):
            return None
        chronicle = self.flask_app.extensions["chronicle"]
        if chronicle.behind or chronicle.projection.stopped:
            return None
        environ[AT] = at = chronicle.read_position()
        return _keyed(at, environ)

    def _answer(self, key: tuple, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Flask answers; what it sent is kept if the answer was marked as kept and sets no cookie."""
        sent: dict = {}

        def capture(status: str, headers: list, exc_info: Any = None) -> Callable:
            sent["status"], sent["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        body = self.wsgi_app(environ, capture)
        kept = environ.get(KEPT)
        headers = sent.get("headers") or []
        if kept and sent.get("status", "").startswith("200 ") and \
                not any(name.lower() == "set-cookie" for name, _ in headers):
            at, data = kept
            etag = next((value for name, value in headers if name.lower() == "etag"), None)
            if etag:
                self.flask_app.extensions["chronicle_bodies"].put(_keyed(at, environ), (data, list(headers), etag))
        return body


def _keyed(at: tuple, environ: dict) -> tuple:
    return ("sent", *at, environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST"), environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))


def _resend(sent: tuple, environ: dict, start_response: Callable) -> Iterable[bytes]:
    body, headers, etag = sent
    match = environ.get("HTTP_IF_NONE_MATCH")
    if match and parse_etags(match).contains_weak(etag.strip('"')):
        kept = Headers(headers)
        remove_entity_headers(kept)  # as werkzeug does for Flask's own 304s; Vary, ETag and Cache-Control stay
        start_response("304 NOT MODIFIED", kept.to_wsgi_list())
        return []
    start_response("200 OK", list(headers))
    return [body]
