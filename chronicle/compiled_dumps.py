"""Dumping an answer through its output schema at a fraction of marshmallow's cost, to the same result.

``Schema.dump`` serialises each field of each object through accessors, hooks and the field's own
``serialize``: for a narrative of a few dozen claims that is most of an API request's time. The output
schemas (``chronicle.schemas.Out``) are plain: strings, numbers, booleans, dicts, lists and nested
schemas of the same, read from dicts. So a schema is compiled once into a list of (key, attribute,
converter), written out as one Python function per schema, the converters doing what each field's
``_serialize`` does (and no more work than needed when the value already has the type marshmallow
would give it).

The schema stays the contract: anything the compiler does not know how to do faster is done by
marshmallow itself (a schema with dump hooks, a field read from a dotted attribute or not read at all,
an object that is not a dict, a field type it does not know, whose own ``_serialize`` is then called).
tests/unit/test_compiled_dumps.py checks on generated answers that both give equal results.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, fields
from marshmallow.utils import missing

from chronicle.schemas import FuzzyDateField, NumberOut

MISSING = object()
DICT_ATTRIBUTES = frozenset(dir(dict))  # marshmallow reads the attribute of a key a dict lacks
Converter = Callable[[Any, Any], Any] | None  # (value, the object it was read from) -> dumped; None: as it is


def compiled(schema: Schema) -> Callable[..., Any]:
    """A function that dumps like ``schema.dump(obj, many=None)``."""
    one = _compile(schema)

    def dump(obj: Any, *, many: bool | None = None) -> Any:
        if schema.many if many is None else many:
            return [one(item) for item in obj]
        return one(obj)

    return dump


def _compile(schema: Schema) -> Callable[[Any], Any]:
    by_marshmallow = type(schema).dump.__get__(schema)  # the class's own dump, even where shared() replaced it

    def dumped_by_marshmallow(obj: Any) -> Any:
        return by_marshmallow(obj, many=False)

    if schema._hooks["pre_dump"] or schema._hooks["post_dump"]:
        return dumped_by_marshmallow
    names: dict[str, Any] = {"MISSING": MISSING, "by_marshmallow": by_marshmallow}
    lines = ["def dump_one(obj):",
             "    if type(obj) is not dict:",
             "        return by_marshmallow(obj, many=False)",
             "    out = {}",
             "    get = obj.get"]
    for number, (name, field) in enumerate(schema.dump_fields.items()):
        attribute = field.attribute or name
        if not field._CHECK_ATTRIBUTE or "." in attribute:
            return dumped_by_marshmallow
        key = field.data_key if field.data_key is not None else name
        lines.extend(_field_lines(number, key, attribute, field, names))
    lines.append("    return out")
    exec("\n".join(lines), names)  # noqa: S102 - source built above from the schema's own field names, as repr()s
    return names["dump_one"]


def _field_lines(number: int, key: str, attribute: str, field: fields.Field, names: dict) -> list[str]:
    """The statements that read one field's value from ``obj`` and write it dumped to ``out``."""
    convert = _converter(field, attribute)
    lines = [f"    value = get({attribute!r}, MISSING)"]
    if attribute in DICT_ATTRIBUTES:  # as marshmallow reads a key a dict lacks: its attribute
        lines += ["    if value is MISSING:", f"        value = getattr(obj, {attribute!r}, MISSING)"]
    if field.dump_default is missing:
        lines.append("    if value is not MISSING:")
    else:
        names[f"d{number}"] = field.dump_default
        lines += ["    if value is MISSING:", f"        value = d{number}() if callable(d{number}) else d{number}",
                  "    if True:"]
    names[f"c{number}"] = convert
    if convert is None:
        dumped = "value"
    elif type(field) is fields.String:
        dumped = f"value if value is None or type(value) is str else c{number}(value, obj)"
    else:
        dumped = f"c{number}(value, obj)"
    lines.append(f"        out[{key!r}] = {dumped}")
    return lines


def _converter(field: fields.Field, attribute: str) -> Converter:
    kind = type(field)
    if kind in (NumberOut, FuzzyDateField, fields.Raw):  # their _serialize returns the value as it is
        return None
    if kind is fields.String:
        return lambda value, obj: value if value is None or type(value) is str else field._serialize(value, attribute, obj)
    if kind is fields.Integer and not field.as_string:
        return lambda value, obj: value if value is None or type(value) is int else field._serialize(value, attribute, obj)
    if kind is fields.Boolean:
        return lambda value, obj: value if value is None or value is True or value is False else \
            field._serialize(value, attribute, obj)
    if kind is fields.Dict and field.key_field is None and field.value_field is None:
        return lambda value, obj: None if value is None else dict(value)
    if kind is fields.Nested and not field.only and not field.exclude:
        return _nested(field)
    if kind is fields.List:
        return _listed(field, attribute)
    return lambda value, obj: field._serialize(value, attribute, obj)


def _nested(field: fields.Nested) -> Converter:
    compiled_one: list = []  # compiled on first use: a nested schema may name one defined later

    def convert(value: Any, obj: Any) -> Any:
        if value is None:
            return None
        if not compiled_one:
            compiled_one.append(_compile(field.schema))
        one = compiled_one[0]
        return [one(item) for item in value] if field.schema.many or field.many else one(value)

    return convert


def _listed(field: fields.List, attribute: str) -> Converter:
    inner = _converter(field.inner, attribute)
    if inner is None:
        return lambda value, obj: None if value is None else list(value)
    return lambda value, obj: None if value is None else [inner(item, obj) for item in value]
