"""The scale benchmark: a generated history imported, queried, rebuilt and served, figures side by side.

    python -m bench.scale --statements 1000000 --store sqlite,postgresql

For each store it prints, measured in the same run:
  1. import throughput (statements/s, events and read models together) next to the same event rows
     written raw in one transaction (sqlite3 executemany; COPY and executemany on PostgreSQL);
  2. narrative as-of latency, p50 and p99 over --queries random (day, lens) pairs, next to the
     same question answered by replaying the whole log (on a sample of --replays questions);
  3. topic history and diff latency, p50 and p99;
  4. a rebuild of every read model from the log, in seconds per million events;
  5. HTTP requests/s and p50/p99 for the narrative page and the API narrative, under wrk (or a
     Python client when wrk is not installed) on loopback, against --workers server processes;
  6. the peak memory of the import and of each server process.

PostgreSQL is --url (default: the server on 127.0.0.1:5432, database ``test``); every run uses a
fresh schema and drops it afterwards unless --keep. Lenses are a story's camps and sources (see
bench/generator.py); days fall within the lens's story.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import urlencode

import psycopg
from psycopg import sql

from bench.generator import history, story_of, story_slug, story_start
from bench.importer import import_history
from chronicle.bootstrap import open_chronicle
from chronicle.config import Settings
from chronicle.persistence.postgres import split_url
from chronicle.projections import narrative as folds
from chronicle.projections.replay import dumps, replayed_narrative

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Figures:
    """Everything one store's run measured, by name."""

    store: str
    values: dict[str, object] = field(default_factory=dict)

    def __setitem__(self, name: str, value: object) -> None:
        self.values[name] = value
        print(f"  {name}: {value}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=100000)
    parser.add_argument("--store", default="sqlite", help="sqlite, postgresql, or both joined by a comma")
    parser.add_argument("--url", default=DEFAULT_URL, help="PostgreSQL to use (a fresh schema is made in it)")
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--queries", type=int, default=1000, help="narrative questions and topic histories")
    parser.add_argument("--diffs", type=int, default=200)
    parser.add_argument("--replays", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="request threads per server process")
    parser.add_argument("--connections", type=int, default=4, help="concurrent HTTP connections")
    parser.add_argument("--http-seconds", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the data (folder or schema) afterwards")
    parser.add_argument("--reuse", action="append", default=[], metavar="DATA_FOLDER_OR_URL",
                        help="measure a chronicle kept by an earlier --keep run (same --seed) instead of importing one: "
                             "queries, HTTP and rebuild only; repeat for a second store")
    args = parser.parse_args()
    print(f"chronicle scale benchmark: {args.statements:,} statements, seed {args.seed}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}",
          flush=True)
    if args.reuse:
        results = [rerun_store(kept, args) for kept in args.reuse]
    else:
        results = [run_store(store.strip(), args) for store in args.store.split(",")]
    print()
    print(report(results, args))


def run_store(store: str, args: argparse.Namespace) -> Figures:
    figures = Figures(store)
    folder = Path(tempfile.mkdtemp(prefix=f"chronicle-bench-{store}-"))
    url = None
    if store == "postgresql":
        conninfo, _ = split_url(args.url)
        url = f"{conninfo}{'&' if '?' in conninfo else '?'}schema=bench_{os.getpid()}"
    settings = Settings(data_dir=folder / "data", database_url=url, editor="bench")
    print(f"\n[{store}] {url or settings.data_dir}", flush=True)
    try:
        measure_import(settings, args, figures)
        measure_raw(settings, figures)
        measure_queries(settings, args, figures)
        measure_http(settings, args, figures)
        measure_rebuild(settings, figures)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
            if url:
                drop_schemas(url)
    return figures


def rerun_store(kept: str, args: argparse.Namespace) -> Figures:
    """The query, HTTP and rebuild phases again, on a chronicle an earlier run kept."""
    url = kept if kept.startswith(("postgresql://", "postgres://")) else None
    figures = Figures("postgresql" if url else "sqlite")
    settings = Settings(data_dir=Path(tempfile.mkdtemp()) if url else Path(kept), database_url=url, editor="bench")
    print(f"\n[{figures.store}, kept] {kept}", flush=True)
    measure_queries(settings, args, figures)
    measure_http(settings, args, figures)
    measure_rebuild(settings, figures)
    return figures


def in_child(function, *args):
    """Run a phase in a fresh process: its peak memory is its own, and its connections close with it."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("fork")) as pool:
        return pool.submit(function, *args).result()


# ----- 1. import, and the same rows written raw

def measure_import(settings: Settings, args: argparse.Namespace, figures: Figures) -> None:
    done = in_child(_import, settings, args.statements, args.seed)
    figures["events"] = done["events"]
    figures["statements"] = done["statements"]
    figures["import seconds"] = round(done["seconds"], 1)
    figures["import statements/s"] = round(done["statements"] / done["seconds"])
    figures["import events/s"] = round(done["events"] / done["seconds"])
    figures["generator seconds (not counted)"] = round(done["generating"], 1)
    figures["import peak MB"] = round(done["peak_mb"])
    events_mb, views_mb = disk_mb(settings)
    figures["on disk MB: events / read models"] = f"{events_mb:,.0f} / {views_mb:,.0f}"


def disk_mb(settings: Settings) -> tuple[float, float]:
    """The size of the event store (with its hash chain) and of the current read models."""
    if settings.backend == "sqlite":
        events = sum(p.stat().st_size for p in settings.data_dir.glob("events.sqlite*"))
        views = sum(p.stat().st_size for p in settings.views_dir.glob("view-*"))
        return events / 2**20, views / 2**20
    conninfo, schema = split_url(settings.database_url)
    with psycopg.connect(conninfo) as db:
        current = db.execute(sql.SQL("SELECT current FROM {}.chronicle_views").format(sql.Identifier(schema))).fetchone()[0]
        sizes = dict(db.execute("SELECT n.nspname, sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' "
                                "AND n.nspname IN (%s, %s) GROUP BY n.nspname", (schema, current)).fetchall())
    return float(sizes.get(schema, 0)) / 2**20, float(sizes.get(current, 0)) / 2**20


def _import(settings: Settings, statements: int, seed: int) -> dict:
    chronicle = open_chronicle(settings)
    last = [time.perf_counter()]

    def progress(count: int) -> None:
        if count % 100000 == 0:
            now = time.perf_counter()
            print(f"    {count:,} statements ({100000 / (now - last[0]):,.0f}/s)", flush=True)
            last[0] = now

    report = import_history(chronicle, history(statements, seed), progress=progress)
    chronicle.close()
    return {"statements": report.statements, "events": report.events, "seconds": report.seconds,
            "generating": report.generating, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def measure_raw(settings: Settings, figures: Figures) -> None:
    if settings.backend == "sqlite":
        done = in_child(_raw_sqlite, settings)
        figures["raw sqlite3 executemany rows/s"] = round(done["rows"] / done["seconds"])
        figures["import / raw"] = f"1/{done['rows'] / done['seconds'] / figures.values['import events/s']:.1f}"
    else:
        done = in_child(_raw_postgres, settings)
        figures["raw COPY rows/s"] = round(done["rows"] / done["copy"])
        figures["raw executemany rows/s"] = round(done["rows"] / done["executemany"])
        figures["import / raw"] = f"1/{done['rows'] / done['copy'] / figures.values['import events/s']:.1f} of COPY"


def _raw_sqlite(settings: Settings) -> dict:
    """The stored event rows, written again by sqlite3's executemany into a table of the same schema."""
    source = sqlite3.connect(settings.events_path)
    ddl = source.execute("SELECT sql FROM sqlite_master WHERE name = 'stored_events'").fetchone()[0]
    rows = source.execute("SELECT originator_id, originator_version, topic, state FROM stored_events "
                          "ORDER BY rowid").fetchall()
    source.close()
    target_path = settings.data_dir / "raw.sqlite"
    target = sqlite3.connect(target_path, isolation_level=None)
    target.execute("PRAGMA journal_mode=WAL")
    target.execute(ddl)
    start = time.perf_counter()
    target.execute("BEGIN")
    target.executemany("INSERT INTO stored_events VALUES (?, ?, ?, ?)", rows)
    target.execute("COMMIT")
    seconds = time.perf_counter() - start
    target.close()
    target_path.unlink()
    return {"rows": len(rows), "seconds": seconds}


def _raw_postgres(settings: Settings) -> dict:
    """The stored event rows, written again by COPY and by executemany into tables of the same schema."""
    conninfo, schema = split_url(settings.database_url)
    raw = f"{schema}_raw"
    table = """CREATE TABLE {}.stored (originator_id uuid NOT NULL, originator_version bigint NOT NULL,
               topic text, state bytea, notification_id bigserial, PRIMARY KEY (originator_id, originator_version));
               CREATE UNIQUE INDEX ON {}.stored (notification_id)"""
    with psycopg.connect(conninfo, autocommit=True) as db:
        rows = db.execute(sql.SQL("SELECT originator_id, originator_version, topic, state FROM {}.chronicle_events "
                                  "ORDER BY notification_id").format(sql.Identifier(schema))).fetchall()
        timings = {}
        for way in ("copy", "executemany"):
            db.execute(sql.SQL("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}").format(sql.Identifier(raw)))
            db.execute(sql.SQL(table).format(sql.Identifier(raw), sql.Identifier(raw)))
            start = time.perf_counter()
            with db.transaction(), db.cursor() as cursor:
                if way == "copy":
                    with cursor.copy(sql.SQL("COPY {}.stored (originator_id, originator_version, topic, state) "
                                             "FROM STDIN").format(sql.Identifier(raw))) as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    cursor.executemany(sql.SQL("INSERT INTO {}.stored (originator_id, originator_version, topic, "
                                               "state) VALUES (%s, %s, %s, %s)").format(sql.Identifier(raw)), rows)
            timings[way] = time.perf_counter() - start
        db.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(raw)))
    return {"rows": len(rows), **timings}


# ----- 2 and 3. queries in process

def measure_queries(settings: Settings, args: argparse.Namespace, figures: Figures) -> None:
    chronicle = open_chronicle(settings)
    rng = random.Random(args.seed)
    sources = chronicle.view.entries("source")
    topics = [t["slug"] for t in chronicle.view.entries("topic")]
    figures["sources / topics / stories"] = (f"{len(sources):,} / {len(topics):,} / "
                                             f"{len({story_of(s['slug']) for s in sources}):,}")
    questions = lens_questions(sources, args.seed, args.queries, rng)
    narrative = timed(lambda story, day, lens: chronicle.narrative(day, lens, story=story), questions)
    figures["narrative p50 / p99 ms"] = f"{percentile(narrative, 50):.2f} / {percentile(narrative, 99):.2f}"
    lenses = {lens: chronicle.resolve_lens(lens) for _, _, lens in questions}
    index = timed(lambda story, day, lens: as_of_index(chronicle, story, day, lenses[lens]), questions)
    figures["as-of index alone p50 / p99 ms"] = f"{percentile(index, 50):.2f} / {percentile(index, 99):.2f}"
    rows = [sum(len(g["claims"]) for g in as_of_index(chronicle, story, day, lenses[lens]))
            for story, day, lens in questions]
    figures["narrative claims shown, median (max)"] = f"{statistics.median(rows):.0f} ({max(rows)})"
    sample = questions[:args.replays]
    replayed = {}
    replay = timed(lambda story, day, lens: replayed.setdefault((story, day, lens), replayed_narrative(
        chronicle, day, chronicle.resolve_lens(lens), story=story)), sample)
    same = all(dumps(chronicle.narrative(day, lens, story=story)["topics"]) == dumps(answer)
               for (story, day, lens), answer in replayed.items())
    figures["replay median ms (sample)"] = f"{statistics.median(replay):.0f} ({len(sample)} questions, same answers: {same})"
    figures["index vs replay"] = (f"{statistics.median(replay) / statistics.median(narrative):,.0f}x faster "
                                  f"({statistics.median(replay) / statistics.median(index):,.0f}x for the index alone)")
    picked = [(story_slug(topic), topic) for topic in (rng.choice(topics) for _ in range(args.queries))]
    history_times = timed(lambda story, topic: chronicle.topic_history(topic, story=story), picked)
    figures["topic history p50 / p99 ms"] = f"{percentile(history_times, 50):.2f} / {percentile(history_times, 99):.2f}"
    diffs = questions[:args.diffs]
    diff_times = timed(lambda story, day, lens: chronicle.diff(day, shift(day, rng.randint(1, 30)), lens, story=story),
                       diffs)
    figures["diff p50 / p99 ms"] = f"{percentile(diff_times, 50):.2f} / {percentile(diff_times, 99):.2f}"
    chronicle.view.close()
    chronicle.close()


def as_of_index(chronicle, story: str, day: str, lens) -> list[dict]:
    """What Chronicle.narrative does once the lens is resolved: the index query, the links, the fold."""
    rows = chronicle.view.narrative_rows(story, day, lens, None)
    return folds.narrate(rows, chronicle.view.links(sorted({r["claim_id"] for r in rows}), None), day)


def lens_questions(sources: list[dict], seed: int, count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """Random (story, day, lens) questions: a story's camp, one of its sources, or a source with a camp;
    a day in the story."""
    by_story: dict[int, list[dict]] = {}
    for source in sources:
        by_story.setdefault(story_of(source["slug"]), []).append(source)
    stories = sorted(by_story)
    questions = []
    for _ in range(count):
        number = rng.choice(stories)
        cast = by_story[number]
        kind = rng.randrange(3)
        if kind == 0:
            lens = rng.choice(cast)["camp"]
        elif kind == 1:
            lens = rng.choice(cast)["slug"]
        else:
            lens = f"{rng.choice(cast)['slug']},{rng.choice(cast)['camp']}"
        day = story_start(seed, number) + timedelta(days=rng.randint(0, 90))
        questions.append((story_slug(cast[0]["slug"]), day.isoformat(), lens))
    return questions


def timed(function, questions) -> list[float]:
    times = []
    for question in questions:
        start = time.perf_counter()
        function(*question)
        times.append((time.perf_counter() - start) * 1000)
    return times


def percentile(values: list[float], which: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * which / 100))]


def shift(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


# ----- 4. rebuild

def measure_rebuild(settings: Settings, figures: Figures) -> None:
    done = in_child(_rebuild, settings)
    figures["rebuild seconds"] = round(done["seconds"], 1)
    figures["rebuild s per million events"] = round(done["seconds"] / done["events"] * 1e6, 1)


def _rebuild(settings: Settings) -> dict:
    chronicle = open_chronicle(settings)
    start = time.perf_counter()
    events = chronicle.rebuild()
    seconds = time.perf_counter() - start
    chronicle.view.close()
    chronicle.close()
    return {"events": events, "seconds": seconds}


# ----- 5 and 6. HTTP, and the servers' memory

def measure_http(settings: Settings, args: argparse.Namespace, figures: Figures) -> None:
    chronicle = open_chronicle(settings)
    sources = chronicle.view.entries("source")
    chronicle.view.close()
    chronicle.close()
    questions = lens_questions(sources, args.seed, 500, random.Random(args.seed + 1))
    port = free_port()
    env = {**os.environ, "CHRONICLE_DATA": str(settings.data_dir), "PYTHONPATH": str(ROOT)}
    if settings.database_url:
        env["CHRONICLE_DATABASE_URL"] = settings.database_url
    workers = [subprocess.Popen([sys.executable, "-m", "bench.server", "--port", str(port), "--threads",
                                 str(args.threads)], env=env) for _ in range(args.workers)]
    try:
        wait_for(port, workers)
        pages = {"narrative page": [f"/stories/{story}/narrative?{urlencode({'as_of': d, 'lens': lens})}"
                                    for story, d, lens in questions],
                 "API narrative": [f"/api/v1/stories/{story}/narrative?{urlencode({'as_of': d, 'lens': lens})}"
                                   for story, d, lens in questions]}
        for name, paths in pages.items():
            alone = single_requests(port, paths[:4])
            if alone > 2000:
                figures[f"HTTP {name} req/s, p50 / p99 ms"] = f"not loaded: one request alone takes {alone:,.0f} ms"
                continue
            load(port, paths[:20], args.connections, 3)  # warm up
            rate, p50, p99, errors = load(port, paths, args.connections, args.http_seconds)
            figures[f"HTTP {name} req/s, p50 / p99 ms"] = (f"{rate:,.0f}, {p50:.1f} / {p99:.1f}"
                                                          + (f" ({errors} errors)" if errors else ""))
        peaks = [peak_mb(worker.pid) for worker in workers]
        figures["server peak MB per worker"] = " / ".join(f"{p:.0f}" for p in peaks)
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, workers: list[subprocess.Popen], seconds: int = 300) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if any(worker.poll() is not None for worker in workers):
            raise RuntimeError("a server process exited")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=5).read()
            time.sleep(2)  # the other workers may still be opening the chronicle
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the servers did not start")


def single_requests(port: int, paths: list[str]) -> float:
    """The median time of requests made one at a time, in ms; one is enough when it is already slow."""
    times = []
    for path in paths:
        start = time.perf_counter()
        urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=900).read()
        times.append((time.perf_counter() - start) * 1000)
        if times[-1] > 2000:
            break
    return statistics.median(times)


def load(port: int, paths: list[str], connections: int, seconds: int) -> tuple[float, float, float, int]:
    """Requests/s, p50 and p99 in ms, and non-2xx answers, from wrk (or a Python client without it)."""
    if shutil.which("wrk"):
        return _wrk(port, paths, connections, seconds)
    return _python_client(port, paths, connections, seconds)


def _wrk(port: int, paths: list[str], connections: int, seconds: int) -> tuple[float, float, float, int]:
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text("local paths = {" + ", ".join(json.dumps(p) for p in paths) + "}\nlocal i = 0\n"
                      "request = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n")
    output = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "120s", "--latency",
                             "-s", str(script),
                             f"http://127.0.0.1:{port}"], capture_output=True, text=True, check=True).stdout
    script.unlink()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    timeouts = re.search(r"timeout (\d+)", output)
    return rate, _ms(output, "50"), _ms(output, "99"), (int(errors[1]) if errors else 0) + (
        int(timeouts[1]) if timeouts else 0)


def _ms(output: str, which: str) -> float:
    value, unit = re.search(rf"^\s+{which}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def _python_client(port: int, paths: list[str], connections: int, seconds: int) -> tuple[float, float, float, int]:
    import http.client

    times: list[float] = []
    errors = [0]
    stop = time.perf_counter() + seconds

    def client(offset: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        number = offset
        while time.perf_counter() < stop:
            start = time.perf_counter()
            connection.request("GET", paths[number % len(paths)])
            response = connection.getresponse()
            response.read()
            times.append((time.perf_counter() - start) * 1000)
            errors[0] += response.status >= 400
            number += connections
    threads = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(times) / seconds, percentile(times, 50), percentile(times, 99), errors[0]


def peak_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status)[1]) / 1024


def drop_schemas(url: str) -> None:
    conninfo, schema = split_url(url)
    with psycopg.connect(conninfo, autocommit=True) as db:
        names = db.execute("SELECT nspname FROM pg_namespace WHERE nspname = %s OR nspname LIKE %s",
                           (schema, schema.replace("_", r"\_") + r"\_%")).fetchall()
        for (name,) in names:
            db.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


# ----- the report

TARGETS = [
    ("import statements/s", "at least 25,000/s", lambda f: f["import statements/s"] >= 25000),
    ("import / raw", "at least 1/10 of raw", lambda f: float(f["import / raw"].split("/")[1].split()[0]) <= 10),
    ("narrative p50 / p99 ms", "p50 < 2 ms, p99 < 10 ms", lambda f: _under(f["narrative p50 / p99 ms"], 2, 10)),
    ("as-of index alone p50 / p99 ms", "p50 < 2 ms, p99 < 10 ms",
     lambda f: _under(f["as-of index alone p50 / p99 ms"], 2, 10)),
    ("index vs replay", "at least 1,000x", lambda f: float(f["index vs replay"].split("x")[0].replace(",", "")) >= 1000),
    ("topic history p50 / p99 ms", "p50 < 2 ms", lambda f: _pair(f["topic history p50 / p99 ms"])[0] < 2),
    ("rebuild s per million events", "< 40 s", lambda f: f["rebuild s per million events"] < 40),
    ("HTTP narrative page req/s, p50 / p99 ms", "p50 < 15 ms at >= 300 req/s",
     lambda f: _http(f["HTTP narrative page req/s, p50 / p99 ms"])),
    ("HTTP API narrative req/s, p50 / p99 ms", "(the page's target, for the API)",
     lambda f: _http(f["HTTP API narrative req/s, p50 / p99 ms"])),
    ("server peak MB per worker", "< 300 MB", lambda f: max(float(x) for x in f["server peak MB per worker"].split(" / ")) < 300),
]


def _under(text: str, p50: float, p99: float) -> bool:
    first, second = _pair(text)
    return first < p50 and second < p99


def _pair(text: str) -> tuple[float, float]:
    first, second = text.split(" / ")
    return float(first), float(second)


def _http(text: str) -> bool:
    if text.startswith("not loaded"):
        return False
    rate, latencies = text.split(", ", 1)
    return float(rate.replace(",", "")) >= 300 and float(latencies.split(" / ")[0]) < 15


def report(results: list[Figures], args: argparse.Namespace) -> str:
    """The figures of every store side by side, each SQLite target marked met or missed."""
    names = list(dict.fromkeys(name for figures in results for name in figures.values))
    width = max(len(name) for name in names) + 2
    lines = [f"{'':{width}}" + "".join(f"{figures.store:>34}" for figures in results)]
    for name in names:
        lines.append(f"{name:{width}}" + "".join(f"{str(figures.values.get(name, '-')):>34}" for figures in results))
    lines.append("")
    lines.append(f"targets at 1,000,000 statements (this run: {args.statements:,}):")
    for name, target, met in TARGETS:
        marks = []
        for figures in results:
            try:
                marks.append(f"{figures.store} {'met' if met(figures.values) else 'MISSED'}")
            except (KeyError, ValueError, TypeError):
                marks.append(f"{figures.store} -")
        lines.append(f"  {name}: {target}: {', '.join(marks)}")
    stores = {figures.store: figures.values for figures in results}
    if {"sqlite", "postgresql"} <= set(stores):
        for name in ("narrative p50 / p99 ms", "as-of index alone p50 / p99 ms"):
            ratio = _pair(stores["postgresql"][name])[0] / _pair(stores["sqlite"][name])[0]
            lines.append(f"  PostgreSQL {name.split(' p50')[0]} p50 within 2x of SQLite's: {ratio:.2f}x, "
                         f"{'met' if ratio <= 2 else 'MISSED'}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
