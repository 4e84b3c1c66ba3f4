"""Killing `chronicle load` half-way leaves all or nothing; loading again finishes the job."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

from chronicle.bootstrap import open_chronicle
from chronicle.config import Settings


def big_chronicle(path, claims: int = 1500) -> None:
    """A synthetic chronicle big enough that loading it takes a noticeable moment."""
    document = {
        "sources": [{"slug": f"source-{n}", "name": f"Source {n}", "camp": "official" if n % 2 else "expert"}
                    for n in range(20)],
        "topics": [{"slug": f"topic-{n}", "title": f"Topic {n}", "kind": "figure", "unit": "people"} for n in range(30)],
        "claims": [{"slug": f"claim-{n}", "source": f"source-{n % 20}", "topic": f"topic-{n % 30}",
                    "stated": f"2022-01-{1 + n % 28:02d}", "text": f"Statement number {n} " * 5,
                    "figure": {"value": n, "unit": "people"}, "citations": [{"document": f"Report {n}"}],
                    "events": [{"type": "revised", "stated": f"2022-02-{1 + n % 28:02d}",
                                "figure": {"value": n + 1, "unit": "people"}}]}
                   for n in range(claims)],
    }
    path.write_text(json.dumps(document))


def answers(chronicle) -> str:
    narrative = chronicle.narrative("2022-02-15", "everyone")
    for group in narrative["topics"]:
        for claim in group["claims"]:
            claim.pop("recorded_at"), claim.pop("recorded_by")
    return json.dumps(narrative, sort_keys=True)


def test_kill_nine_during_load_then_reload_equals_a_clean_load(tmp_path):
    source = tmp_path / "big.json"
    big_chronicle(source)
    clean = open_chronicle(Settings(data_dir=tmp_path / "clean"))
    from chronicle.loader import load_chronicle
    load_chronicle(clean, source)
    expected, expected_events = answers(clean), sum(1 for _ in clean.event_log())
    timed = time.monotonic()
    subprocess.run(load_command(source), env=chronicle_env(tmp_path / "timed"), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    duration = time.monotonic() - timed
    rng = random.Random(11)
    interrupted = 0
    for attempt in range(3):
        data = tmp_path / f"crash-{attempt}"
        process = subprocess.Popen(load_command(source), env=chronicle_env(data),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 0.9) * duration)  # somewhere inside this machine's own load time
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            interrupted += 1
        process.wait()
        survivor = open_chronicle(Settings(data_dir=data))
        stored = sum(1 for _ in survivor.event_log())
        assert stored in (0, expected_events), "a load is all or nothing"
        load_chronicle(survivor, source)
        assert sum(1 for _ in survivor.event_log()) == expected_events
        assert answers(survivor) == expected and survivor.verify_chain().ok
    assert interrupted, "no load was interrupted: the kill came too late every time"


def load_command(source) -> list[str]:
    return [sys.executable, "-m", "chronicle.cli", "load", str(source)]


def chronicle_env(data) -> dict[str, str]:
    return {**os.environ, "CHRONICLE_DATA": str(data)}
