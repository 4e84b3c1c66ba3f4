"""Errors as RFC 9457 problem details under /api, as pages elsewhere."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from marshmallow import fields
from werkzeug.exceptions import HTTPException

from chronicle.application import (ConcurrentWriteError, DuplicateEntryError, InvalidQueryError,
                                   StaleVersionError, UnknownEntryError)
from chronicle.domain import ChronicleError
from chronicle.schemas import Out

STATUS_OF = {UnknownEntryError: 404, InvalidQueryError: 400, StaleVersionError: 412,
             DuplicateEntryError: 409, ConcurrentWriteError: 409}


class ProblemFieldOut(Out):
    pointer = fields.String(metadata={"description": "JSON pointer into the request body"})
    parameter = fields.String(metadata={"description": "the query parameter"})
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


def register(app: Flask) -> None:
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
