"""Security on every request: where absolute URLs point, rate limits on signing in and on writes, and
the headers every response carries (a strict Content-Security-Policy and friends).

Absolute URLs (a TimeGate's ``Location``, Memento ``Link`` headers, Atom links, the API's next
links) are built from the request's scheme and host, and some are cached as immutable, so the
client's ``Host`` header must never choose them. They come from ``CHRONICLE_BASE_URL``; or, when
the operator says how many proxies stand in front (``CHRONICLE_TRUSTED_PROXIES``), from the
``X-Forwarded-*`` headers those proxies set (werkzeug's ``ProxyFix``); otherwise from the address the
server was given (the WSGI ``SERVER_NAME`` and ``SERVER_PORT``), never from ``Host``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, render_template, request
from flask_limiter import Limit, Limiter, RateLimitExceeded
from limits import parse_many
from limits.errors import StorageError
from werkzeug.middleware.proxy_fix import ProxyFix

from chronicle_web.errors import problem

STRICT = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
# Swagger UI sets style attributes from JavaScript; only its page allows inline styles.
API_DOCS = STRICT.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

# Each setting is read from the app's config, else the environment, else this default.
DEFAULTS = {
    "CHRONICLE_BASE_URL": "",
    "CHRONICLE_TRUSTED_PROXIES": "0",
    "CHRONICLE_RATE_LIMIT_SIGN_IN": "10 per minute",  # sign-in attempts per client address
    "CHRONICLE_RATE_LIMIT_WRITES": "120 per minute",  # writes per token (API and editor forms together)
    "CHRONICLE_RATE_LIMIT_STORAGE": "memory://",  # per process; redis://host:6379 to share between processes
}
WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")
NOT_WRITES = {"pages.sign_in", "pages.sign_out"}  # sign-in has a limit of its own; signing out is always allowed
WRITE_BLUEPRINTS = {"api", "pages"}


def add_headers(response: Response) -> Response:
    """Set the headers, keeping any a view chose itself."""
    policy = API_DOCS if request.path.rstrip("/").endswith("/api/v1/docs") else STRICT
    response.headers.setdefault("Content-Security-Policy", policy)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def register(app: Flask) -> None:
    for key, default in DEFAULTS.items():
        if app.config.get(key) in (None, ""):
            app.config[key] = os.environ.get(key) or default
    _serve_from_configured_origin(app)
    _limit_rates(app)
    app.after_request(add_headers)


# ----- where absolute URLs point


class BaseURL:
    """WSGI middleware: the scheme, host and path prefix of every request are the configured base URL's,
    whatever ``Host`` (or ``X-Forwarded-Host``) the client sent."""

    def __init__(self, app: Callable, base_url: str):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment \
                or parts.username or parts.password:
            raise ValueError(f"CHRONICLE_BASE_URL {base_url!r} is not a base URL such as "
                             "https://chronicle.example.org (a scheme, a host, an optional port and path)")
        self.app, self.scheme, self.host = app, parts.scheme, parts.netloc.lower()
        self.server_name = parts.hostname
        self.port = str(parts.port or (443 if parts.scheme == "https" else 80))
        self.prefix = parts.path.rstrip("/")

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        environ.update({"wsgi.url_scheme": self.scheme, "HTTP_HOST": self.host,
                        "SERVER_NAME": self.server_name, "SERVER_PORT": self.port})
        if self.prefix:
            path = environ.get("PATH_INFO", "")
            if path == self.prefix or path.startswith(self.prefix + "/"):  # a proxy that did not strip it
                environ["PATH_INFO"] = path[len(self.prefix):]
            environ["SCRIPT_NAME"] = self.prefix
        return self.app(environ, start_response)


class ServerHost:
    """WSGI middleware: the host of every request is the server's own address, not the client's ``Host``."""

    def __init__(self, app: Callable):
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        name, port = environ.get("SERVER_NAME") or "localhost", environ.get("SERVER_PORT") or ""
        if ":" in name and not name.startswith("["):
            name = f"[{name}]"  # an IPv6 address
        default = "443" if environ.get("wsgi.url_scheme") == "https" else "80"
        environ["HTTP_HOST"] = name if port in ("", default) else f"{name}:{port}"
        return self.app(environ, start_response)


def _serve_from_configured_origin(app: Flask) -> None:
    raw = str(app.config["CHRONICLE_TRUSTED_PROXIES"]).strip()
    if not raw.isdigit():
        raise ValueError(f"CHRONICLE_TRUSTED_PROXIES {raw!r} is not a number of proxies (0, 1, 2...)")
    proxies, base_url = int(raw), app.config["CHRONICLE_BASE_URL"]
    if base_url:
        app.wsgi_app = BaseURL(app.wsgi_app, base_url)
        if proxies:  # the base URL names the host; the proxies tell only the client's address
            app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=0, x_host=0, x_port=0, x_prefix=0)
    elif proxies:  # the host the proxies forward (X-Forwarded-Host), or without one the server's own
        app.wsgi_app = ServerHost(ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies,
                                           x_port=proxies, x_prefix=proxies))
    else:
        app.wsgi_app = ServerHost(app.wsgi_app)


# ----- rate limits


def _client() -> str:
    """The client's address (the proxies' X-Forwarded-For when CHRONICLE_TRUSTED_PROXIES trusts them)."""
    return f"address:{request.remote_addr or 'unknown'}"


def _writer() -> str:
    """Whose write this is: the name of the API's bearer token or of the signed-in editor's token, so that
    a token's API writes and editor forms count together; without a live token, the client's address."""
    if request.blueprint == "api":
        from chronicle_web.api.auth import presented_token

        token = presented_token()
        name = token.name if token is not None else None
    else:
        from chronicle_web.pages.auth import current_editor

        name = current_editor()
    return f"token:{name}" if name else _client()


def _not_a_write() -> bool:
    return request.blueprint not in WRITE_BLUEPRINTS or request.endpoint in NOT_WRITES


def _limit_rates(app: Flask) -> None:
    for key in ("CHRONICLE_RATE_LIMIT_SIGN_IN", "CHRONICLE_RATE_LIMIT_WRITES"):
        try:
            if not parse_many(app.config[key]):
                raise ValueError(app.config[key])
        except ValueError:
            raise ValueError(f"{key} {app.config[key]!r} is not a rate limit such as '120 per minute'") from None

    def configured(key: str) -> Callable[[], str]:
        return lambda: current_app.config[key]

    limits = [
        Limit(configured("CHRONICLE_RATE_LIMIT_SIGN_IN"), key_function=_client, scope="sign-in", shared=True,
              methods=["POST"], exempt_when=lambda: request.endpoint != "pages.sign_in"),
        Limit(configured("CHRONICLE_RATE_LIMIT_WRITES"), key_function=_writer, scope="writes", shared=True,
              methods=list(WRITE_METHODS), exempt_when=_not_a_write),
    ]
    limiter = Limiter(_client, app=app, default_limits=limits, strategy="moving-window",
                      storage_uri=app.config["CHRONICLE_RATE_LIMIT_STORAGE"], key_prefix="chronicle",
                      storage_options={"wrap_exceptions": True})
    app.extensions["chronicle_limiter"] = limiter

    @limiter.request_filter
    def a_read() -> bool:
        """Reads are never limited (every limit is on a write or a sign-in): skip the limiter's work for them."""
        return request.method in ("GET", "HEAD")

    @app.errorhandler(RateLimitExceeded)
    def too_many(error: RateLimitExceeded):
        """429 with Retry-After: a problem under /api, the error page elsewhere."""
        hit = limiter.current_limit
        wait = max(1, int(hit.reset_at - time.time())) if hit is not None else 60
        detail = f"at most {error.description}; try again in {wait} seconds"
        if request.path.startswith("/api/"):
            response = problem(429, "Too Many Requests", detail)
        else:
            page = render_template("error.html", status=429, title="Too many tries", detail=detail.capitalize())
            response = app.make_response((page, 429))
        response.headers["Retry-After"] = str(wait)
        return response

    @app.errorhandler(StorageError)
    def limits_unknown(error: StorageError):
        """A shared rate-limit store that cannot be reached: 503, never unlimited and never a 500."""
        detail = f"the rate limits cannot be counted now ({type(error.storage_error).__name__}); try again"
        if request.path.startswith("/api/"):
            response = problem(503, "The store cannot answer now", detail)
        else:
            page = render_template("error.html", status=503, title="The store cannot answer now", detail=detail)
            response = app.make_response((page, 503))
        response.headers["Retry-After"] = "5"
        return response
