"""The API's JSON encoder (web/json_provider.py) writes the values Flask's own provider writes, for any
JSON value an answer can hold: text in any script, integers past 64 bits, dates, nested lists and maps."""

from __future__ import annotations

import datetime
import json
import uuid

from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from chronicle_web.json_provider import OrjsonProvider

VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2**80, 2**80), st.floats(allow_nan=False, allow_infinity=False),
              st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=20)


def _apps() -> tuple[Flask, Flask]:
    ours, flasks = Flask("ours"), Flask("flasks")
    ours.json = OrjsonProvider(ours)
    for app in (ours, flasks):
        app.json.sort_keys = False
    return ours, flasks


OURS, FLASKS = _apps()


def _sent(app: Flask, value) -> object:
    with app.app_context():
        response = app.json.response(value)
    assert response.mimetype == "application/json" and response.get_data().endswith(b"\n")
    return json.loads(response.get_data())


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_every_json_value_is_written_as_flask_writes_it(value):
    assert _sent(OURS, value) == _sent(FLASKS, value)


def test_text_is_utf8_and_key_order_is_kept():
    with OURS.app_context():
        body = OURS.json.response({"z": "Тоқаев", "a": 1}).get_data()
    assert body == '{"z":"Тоқаев","a":1}\n'.encode()


def test_what_flask_turns_into_text_is_turned_alike():
    value = {"day": datetime.date(2022, 1, 5), "at": datetime.datetime(2022, 1, 5, 12, 30),
             "id": uuid.UUID(int=7), "big": 2**70}
    assert _sent(OURS, value) == _sent(FLASKS, value)
