"""Where the time goes: cProfile of one benchmark phase, self time summed by component.

    python -m bench.profile --statements 50000 --store sqlite --phase import
    python -m bench.profile --data DIR --phase narrative     # on data kept by bench.scale --keep

Phases: ``import`` (a generated history through the domain into a fresh store), ``rebuild``,
``narrative`` (the in-process narrative of random story lenses), ``history`` (random topics'
histories), ``page`` (the narrative page
through the Flask test client), ``api`` (the API's narrative, the same way), ``warm`` (the same API questions
asked a second time: answered from the caches), ``revalidate`` (them again with the ETag each got: the 304
path) and ``cheapest`` (``GET /api/v1/stories?limit=1``, bench/scale.py's baseline route). The components are the packages and modules the self time was
spent in, so the shares add up to the whole run.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

from bench.generator import history
from bench.importer import import_history
from bench.scale import DEFAULT_URL, drop_schemas, lens_questions
from chronicle.bootstrap import open_chronicle
from chronicle.config import Settings
from chronicle.persistence.postgres import split_url

COMPONENTS = (
    ("eventsourcing/domain", "eventsourcing: aggregates and events"),
    ("eventsourcing/persistence", "eventsourcing: mapper and transcoder"),
    ("eventsourcing/", "eventsourcing: other"),
    ("chronicle/domain", "chronicle: domain validation"),
    ("chronicle/dates", "chronicle: fuzzy dates"),
    ("chronicle/figures", "chronicle: figures"),
    ("chronicle/projections/asof", "chronicle: projection fold"),
    ("chronicle/projections/rows", "chronicle: index rows"),
    ("chronicle/projections/narrative", "chronicle: narrative folds"),
    ("chronicle/persistence", "chronicle: view store"),
    ("chronicle/application", "chronicle: application"),
    ("chronicle/", "chronicle: other"),
    ("psycopg", "psycopg (driver, waiting on the server)"),
    ("json/", "json"),
    ("uuid", "uuid"),
    ("marshmallow", "marshmallow"),
    ("jinja2", "jinja2"),
    ("chronicle_web", "web"),
    ("/web/", "web"),
    ("werkzeug", "flask and werkzeug"),
    ("flask", "flask and werkzeug"),
    ("bench/", "benchmark harness"),
)


def component(filename: str, function: str) -> str:
    if filename == "~":
        if "sqlite3" in function:
            return "sqlite3 (C: SQL execution)"
        if "psycopg" in function or "pq" in function:
            return "psycopg (driver, waiting on the server)"
        return "builtins (C)"
    for fragment, name in COMPONENTS:
        if fragment in filename:
            return name
    return "python standard library"


def summary(profile: cProfile.Profile, top: int = 15) -> str:
    stats = pstats.Stats(profile)
    by_component: Counter = Counter()
    by_function: Counter = Counter()
    for (filename, line, function), (_, _, self_time, _, _) in stats.stats.items():
        by_component[component(filename, function)] += self_time
        short = filename.split("site-packages/")[-1].split("/work/main/")[-1]
        by_function[f"{short}:{line}({function})"] += self_time
    total = sum(by_component.values())
    lines = [f"self time {total:.1f} s, by component:"]
    lines += [f"  {seconds / total:6.1%}  {seconds:7.2f} s  {name}" for name, seconds in by_component.most_common()]
    lines.append(f"top {top} functions by self time:")
    lines += [f"  {seconds / total:6.1%}  {name}" for name, seconds in by_function.most_common(top)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phase", choices=("import", "rebuild", "narrative", "history", "page", "api", "warm", "revalidate", "cheapest"), default="import")
    parser.add_argument("--statements", type=int, default=50000)
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--data", help="an existing data folder (SQLite) to profile instead of a fresh import")
    parser.add_argument("--database-url", help="an existing PostgreSQL chronicle to profile")
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    settings, fresh = _settings(args)
    profile = cProfile.Profile()
    start = time.perf_counter()
    try:
        _run(args, settings, profile)
    finally:
        if fresh and settings.database_url:
            drop_schemas(settings.database_url)
    print(f"{args.phase}: {time.perf_counter() - start:.1f} s wall (under the profiler)")
    print(summary(profile))


def _settings(args: argparse.Namespace) -> tuple[Settings, bool]:
    if args.database_url:
        return Settings(data_dir=Path(tempfile.mkdtemp()), database_url=args.database_url), False
    if args.data:
        return Settings(data_dir=Path(args.data)), False
    url = None
    if args.store == "postgresql":
        conninfo, _ = split_url(args.url)
        url = f"{conninfo}{'&' if '?' in conninfo else '?'}schema=profile_{random.randrange(10**6)}"
    return Settings(data_dir=Path(tempfile.mkdtemp()) / "data", database_url=url), True


def _run(args: argparse.Namespace, settings: Settings, profile: cProfile.Profile) -> None:
    chronicle = open_chronicle(settings)
    if not (chronicle.recorder.max_notification_id() or 0):  # a fresh store: generate and import first
        work = list(history(args.statements, args.seed))  # generated before, so not in the profile
        if args.phase == "import":
            profile.runcall(import_history, chronicle, work)
            return
        import_history(chronicle, work)
    if args.phase == "rebuild":
        profile.runcall(chronicle.rebuild)
        return
    questions = lens_questions(chronicle.view.entries("source"), args.seed, args.queries, random.Random(args.seed))
    if args.phase == "narrative":
        profile.runcall(lambda: [chronicle.narrative(day, lens, story=story) for story, day, lens in questions])
        return
    if args.phase == "history":
        topics = random.Random(args.seed).sample(chronicle.view.entries("topic"), args.queries)
        profile.runcall(lambda: [chronicle.topic_history(topic["slug"], story=topic["story"]) for topic in topics])
        return
    from chronicle_web import create_app

    if settings.database_url:
        os.environ["CHRONICLE_DATABASE_URL"] = settings.database_url
    client = create_app({"CHRONICLE_DATA": str(settings.data_dir), "TESTING": True}).test_client()
    prefix = "/stories" if args.phase == "page" else "/api/v1/stories"
    paths = [f"{prefix}/{story}/narrative?{urlencode({'as_of': day, 'lens': lens})}" for story, day, lens in questions]
    if args.phase == "cheapest":
        paths = ["/api/v1/stories?limit=1"] * len(paths)
    headers = [{} for _ in paths]
    if args.phase in ("warm", "revalidate"):
        tags = [client.get(path).headers.get("ETag") for path in paths]  # asked once first, not profiled
        if args.phase == "revalidate":
            headers = [{"If-None-Match": tag} for tag in tags]
    start = time.perf_counter()
    statuses = profile.runcall(lambda: Counter(client.get(path, headers=h).status_code for path, h in zip(paths, headers)))
    took = time.perf_counter() - start
    print(f"{len(paths)} requests, {took / len(paths) * 1000:.2f} ms each under the profiler, statuses {dict(statuses)}")


if __name__ == "__main__":
    main()
