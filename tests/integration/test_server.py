"""`chronicle serve` as a user runs it: a real server process on a free port, spoken to over HTTP."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.conftest import KAZAKHSTAN
from tests.live import CLI, request, start_server

API = "/api/v1/stories/kazakhstan-2022"


@pytest.fixture
def data(tmp_path):
    """A data folder with the fixture loaded and a write token, made with the CLI."""
    env = {**os.environ, "CHRONICLE_DATA": str(tmp_path / "data"), "CHRONICLE_EDITOR": "server-test"}
    subprocess.run([*CLI, "load", str(KAZAKHSTAN)], env=env, check=True, capture_output=True, timeout=120)
    token = subprocess.run([*CLI, "token", "create", "--name", "server-test"], env=env, check=True,
                           capture_output=True, text=True, timeout=60).stdout.strip()
    return env, token


@pytest.fixture
def serve(data):
    """Start `chronicle serve` processes on free ports; stop them all at the end."""
    processes = []

    def start() -> int:
        process, port = start_server(data[0])
        processes.append(process)
        return port
    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def server(serve, data):
    return serve(), data[1]


def test_the_served_api_reads_negotiates_and_refuses_a_stale_write(server):
    port, token = server
    response, body = request(port, "GET", f"{API}/narrative?as_of=2022-01-07&lens=official&limit=500")
    assert response.status == 200 and response.getheader("Server") == "chronicle"
    assert json.loads(body)["as_of"] == "2022-01-07"

    gate, _ = request(port, "GET", f"{API}/lenses/official/timegate", Accept_Datetime="Fri, 07 Jan 2022 12:00:00 GMT")
    assert gate.status == 302 and gate.getheader("Vary") == "accept-datetime"
    memento_path = gate.getheader("Location").split(f":{port}", 1)[1]
    memento, _ = request(port, "GET", memento_path)
    assert memento.status == 200 and memento.getheader("Memento-Datetime") == "Fri, 07 Jan 2022 00:00:00 GMT"

    claim, _ = request(port, "GET", f"{API}/claims/prosecutor-death-toll")
    etag = claim.getheader("ETag")
    revision = {"type": "revised", "stated": "2022-09-01", "figure": {"value": 240, "unit": "people"}}
    auth = f"Bearer {token}"
    revised, body = request(port, "POST", f"{API}/claims/prosecutor-death-toll/events", revision,
                            Authorization=auth, If_Match=etag)
    assert revised.status == 200 and json.loads(body)["versions"][-1]["recorded_by"] == "token:server-test"
    stale, body = request(port, "POST", f"{API}/claims/prosecutor-death-toll/events", revision,
                          Authorization=auth, If_Match=etag)
    assert stale.status == 412 and stale.getheader("Content-Type") == "application/problem+json"
    assert stale.getheader("ETag") == revised.getheader("ETag")

    docs, page = request(port, "GET", "/api/v1/docs")
    asset, _ = request(port, "GET", "/static/vendor/swagger-ui/swagger-ui-bundle.js")
    assert docs.status == 200 and b"swagger-ui-bundle.js" in page and asset.status == 200


def test_a_body_over_the_limit_is_413_over_the_wire(server):
    port, token = server
    response, body = request(port, "POST", f"{API}/topics", {"slug": "big", "title": "x" * 1_500_000},
                             Authorization=f"Bearer {token}")
    assert response.status == 413 and json.loads(body)["status"] == 413


def test_two_server_processes_on_one_chronicle_see_each_others_writes(serve, data):
    first, second = serve(), serve()
    token = data[1]
    created, _ = request(first, "POST", f"{API}/topics", {"slug": "two-servers", "title": "Seen by both"},
                         Authorization=f"Bearer {token}")
    assert created.status == 201
    seen, body = request(second, "GET", f"{API}/topics/two-servers")
    assert seen.status == 200 and json.loads(body)["title"] == "Seen by both"
