"""Hypothesis strategies derived from the marshmallow schemas: what the outside world can send.

``from_schema(Schema)`` walks a schema's fields and their validators (lengths, ranges, patterns,
choices) and draws dicts of the shape the schema describes, with values anywhere in what it
accepts and, now and then, just outside it (too long, out of range, the wrong type), so that a
test can ask both "is every accepted input served?" and "is every refused one refused cleanly?".
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import strategies as st
from marshmallow import Schema, fields, validate

from chronicle.figures import LIMIT
from chronicle.schemas import FuzzyDateField, Number

# Unicode that breaks naive code: right-to-left marks, combining accents, Cyrillic, emoji, markup.
ODD = st.sampled_from(["\u200f", "\u0301", "Қ", "Ж", "😀", "<script>", "&amp;", "'", '"', "\\", "\n", "\t", " "])
def mostly(valid: st.SearchStrategy, invalid: st.SearchStrategy) -> st.SearchStrategy:
    """Most draws from what a schema accepts, one in thirty from just outside it: a record has many
    fields, and one refused field refuses it whole."""
    return st.sampled_from([False] * 29 + [True]).flatmap(lambda outside: invalid if outside else valid)


TEXT = st.one_of(st.text(min_size=1, max_size=40), st.lists(ODD, min_size=1, max_size=6).map("".join))
NUMBER = mostly(st.one_of(st.integers(-10**6, 10**6), st.integers(-LIMIT, LIMIT),
                          st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False),
                          st.sampled_from([0, -0.0, 0.5, LIMIT, -LIMIT])),
                st.sampled_from([LIMIT + 1, 9.3e18, 1e20, 1e308, 2**63, -1e20, True, "7"]))
DATES = mostly(st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.isoformat()[:7]),
    st.dates().map(lambda d: f"{d.isoformat()}~"), st.dates().map(lambda d: f"{d.isoformat()}?"),
    st.tuples(st.dates(), st.dates()).map(lambda p: f"{min(p).isoformat()}/{max(p).isoformat()}"),
), st.sampled_from(["2022-02-31", "2022-13-01", "0000-01-01", "٢٠٢٢-01-01", "2022-01-01\n", "", "soon"]))


def date_values() -> st.SearchStrategy:
    """A fuzzy date as a file gives it: EDTF text, or the object with a part of day and a note."""
    parts = st.sampled_from([None, "night", "early-morning", "morning", "afternoon", "evening", "teatime"])
    return st.one_of(DATES, st.fixed_dictionaries({"date": DATES}, optional={"part_of_day": parts,
                                                                           "note": st.none() | TEXT}))


def _text(field: fields.Field) -> st.SearchStrategy:
    for check in _validators(field):
        if isinstance(check, validate.Regexp):
            pattern = check.regex.pattern if isinstance(check.regex, re.Pattern) else check.regex
            return mostly(st.from_regex(pattern, fullmatch=True), TEXT)
        if isinstance(check, validate.OneOf):
            return mostly(st.sampled_from(sorted(check.choices)), TEXT)
        if isinstance(check, validate.Length):
            low, high = check.min or 0, check.max or 200
            return mostly(st.one_of(st.text(min_size=max(low, 1), max_size=min(high, 60)), TEXT),
                          st.just("x" * (high + 1)) if check.max else st.just(""))
    return TEXT


def _validators(field: fields.Field) -> list:
    return list(getattr(field, "validators", []) or [])


def for_field(field: fields.Field) -> st.SearchStrategy:
    """Values of one field, mostly of its type."""
    if isinstance(field, fields.Nested):
        inner = field.nested() if callable(field.nested) and not isinstance(field.nested, Schema) else field.nested
        schema = inner if isinstance(inner, Schema) else inner()
        return from_schema(type(schema)) if not field.many else st.lists(from_schema(type(schema)), max_size=3)
    if isinstance(field, fields.List):
        low = min((c.min or 0 for c in _validators(field) if isinstance(c, validate.Length)), default=0)
        return st.lists(for_field(field.inner), min_size=low, max_size=max(low, 3))
    if isinstance(field, FuzzyDateField):
        return date_values()
    if isinstance(field, Number | fields.Float | fields.Integer):
        return NUMBER
    if isinstance(field, fields.Boolean):
        return st.booleans()
    if isinstance(field, fields.Url):
        return mostly(st.sampled_from(["https://example.org/a", "http://example.org/b?c=d"]), TEXT)
    if isinstance(field, fields.Dict):
        return st.dictionaries(st.sampled_from(["text", "quote", "note", "figure", "x"]), TEXT, max_size=2)
    if isinstance(field, fields.String):
        return _text(field)
    return st.one_of(TEXT, NUMBER)


@st.composite
def from_schema(draw, schema_class: type[Schema], overrides: dict | None = None) -> dict:
    """A dict with the schema's required fields and some of its optional ones (None where allowed)."""
    overrides = overrides or {}
    record = {}
    for name, field in schema_class().fields.items():
        key = field.data_key or name
        value = overrides.get(key, for_field(field))
        if field.required or draw(st.integers(0, 3)) == 0:
            record[key] = draw(st.none()) if field.allow_none and draw(st.integers(0, 5)) == 0 else draw(value)
    return record


def anything() -> st.SearchStrategy[Any]:
    """Any JSON value, nested a little."""
    return st.recursive(st.none() | st.booleans() | NUMBER | TEXT,
                        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
                        max_leaves=8)
