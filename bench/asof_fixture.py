"""As-of narrative latency on the Kazakhstan fixture: the index next to a naive replay of the log.

    python -m bench.asof_fixture [--runs 100]

Prints the median and p95 of 100 in-process narrative queries (random day and lens) answered
from the as-of index, and the same questions answered by replaying the whole log.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from chronicle.bootstrap import open_chronicle
from chronicle.config import Settings
from chronicle.loader import load_chronicle
from chronicle.projections.replay import replayed_narrative

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "kazakhstan-2022"
LENSES = ["official", "everyone", "expert", "independent-media", "tokayev"]


def timed(function, questions) -> list[float]:
    times = []
    for day, lens in questions:
        start = time.perf_counter()
        function(day, lens)
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    return f"median {statistics.median(ordered):8.3f} ms   p95 {ordered[int(len(ordered) * 0.95) - 1]:8.3f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        chronicle = open_chronicle(Settings(data_dir=Path(folder)))
        load_chronicle(chronicle, FIXTURE)
        events = sum(1 for _ in chronicle.event_log())
        rng = random.Random(1)
        questions = [(f"2022-01-{rng.randint(1, 31):02d}", rng.choice(LENSES)) for _ in range(args.runs)]
        lenses = {lens: chronicle.resolve_lens(lens) for lens in LENSES}
        indexed = timed(lambda d, l: chronicle.narrative(d, l), questions)
        replayed = timed(lambda d, l: replayed_narrative(chronicle, d, lenses[l]), questions)
        print(f"Kazakhstan fixture: {events} events, {args.runs} narrative questions (random day in January 2022, random lens)")
        print(f"  as-of index     {summary(indexed)}")
        print(f"  naive replay    {summary(replayed)}")
        print(f"  index is {statistics.median(replayed) / statistics.median(indexed):.1f}x faster (median)")


if __name__ == "__main__":
    main()
