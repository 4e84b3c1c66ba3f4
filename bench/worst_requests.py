"""The most expensive requests on a generated chronicle, worst of five: python -m bench.worst_requests [STATEMENTS]."""
import statistics, sys, tempfile, time
from pathlib import Path
from bench.generator import history
from bench.importer import import_history
from chronicle.bootstrap import open_chronicle
from chronicle.config import Settings

folder = Path(tempfile.mkdtemp())
settings = Settings(data_dir=folder / "data")
chronicle = open_chronicle(settings)
started = time.perf_counter()
STATEMENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
import_history(chronicle, history(STATEMENTS))
print(f"imported {STATEMENTS:,} statements in {time.perf_counter() - started:.0f} s", flush=True)
stories = chronicle.stories()
big = max(stories, key=lambda s: s["counts"]["claims"])["slug"]
chronicle.view.close(); chronicle.close()
from chronicle_web import create_app
app = create_app({"CHRONICLE_DATA": str(settings.data_dir), "TESTING": True, "CHRONICLE_QUERY_TIMEOUT": 60})
client = app.test_client()
paths = ["/api/v1/events.jsonl", "/api/v1/export.jsonl", f"/stories/{big}/narrative?lens=everyone",
         f"/api/v1/stories/{big}/lenses/everyone/history", f"/stories/{big}/timeline?lens=everyone",
         "/api/v1/stories",
         "/api/v1/search?q=the"]
for path in paths:
    times, size, status = [], 0, None
    for _ in range(5):
        t = time.perf_counter(); r = client.get(path); body = r.get_data(); times.append(time.perf_counter() - t)
        size, status = len(body), r.status_code
    print(f"{path}: status {status}, {size/1024:,.0f} KiB, median {statistics.median(times)*1000:,.0f} ms, worst {max(times)*1000:,.0f} ms", flush=True)
