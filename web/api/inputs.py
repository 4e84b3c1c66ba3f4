"""Reading a request: query arguments and JSON bodies through marshmallow, errors that name each field.

A body is parsed here, not by Flask: it must be JSON in UTF-8, nested at most :data:`MAX_DEPTH` deep
(arrays and objects), with no key repeated in an object (JSON leaves the meaning of a repeated key
open, and parsers differ on which one wins); anything else is a 400 naming where it is wrong.
"""

from __future__ import annotations

import json
from typing import Any

from flask import g, request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import UnsupportedMediaType

from chronicle_web.api import bp
from chronicle_web.errors import problem


class InvalidInput(Exception):
    """A body (422) or query (400) that its schema refused; ``errors`` names each field."""

    def __init__(self, status: int, errors: list[dict]):
        super().__init__("; ".join(f"{_named(e)}: {e['detail']}" for e in errors))
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
    data = body_json()
    try:
        return schema.load(data)
    except ValidationError as error:
        raise InvalidInput(422, [{"pointer": _pointer(path), "detail": message}
                                 for path, message in _flatten(error.messages)]) from None


# The deepest body the chronicle's own formats need is about 8 levels (a file's claim's event's figure's
# breakdown); 32 leaves room and keeps every later walk over the body far from Python's recursion limit.
MAX_DEPTH = 32


def body_json() -> Any:
    """The request's JSON body, parsed once: 415 if it is not application/json; 400 (naming the place) if it
    is not JSON in UTF-8, nests deeper than MAX_DEPTH, or repeats a key in an object."""
    if "body_json" in g:
        return g.body_json
    if not request.is_json:
        raise UnsupportedMediaType("send the body as application/json")
    try:
        data = json.loads(request.get_data(cache=True), object_pairs_hook=_Object, parse_constant=_no_constant)
    except RecursionError:
        raise _bad_body("#", f"the body nests deeper than {MAX_DEPTH} levels") from None
    except _NotJSON as error:
        raise _bad_body("#", str(error)) from None
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        raise _bad_body("#", "the body is not valid JSON (UTF-8 text)") from None
    _check_shape(data)
    g.body_json = data
    return data


class _NotJSON(ValueError):
    pass


def _no_constant(name: str) -> None:
    raise _NotJSON(f"{name} is not JSON (RFC 8259 has no NaN or Infinity): send a number")


class _Object(dict):
    """A JSON object that remembers the first key it was given twice."""

    repeated: str | None = None

    def __init__(self, pairs: list[tuple[str, Any]]):
        super().__init__(pairs)
        if len(self) < len(pairs):
            seen: set[str] = set()
            self.repeated = next(key for key, _ in pairs if key in seen or seen.add(key))


def _check_shape(data: Any) -> None:
    """Walk the body without recursion: refuse a repeated key or nesting past MAX_DEPTH (400), and a NUL
    in any key or text (422: well-formed JSON, but no store keeps it)."""
    stack: list[tuple[Any, tuple, int]] = [(data, (), 1)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str) and "\x00" in value:
            raise InvalidInput(422, [{"pointer": _pointer(path), "detail": "contains a NUL character (U+0000), "
                                                                         "which no store keeps"}])
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise _bad_body(_pointer(path), f"the body nests deeper than {MAX_DEPTH} levels")
        if isinstance(value, _Object) and value.repeated is not None:
            raise _bad_body(_pointer((*path, value.repeated)),
                            f"the key {value.repeated!r} is given more than once in this object")
        items = value.items() if isinstance(value, dict) else enumerate(value)
        stack.extend((child, (*path, key), depth + 1) for key, child in items)
        stack.extend((key, (*path, key), depth) for key in value if isinstance(value, dict) and "\x00" in key)


def _bad_body(pointer: str, detail: str) -> InvalidInput:
    return InvalidInput(400, [{"pointer": pointer, "detail": detail}])


def _named(error: dict) -> str:
    """What an error is about: a JSON pointer, a query parameter or a header."""
    for key in ("pointer", "parameter", "header"):
        if error.get(key) is not None:
            return error[key] or "#"
    return "request"


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
