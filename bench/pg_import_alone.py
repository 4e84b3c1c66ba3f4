"""The PostgreSQL import of the 1M history alone, in a fresh process: its own peak memory.

    PYTHONPATH=. python bench/pg_import_alone.py

bench/scale.py forks each store's import from its main process, so the second store's import starts
with what the first store's phases left in that process; this one starts from nothing.
"""

from __future__ import annotations

import random
import resource
import tempfile
from pathlib import Path

from bench.scale import DEFAULT_URL, _import, drop_schemas
from chronicle.config import Settings
from chronicle.persistence.postgres import split_url

conninfo, _ = split_url(DEFAULT_URL)
url = f"{conninfo}{'&' if '?' in conninfo else '?'}schema=alone_{random.randrange(10**6)}"
folder = Path(tempfile.mkdtemp(prefix="chronicle-alone-"))
settings = Settings(data_dir=folder / "data", database_url=url, editor="bench")
print(f"python at start: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB", flush=True)
try:
    done = _import(settings, 1_000_000, 2022, folder / "history.pickle")
    print({k: (round(v, 1) if isinstance(v, float) else v) for k, v in done.items()}, flush=True)
finally:
    drop_schemas(url)
