"""The PostgreSQL import of the 1M history alone, in a fresh process: its own peak memory."""
import random, resource, tempfile, time
from pathlib import Path
from bench.scale import _import, drop_schemas
from chronicle.config import Settings
url = f"postgresql://postgres@127.0.0.1:5432/test?schema=alone_{random.randrange(10**6)}"
folder = Path(tempfile.mkdtemp(prefix="chronicle-alone-"))
settings = Settings(data_dir=folder / "data", database_url=url, editor="bench")
print(f"python at start: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB", flush=True)
try:
    done = _import(settings, 1_000_000, 2022, folder / "history.pickle")
    print({k: (round(v, 1) if isinstance(v, float) else v) for k, v in done.items()}, flush=True)
finally:
    drop_schemas(url)
