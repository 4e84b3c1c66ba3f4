"""The query layer measured: one read query written four ways, on both stores, same answers checked.

    python -m bench.query_layer --statements 20000 --store sqlite,postgresql

On a generated chronicle (imported here, or one kept by ``--keep`` and given again with ``--reuse``)
it times the narrative index query (``narrative_rows`` for random (story, day, lens) questions, as
bench/scale.py asks them) and a topic's history (``topic_rows``), p50 and p99 in ms, each way on
the same connection, the ways taking turns question by question:

  hand        the SQL strings as they were written by hand in each store before issue 12
              (an f-string per call; SQLite asks for the lens's speakers first, as it still does);
  sa-engine   SQLAlchemy Core: Table metadata, the query composed with select() per call and run
              through SQLAlchemy's engine and connection (its compiled cache on, the default);
  sa-prebuilt the same, each shape's select() composed once and kept (the engine's execution alone);
  sa-string   the same select() compiled once per shape and dialect to a string, run on the
              store's own sqlite3 / psycopg connection;
  builder     chronicle/persistence/queries.py: one Python definition per query rendering the text
              for the dialect, cached per shape, run on the store's own connection;
  store       the store's own method (the builder behind the store's connection handling).

Every way's rows are compared with ``hand``'s for every question.
The sa-* ways need SQLAlchemy (``pip install 'sqlalchemy>=2.0,<2.1'``), which the chronicle itself does not use.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import tempfile
from pathlib import Path
from typing import Any

from bench.generator import history
from bench.importer import import_history
from bench.scale import DEFAULT_URL, drop_schemas, lens_questions, percentile, timed
from chronicle.bootstrap import open_chronicle
from chronicle.config import Settings
from chronicle.persistence import queries
from chronicle.persistence.postgres import split_url
from chronicle.projections.rows import CONTENT_COLUMNS
from chronicle.projections.store import Lens

WAYS = ("hand", "sa-engine", "sa-prebuilt", "sa-string", "builder", "store")

# ----- (a) the hand-written SQL, as sqlite.py and postgres.py had it

_ROW_SELECT = queries._ROW_SELECT
_PG_SPEAKERS = (" CROSS JOIN (SELECT ARRAY(SELECT DISTINCT source_id FROM source_camps "
                "WHERE camp = ANY(%(camps)s::text[])) || %(ids)s::text[] AS ids) s_ids")


def _hand_recorded(p: str, known_at: str | None, params: dict) -> str:
    if known_at is None:
        return "v.recorded_until IS NULL"
    params["known_at"] = known_at
    return f"v.recorded_from <= {p} AND (v.recorded_until IS NULL OR v.recorded_until > {p})"


def hand_sqlite_narrative(db, story: str, as_of: str, lens: Lens, known_at: str | None) -> list[dict]:
    params: dict = {"as_of": as_of, "story": story}
    if lens.everyone:
        in_lens = "1=1"
    else:
        rows = db.execute("SELECT DISTINCT source_id FROM source_camps WHERE camp IN (SELECT value FROM json_each(?))",
                          (json.dumps(sorted(lens.camps)),)).fetchall()
        params["speakers"] = json.dumps(sorted({row[0] for row in rows} | set(lens.source_ids)))
        params["ids"] = json.dumps(sorted(lens.source_ids))
        params["camps"] = json.dumps(sorted(lens.camps))
        day = ":as_of"
        speaks = [
            f"(v.{column} IN (SELECT value FROM json_each(:speakers)) AND (v.{column} IN "
            f"(SELECT value FROM json_each(:ids)) OR EXISTS (SELECT 1 FROM source_camps sc "
            f"WHERE sc.source_id = v.{column} AND sc.camp IN (SELECT value FROM json_each(:camps)) "
            f"AND sc.since_on <= {day} AND (sc.until_on IS NULL OR sc.until_on > {day}))))"
            for column in ("source_id", "via_id")]
        in_lens = f"({' OR '.join(speaks)})"
    where = (f"{_hand_recorded(':known_at', known_at, params)} AND v.story = :story AND v.stated_on <= :as_of "
             f"AND (v.stated_until IS NULL OR v.stated_until > :as_of) AND {in_lens}")
    sql = f"{_ROW_SELECT} WHERE {where} ORDER BY t.slug, v.stated_on, c.slug, v.part"
    return [dict(row) for row in db.execute(sql, params).fetchall()]


def hand_sqlite_topic(db, topic_id: str, known_at: str | None) -> list[dict]:
    params: dict = {"topic": topic_id}
    where = f"v.topic_id = :topic AND {_hand_recorded(':known_at', known_at, params)}"
    sql = f"{_ROW_SELECT} WHERE {where} ORDER BY v.stated_on, c.slug, v.version, v.part"
    return [dict(row) for row in db.execute(sql, params).fetchall()]


def hand_pg_narrative(db, story: str, as_of: str, lens: Lens, known_at: str | None) -> list[dict]:
    params: dict = {"as_of": as_of, "story": story}
    if lens.everyone:
        in_lens = "TRUE"
    else:
        params.update(camps=sorted(lens.camps), ids=sorted(lens.source_ids))
        day = "%(as_of)s"
        speaks = [
            f"(v.{column} = ANY(s_ids.ids) AND (v.{column} = ANY(%(ids)s::text[]) OR EXISTS (SELECT 1 "
            f"FROM source_camps sc WHERE sc.source_id = v.{column} AND sc.camp = ANY(%(camps)s::text[]) "
            f"AND sc.since_on <= {day} AND (sc.until_on IS NULL OR sc.until_on > {day}))))"
            for column in ("source_id", "via_id")]
        in_lens = f"({' OR '.join(speaks)})"
    where = (f"{_hand_recorded('%(known_at)s', known_at, params)} AND v.story = %(story)s "
             f"AND v.stated_on <= %(as_of)s AND (v.stated_until IS NULL OR v.stated_until > %(as_of)s) AND {in_lens}")
    joined = "" if lens.everyone else _PG_SPEAKERS
    sql = f"{_ROW_SELECT}{joined} WHERE {where} ORDER BY t.slug, v.stated_on, c.slug, v.part"
    return db.execute(sql, params).fetchall()


def hand_pg_topic(db, topic_id: str, known_at: str | None) -> list[dict]:
    params: dict = {"topic": topic_id}
    where = f"v.topic_id = %(topic)s AND {_hand_recorded('%(known_at)s', known_at, params)}"
    return db.execute(f"{_ROW_SELECT} WHERE {where} ORDER BY v.stated_on, c.slug, v.version, v.part", params).fetchall()


# ----- (b) SQLAlchemy Core

class Core:
    """The two queries in SQLAlchemy Core, for one dialect ("sqlite" or "postgresql")."""

    def __init__(self, dialect: str):
        import sqlalchemy as sa
        from sqlalchemy.dialects import postgresql, sqlite

        self.sa, self.dialect = sa, dialect
        meta = sa.MetaData()
        self.versions = sa.Table("versions", meta, sa.Column("row_id", sa.Integer, primary_key=True),
                                 *(sa.Column(name, sa.Float if name == "figure_value" else
                                             sa.Integer if name in ("version", "part") else sa.Text)
                                   for name in CONTENT_COLUMNS + ("recorded_from", "recorded_until")))
        self.claims = sa.Table("claims", meta, *(sa.Column(n, sa.Text) for n in ("id", "story", "slug")))
        self.sources = sa.Table("sources", meta, *(sa.Column(n, sa.Text) for n in ("id", "slug", "name", "camp")))
        self.topics = sa.Table("topics", meta, *(sa.Column(n, sa.Text) for n in ("id", "slug", "title", "kind", "unit")))
        self.source_camps = sa.Table("source_camps", meta, *(sa.Column(n, sa.Text) for n in (
            "source_id", "camp", "since_on", "until_on")))
        self.compiler = sqlite.dialect(paramstyle="named") if dialect == "sqlite" else postgresql.psycopg.dialect()
        self.strings: dict[tuple, str] = {}

    def one_of(self, column, name: str):
        sa = self.sa
        if self.dialect == "sqlite":
            return column.in_(sa.select(sa.literal_column("value")).select_from(sa.func.json_each(sa.bindparam(name))))
        from sqlalchemy.dialects.postgresql import ARRAY
        return column == sa.any_(sa.bindparam(name, type_=ARRAY(sa.Text)))

    def _rows(self):
        sa, v = self.sa, self.versions
        c, t = self.claims.alias("c"), self.topics.alias("t")
        s, w = self.sources.alias("s"), self.sources.alias("w")
        v = v.alias("v")
        columns = [v, c.c.slug.label("claim_slug"), s.c.slug.label("source_slug"), s.c.name.label("source_name"),
                   s.c.camp.label("source_camp"), w.c.slug.label("via_slug"), w.c.name.label("via_name"),
                   w.c.camp.label("via_camp"), t.c.slug.label("topic_slug"), t.c.title.label("topic_title"),
                   t.c.kind.label("topic_kind"), t.c.unit.label("topic_unit")]
        joined = (v.join(c, c.c.id == v.c.claim_id).join(s, s.c.id == v.c.source_id)
                  .outerjoin(w, w.c.id == v.c.via_id).join(t, t.c.id == v.c.topic_id))
        return sa, v, c, t, columns, joined

    def recorded(self, v, known: bool):
        sa = self.sa
        if not known:
            return v.c.recorded_until.is_(None)
        at = sa.bindparam("known_at")
        return sa.and_(v.c.recorded_from <= at, sa.or_(v.c.recorded_until.is_(None), v.c.recorded_until > at))

    def narrative(self, known: bool, everyone: bool):
        sa, v, c, t, columns, joined = self._rows()
        as_of = sa.bindparam("as_of")
        where = [self.recorded(v, known), v.c.story == sa.bindparam("story"), v.c.stated_on <= as_of,
                 sa.or_(v.c.stated_until.is_(None), v.c.stated_until > as_of)]
        if not everyone:
            sc = self.source_camps.alias("sc")
            if self.dialect == "sqlite":
                def speaker(column):
                    return self.one_of(column, "speakers")
            else:
                inner = self.source_camps.alias("sc2")
                s_ids = sa.select(sa.func.array_cat(
                    sa.select(sa.func.array_agg(sa.distinct(inner.c.source_id)))
                    .where(self.one_of(inner.c.camp, "camps")).scalar_subquery(),
                    sa.cast(sa.bindparam("ids"), sa.dialects.postgresql.ARRAY(sa.Text))).label("ids")).subquery("s_ids")
                joined = joined.join(s_ids, sa.true())

                def speaker(column):
                    return column == sa.any_(s_ids.c.ids)
            speaks = []
            for name in ("source_id", "via_id"):
                column = v.c[name]
                camp = sa.exists().where(sc.c.source_id == column, self.one_of(sc.c.camp, "camps"),
                                         sc.c.since_on <= as_of, sa.or_(sc.c.until_on.is_(None), sc.c.until_on > as_of))
                speaks.append(sa.and_(speaker(column), sa.or_(self.one_of(column, "ids"), camp)))
            where.append(sa.or_(*speaks))
        return (sa.select(*columns).select_from(joined).where(*where)
                .order_by(t.c.slug, v.c.stated_on, c.c.slug, v.c.part))

    def topic(self, known: bool):
        sa, v, c, t, columns, joined = self._rows()
        return (sa.select(*columns).select_from(joined)
                .where(v.c.topic_id == sa.bindparam("topic"), self.recorded(v, known))
                .order_by(v.c.stated_on, c.c.slug, v.c.version, v.c.part))

    def string(self, key: tuple) -> str:
        if key not in self.strings:
            statement = self.narrative(*key[1:]) if key[0] == "narrative" else self.topic(*key[1:])
            self.strings[key] = str(statement.compile(dialect=self.compiler))
        return self.strings[key]


def engine_for(store) -> Any:
    import sqlalchemy as sa

    if hasattr(store, "path"):
        engine = sa.create_engine(f"sqlite:///{store.path}", pool_size=1)

        @sa.event.listens_for(engine, "connect")
        def pragmas(db, _):
            db.execute("PRAGMA cache_size=-16384")
        return engine
    url = store.locator.conninfo.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(url, pool_size=1)

    @sa.event.listens_for(engine, "connect")
    def settings(db, _):
        with db.cursor() as cursor:
            cursor.execute(f"SET search_path TO {store.schema}; SET random_page_cost = 1.1; "
                           "SET plan_cache_mode = force_generic_plan")
        db.commit()
    return engine


# ----- the measurement

def lens_params(d: queries.Dialect, db, lens: Lens) -> dict:
    """The lens's parameters, as SharedReads._lens_params makes them, on a given connection."""
    if lens.everyone:
        return {}
    params = {"ids": d.texts(sorted(lens.source_ids)), "camps": d.texts(sorted(lens.camps))}
    if d.sqlite:
        rows = db.execute(queries.speakers(d), {"camps": params["camps"]}).fetchall()
        params["speakers"] = d.texts(sorted({row[0] for row in rows} | set(lens.source_ids)))
    return params


def measure(store_name: str, settings: Settings, count: int, seed: int) -> dict[str, dict[str, list[float]]]:
    chronicle = open_chronicle(settings)
    view = chronicle.view
    rng = random.Random(seed)
    questions = lens_questions(view.entries("source"), seed, count, rng)
    lenses = {text: chronicle.resolve_lens(text) for _, _, text in questions}
    topics = [t["id"] for t in view.entries("topic")]
    picked = [(rng.choice(topics),) for _ in range(count)]
    sqlite = store_name == "sqlite"
    d = queries.SQLITE if sqlite else queries.POSTGRES
    core = Core(d.name)
    engine = engine_for(view)
    held = None if sqlite else view.pool.connection()
    db = view.db if sqlite else held.__enter__()
    sa_db = engine.connect()

    built: dict[tuple, Any] = {}

    def prebuilt(key: tuple) -> Any:
        if key not in built:
            built[key] = core.narrative(False, key[1]) if key[0] == "narrative" else core.topic(False)
        return built[key]

    def fetch(sql: str, params: dict) -> list[dict]:
        return [dict(row) for row in db.execute(sql, params).fetchall()]

    narrative = {
        "hand": (lambda s, a, lens: (hand_sqlite_narrative if sqlite else hand_pg_narrative)(db, s, a, lens, None)),
        "sa-engine": lambda s, a, lens: [dict(row) for row in sa_db.execute(
            core.narrative(False, lens.everyone), {"story": s, "as_of": a, **lens_params(d, db, lens)}).mappings()],
        "sa-prebuilt": lambda s, a, lens: [dict(row) for row in sa_db.execute(
            prebuilt(("narrative", lens.everyone)), {"story": s, "as_of": a, **lens_params(d, db, lens)}).mappings()],
        "sa-string": lambda s, a, lens: fetch(core.string(("narrative", False, lens.everyone)),
                                              {"story": s, "as_of": a, **lens_params(d, db, lens)}),
        "builder": lambda s, a, lens: fetch(queries.narrative(d, False, lens.everyone),
                                            {"story": s, "as_of": a, "known_at": None, **lens_params(d, db, lens)}),
        "store": lambda s, a, lens: view.narrative_rows(s, a, lens, None),
    }
    topic = {
        "hand": lambda t: (hand_sqlite_topic if sqlite else hand_pg_topic)(db, t, None),
        "sa-engine": lambda t: [dict(row) for row in sa_db.execute(core.topic(False), {"topic": t}).mappings()],
        "sa-prebuilt": lambda t: [dict(row) for row in sa_db.execute(prebuilt(("topic",)), {"topic": t}).mappings()],
        "sa-string": lambda t: fetch(core.string(("topic", False)), {"topic": t}),
        "builder": lambda t: fetch(queries.topic_rows(d, False), {"topic": t, "known_at": None}),
        "store": lambda t: view.topic_rows(t, None),
    }
    # The same answers, every way, for every question (and a warm-up for caches and prepared statements).
    for story, day, text in questions:
        answers = [narrative[way](story, day, lenses[text]) for way in WAYS]
        assert all(answer == answers[0] for answer in answers), (story, day, text)
    for (topic_id,) in picked:
        answers = [topic[way](topic_id) for way in WAYS]
        assert all(answer == answers[0] for answer in answers), topic_id
    times: dict[str, dict[str, list[float]]] = {way: {"narrative": [], "topic": []} for way in WAYS}
    for round_ in range(2):  # the ways take turns, question by question, twice over
        for question in questions:
            for way in WAYS:
                times[way]["narrative"] += timed(lambda s, a, t: narrative[way](s, a, lenses[t]), [question])
        for question in picked:
            for way in WAYS:
                times[way]["topic"] += timed(topic[way], [question])
    sa_db.close()
    engine.dispose()
    if held is not None:
        held.__exit__(None, None, None)
    view.close()
    chronicle.close()
    return times


def prepare(store: str, args: argparse.Namespace, folder: Path) -> tuple[Settings, str | None]:
    url = None
    if store == "postgresql":
        conninfo, _ = split_url(args.url)
        url = f"{conninfo}{'&' if '?' in conninfo else '?'}schema=bench_ql_{os.getpid()}"
    settings = Settings(data_dir=folder / "data", database_url=url, editor="bench")
    chronicle = open_chronicle(settings)
    import_history(chronicle, history(args.statements, args.seed))
    chronicle.close()
    print(f"[{store}] imported {args.statements:,} statements into {url or settings.data_dir}", flush=True)
    return settings, url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=20000)
    parser.add_argument("--store", default="sqlite,postgresql")
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--keep", action="store_true", help="keep the imported data (folder or schema)")
    parser.add_argument("--reuse", action="append", default=[], metavar="DATA_FOLDER_OR_URL",
                        help="a chronicle kept by an earlier run (same --statements and --seed); repeat per store")
    args = parser.parse_args()
    results = {}
    for kept in args.reuse:
        url = kept if kept.startswith(("postgresql://", "postgres://")) else None
        store = "postgresql" if url else "sqlite"
        settings = Settings(data_dir=Path(tempfile.mkdtemp()) if url else Path(kept), database_url=url, editor="bench")
        results[store] = measure(store, settings, args.queries, args.seed)
    for store in ([] if args.reuse else [s.strip() for s in args.store.split(",")]):
        folder = Path(tempfile.mkdtemp(prefix=f"chronicle-ql-{store}-"))
        settings, url = prepare(store, args, folder)
        try:
            results[store] = measure(store, settings, args.queries, args.seed)
        finally:
            if not args.keep:
                shutil.rmtree(folder, ignore_errors=True)
                if url:
                    drop_schemas(url)
    stores = list(results)
    print(f"\n{args.statements:,} statements, {args.queries} questions x 2 rounds, p50 / p99 ms (same answers checked)")
    print(f"{'way':<10}" + "".join(f"{f'{s} narrative':>22}{f'{s} topic':>20}" for s in stores))
    for way in WAYS:
        cells = []
        for store in stores:
            for name, width in (("narrative", 22), ("topic", 20)):
                values = results[store][way][name]
                cells.append(f"{percentile(values, 50):.3f} / {percentile(values, 99):.3f}".rjust(width))
        print(f"{way:<10}" + "".join(cells))


if __name__ == "__main__":
    main()
