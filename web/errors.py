"""Errors as RFC 9457 problem details under /api, as pages elsewhere."""

from __future__ import annotations

import sqlite3

import psycopg
from flask import Flask, current_app, jsonify, render_template, request
from marshmallow import fields
from werkzeug.exceptions import HTTPException

from chronicle.application import (ConcurrentWriteError, DuplicateEntryError, InvalidQueryError,
                                   StaleVersionError, StoreUnavailableError, UnknownEntryError, ViewStoppedError)
from chronicle.domain import ChronicleError
from chronicle.schemas import Out

STATUS_OF = {UnknownEntryError: 404, InvalidQueryError: 400, StaleVersionError: 412,
             DuplicateEntryError: 409, ConcurrentWriteError: 409, ViewStoppedError: 503, StoreUnavailableError: 503}


class ProblemFieldOut(Out):
    pointer = fields.String(metadata={"description": "JSON pointer into the request body"})
    parameter = fields.String(metadata={"description": "the query parameter (or the path's part)"})
    header = fields.String(metadata={"description": "the request header"})
    detail = fields.String()


class StoryLinkOut(Out):
    slug = fields.String()
    title = fields.String()
    url = fields.String(metadata={"description": "where the question lives in this story"})


class ProblemOut(Out):
    """RFC 9457 problem details."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.List(fields.Nested(ProblemFieldOut), metadata={"description": "each field that is wrong"})
    stories = fields.List(fields.Nested(StoryLinkOut), metadata={
        "description": "an old URL that names no story, asked of a chronicle of several: each story's URL"})


def problem(status: int, title: str, detail: str | None = None, **extra):
    """An application/problem+json response."""
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = jsonify(ProblemOut().dump(body))
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def nul_in_request() -> tuple[str, str] | None:
    """Where a NUL (U+0000, ``%00``) is in the request's path, query or headers: (field kind, its name)."""
    if "\x00" in request.path:
        named = next((name for name, value in (request.view_args or {}).items()
                      if isinstance(value, str) and "\x00" in value), None)
        return "parameter", named or "path"
    for name, value in request.args.items(multi=True):
        if "\x00" in name or "\x00" in value:
            return "parameter", name
    for name, value in request.headers.items():
        if "\x00" in name or "\x00" in value:
            return "header", name
    return None


def refuse_nul():
    """Before any view: a NUL anywhere in the path, the query or a header is a 400 naming where. No name
    or question in the chronicle can hold one (PostgreSQL's text cannot), so none can be looked up."""
    found = nul_in_request()
    if found is None:
        return None
    kind, name = found
    what = "the path" if name == "path" else f"the header {name!r}" if kind == "header" else f"the parameter {name!r}"
    detail = f"{what} contains a NUL character (U+0000, %00), which no name or question in the chronicle can hold"
    if request.path.startswith("/api/"):
        return problem(400, "Bad Request", detail, errors=[{kind: name, "detail": "contains a NUL character (U+0000)"}])
    return render_template("error.html", status=400, title="Bad Request", detail=detail), 400


def busy(slots: int):
    """503 at once, with Retry-After: the process already runs as many expensive requests as it allows."""
    title = "Too many expensive requests at once"
    detail = (f"this server answers {slots} expensive requests (exports, feeds, search, the everyone lens) at a time "
              "and all are taken; try again in a moment, or ask a narrower question (one lens, a page)")
    if request.path.startswith("/api/"):
        response = problem(503, title, detail)
    else:
        response = current_app.make_response((render_template("error.html", status=503, title=title,
                                                              detail=detail), 503))
    response.headers["Retry-After"] = "2"
    return response


def register(app: Flask) -> None:
    app.before_request(refuse_nul)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if request.path.startswith("/api/"):
            response = problem(error.code or 500, error.name, error.description)
            for header in ("Allow", "WWW-Authenticate"):
                if error.get_response().headers.get(header):
                    response.headers[header] = error.get_response().headers[header]
            return response
        return render_template("error.html", status=error.code, title=error.name,
                               detail=error.description), error.code

    @app.errorhandler(ChronicleError)
    def chronicle_error(error: ChronicleError):
        status = next((code for kind, code in STATUS_OF.items() if isinstance(error, kind)), 422)
        if request.path.startswith("/api/"):
            return problem(status, type(error).__doc__.strip().rstrip("."), str(error))
        return render_template("error.html", status=status, title="That did not work", detail=str(error)), status

    @app.errorhandler(sqlite3.OperationalError)
    @app.errorhandler(psycopg.OperationalError)
    def store_error(error: Exception):
        """A read cut off at its deadline, or a store that cannot be reached: 503, never a 500."""
        timed_out = isinstance(error, psycopg.errors.QueryCanceled) or "interrupted" in str(error)
        title = "The question took too long" if timed_out else "The store cannot answer now"
        detail = (f"it was stopped after {app.config['CHRONICLE_QUERY_TIMEOUT']:g} seconds; ask a narrower question "
                  "(one lens, a page) or try again" if timed_out else f"{type(error).__name__}: {error}")
        if request.path.startswith("/api/"):
            response = problem(503, title, detail)
        else:
            response = app.make_response((render_template("error.html", status=503, title=title, detail=detail), 503))
        response.headers["Retry-After"] = "5"
        return response
