"""Schemathesis drives every operation in our OpenAPI document, with and without a token.

No request may get a 5xx, and no response may break the status codes, content types and
schemas the document promises. The app runs in-process on real SQLite files with the
Kazakhstan fixture loaded. HYPOTHESIS_PROFILE=thorough sends many more requests.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
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
from tests.conftest import KAZAKHSTAN

EXAMPLES = 400 if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else 15
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SENT = {"requests": 0}


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory):
    data = tmp_path_factory.mktemp("fuzz") / "data"
    chronicle = open_chronicle(Settings(data_dir=data))
    load_chronicle(chronicle, KAZAKHSTAN)
    tokens = open_tokens(Settings(data_dir=data))
    app = create_app({"CHRONICLE_DATA": str(data), "TESTING": True})
    app.config["FUZZ_TOKENS"] = {"writer": tokens.create("fuzz-writer"), "reader": tokens.create("fuzz-reader", read_only=True)}
    return app


@pytest.fixture(scope="module")
def api_schema(fuzzed_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzzed_app)


schema = schemathesis.pytest.from_fixture("api_schema")


FUZZ_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])


def call(case, app, who: str | None) -> None:
    headers = {"Authorization": f"Bearer {app.config['FUZZ_TOKENS'][who]}"} if who else {}
    SENT["requests"] += 1
    case.call_and_validate(headers=headers, checks=CHECKS)


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
    report.write_text(f"{SENT['requests']}\n")
