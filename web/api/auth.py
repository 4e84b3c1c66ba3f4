"""Bearer tokens for writes: 401 without a valid one, 403 for a read-only one; writes carry its name."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, Unauthorized

from chronicle.tokens import Token
from chronicle_web.context import chronicle, tokens


def writer(view: Callable) -> Callable:
    """Let only a write token through, and stamp every event recorded inside with ``token:<name>``."""
    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        token = _token()
        if token.read_only:
            raise Forbidden(f"token {token.name!r} is read-only")
        with chronicle().editing_as(f"token:{token.name}"):
            return view(*args, **kwargs)
    return guarded


def presented_token() -> Token | None:
    """The live token whose secret the request's bearer header carries, looked up once per request
    (the rate limits key writes by it); a revoked token is None from the moment it is revoked."""
    if "api_token" not in g:
        g.api_token = tokens().verify(_secret()) if _secret() else None
    return g.api_token


def _secret() -> str:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def _token() -> Token:
    if not _secret():
        raise Unauthorized("this needs a token: send Authorization: Bearer <token> "
                           "(make one with `chronicle token create --name NAME`)",
                           www_authenticate=WWWAuthenticate("bearer", {"realm": "chronicle"}))
    token = presented_token()
    if token is None:
        raise Unauthorized("the token is unknown or revoked",
                           www_authenticate=WWWAuthenticate("bearer", {"realm": "chronicle", "error": "invalid_token"}))
    return token
