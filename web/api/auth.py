"""Bearer tokens for writes: 401 without a valid one, 403 for a read-only one; writes carry its name."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import request
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


def _token() -> Token:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("this needs a token: send Authorization: Bearer <token> "
                           "(make one with `chronicle token create --name NAME`)",
                           www_authenticate=WWWAuthenticate("bearer", {"realm": "chronicle"}))
    token = tokens().verify(secret.strip())
    if token is None:
        raise Unauthorized("the token is unknown or revoked",
                           www_authenticate=WWWAuthenticate("bearer", {"realm": "chronicle", "error": "invalid_token"}))
    return token
