"""An output schema's compiled dump (chronicle/compiled_dumps.py) gives what marshmallow's own dump gives,
for every output schema of the chronicle and the API, on objects of any shape: keys missing, values of
the wrong type, None, nested lists, and objects that are not dicts."""

from __future__ import annotations

import inspect
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import Schema, fields

from chronicle import schemas
from chronicle.compiled_dumps import compiled
from chronicle_web.api import schemas as api

OUT_SCHEMAS = sorted({cls for module in (schemas, api) for _, cls in inspect.getmembers(module, inspect.isclass)
                      if issubclass(cls, schemas.Out) and cls is not schemas.Out}, key=lambda cls: cls.__name__)

SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=False),
                   st.text(max_size=12), st.binary(max_size=4))
ANY = st.recursive(SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                   st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                   max_leaves=8)


def shaped(schema: Schema, depth: int = 0) -> st.SearchStrategy:
    """Dicts with some of the schema's keys, each value mostly of the field's shape, sometimes anything."""
    values = {}
    for name, field in schema.dump_fields.items():
        values[field.attribute or name] = st.one_of(_value(field, depth), ANY)
    return st.fixed_dictionaries({}, optional=values)


def _value(field: fields.Field, depth: int) -> st.SearchStrategy:
    if isinstance(field, fields.Nested) and depth < 3:
        one = shaped(field.schema, depth + 1)
        return st.lists(one, max_size=3) if field.many else one
    if isinstance(field, fields.List):
        return st.lists(_value(field.inner, depth), max_size=3)
    if isinstance(field, fields.String):
        return st.text(max_size=20)
    if isinstance(field, fields.Integer | fields.Number):
        return st.integers(-10**6, 10**6)
    if isinstance(field, fields.Boolean):
        return st.booleans()
    return ANY


def _outcome(dump, obj):
    try:
        dumped = dump(obj)
    except Exception as error:  # noqa: BLE001 - both must fail alike where marshmallow fails
        return "refused", type(error)
    # A field read from a non-dict's attribute dumps a bound method's text, whose address differs from
    # one read to the next (marshmallow's own two dumps of it differ): compared without the address.
    return "dumped", re.sub(r" at 0x[0-9a-f]+", " at 0x", repr(dumped))


@pytest.mark.parametrize("schema_class", OUT_SCHEMAS, ids=lambda cls: cls.__name__)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_compiled_dump_gives_what_marshmallow_gives(schema_class, data):
    schema = schema_class()
    obj = data.draw(st.one_of(shaped(schema), ANY))
    expected = _outcome(schema.dump, obj)
    assert _outcome(compiled(schema), obj) == expected
    assert _outcome(api.shared(schema_class).dump, obj) == expected  # the API's instance, its dump replaced
