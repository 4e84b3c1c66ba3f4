"""Schemathesis drives every operation in our OpenAPI document, with and without a token.

No request may get a 5xx, and no response may break the status codes, content types and
schemas the document promises. The app runs in-process on real SQLite files (on PostgreSQL with
FUZZ_STORE=postgresql) with the Kazakhstan fixture loaded. HYPOTHESIS_PROFILE=thorough sends many
more requests.

Besides what schemathesis makes from the schemas, hooks (``flatmap_*``, schemathesis 4) put hostile
values into generated requests: a path part, a query value, a header or a body field becomes a
boundary number (0, -1, 2**31, 2**63, 10**100, 1e308, NaN, infinity...), text with right-to-left
marks, combining characters, Cyrillic, emoji, NUL or other control characters, or a body value
nested 33 to 150 levels deep; path parts are often real ones (the fixture's story, lenses,
topics, claims) so that the hostile value reaches the code behind "no such story", and the TimeGate
and the claim writes get impossible HTTP-dates and entity-tags. The run writes how many requests
it sent, how many carried a hostile value, and how many got a 5xx, to artifacts/fuzz-requests.txt.
"""

from __future__ import annotations

import os
import unicodedata
import uuid
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.checks import not_a_server_error

from chronicle.bootstrap import open_chronicle, open_tokens
from chronicle.config import Settings
from chronicle.loader import load_chronicle
from chronicle_web import create_app
from tests.conftest import KAZAKHSTAN, TEST_DATABASE_URL, drop_schemas

EXAMPLES = 400 if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else 15
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SENT = {"requests": 0, "hostile": 0, "5xx": 0}

# ----- hostile values, put into generated requests by schemathesis's hooks

TEXTS = ["\u200f\u05e9\u05dc\u05d5\u05dd", "\u202eevil\u202c", "e\u0301\u0302\u0303\u0304", "Қазақстан", "Мәскеу",
         "😀👩‍👩‍👧\U0001f1f0\U0001f1ff", "a\x00b", "\x00", "\x01\x1f\x7f", "\ufeff", "\ud7ff\ue000\U0010fffd", "ﷺ",
         "\u2028", " ", "", "9" * 5000, "-0", "1e999", "0x10", "٣", "２０２２-01-09", "../../etc", "%00", "{}", "[]",
         "²", '"²"',
         '"' + "9" * 5000 + '"', "4", "Fri, 99 Jan 2022 18:00:00 GMT", "Mon, 31 Feb 2022 25:00:00 GMT",
         "0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59"]
NUMBERS = [0, -1, 1, 2**31 - 1, 2**31, -2**31 - 1, 2**53 + 1, 2**63 - 1, 2**63, -2**63 - 1, 2**64, 10**100,
           1e308, -1e308, 5e-324, -0.0, 0.1]
# JSON has no NaN or infinity (the client refuses to send them in a body): they go in the query and path.
NOT_JSON = [float("inf"), float("-inf"), float("nan")]
HOSTILE = st.sampled_from(TEXTS) | st.sampled_from(NUMBERS) | st.text(
    st.characters(codec="utf-8", categories=["Cc", "Cf", "Mn", "Zs", "So", "Lo"]), min_size=1, max_size=12)
IN_URL = HOSTILE | st.sampled_from(NOT_JSON)


def nested(value: object, depth: int) -> object:
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


# Deeper bodies (1,000 and 100,000 levels) are sent as raw text by tests/integration/test_api_robustness.py:
# schemathesis and the HTTP client walk a body recursively, so through them 150 levels is about the most.
BODY_VALUES = HOSTILE | st.builds(nested, HOSTILE, st.sampled_from([33, 40, 150]))


def _replace_one(values: dict | None, strategy: st.SearchStrategy, as_text: bool = False) -> st.SearchStrategy:
    """The values unchanged, or with one of them made hostile."""
    if not isinstance(values, dict) or not values:
        return st.just(values)
    value = strategy.map(str) if as_text else strategy
    changed = st.tuples(st.sampled_from(sorted(values)), value).map(lambda pair: {**values, pair[0]: pair[1]})
    return st.one_of(st.just(values), changed)


def _header_text(value: object) -> str:
    """A header as a client sends it: UTF-8 bytes, which WSGI reads as Latin-1 (without line breaks or
    leading blanks, which the HTTP client refuses to send)."""
    text = str(value).encode("utf-8", "surrogatepass").decode("latin-1")
    return text.replace("\r", "").replace("\n", "").lstrip()


# Path parts that exist in the fixture, so that requests get past "no such story" to the code behind it.
REAL = {"story": ["kazakhstan-2022"], "lens": ["official", "everyone", "tokayev", "official,protesters"],
        "topic": ["death-toll", "injured"], "claim": ["prosecutor-death-toll", "ministry-toll-164"],
        "name": ["tokayev", "Kassym-Zhomart Tokayev"], "day": ["2022-01-07"], "instant": ["2026-01-01T00:00:00Z"]}


@schemathesis.hook("flatmap_path_parameters")
def hostile_path(context, path_parameters):
    """The generated parts, or real ones, either with one part made hostile."""
    if not isinstance(path_parameters, dict) or not path_parameters:
        return st.just(path_parameters)
    # An empty part, a slash or a dot segment would make it another URL (a 405 or a redirect), not a hostile value.
    in_path = IN_URL.map(str).filter(lambda text: text.strip(". ") and "/" not in text)
    real = st.fixed_dictionaries({name: st.sampled_from(REAL[name]) if name in REAL else st.just(value)
                                  for name, value in path_parameters.items()})
    return st.one_of(_replace_one(path_parameters, in_path), real,
                     real.flatmap(lambda parts: _replace_one(parts, in_path)))


@schemathesis.hook("flatmap_query")
def hostile_query(context, query):
    return _replace_one(query, IN_URL, as_text=True)


# HTTP-dates of every shape, most of them naming no real moment (99 Jan, 31 Feb, 25:00:00, the year 0).
HTTP_DATES = st.builds("{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} GMT".format,
                       st.sampled_from(["Mon", "Fri", "Sun"]), st.integers(0, 99),
                       st.sampled_from(["Jan", "Feb", "Dec"]), st.integers(0, 9999), st.integers(0, 99),
                       st.integers(0, 99), st.integers(0, 99))
# Entity-tags quoted and not, of versions and of what is no version.
ENTITY_TAGS = st.builds("{}{}{}".format, st.sampled_from(["", '"', 'W/"']),
                        st.integers(-1, 10) | st.integers(18, 5000).map(lambda n: "9" * n)
                        | st.sampled_from(["²", "٣", "x"]),
                        st.sampled_from(["", '"', '", "1"']))
FOR_HEADER = {"accept-datetime": HTTP_DATES, "if-match": ENTITY_TAGS}


@schemathesis.hook("flatmap_headers")
def hostile_headers(context, headers):
    """A header made hostile, or the operation's own header (Accept-Datetime, If-Match) given a hostile
    value, which an optional header rarely gets otherwise."""
    headers = dict(headers or {})
    path = context.operation.path if context.operation is not None else ""
    own = "Accept-Datetime" if path.endswith("/timegate") else "If-Match" if path.endswith(("}/events", "}/links")) \
        else None
    choices = [_replace_one(headers, IN_URL.map(_header_text))] if headers else [st.just(headers)]
    if own:
        choices.append(FOR_HEADER[own.lower()].map(_header_text).map(lambda value: {**headers, own: value}))
    return st.one_of(*choices)


@schemathesis.hook("flatmap_body")
def hostile_body(context, body):
    if isinstance(body, dict) and body:
        return _replace_one(body, BODY_VALUES)
    return st.one_of(st.just(body), BODY_VALUES)


HOSTILE_CATEGORIES = {"Cc", "Cf", "Mn", "Me", "So", "Cs", "Co"}


def hostile(case) -> bool:
    """Whether a case carries a hostile value, ours or one schemathesis made (for the report): a control,
    format (RTL marks), combining or symbol character (emoji), Cyrillic, one of the texts or boundary
    numbers above, or nesting 33 deep."""
    stack = [(value, 0) for value in (case.path_parameters, case.query, dict(case.headers or {}), case.body)]
    texts, numbers = set(TEXTS), {repr(n) for n in NUMBERS + NOT_JSON if n not in (0, 1, -1)}
    while stack:
        value, depth = stack.pop()
        if depth >= 33 or (isinstance(value, int | float) and not isinstance(value, bool) and repr(value) in numbers):
            return True
        if isinstance(value, str) and (value in texts or value in numbers or any(
                unicodedata.category(c) in HOSTILE_CATEGORIES or "\u0400" <= c <= "\u04ff" for c in value)):
            return True
        if isinstance(value, dict):
            stack.extend([(v, depth + 1) for v in value.values()] + [(k, depth + 1) for k in value])
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return False


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory):
    """The app on SQLite files, or on PostgreSQL (in a schema of its own) with FUZZ_STORE=postgresql."""
    data = tmp_path_factory.mktemp("fuzz") / "data"
    schema_name = f"fuzz_{uuid.uuid4().hex[:12]}"
    url = f"{TEST_DATABASE_URL}?schema={schema_name}" if os.environ.get("FUZZ_STORE") == "postgresql" else None
    with pytest.MonkeyPatch.context() as patch:
        if url:
            patch.setenv("CHRONICLE_DATABASE_URL", url)
        else:
            patch.delenv("CHRONICLE_DATABASE_URL", raising=False)
        chronicle = open_chronicle(Settings(data_dir=data, database_url=url))
        load_chronicle(chronicle, KAZAKHSTAN)
        tokens = open_tokens(Settings(data_dir=data, database_url=url))
        app = create_app({"CHRONICLE_DATA": str(data), "TESTING": True})
        app.config["FUZZ_TOKENS"] = {"writer": tokens.create("fuzz-writer"),
                                     "reader": tokens.create("fuzz-reader", read_only=True)}
        yield app
    if url:
        app.extensions["chronicle"].view.close()
        app.extensions["chronicle"].close()
        chronicle.view.close()
        chronicle.close()
        drop_schemas(schema_name)


@pytest.fixture(scope="module")
def api_schema(fuzzed_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzzed_app)


schema = schemathesis.pytest.from_fixture("api_schema")


FUZZ_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])


def call(case, app, who: str | None) -> None:
    headers = {"Authorization": f"Bearer {app.config['FUZZ_TOKENS'][who]}"} if who else {}
    response = case.call(headers=headers)
    SENT["requests"] += 1
    SENT["hostile"] += hostile(case)
    SENT["5xx"] += response.status_code >= 500
    case.validate_response(response, checks=CHECKS, headers=headers)


@schema.parametrize()
@FUZZ_SETTINGS
def test_anonymous_requests_get_no_server_error_and_no_broken_promise(case, fuzzed_app):
    call(case, fuzzed_app, None)


@schema.parametrize()
@FUZZ_SETTINGS
def test_read_only_token_requests_get_no_server_error_and_no_broken_promise(case, fuzzed_app):
    call(case, fuzzed_app, "reader")


@schema.parametrize()
@FUZZ_SETTINGS
def test_write_token_requests_get_no_server_error_and_no_broken_promise(case, fuzzed_app):
    call(case, fuzzed_app, "writer")


def teardown_module() -> None:
    report = Path(__file__).resolve().parents[2] / "artifacts" / "fuzz-requests.txt"
    report.parent.mkdir(exist_ok=True)
    store = os.environ.get("FUZZ_STORE") or "sqlite"
    report.write_text(f"{SENT['requests']} requests on {store}, {SENT['hostile']} with a hostile value, "
                      f"{SENT['5xx']} answered 5xx\n")
