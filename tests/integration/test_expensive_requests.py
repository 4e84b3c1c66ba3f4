"""A few expensive requests cannot starve cheap ones: a real `chronicle serve` process (8 threads) runs at
most CHRONICLE_EXPENSIVE_REQUESTS (4) expensive requests at once and answers the rest 503 at once.

Before the bound, 16 concurrent everyone-lens narratives made a trivial /api/v1/integrity wait 22 s.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import date, timedelta

import pytest

from bench.generator import history
from bench.importer import import_history
from chronicle.bootstrap import open_chronicle
from tests.live import request, start_server

STATEMENTS = 7000  # about 8,100 events; the largest story has 428 claims
EXPENSIVE = 16


@pytest.fixture
def generated(settings):
    """A generated chronicle of about 8k events, and its largest story with its last day."""
    chronicle = open_chronicle(settings)
    try:
        import_history(chronicle, history(STATEMENTS))
        largest = max(chronicle.stories(), key=lambda s: s["counts"]["claims"])
    finally:
        chronicle.view.close()
        chronicle.close()
    return settings, largest["slug"], largest["last_day"]


def test_sixteen_expensive_requests_leave_a_cheap_one_answered_within_a_second(generated):
    settings, story, day = generated
    env = {**os.environ, "CHRONICLE_DATA": str(settings.data_dir)}
    env.pop("CHRONICLE_EXPENSIVE_REQUESTS", None)
    server, port = start_server(env)
    try:
        expensive = f"/stories/{story}/narrative?as_of={day}&lens=everyone"
        assert request(port, "GET", expensive)[0].status == 200
        assert request(port, "GET", "/api/v1/integrity")[0].status == 200  # its chain check is cached a minute
        answers: list[tuple[int, str | None]] = []
        start = threading.Barrier(EXPENSIVE + 1)

        def ask(number: int) -> None:  # each a question of its own: an answer asked before is kept
            earlier = (date.fromisoformat(day) - timedelta(days=number + 1)).isoformat()
            start.wait()
            response, _ = request(port, "GET", f"/stories/{story}/narrative?as_of={earlier}&lens=everyone")
            answers.append((response.status, response.getheader("Retry-After")))

        threads = [threading.Thread(target=ask, args=(number,)) for number in range(EXPENSIVE)]
        for thread in threads:
            thread.start()
        start.wait()
        time.sleep(0.05)  # the expensive requests are in the server first
        began = time.monotonic()
        cheap, body = request(port, "GET", "/api/v1/integrity")
        waited = time.monotonic() - began
        topic, _ = request(port, "GET", f"/api/v1/stories/{story}/topics")
        for thread in threads:
            thread.join(timeout=120)
        assert cheap.status == 200 and b'"head"' in body and topic.status == 200
        assert waited < 1.0, f"the cheap request waited {waited:.2f} s behind the expensive ones"
        statuses = sorted(status for status, _ in answers)
        assert len(answers) == EXPENSIVE and set(statuses) <= {200, 503}, statuses
        assert 1 <= statuses.count(200) and statuses.count(503) >= EXPENSIVE - 8, statuses
        assert all(after == "2" for status, after in answers if status == 503)
        # Once they are done, the slots are free again.
        assert request(port, "GET", expensive)[0].status == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
