"""The operating system's page cache on this machine, and a benchmark phase measured with it warm.

This VM runs DAMON (the kernel's data access monitor) with a ``pageout`` scheme over physical memory: a
page not accessed for a minute is written out or dropped, page cache included, whatever memory is free.
So a chronicle's files stay in the page cache only while they are read, and a question that touches a
page nobody read for a minute reads it from the virtual disk (about 185 MB/s here, cold). A server that
keeps its page cache (any machine without such a scheme, with memory to spare) answers from memory.

The benchmark measures each read phase as the machine leaves it, and prints beside it the same phase
after every file of the chronicle was read once (``warm``): the first is the figure the issue's
targets are checked on; the second shows what is left when the disk is out of the way.
"""

from __future__ import annotations

import time
from pathlib import Path

import psycopg

from chronicle.config import Settings
from chronicle.persistence.postgres import split_url

DAMON = Path("/sys/kernel/mm/damon/admin/kdamonds")


def reclaim() -> str:
    """This machine's DAMON pageout schemes, as one line ("none" when it has none)."""
    found = []
    for context in DAMON.glob("*/contexts/*"):
        try:
            if (context.parent.parent / "state").read_text().strip() != "on":
                continue
            aggregate_us = int((context / "monitoring_attrs/intervals/aggr_us").read_text())
            for scheme in context.glob("schemes/[0-9]*"):
                if (scheme / "action").read_text().strip() != "pageout":
                    continue
                age = int((scheme / "access_pattern/age/min").read_text())
                found.append(f"DAMON pageout of {(context / 'operations').read_text().strip()} pages idle "
                             f">= {age * aggregate_us / 1e6:.0f} s")
        except (OSError, ValueError):
            continue
    return "; ".join(found) or "none"


def warm(settings: Settings) -> str:
    """Read every file of the chronicle once, into the page cache; what was read, and how long it took."""
    start = time.perf_counter()
    if settings.database_url:
        megabytes = _warm_postgres(settings.database_url)
    else:
        megabytes = _warm_files(Path(settings.data_dir))
    return f"{megabytes:,.0f} MB in {time.perf_counter() - start:.1f} s"


def _warm_files(folder: Path) -> float:
    read = 0
    for path in sorted(folder.rglob("*.sqlite*")):
        with open(path, "rb") as file:
            while chunk := file.read(1 << 20):
                read += len(chunk)
    return read / 2**20


def _warm_postgres(url: str) -> float:
    """pg_prewarm's ``read`` of every table and index of the chronicle's schemas (the log and the views)."""
    conninfo, schema = split_url(url)
    with psycopg.connect(conninfo, autocommit=True) as db:
        db.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        blocks = db.execute(
            "SELECT COALESCE(SUM(pg_prewarm(c.oid, 'read')), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE (n.nspname = %s OR n.nspname LIKE %s) AND c.relkind IN ('r', 'i', 't')",
            (schema, f"{schema}_view_%")).fetchone()[0]
        size = db.execute("SELECT current_setting('block_size')::int").fetchone()[0]
    return int(blocks) * size / 2**20
