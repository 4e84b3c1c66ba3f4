"""Killing the server (kill -9) while a client writes: after restarts, every write is there once."""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time

import pytest

from chronicle.bootstrap import open_chronicle, open_tokens
from chronicle.projections.replay import dumps, replayed_narrative
from tests.live import request, start_server

API = "/api/v1/stories/kazakhstan-2022"
CLAIM, STEPS = "prosecutor-death-toll", 150


class Server:
    """One `chronicle serve` at a time, restarted when it has been killed."""

    def __init__(self, env: dict):
        self.env = env
        self.process, self.port = start_server(env)
        self.kills = 0

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.kills += 1

    def ensure_running(self) -> None:
        if self.process.poll() is not None:
            self.process, self.port = start_server(self.env)


def last_text(server: Server) -> tuple[str, str]:
    response, body = request(server.port, "GET", f"{API}/claims/{CLAIM}")
    return response.getheader("ETag"), json.loads(body)["versions"][-1]["text"]


def write_step(server: Server, token: str, step: int) -> None:
    """Write one step; after a lost connection, find out whether it landed before trying again."""
    text = f"step {step}"
    while True:
        try:
            etag, current = last_text(server)
            if current == text:
                return  # it landed before the connection was lost
            body = {"type": "revised", "stated": "2023-01-01", "text": text, "citations": [{"document": "crash"}]}
            response, _ = request(server.port, "POST", f"{API}/claims/{CLAIM}/events", body,
                                  Authorization=f"Bearer {token}", If_Match=etag)
            assert response.status in (200, 412), response.status
            if response.status == 200:
                return
        except (ConnectionError, OSError):
            time.sleep(0.1)
            server.ensure_running()


@pytest.mark.sqlite_only("kills processes holding the SQLite files; PostgreSQL crash recovery is the server's own")
def test_kill_nine_during_writes_loses_and_duplicates_nothing(kazakhstan, settings, store):
    env = {**os.environ, "CHRONICLE_DATA": str(settings.data_dir), "CHRONICLE_EDITOR": "crash"}
    token = open_tokens(settings).create("crash")
    before = len(kazakhstan.claim_history(CLAIM)["versions"])
    server = Server(env)
    rng = random.Random(7)
    stop = threading.Event()

    def killer() -> None:
        while not stop.wait(rng.uniform(0.3, 0.9)) and server.kills < 4:
            if server.process.poll() is None:
                server.kill()

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        for step in range(STEPS):
            write_step(server, token, step)
    finally:
        stop.set()
        thread.join()
        server.process.terminate()
        server.process.wait(timeout=30)
    assert server.kills >= 2, "the server was not killed during the writes"

    reader = open_chronicle(settings)
    texts = [v["text"] for v in reader.claim_history(CLAIM)["versions"]]
    assert len(texts) == before + STEPS and texts[before:] == [f"step {n}" for n in range(STEPS)]
    assert reader.verify_chain().ok
    lens = reader.resolve_lens("everyone")
    assert dumps(reader.narrative("2023-01-02", "everyone")["topics"]) == dumps(
        replayed_narrative(reader, "2023-01-02", lens))
