"""Signing editors in with their access tokens, and the CSRF check on every form.

The session (a cookie signed with the app's secret key) holds the token's name and a random
session id, never the secret; the token store keeps the id's hash beside the token's, so a session lives on the server:
signing out ends it (a copy of the cookie taken before opens nothing after), and revoking the
token ends all of its sessions at once. Every POST to a page carries a CSRF token derived from a
per-session nonce, so another site cannot submit our forms in an editor's name.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import unicodedata
from collections.abc import Callable
from functools import wraps
from typing import Any

import psycopg
from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from werkzeug.urls import iri_to_uri

from chronicle_web.context import tokens
from chronicle_web.pages import bp

CSRF_FIELD = "csrf_token"


class SessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions whose cookie is marked Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Any) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


@bp.record_once
def _use_session_interface(state: Any) -> None:
    state.app.session_interface = SessionInterface()


def csrf_token() -> str:
    """This session's CSRF token (made with the session's first form)."""
    nonce = session.setdefault("csrf_nonce", secrets.token_urlsafe(24))
    return hmac.new(current_app.secret_key.encode(), nonce.encode(), hashlib.sha256).hexdigest()


@bp.before_request
def _check_csrf() -> None:
    if request.method == "POST":
        sent = request.form.get(CSRF_FIELD, "")
        if "csrf_nonce" not in session or not hmac.compare_digest(sent, csrf_token()):
            abort(400, "This form has expired or did not come from this site. Go back, reload the page and try again.")


@bp.app_context_processor
def _editor_context() -> dict:
    return {"signed_in_as": _shown_editor(), "csrf_token": csrf_token, "csrf_field": CSRF_FIELD}


def _shown_editor() -> str | None:
    """Who the page header says is signed in. While the token store cannot answer (a page saying so),
    nobody: every write still asks the store itself, and gets the 503."""
    try:
        return current_editor()
    except (sqlite3.Error, psycopg.Error):
        return None


def current_editor() -> str | None:
    """The signed-in editor's token name, while the session is live on the server and its token may write."""
    if "editor_token" not in g:
        token = tokens().session(session.get("sid"))
        g.editor_token = token if token is not None and not token.read_only else None
    return g.editor_token.name if g.editor_token is not None else None


def editor_required(view: Callable) -> Callable:
    """Send a visitor who is not signed in (or whose token was revoked) to the sign-in page."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if current_editor() is None:
            session.pop("sid", None)
            session.pop("editor", None)
            flash("Sign in with a writing token to edit the chronicle.")
            return redirect(url_for("pages.sign_in", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return guarded


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Sign in with an access token (``chronicle token create --name NAME`` prints one)."""
    target = _local(request.values.get("next"))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        token = tokens().verify(request.form.get("token", "").strip())
        if token is None:
            errors["token"] = ["No such token, or it was revoked. Ask for a new one."]
        elif token.read_only:
            errors["token"] = ["This token may only read; editing needs a writing token."]
        else:
            session.clear()  # a new session (and CSRF nonce) with every sign-in
            session.update(editor=token.name,  # for reading only: the session id alone signs in
                           sid=tokens().open_session(request.form.get("token", "").strip()))
            g.pop("editor_token", None)
            flash(f"Signed in as {token.name}. Your edits are recorded as editor:{token.name}.")
            return redirect(target or url_for("pages.index"))
    status = 400 if errors else 200
    return render_template("pages/sign_in.html", errors=errors, next=target), status


@bp.post("/sign-out")
def sign_out():
    tokens().end_session(session.get("sid"))
    session.clear()
    g.pop("editor_token", None)
    flash("Signed out.")
    return redirect(url_for("pages.index"))


def _local(target: str | None) -> str | None:
    """Only a path on this site is a safe place to return to after signing in: one that starts with a
    single "/", holds no backslash (browsers read it as "/") and no control or invisible character
    (browsers drop tabs and newlines, so "/\\t/evil.example" would become "//evil.example", and a
    newline would end the Location header). Anything else returns to the home page."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in target):
        return None
    uri = iri_to_uri(target)  # a non-ASCII path or query, percent-encoded for the Location header
    return uri if uri.isascii() and uri.isprintable() and " " not in uri else None
