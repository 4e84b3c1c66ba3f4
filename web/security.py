"""Security headers on every response: a strict Content-Security-Policy and friends."""

from __future__ import annotations

from flask import Flask, Response, request

STRICT = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
# Swagger UI sets style attributes from JavaScript; only its page allows inline styles.
API_DOCS = STRICT.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


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
    app.after_request(add_headers)
