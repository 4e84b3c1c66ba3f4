"""The scale benchmark: a generated history imported, queried, rebuilt and served, figures side by side.

    python -m bench.scale --statements 1000000 --store sqlite,postgresql

For each store it prints, measured in the same run, each figure beside its baseline:
  1. import throughput (statements/s, events and read models together) next to
     - bare eventsourcing: the same aggregates, built from the same generated commands by
       bench/importer.py's ``_apply``, saved in the same chunks with eventsourcing's
       ``Application.save`` (the hash-chained recorder ``open_chronicle`` configures) into a fresh
       store of the same kind, with no projection and no marshmallow check: "import / bare
       eventsourcing" is the share of that rate the real import keeps;
     - the same event rows written raw in one transaction (sqlite3 executemany; COPY and
       executemany on PostgreSQL);
  2. narrative as-of latency, p50 and p99 over --queries random (day, lens) pairs, in process, next
     to the same question answered by replaying the whole log (on --replays questions);
  3. topic history and diff latency, p50 and p99;
  4. the size of the read models on disk against the event log's;
  5. HTTP against --workers server processes on loopback, under wrk when it is installed (a Lua
     script replays a pre-generated request list) or else a Python client (the output says which):
     - cold cache: the narrative page, then the API narrative, for random (story, day, lens)
       questions each asked at most once in the whole run, so no answer can come from a cache.
       The questions are distinct (a lens's sources and camps compared as a set); the page asks
       days at offsets 1 mod 4 from the story's start (it also reads the day before, 0 mod 4)
       and the API days at 3 mod 4, so neither phase meets a day the other computed. The client
       stops when the pool runs out (the output says so) instead of asking a question again;
     - warm cache: a Zipf-distributed mix (s=1.1 over a set of 500 questions, half pages, half
       API) after one pass over the set; 30% of requests send If-None-Match with the ETag that
       question's earlier answer carried, as a browser would, and 304s are counted and rated
       apart from 200s (none when the server sends no ETags);
     and two baselines, each with the same client, --workers processes, --threads, --connections and
     --http-seconds, so that a missed target can be told from this machine's physical limit:
     - chronicle's cheapest route: its own app answering its cheapest GET (/api/v1/stories?limit=1: a
       handful of stories), once as the answer front replays it (web/answer_front.py: what every
       repeated question costs, "HTTP chronicle cheapest route"), and once through Flask and all of its
       before/after request hooks (sent with a Range header, which the front leaves to Flask), so the
       hooks' cost shows apart from the answers' ("HTTP chronicle cheapest route through Flask");
     - bare Flask hello: the same server stack (bench/server.py: waitress, SO_REUSEPORT) serving
       bench/hello.py, a minimal Flask app whose one route returns a fixed JSON body about the size of a
       304, with none of chronicle's hooks ("HTTP bare Flask hello"); the targets table shows each cold
       and warm rate's ratio to both ("warm mix / bare hello: 0.41");
  6. a rebuild of every read model from the log, in seconds per million events, next to reading
     and decoding the whole log through eventsourcing's recorder and mapper with no projection
     (select_notifications in batches + mapper.to_domain_event), the bound of any rebuild;
  7. the peak memory of the import and of each server process;
and at the end the stores side by side, the issue's targets met or MISSED, and the seconds each
phase took. The generated history is written to a temporary file during the first import and
read back by the later imports (the generator's time is excluded from every rate either way).

PostgreSQL is --url (default: the server on 127.0.0.1:5432, database ``test``); every run uses a
fresh schema and drops it afterwards unless --keep. Lenses are a story's camps and sources (see
bench/generator.py); days fall within the lens's story.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import pickle
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
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import urlencode
from uuid import UUID

import psycopg
from eventsourcing.application import Application
from psycopg import sql

from bench import page_cache
from bench.generator import history, story_of, story_slug, story_start
from bench.importer import import_history
from chronicle.bootstrap import open_chronicle
from chronicle.config import Settings
from chronicle.persistence import event_store_env, opening
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
    phases: dict[str, float] = field(default_factory=dict)

    def __setitem__(self, name: str, value: object) -> None:
        self.values[name] = value
        print(f"  {name}: {value}", flush=True)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time a phase of the run (wall clock, everything included) for the "phase seconds" table."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.phases[name] = self.phases.get(name, 0.0) + time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=100000)
    parser.add_argument("--store", default="sqlite", help="sqlite, postgresql, or both joined by a comma")
    parser.add_argument("--url", default=DEFAULT_URL, help="PostgreSQL to use (a fresh schema is made in it)")
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--queries", type=int, default=1000, help="narrative questions and topic histories")
    parser.add_argument("--diffs", type=int, default=200)
    parser.add_argument("--replays", type=int, default=1, help="questions also answered by replaying the whole log")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="request threads per server process")
    parser.add_argument("--connections", type=int, default=4, help="concurrent HTTP connections")
    parser.add_argument("--http-seconds", type=int, default=20, help="length of each measured HTTP phase")
    parser.add_argument("--zipf", type=float, default=1.1, help="the exponent of the warm phase's question mix")
    parser.add_argument("--revalidate", type=float, default=0.3,
                        help="share of warm requests sent with If-None-Match (the ETag received earlier)")
    parser.add_argument("--keep", action="store_true", help="keep the data (folder or schema) afterwards")
    parser.add_argument("--reuse", action="append", default=[], metavar="DATA_FOLDER_OR_URL",
                        help="measure a chronicle kept by an earlier --keep run (same --seed) instead of importing one: "
                             "queries, HTTP and rebuild only; repeat for a second store")
    args = parser.parse_args()
    print(f"chronicle scale benchmark: {args.statements:,} statements, seed {args.seed}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}",
          flush=True)
    print(f"HTTP client: {http_client_name()}", flush=True)
    print(f"page cache reclaim on this machine: {page_cache.reclaim()} (bench/page_cache.py)", flush=True)
    started = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="chronicle-bench-history-"))
    args.history_file = scratch / "history.pickle"
    try:
        if args.reuse:
            results = [rerun_store(kept, args) for kept in args.reuse]
        else:
            results = [run_store(store.strip(), args) for store in args.store.split(",")]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print()
    print(report(results, args, time.perf_counter() - started))


def run_store(store: str, args: argparse.Namespace) -> Figures:
    figures = Figures(store)
    folder = Path(tempfile.mkdtemp(prefix=f"chronicle-bench-{store}-"))
    url = bare_url = None
    if store == "postgresql":
        conninfo, _ = split_url(args.url)
        url = f"{conninfo}{'&' if '?' in conninfo else '?'}schema=bench_{os.getpid()}"
        bare_url = f"{url}_bare"  # dropped with the run's schema (drop_schemas takes its prefix)
    settings = Settings(data_dir=folder / "data", database_url=url, editor="bench")
    bare = Settings(data_dir=folder / "bare", database_url=bare_url, editor="bench")
    print(f"\n[{store}] {url or settings.data_dir}", flush=True)
    try:
        with figures.phase("import"):
            measure_import(settings, args, figures)
        with figures.phase("bare eventsourcing"):
            measure_bare(bare, args, figures)
        with figures.phase("raw writes"):
            measure_raw(settings, figures)
        measure_queries(settings, args, figures)
        with figures.phase("HTTP"):
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
    with figures.phase("HTTP"):
        measure_http(settings, args, figures)
    measure_rebuild(settings, figures)
    return figures


def in_child(function, *args):
    """Run a phase in a fresh process: its peak memory is its own, and its connections close with it.

    The child is forked from a fork server that has loaded chronicle and nothing else, not from this
    process: by the second store this process holds the first store's query phases (over a GB), which a
    child forked from it would count as its own peak."""
    context = get_context("forkserver")
    context.set_forkserver_preload(["chronicle.bootstrap", "bench.importer", "bench.generator"])
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(function, *args).result()


# ----- 1. import, and the same rows written raw

def measure_import(settings: Settings, args: argparse.Namespace, figures: Figures) -> None:
    done = in_child(_import, settings, args.statements, args.seed, args.history_file)
    figures["events"] = done["events"]
    figures["statements"] = done["statements"]
    figures["import seconds"] = round(done["seconds"], 1)
    figures["import statements/s"] = round(done["statements"] / done["seconds"])
    figures["import events/s"] = round(done["events"] / done["seconds"])
    figures["generator seconds (not counted)"] = round(done["generating"], 1)
    figures["import peak MB"] = round(done["peak_mb"])
    if done["recording_peak_mb"]:
        figures["import peak MB while recording (before the fold)"] = round(done["recording_peak_mb"])
    events_mb, views_mb = disk_mb(settings)
    figures["on disk MB: events / read models"] = f"{events_mb:,.0f} / {views_mb:,.0f}"
    figures["read models / event log on disk"] = f"{views_mb / events_mb:.2f}x"


def generated(statements: int, seed: int, path: Path) -> Iterator[tuple]:
    """The generated history; the first call also writes it to ``path``, later calls read it back."""
    if path.exists():
        with path.open("rb") as file:
            while True:
                try:
                    yield from pickle.load(file)
                except EOFError:
                    return
    partial = path.with_suffix(".partial")
    commands = history(statements, seed)
    with partial.open("wb") as file:
        while chunk := list(itertools.islice(commands, 5000)):
            pickle.dump(chunk, file, protocol=pickle.HIGHEST_PROTOCOL)  # before the domain sees them
            yield from chunk
    partial.rename(path)


def _import(settings: Settings, statements: int, seed: int, history_file: Path) -> dict:
    chronicle = open_chronicle(settings)
    last = [time.perf_counter()]

    def progress(count: int) -> None:
        if count % 100000 == 0:
            now = time.perf_counter()
            print(f"    {count:,} statements ({100000 / (now - last[0]):,.0f}/s)", flush=True)
            last[0] = now

    settle, recording_peak = chronicle.settle, []

    def settling(*args, **words):  # the peak so far is the recording's; what follows is the one fold
        recording_peak.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        return settle(*args, **words)

    chronicle.settle = settling
    report = import_history(chronicle, generated(statements, seed, history_file), progress=progress)
    chronicle.close()
    return {"statements": report.statements, "events": report.events, "seconds": report.seconds,
            "generating": report.generating, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "recording_peak_mb": recording_peak[0] if recording_peak else None}


class BareEventSourcing(Application[UUID]):
    """eventsourcing's Application on the chronicle's event store environment: its save, no read models."""

    name = "chronicle"  # the same table names (and env prefixes) as the Chronicle's


class _BareSaver:
    """What import_history needs from a chronicle: ``save_all``, here eventsourcing's ``save`` alone."""

    def __init__(self, application: Application) -> None:
        self.application = application

    def save_all(self, *aggregates: object, catch_up: bool = False) -> int:
        return len(self.application.save(*aggregates))


def measure_bare(settings: Settings, args: argparse.Namespace, figures: Figures) -> None:
    done = in_child(_bare, settings, args.statements, args.seed, args.history_file)
    figures["bare eventsourcing statements/s"] = round(done["statements"] / done["seconds"])
    figures["bare eventsourcing events/s"] = round(done["events"] / done["seconds"])
    ratio = figures.values["import statements/s"] / (done["statements"] / done["seconds"])
    figures["import / bare eventsourcing"] = f"{ratio:.2f} (1/{1 / ratio:.1f})"
    if done["events"] != figures.values["events"]:
        figures["bare eventsourcing events (differ from the import's!)"] = done["events"]
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    if settings.database_url:
        drop_schemas(settings.database_url)


def _bare(settings: Settings, statements: int, seed: int, history_file: Path) -> dict:
    """The import's domain calls and saves, into a fresh store, with no projection and no schema check."""
    with opening(settings):
        application = BareEventSourcing(env=event_store_env(settings))
    report = import_history(_BareSaver(application), generated(statements, seed, history_file))
    application.close()
    return {"statements": report.statements, "events": report.events, "seconds": report.seconds}


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
    figures.phases.setdefault("queries", 0.0)  # listed before the replay, which is timed apart inside it
    with figures.phase("queries"):
        chronicle = open_chronicle(settings)
        try:
            _queries(chronicle, args, figures)
            figures["page cache warmed before the narrative"] = page_cache.warm(settings)
            others = lens_questions(chronicle.view.entries("source"), args.seed, args.queries, random.Random(args.seed + 7))
            again = timed(lambda story, day, lens: chronicle.narrative(day, lens, story=story), others)
            figures[f"narrative p50 / p99 ms{WARMED}"] = f"{percentile(again, 50):.2f} / {percentile(again, 99):.2f}"
        finally:
            chronicle.view.close()
            chronicle.close()
    figures.phases["queries"] -= figures.phases.get("replay", 0.0)  # timed apart, inside


def _queries(chronicle, args: argparse.Namespace, figures: Figures) -> None:
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
    if args.replays > 0:
        with figures.phase("replay"):
            sample = questions[:args.replays]
            replayed = {}
            replay = timed(lambda story, day, lens: replayed.setdefault((story, day, lens), replayed_narrative(
                chronicle, day, chronicle.resolve_lens(lens), story=story)), sample)
            same = all(dumps(chronicle.narrative(day, lens, story=story)["topics"]) == dumps(answer)
                       for (story, day, lens), answer in replayed.items())
        figures["replay median ms (sample)"] = (f"{statistics.median(replay):.0f} ({len(sample)} "
                                                f"question{'s' * (len(sample) > 1)}, same answers: {same})")
        figures["index vs replay"] = (f"{statistics.median(replay) / statistics.median(narrative):,.0f}x faster "
                                      f"({statistics.median(replay) / statistics.median(index):,.0f}x "
                                      "for the index alone)")
    picked = [(story_slug(topic), topic) for topic in (rng.choice(topics) for _ in range(args.queries))]
    history_times = timed(lambda story, topic: chronicle.topic_history(topic, story=story), picked)
    figures["topic history p50 / p99 ms"] = f"{percentile(history_times, 50):.2f} / {percentile(history_times, 99):.2f}"
    diffs = questions[:args.diffs]
    diff_times = timed(lambda story, day, lens: chronicle.diff(day, shift(day, rng.randint(1, 30)), lens, story=story),
                       diffs)
    figures["diff p50 / p99 ms"] = f"{percentile(diff_times, 50):.2f} / {percentile(diff_times, 99):.2f}"


def as_of_index(chronicle, story: str, day: str, lens) -> list[dict]:
    """What Chronicle.narrative does once the lens is resolved: the index query, the links, the fold."""
    rows = chronicle.view.narrative_rows(story, day, lens, None)
    return folds.narrate(rows, chronicle.view.links(sorted({r["claim_id"] for r in rows}), None), day)


def lens_questions(sources: list[dict], seed: int, count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """Random (story, day, lens) questions: a story's camp, one of its sources, or a source with a camp;
    a day in the story."""
    draw = _question_drawer(sources, seed, rng)
    return [draw(lambda: rng.randint(0, 90)) for _ in range(count)]


def distinct_questions(sources: list[dict], seed: int, count: int, rng: random.Random,
                       residue: int) -> list[tuple[str, str, str]]:
    """Up to ``count`` random questions, no two alike (a lens's parts compared as a set), each on a day whose
    offset from its story's start is ``residue`` mod 4: questions of different residues share no day."""
    draw = _question_drawer(sources, seed, rng)
    offsets = [offset for offset in range(91) if offset % 4 == residue]
    seen: set = set()
    questions = []
    for _ in range(count * 4):
        question = draw(lambda: rng.choice(offsets))
        key = (question[0], question[1], frozenset(question[2].split(",")))
        if key not in seen:
            seen.add(key)
            questions.append(question)
            if len(questions) == count:
                break
    return questions


def _question_drawer(sources: list[dict], seed: int, rng: random.Random):
    by_story: dict[int, list[dict]] = {}
    for source in sources:
        by_story.setdefault(story_of(source["slug"]), []).append(source)
    stories = sorted(by_story)

    def draw(offset) -> tuple[str, str, str]:
        number = rng.choice(stories)
        cast = by_story[number]
        kind = rng.randrange(3)
        if kind == 0:
            lens = rng.choice(cast)["camp"]
        elif kind == 1:
            lens = rng.choice(cast)["slug"]
        else:
            lens = f"{rng.choice(cast)['slug']},{rng.choice(cast)['camp']}"
        day = story_start(seed, number) + timedelta(days=offset())
        return story_slug(cast[0]["slug"]), day.isoformat(), lens

    return draw


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
    with figures.phase("decode the log"):
        done = in_child(_decode_log, settings)
    figures["log decode alone s per million events"] = round(
        done["seconds"] / max(done["events"], 1) * 1e6, 1)
    with figures.phase("fold the log"):
        folded = in_child(_decode_log, settings, True)
    figures["log decode + domain fold s per million events"] = round(
        folded["seconds"] / max(folded["events"], 1) * 1e6, 1)
    if not settings.database_url:
        with figures.phase("write the read models"):
            written = in_child(_write_view, settings, done["events"])
        figures["read models written by SQLite alone s per million events"] = written["per_million"]
        figures["rebuild floor (fold + write) s per million events"] = round(
            figures.values["log decode + domain fold s per million events"] + written["per_million"], 1)
    with figures.phase("rebuild"):
        done = in_child(_rebuild, settings)
    figures["rebuild seconds"] = round(done["seconds"], 1)
    figures["rebuild s per million events"] = round(done["seconds"] / done["events"] * 1e6, 1)
    decode = figures.values["log decode alone s per million events"]
    figures["rebuild / decode the log"] = f"{figures.values['rebuild s per million events'] / max(decode, 0.1):.1f}x"


def _decode_log(settings: Settings, fold: bool = False) -> dict:
    """The whole log read through eventsourcing's recorder and decoded by its mapper, as a rebuild reads it;
    with ``fold``, every event also folded into its aggregate by the domain's own mutators (``event.mutate``,
    as eventsourcing's repository does), all aggregates kept in memory. No read model either way."""
    with opening(settings):
        application = BareEventSourcing(env=event_store_env(settings))
    recorder, mapper = application.recorder, application.mapper
    aggregates: dict = {}
    events = position = 0
    start = time.perf_counter()
    while notifications := recorder.select_notifications(start=position + 1, limit=settings.view_batch_size):
        for notification in notifications:
            event = mapper.to_domain_event(notification)
            if fold:
                aggregates[event.originator_id] = event.mutate(aggregates.get(event.originator_id))
        events += len(notifications)
        position = notifications[-1].id
    seconds = time.perf_counter() - start
    application.close()
    return {"events": events, "seconds": seconds}


def _write_view(settings: Settings, events: int) -> dict:
    """Baseline: the finished read models' rows written once into a fresh file by SQLite itself
    (``INSERT INTO ... SELECT``, in C: no Python per row), the full-text index filled and the query
    indexes built after, as a rebuild does; the storage floor of a rebuild of this view."""
    current = settings.views_dir / (settings.views_dir / "CURRENT").read_text().strip()
    target_path = settings.data_dir / "write-floor.sqlite"
    target_path.unlink(missing_ok=True)
    db = sqlite3.connect(target_path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("ATTACH DATABASE ? AS old", (f"file:{current}?mode=ro",))
    shapes = db.execute("SELECT type, name, sql FROM old.sqlite_master WHERE sql IS NOT NULL").fetchall()
    fts = {name for kind, name, sql in shapes if kind == "table" and sql.upper().startswith("CREATE VIRTUAL")}
    shadows = {f"{table}_{part}" for table in fts for part in ("data", "idx", "content", "docsize", "config")}
    tables = [(name, sql) for kind, name, sql in shapes
              if kind == "table" and name not in shadows and not name.startswith("sqlite_")]
    indexes = [sql for kind, name, sql in shapes if kind == "index" and name not in shadows]
    start = time.perf_counter()
    db.execute("BEGIN")
    for name, sql in tables:
        db.execute(sql)
        columns = "rowid, *" if name in fts else "*"
        db.execute(f'INSERT INTO main."{name}" ({"rowid, " if name in fts else ""}'
                   f'{", ".join(c[1] for c in db.execute(f"PRAGMA old.table_info({name!r})"))}) '
                   f'SELECT {columns} FROM old."{name}"')
    for sql in indexes:
        db.execute(sql)
    db.execute("COMMIT")
    seconds = time.perf_counter() - start
    db.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target_path}{suffix}").unlink(missing_ok=True)
    return {"seconds": seconds, "per_million": round(seconds / max(events, 1) * 1e6, 1)}


def _rebuild(settings: Settings) -> dict:
    chronicle = open_chronicle(settings)
    start = time.perf_counter()
    events = chronicle.rebuild()
    seconds = time.perf_counter() - start
    chronicle.view.close()
    chronicle.close()
    return {"events": events, "seconds": seconds}


# ----- 5 and 6. HTTP, and the servers' memory

COLD_CEILING = 2500  # req/s: each cold phase draws enough distinct questions for this rate, then stops
PROBES = 40  # questions outside the measured pools, to check and warm the servers' code paths
WARM_QUESTIONS = 500


def http_client_name() -> str:
    return ("wrk (a Lua script replays a pre-generated request list)" if shutil.which("wrk")
            else "the Python client (wrk is not installed)")


def narrative_path(prefix: str, question: tuple[str, str, str]) -> str:
    story, day, lens = question
    return f"{prefix}/{story}/narrative?{urlencode({'as_of': day, 'lens': lens})}"


PAGES = {"narrative page": "/stories", "API narrative": "/api/v1/stories"}


def measure_http(settings: Settings, args: argparse.Namespace, figures: Figures) -> None:
    chronicle = open_chronicle(settings)
    sources = chronicle.view.entries("source")
    chronicle.view.close()
    chronicle.close()
    pool = COLD_CEILING * args.http_seconds + PROBES
    cold = {"narrative page": distinct_questions(sources, args.seed, pool, random.Random(args.seed + 2), residue=1),
            "API narrative": distinct_questions(sources, args.seed, pool, random.Random(args.seed + 3), residue=3)}
    rewarmed = {"narrative page": distinct_questions(sources, args.seed, pool, random.Random(args.seed + 5), residue=0),
                "API narrative": distinct_questions(sources, args.seed, pool, random.Random(args.seed + 6), residue=2)}
    port = free_port()
    env = {**os.environ, "CHRONICLE_DATA": str(settings.data_dir), "PYTHONPATH": str(ROOT)}
    if settings.database_url:
        env["CHRONICLE_DATABASE_URL"] = settings.database_url
    workers = start_servers(port, args, env)
    try:
        wait_for(port, workers)
        figures["HTTP client"] = "wrk" if shutil.which("wrk") else "Python"
        for name, questions in cold.items():
            _cold(port, name, [narrative_path(PAGES[name], question) for question in questions], args, figures, "")
            # The same phase once every file was read into the page cache (bench/page_cache.py), on other days.
            figures[f"page cache warmed before the cold {name}"] = page_cache.warm(settings)
            _cold(port, name, [narrative_path(PAGES[name], question) for question in rewarmed[name]], args, figures,
                  WARMED)
        measure_warm(port, sources, args, figures)
        # Baselines: chronicle's cheapest GET, as the front replays it (web/answer_front.py), and through Flask
        # with all of its before/after request hooks (a Range header, which the front leaves to Flask).
        for figure, headers in ((CHEAPEST_FIGURE, None), (CHEAPEST_FLASK_FIGURE, {"Range": "bytes=0-"})):
            cheapest = [(CHEAPEST_ROUTE, headers)]
            load(port, cheapest, args.connections, 1)  # warm up
            figures[figure] = f"{load(port, cheapest, args.connections, args.http_seconds).summary()} " \
                              f"(GET {CHEAPEST_ROUTE}{', with Range' if headers else ''})"
        peaks = [peak_mb(worker.pid) for worker in workers]
    finally:
        stop_servers(workers)
    measure_hello(args, figures)  # after chronicle's servers stopped: it shares the cores with nothing
    figures["server peak MB per worker"] = " / ".join(f"{p:.0f}" for p in peaks)


WARMED = ", page cache warm"  # the suffix of a figure measured after page_cache.warm


def _cold(port: int, name: str, paths: list[str], args: argparse.Namespace, figures: Figures, suffix: str) -> None:
    """One cold phase: each question asked once, by --connections clients for --http-seconds."""
    probes, measured = paths[:PROBES], paths[PROBES:]
    alone = single_requests(port, probes[:4])
    if alone > 2000:
        figures[f"HTTP cold {name} req/s, p50 / p99 ms{suffix}"] = f"not loaded: one request alone takes {alone:,.0f} ms"
        return
    load(port, [(path, None) for path in probes], args.connections, 3)  # warm up, on questions not measured
    result = load(port, [(path, None) for path in measured], args.connections, args.http_seconds, once=True)
    figures[f"HTTP cold {name} req/s, p50 / p99 ms{suffix}"] = result.summary()
    figures[f"HTTP cold {name} questions asked (each once){suffix}"] = (
        f"{min(result.requests, len(measured)):,} of {len(measured):,} distinct"
        + (", then REPEATED (pool exhausted)" if result.requests > len(measured) else
           ", pool exhausted: stopped early" if result.exhausted else ""))


# The cheapest GET of chronicle's own app that still goes through every before/after request hook (the
# bounded read, the expensive-request slot, the NUL check, the story preprocessors, "behind" and the security
# headers): the API's list of stories (a handful in the generated history), read from the small story tables,
# not cached, one story shown. chronicle has no health route; openapi.json is rebuilt on every request and costs more.
CHEAPEST_ROUTE = "/api/v1/stories?limit=1"
CHEAPEST_FIGURE = "HTTP chronicle cheapest route req/s, p50 / p99 ms"
CHEAPEST_FLASK_FIGURE = "HTTP chronicle cheapest route through Flask req/s, p50 / p99 ms"
HELLO_FIGURE = "HTTP bare Flask hello req/s, p50 / p99 ms"


def start_servers(port: int, args: argparse.Namespace, env: dict, app: str = "chronicle") -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-m", "bench.server", "--port", str(port), "--threads",
                              str(args.threads), "--app", app], env=env) for _ in range(args.workers)]


def stop_servers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait()


def measure_hello(args: argparse.Namespace, figures: Figures) -> None:
    """Baseline: the same stack (bench/server.py: waitress, --workers processes of --threads threads each,
    SO_REUSEPORT), client, connections and duration, serving bench/hello.py's one tiny fixed JSON answer."""
    from bench import hello

    port = free_port()
    workers = start_servers(port, args, {**os.environ, "PYTHONPATH": str(ROOT)}, app="hello")
    try:
        wait_for(port, workers, probe=hello.PATH, settle=0.5)
        requests = [(hello.PATH, None)]
        load(port, requests, args.connections, 1)  # warm up
        figures[HELLO_FIGURE] = load(port, requests, args.connections, args.http_seconds).summary()
    finally:
        stop_servers(workers)


def measure_warm(port: int, sources: list[dict], args: argparse.Namespace, figures: Figures) -> None:
    """A Zipf-distributed mix of questions, most readers asking about the same few, after one warming pass."""
    questions = list(dict.fromkeys(lens_questions(sources, args.seed, WARM_QUESTIONS, random.Random(args.seed + 1))))
    paths = [[narrative_path(prefix, question) for prefix in PAGES.values()] for question in questions]
    warming = load(port, [(path, None) for pair in paths for path in pair], args.connections, 3600, once=True,
                   python=True)
    etags = warming.etags
    rng = random.Random(args.seed + 4)
    weights = [1 / rank ** args.zipf for rank in range(1, len(questions) + 1)]
    picks = rng.choices(range(len(questions)), weights=weights, k=max(50000, 3 * COLD_CEILING * args.http_seconds))
    requests = []
    for pick in picks:
        path = paths[pick][rng.random() < 0.5]
        tag = etags.get(path) if rng.random() < args.revalidate else None
        requests.append((path, {"If-None-Match": tag} if tag else None))
    result = load(port, requests, args.connections, args.http_seconds)
    figures["HTTP warm Zipf mix req/s, p50 / p99 ms"] = result.summary()
    figures["HTTP warm answers 200 / 304"] = (
        f"{result.statuses.get(200, 0):,} / {result.statuses.get(304, 0):,} "
        f"({result.statuses.get(200, 0) / result.seconds:,.0f} / {result.statuses.get(304, 0) / result.seconds:,.0f} "
        "req/s)")
    sent = sum(1 for _, headers in requests if headers) / len(requests)
    top = Counter(picks).most_common(10)
    figures["HTTP warm mix: paths, Zipf s, top 10, If-None-Match, ETags"] = (
        f"{2 * len(questions)}, {args.zipf}, {sum(n for _, n in top) / len(picks):.0%}, {sent:.0%}, "
        f"{len(etags)}/{2 * len(questions)}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, workers: list[subprocess.Popen], seconds: int = 300, probe: str = "/api/v1/openapi.json",
             settle: float = 2) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if any(worker.poll() is not None for worker in workers):
            raise RuntimeError("a server process exited")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=5).read()
            time.sleep(settle)  # the other workers may still be opening the chronicle
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


@dataclass
class Load:
    """What one load phase measured."""

    requests: int
    seconds: float
    p50: float
    p99: float
    errors: int
    statuses: Counter = field(default_factory=Counter)
    etags: dict[str, str] = field(default_factory=dict)
    exhausted: bool = False

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def summary(self) -> str:
        return f"{self.rate:,.0f}, {self.p50:.1f} / {self.p99:.1f}" + (f" ({self.errors} errors)" if self.errors else "")


def load(port: int, requests: list[tuple[str, dict | None]], connections: int, seconds: int, once: bool = False,
         python: bool = False) -> Load:
    """``requests`` (path, headers) in turn over ``connections`` for ``seconds``, by wrk or the Python client.

    With ``once`` no request is repeated: the Python client stops when the list runs out; wrk cannot, so its
    count of requests says whether it went round again."""
    if shutil.which("wrk") and not python:
        return _wrk(port, requests, connections, seconds)
    return _python_client(port, requests, connections, seconds, once)


WRK_SCRIPT = """
local requests = {}
local i = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(%s) do
    local path, name, value = line:match("^([^\\t]*)\\t([^\\t]*)\\t(.*)$")
    if name ~= "" then
      requests[#requests + 1] = wrk.format("GET", path, {[name] = value})
    else
      requests[#requests + 1] = wrk.format("GET", path)
    end
  end
  answered_200, answered_304, answered_other = 0, 0, 0
end

function request()
  i = i %% #requests + 1
  return requests[i]
end

function response(status, headers, body)
  if status == 200 then
    answered_200 = answered_200 + 1
  elseif status == 304 then
    answered_304 = answered_304 + 1
  else
    answered_other = answered_other + 1
  end
end

function done(summary, latency, requests)
  local a, b, c = 0, 0, 0
  for _, thread in ipairs(threads) do
    a = a + thread:get("answered_200")
    b = b + thread:get("answered_304")
    c = c + thread:get("answered_other")
  end
  io.write(string.format("STATUSES %%d %%d %%d\\n", a, b, c))
end
"""


def _wrk(port: int, requests: list[tuple[str, dict | None]], connections: int, seconds: int) -> Load:
    folder = Path(tempfile.mkdtemp(prefix="chronicle-bench-wrk-"))
    listing = folder / "requests.tsv"
    listing.write_text("".join(f"{path}\t{_one_header(headers)}\n" for path, headers in requests))
    script = folder / "requests.lua"
    script.write_text(WRK_SCRIPT % json.dumps(str(listing)))
    try:
        output = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "120s", "--latency",
                                 "-s", str(script), f"http://127.0.0.1:{port}"],
                                capture_output=True, text=True, check=True).stdout
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    count, took, unit = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output).groups()
    took_seconds = float(took) * {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    timeouts = re.search(r"timeout (\d+)", output)
    answered = re.search(r"STATUSES (\d+) (\d+) (\d+)", output)
    statuses = Counter({200: int(answered[1]), 304: int(answered[2])}) if answered else Counter()
    return Load(int(count), took_seconds, _ms(output, "50"), _ms(output, "99"),
                (int(errors[1]) if errors else 0) + (int(timeouts[1]) if timeouts else 0), statuses)


def _one_header(headers: dict | None) -> str:
    """The request's one header (If-None-Match, or Range for the cheapest route through Flask) as "name\\tvalue"."""
    if not headers:
        return "\t"
    (name, value), = headers.items()
    return f"{name}\t{value}"


def _ms(output: str, which: str) -> float:
    value, unit = re.search(rf"^\s+{which}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def _python_client(port: int, requests: list[tuple[str, dict | None]], connections: int, seconds: int,
                   once: bool) -> Load:
    import http.client

    pending = iter(requests) if once else itertools.cycle(requests)  # next() on either is atomic under the GIL
    results: list[tuple[list[float], Counter, dict]] = []
    exhausted = [False]
    stop = time.perf_counter() + seconds

    def client() -> None:
        times: list[float] = []
        statuses: Counter = Counter()
        etags: dict[str, str] = {}
        results.append((times, statuses, etags))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while time.perf_counter() < stop:
            item = next(pending, None)
            if item is None:
                exhausted[0] = True
                break
            path, headers = item
            start = time.perf_counter()
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            response.read()
            times.append((time.perf_counter() - start) * 1000)
            statuses[response.status] += 1
            tag = response.getheader("ETag")
            if tag:
                etags[path] = tag
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - started
    times = [t for result in results for t in result[0]]
    statuses = sum((result[1] for result in results), Counter())
    etags = {path: tag for result in results for path, tag in result[2].items()}
    errors = sum(n for status, n in statuses.items() if status >= 400)
    return Load(len(times), took, percentile(times, 50), percentile(times, 99), errors, statuses, etags,
                exhausted[0])


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

def _first(text: object) -> float:
    """The first number of a figure: "1,234, 5.6 / 7.8" gives 1234.0, "0.35 (1/2.9)" 0.35, "3.2x" 3.2."""
    return float(re.match(r"[\d,.]+", str(text))[0].rstrip(",.").replace(",", ""))


def _pair(text: object) -> tuple[float, float]:
    first, second = str(text).split(" / ")[:2]
    return _first(first), _first(second)


def _latencies(text: object) -> tuple[float, float]:
    """p50 and p99 of an HTTP figure "rate, p50 / p99"."""
    return _pair(str(text).split(", ", 1)[1])


# (what, the figure, met?, the baseline shown beside it): the targets, for SQLite at 1,000,000 statements.
TARGETS = [
    ("import >= 10,000 statements/s", "import statements/s", lambda v: v >= 10000, "bare eventsourcing statements/s"),
    ("import >= 1/3 of bare eventsourcing's rate", "import / bare eventsourcing", lambda v: _first(v) >= 1 / 3,
     "bare eventsourcing statements/s"),
    ("rebuild <= 60 s per million events", "rebuild s per million events", lambda v: v <= 60,
     "log decode alone s per million events"),
    ("narrative as-of p50 < 2 ms, p99 < 10 ms (in process)", "narrative p50 / p99 ms",
     lambda v: _pair(v)[0] < 2 and _pair(v)[1] < 10, "index vs replay"),
    ("topic history p50 < 2 ms", "topic history p50 / p99 ms", lambda v: _pair(v)[0] < 2, None),
    ("read models on disk <= 2x the event log", "read models / event log on disk", lambda v: _first(v) <= 2,
     "on disk MB: events / read models"),
    ("HTTP cold narrative page >= 200 req/s, p50 < 15 ms", "HTTP cold narrative page req/s, p50 / p99 ms",
     lambda v: _first(v) >= 200 and _latencies(v)[0] < 15, None),
    ("HTTP cold API narrative >= 500 req/s", "HTTP cold API narrative req/s, p50 / p99 ms",
     lambda v: _first(v) >= 500, None),
    ("HTTP warm Zipf mix >= 2,000 req/s", "HTTP warm Zipf mix req/s, p50 / p99 ms", lambda v: _first(v) >= 2000,
     "HTTP warm answers 200 / 304"),
    ("server workers < 300 MB each", "server peak MB per worker",
     lambda v: max(float(x) for x in str(v).split(" / ")) < 300, None),
    ("import < 500 MB", "import peak MB", lambda v: v < 500, None),
]


# The HTTP targets shown with their rate's share of the two baselines' (what the ratio is called).
BOUNDED_BY_HELLO = {"HTTP cold narrative page req/s, p50 / p99 ms": "cold page",
                    "HTTP cold API narrative req/s, p50 / p99 ms": "cold API",
                    "HTTP warm Zipf mix req/s, p50 / p99 ms": "warm mix"}


def _baseline_ratios(what: str, value: object, values: dict) -> str:
    """ "  [warm mix / bare hello: 0.41, / chronicle cheapest route: 0.62]", from what was measured."""
    ratios = []
    for baseline, called in ((HELLO_FIGURE, "bare hello"), (CHEAPEST_FIGURE, "chronicle cheapest route")):
        try:
            ratios.append(f"{called}: {_first(value) / _first(values[baseline]):.2f}")
        except (KeyError, ValueError, TypeError, ZeroDivisionError):
            ratios.append(f"{called}: not measured")
    return f"  [{what} / {ratios[0]}, / {ratios[1]}]"


def _mark(check, value: object) -> str:
    try:
        return "met" if check(value) else "MISSED"
    except (KeyError, ValueError, TypeError, IndexError, AttributeError):
        return "MISSED (not measured)"


def report(results: list[Figures], args: argparse.Namespace, elapsed: float) -> str:
    """The figures of every store side by side, the issue's targets met or missed, and each phase's seconds."""
    names = list(dict.fromkeys(name for figures in results for name in figures.values))
    width = max(len(name) for name in names) + 2
    columns = [min(48, max(len(figures.store), *(len(str(v)) for v in figures.values.values()))) + 3
               for figures in results]
    lines = [f"{'':{width}}" + "".join(f"{figures.store:>{column}}" for figures, column in zip(results, columns))]
    for name in names:
        lines.append(f"{name:{width}}" + "".join(f"{str(figures.values.get(name, '-')):>{column}}"
                                                 for figures, column in zip(results, columns)))
    lines.append("")
    lines.append(f"targets at 1,000,000 statements (this run: {args.statements:,}), SQLite's; "
                 f"{' and '.join(f.store for f in results[1:]) or 'no other store'} beside:")
    for what, name, check, beside in TARGETS:
        lines.append(f"  {what}:")
        for figures in results:
            value = figures.values.get(name)
            shown = "not measured" if value is None else f"{value:,}" if isinstance(value, int) else str(value)
            if beside and beside in figures.values:
                shown += (f"  (bare eventsourcing {figures.values[beside]:,}/s)" if beside.startswith("bare")
                          else f"  ({beside}: {figures.values[beside]})")
            if name in BOUNDED_BY_HELLO and value is not None:
                shown += _baseline_ratios(BOUNDED_BY_HELLO[name], value, figures.values)
            warmed = figures.values.get(f"{name}{WARMED}")
            if warmed is not None:
                shown += f"  [page cache warm: {warmed}, {_mark(check, warmed)}]"
            mark = "MISSED" if value is None else _mark(check, value)
            lines.append(f"      {figures.store:<12}{mark:<8}{shown}")
    stores = {figures.store: figures.values for figures in results}
    if {"sqlite", "postgresql"} <= set(stores):
        postgres, sqlite_ = stores["postgresql"], stores["sqlite"]
        for name in ("narrative p50 / p99 ms", "as-of index alone p50 / p99 ms"):
            try:
                p50 = _pair(postgres[name])[0] / _pair(sqlite_[name])[0]
                p99 = _pair(postgres[name])[1] / _pair(sqlite_[name])[1]
                lines.append(f"  PostgreSQL {name.split(' p50')[0]} p50 within 2x of SQLite's: {p50:.2f}x "
                             f"(p99 {p99:.2f}x), {'met' if p50 <= 2 else 'MISSED'}")
            except (KeyError, ValueError, ZeroDivisionError):
                lines.append(f"  PostgreSQL {name.split(' p50')[0]} p50 within 2x of SQLite's: not measured, MISSED")
        ratio = postgres.get("import / bare eventsourcing")
        lines.append(f"  PostgreSQL import >= 1/3 of its own bare eventsourcing: {ratio} "
                     f"[bare eventsourcing {postgres.get('bare eventsourcing statements/s', '-'):,}/s], "
                     f"{_mark(lambda v: _first(v) >= 1 / 3, ratio)}")
    lines.append("")
    lines.append("phase seconds (wall clock, everything included):")
    phases = list(dict.fromkeys(name for figures in results for name in figures.phases))
    phase_width = max([len(name) for name in phases] + [5]) + 2
    lines.append(f"  {'':{phase_width}}" + "".join(f"{figures.store:>12}" for figures in results))
    for name in phases:
        lines.append(f"  {name:{phase_width}}" + "".join(
            f"{figures.phases[name]:>12.1f}" if name in figures.phases else f"{'-':>12}" for figures in results))
    lines.append(f"  {'total':{phase_width}}" + "".join(f"{sum(figures.phases.values()):>12.1f}" for figures in results))
    lines.append(f"  whole run: {elapsed:.1f} s ({elapsed / 60:.1f} min)")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
