"""Signing editors in with their access tokens, and the CSRF check on every form.

The session (a cookie signed with the app's secret key) holds only the token's name and
whether it may write, never the secret. Every POST to a page carries a CSRF token derived
from a per-session nonce, so another site cannot submit our forms in an editor's name.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface

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
    return {"signed_in_as": session.get("editor"), "csrf_token": csrf_token, "csrf_field": CSRF_FIELD}


def current_editor() -> str | None:
    """The signed-in editor's token name, if that token may still write."""
    name = session.get("editor")
    if not name or not session.get("may_write"):
        return None
    if not any(t.name == name and t.revoked_at is None and not t.read_only for t in tokens().all()):
        return None
    return name


def editor_required(view: Callable) -> Callable:
    """Send a visitor who is not signed in (or whose token was revoked) to the sign-in page."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if current_editor() is None:
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
            session.clear()
            session.update(editor=token.name, may_write=True)
            flash(f"Signed in as {token.name}. Your edits are recorded as editor:{token.name}.")
            return redirect(target or url_for("pages.index"))
    status = 400 if errors else 200
    return render_template("pages/sign_in.html", errors=errors, next=target), status


@bp.post("/sign-out")
def sign_out():
    session.clear()
    flash("Signed out.")
    return redirect(url_for("pages.index"))


def _local(target: str | None) -> str | None:
    """Only a path on this site is a safe place to return to after signing in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None
