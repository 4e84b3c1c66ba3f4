"""Many writers revising the same claims at once, through two server processes.

Every accepted write is stored exactly once, every refused one got 412 or 409 and stored
nothing, and the read models agree with a replay of the log afterwards.
"""

from __future__ import annotations

import os
import threading
from collections import Counter

import pytest

from chronicle.bootstrap import open_chronicle, open_tokens
from chronicle.projections.replay import dumps, replayed_narrative
from tests.live import request, start_server

API = "/api/v1/stories/kazakhstan-2022"
CLAIMS = ["prosecutor-death-toll", "tokayev-20000-terrorists-and-bandits"]
WRITERS, ATTEMPTS = 6, 8


@pytest.fixture
def servers(kazakhstan, settings):
    env = {**os.environ, "CHRONICLE_DATA": str(settings.data_dir), "CHRONICLE_EDITOR": "racer"}
    started = [start_server(env) for _ in range(2)]
    yield [port for _, port in started]
    for process, _ in started:
        process.terminate()
        process.wait(timeout=30)


def race(port: int, token: str, writer: int, outcomes: list) -> None:
    for attempt in range(ATTEMPTS):
        claim = CLAIMS[(writer + attempt) % len(CLAIMS)]
        current, _ = request(port, "GET", f"{API}/claims/{claim}")
        text = f"writer {writer} attempt {attempt}"
        body = {"type": "revised", "stated": "2023-01-01", "text": text, "citations": [{"document": "race"}]}
        response, _ = request(port, "POST", f"{API}/claims/{claim}/events", body,
                              Authorization=f"Bearer {token}", If_Match=current.getheader("ETag"))
        outcomes.append((claim, text, response.status))


def test_concurrent_revisions_are_stored_once_or_refused(servers, settings):
    token = open_tokens(settings).create("racer")
    before = open_chronicle(settings)
    versions_before = {claim: len(before.claim_history(claim)["versions"]) for claim in CLAIMS}
    outcomes: list = []
    threads = [threading.Thread(target=race, args=(servers[n % 2], token, n, outcomes)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = Counter(status for _, _, status in outcomes)
    assert set(statuses) <= {200, 409, 412}, statuses
    assert statuses[200] >= len(CLAIMS), "some writes must get through"
    assert statuses[409] + statuses[412] > 0, "the writers never collided: the test proved nothing"
    accepted = sorted((claim, text) for claim, text, status in outcomes if status == 200)

    reader = open_chronicle(settings)
    stored = sorted((e["data"]["slug"] if "slug" in e["data"] else reader.resolve("claim", e["id"])["slug"],
                     e["data"]["text"]) for e in reader.event_log()
                    if e["type"].endswith("Claim.Revised") and (e["data"]["text"] or "").startswith("writer "))
    assert stored == accepted, "each accepted write once, no refused write stored"
    assert reader.verify_chain().ok
    for day in ("2022-01-16", "2023-01-01"):
        lens = reader.resolve_lens("everyone")
        assert dumps(reader.narrative(day, "everyone")["topics"]) == dumps(replayed_narrative(reader, day, lens))
    for claim in CLAIMS:
        won = sum(1 for c, _ in accepted if c == claim)
        assert len(reader.claim_history(claim)["versions"]) == versions_before[claim] + won
