"""Reading a request: query arguments and JSON bodies through marshmallow, errors that name each field."""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import UnsupportedMediaType

from chronicle_web.api import bp
from chronicle_web.errors import problem


class InvalidInput(Exception):
    """A body (422) or query (400) that its schema refused; ``errors`` names each field."""

    def __init__(self, status: int, errors: list[dict]):
        super().__init__("; ".join(f"{e.get('pointer') or e.get('parameter')}: {e['detail']}" for e in errors))
        self.status = status
        self.errors = errors


@bp.errorhandler(InvalidInput)
def invalid_input(error: InvalidInput):
    title = "Unprocessable Content" if error.status == 422 else "Bad Request"
    return problem(error.status, title, str(error), errors=error.errors)


def load_args(schema: Schema) -> dict:
    """The query string, validated; 400 names each bad parameter."""
    try:
        return schema.load(request.args.to_dict())
    except ValidationError as error:
        raise InvalidInput(400, [{"parameter": _dotted(path), "detail": message}
                                 for path, message in _flatten(error.messages)]) from None


def load_body(schema: Schema) -> Any:
    """The JSON body, validated; 415 if it is not JSON, 422 naming each field that is wrong."""
    if not request.is_json:
        raise UnsupportedMediaType("send the body as application/json")
    data = request.get_json(silent=True)
    if data is None:
        raise InvalidInput(400, [{"pointer": "", "detail": "the body is not valid JSON (UTF-8 text)"}])
    try:
        return schema.load(data)
    except ValidationError as error:
        raise InvalidInput(422, [{"pointer": _pointer(path), "detail": message}
                                 for path, message in _flatten(error.messages)]) from None


def _flatten(messages: Any, path: tuple = ()) -> list[tuple[tuple, str]]:
    """marshmallow's nested messages as (path, message) pairs; ``_schema`` means the object itself."""
    if isinstance(messages, dict):
        return [pair for key, value in messages.items()
                for pair in _flatten(value, path if key == "_schema" else (*path, key))]
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [(path, message) for message in messages]
    if isinstance(messages, list):
        return [pair for value in messages for pair in _flatten(value, path)]
    return [(path, str(messages))]


def _pointer(path: tuple) -> str:
    """An RFC 6901 JSON pointer in URI fragment form, as RFC 9457's example uses."""
    escaped = (str(part).replace("~", "~0").replace("/", "~1") for part in path)
    return "#/" + "/".join(escaped) if path else "#"


def _dotted(path: tuple) -> str:
    return ".".join(str(part) for part in path)
