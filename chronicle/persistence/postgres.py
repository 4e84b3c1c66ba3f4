"""The read models on PostgreSQL: one schema per view generation, beside the event store's schema.

``postgresql://user:password@host:port/dbname?schema=newsroom`` puts everything in schemas named
after ``newsroom`` (default ``chronicle``): the events, their hashes, the access tokens and a
one-row pointer to the current view generation live in ``newsroom``; each view generation is a
schema of its own, ``newsroom_view_<n>``. A rebuild fills a new generation while the old one
keeps serving, then moves the pointer and drops the old schema in one transaction. A store
opened on the current generation follows the pointer when its schema disappears, so every web
worker moves to the rebuilt view on its next query. Each generation records the layout it was
written in (``LAYOUT``) in a one-row ``layout`` table; one without that table predates layouts.

Text columns use the "C" collation so that comparisons and ordering are bytewise, as in SQLite,
whatever the database's default collation.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import errors, sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolClosed

from chronicle.domain import ChronicleError
from chronicle.persistence.queries import POSTGRES, SharedReads
from chronicle.projections.camps import camp_intervals
from chronicle.projections.rows import CONTENT_COLUMNS
from chronicle.projections.store import LAYOUT, PositionMoved, ViewBatch, ViewLocator, ViewStore

DEFAULT_SCHEMA = "chronicle"
_WORD = re.compile(r"[^\W_]+")
SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,39}\Z")
POOL_SIZE = 8

T = TypeVar("T")
# What a query meets when its view generation was dropped by a rebuild in another process.
_MOVED = (errors.UndefinedTable, errors.InvalidSchemaName, PoolClosed)

VIEW_SCHEMA = """
CREATE TABLE layout (version integer NOT NULL);
CREATE TABLE faults (
    application_name text NOT NULL, position bigint NOT NULL, event text NOT NULL, reason text NOT NULL,
    at text NOT NULL, PRIMARY KEY (application_name, position));
CREATE TABLE tracking (
    application_name text PRIMARY KEY, notification_id bigint NOT NULL);
CREATE TABLE stories (
    id text COLLATE "C" PRIMARY KEY, slug text COLLATE "C" UNIQUE NOT NULL, title text NOT NULL,
    description text, period text);
CREATE TABLE sources (
    id text COLLATE "C" PRIMARY KEY, slug text COLLATE "C" UNIQUE NOT NULL, name text COLLATE "C" NOT NULL,
    camp text COLLATE "C" NOT NULL, kind text COLLATE "C", aliases text NOT NULL, description text,
    camps text NOT NULL);
CREATE TABLE source_camps (
    source_id text COLLATE "C" NOT NULL, number integer NOT NULL, camp text COLLATE "C" NOT NULL,
    since_on text COLLATE "C" NOT NULL, until_on text COLLATE "C", PRIMARY KEY (source_id, number));
CREATE TABLE source_names (
    key text COLLATE "C" NOT NULL, source_id text COLLATE "C" NOT NULL, PRIMARY KEY (key, source_id));
CREATE INDEX source_names_source ON source_names (source_id);
CREATE TABLE topics (
    id text COLLATE "C" PRIMARY KEY, story text COLLATE "C" NOT NULL, slug text COLLATE "C" NOT NULL,
    title text NOT NULL, kind text COLLATE "C" NOT NULL, unit text, description text, UNIQUE (story, slug));
CREATE TABLE incidents (
    id text COLLATE "C" PRIMARY KEY, story text COLLATE "C" NOT NULL, slug text COLLATE "C" NOT NULL,
    title text NOT NULL, occurred text NOT NULL, place text, description text, citations text NOT NULL,
    UNIQUE (story, slug));
CREATE TABLE claims (
    id text COLLATE "C" PRIMARY KEY, story text COLLATE "C" NOT NULL, slug text COLLATE "C" NOT NULL,
    version integer NOT NULL, incident_ids text NOT NULL, corrections text, UNIQUE (story, slug));
CREATE TABLE versions (
    row_id bigserial PRIMARY KEY,
    claim_id text COLLATE "C" NOT NULL, version integer NOT NULL, part integer NOT NULL,
    kind text COLLATE "C" NOT NULL, story text COLLATE "C" NOT NULL,
    source_id text COLLATE "C" NOT NULL, via_id text COLLATE "C", topic_id text COLLATE "C" NOT NULL,
    stated_on text COLLATE "C" NOT NULL, stated_until text COLLATE "C", next_kind text COLLATE "C",
    stated text NOT NULL, text text, quote text, quote_language text COLLATE "C", original text,
    figure text, figure_value double precision, citations text, reason text, note text,
    recorded_at text COLLATE "C", recorded_by text, corrected_at text COLLATE "C", corrected_by text,
    correction text, recorded_from text COLLATE "C" NOT NULL, recorded_until text COLLATE "C");
CREATE INDEX versions_claim ON versions (claim_id, version);
CREATE TABLE links (
    claim_id text COLLATE "C" NOT NULL, relation text COLLATE "C" NOT NULL, target_id text COLLATE "C" NOT NULL,
    story text COLLATE "C" NOT NULL, stated_on text COLLATE "C" NOT NULL, note text,
    recorded_at text COLLATE "C" NOT NULL, editor text);
CREATE TABLE search (
    entry_id text COLLATE "C" PRIMARY KEY, kind text COLLATE "C" NOT NULL, story text COLLATE "C",
    slug text COLLATE "C" NOT NULL, title text, body text, document tsvector NOT NULL);
CREATE TABLE audit (
    position bigint PRIMARY KEY, recorded_at text COLLATE "C" NOT NULL, editor text COLLATE "C",
    kind text COLLATE "C" NOT NULL, event text COLLATE "C" NOT NULL, entry_id text NOT NULL, summary text);
"""

# The indexes only queries use. A rebuild builds them once its generation is full, which is far
# quicker than keeping them up to date row by row (the search index most of all).
QUERY_INDEXES = """
CREATE INDEX sources_camp ON sources (camp);
CREATE INDEX source_camps_camp ON source_camps (camp, since_on);
CREATE INDEX versions_now ON versions (story, stated_on, stated_until, source_id, via_id) WHERE recorded_until IS NULL;
CREATE INDEX versions_topic ON versions (topic_id, stated_on);
CREATE INDEX versions_source ON versions (source_id, stated_on);
CREATE INDEX versions_via ON versions (via_id, stated_on) WHERE via_id IS NOT NULL;
-- The current rows alone, with where their stated interval ends: a narrative reads only what it returns.
CREATE INDEX versions_source_now ON versions (source_id, stated_on, stated_until) WHERE recorded_until IS NULL;
CREATE INDEX versions_via_now ON versions (via_id, stated_on, stated_until) WHERE recorded_until IS NULL;
CREATE INDEX links_from ON links (claim_id);
CREATE INDEX links_to ON links (target_id);
CREATE INDEX links_on ON links (story, stated_on);
CREATE INDEX search_document ON search USING gin (document);
"""
VIEW_TABLES = ("tracking", "stories", "sources", "source_camps", "source_names", "topics", "incidents", "claims",
               "versions", "links", "search", "audit")

ROW_COLUMNS = CONTENT_COLUMNS + ("recorded_from", "recorded_until")
_SEARCH_COLUMNS = ("entry_id", "kind", "story", "slug", "title", "body", "slug_words", "title_words", "body_words")
_SEARCH_UPSERT = (
    "INSERT INTO search (entry_id, kind, story, slug, title, body, document) "
    "SELECT entry_id, kind, story, slug, title, body, setweight(to_tsvector('simple', slug_words), 'B') || "
    "setweight(to_tsvector('simple', title_words), 'A') || setweight(to_tsvector('simple', body_words), 'D') "
    f"FROM unnest({', '.join(['%s::text[]'] * len(_SEARCH_COLUMNS))}) AS t({', '.join(_SEARCH_COLUMNS)}) "
    "ON CONFLICT (entry_id) DO UPDATE SET kind = excluded.kind, story = excluded.story, slug = excluded.slug, "
    "title = excluded.title, body = excluded.body, document = excluded.document")


def split_url(url: str) -> tuple[str, str]:
    """A ``postgresql://`` URL as (libpq connection string, schema); ``?schema=`` is ours, not libpq's."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = next((value for key, value in query if key == "schema"), "") or DEFAULT_SCHEMA
    if not SCHEMA_NAME.match(schema):
        raise ValueError(f"schema {schema!r} in the database URL must be lowercase letters, digits and "
                         "underscores, at most 40 characters")
    rest = urlencode([(key, value) for key, value in query if key != "schema"])
    scheme = "postgresql" if parts.scheme in ("postgres", "postgresql") else parts.scheme
    return urlunsplit((scheme, parts.netloc, parts.path, rest, parts.fragment)), schema


def event_store_env(url: str) -> dict[str, str]:
    """The eventsourcing environment for events in the URL's database and schema."""
    conninfo, schema = split_url(url)
    params = conninfo_to_dict(conninfo)
    ensure_schema(conninfo, schema)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": str(params.get("dbname") or params.get("user") or "postgres"),
        "POSTGRES_HOST": str(params.get("host") or "localhost"),
        "POSTGRES_PORT": str(params.get("port") or "5432"),
        "POSTGRES_USER": str(params.get("user") or "postgres"),
        "POSTGRES_PASSWORD": str(params.get("password") or ""),
        "POSTGRES_SCHEMA": schema,
        "POSTGRES_POOL_SIZE": "1",
        "POSTGRES_MAX_OVERFLOW": str(POOL_SIZE - 1),
        "POSTGRES_CONNECT_TIMEOUT": "10",
        "APPLICATION_RECORDER_TOPIC": "chronicle.persistence.chain:ChainedPostgresApplicationRecorder",
    }


def connect(conninfo: str) -> psycopg.Connection:
    """A connection in autocommit mode, or a clear error naming the server it could not reach."""
    try:
        return psycopg.connect(conninfo, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as error:
        where = conninfo_to_dict(conninfo)
        raise StoreUnavailableError(f"cannot reach PostgreSQL at {where.get('host', 'localhost')}:"
                                    f"{where.get('port', 5432)}/{where.get('dbname', '')}: "
                                    f"{str(error).strip()}") from None


def ensure_schema(conninfo: str, schema: str) -> None:
    """Create the chronicle's schema unless it exists (two processes may race to do it)."""
    with connect(conninfo) as db:
        try:
            db.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        except (errors.UniqueViolation, errors.DuplicateSchema):
            pass


@contextmanager
def opening(url: str) -> Iterator[None]:
    """Hold the chronicle's startup lock while its tables are created, so processes take turns."""
    # eventsourcing's CREATE OR REPLACE FUNCTION fails ("tuple concurrently updated") when two
    # web workers start at the same moment.
    conninfo, schema = split_url(url)
    with connect(conninfo) as db:
        db.execute("SELECT pg_advisory_lock(hashtext(%s))", (f"chronicle-open:{schema}",))
        yield


def search_words(text: str | None) -> str:
    """Text as the words the index holds: case, accents and punctuation folded, as SQLite's unicode61 does."""
    folded = (text or "").casefold()
    if not folded.isascii():
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(folded))


def _search_query(terms: list[str]) -> str | None:
    """A tsquery matching every term, the last one as a prefix, as the SQLite store's MATCH does."""
    phrases = []
    for number, term in enumerate(terms):
        words = search_words(term).split()
        if not words:
            continue
        quoted = [f"'{word}'" for word in words]
        if number == len(terms) - 1:
            quoted[-1] += ":*"
        phrases.append("(" + " <-> ".join(quoted) + ")")
    return " & ".join(phrases) or None


class PostgresViewBatch(ViewBatch):
    """One view transaction on PostgreSQL: reads go to the server, writes are sent in bulk at the end.

    Each round trip to the server costs more than the work it carries, so the batch keeps what it
    writes (and reads back its own entries from memory) until :meth:`write`.
    """

    def __init__(self, db: psycopg.Connection):
        self.db = db
        self.entries: dict[str, tuple[str, dict, list[str] | None]] = {}
        self.claims: list[tuple] = []
        self.links: list[tuple] = []
        self.audit: list[tuple] = []
        self.texts: dict[str, dict] = {}
        self.closes: list[tuple] = []
        self.rows: list[dict] = []

    def save_claims(self, facts: list[tuple]) -> None:
        self.claims.extend(facts)

    def close_rows(self, closes: list[tuple]) -> None:
        self.closes.extend(closes)

    def insert_rows(self, rows: list[dict]) -> None:
        self.rows.extend(rows)

    def load_entry(self, entry_id: str) -> tuple[str, dict]:
        if entry_id in self.entries:
            kind, entry, _ = self.entries[entry_id]
            return kind, dict(entry)
        for kind, table in (("source", "sources"), ("topic", "topics"), ("incident", "incidents"),
                            ("story", "stories")):
            row = self.db.execute(f"SELECT * FROM {table} WHERE id = %s", (entry_id,)).fetchone()
            if row:
                return kind, _decode_entry(row)
        raise KeyError(entry_id)

    def save_story(self, entry: dict) -> None:
        self.entries[entry["id"]] = ("story", entry, None)

    def save_source(self, entry: dict, keys: list[str]) -> None:
        self.entries[entry["id"]] = ("source", entry, keys)

    def save_topic(self, entry: dict) -> None:
        self.entries[entry["id"]] = ("topic", entry, None)

    def save_incident(self, entry: dict) -> None:
        self.entries[entry["id"]] = ("incident", entry, None)

    def save_link(self, claim_id: str, relation: str, target_id: str, story: str, stated_on: str,
                  note: str | None, recorded_at: str, editor: str) -> None:
        self.links.append((claim_id, relation, target_id, story, stated_on, note, recorded_at, editor))

    def log_event(self, position: int, recorded_at: str, editor: str, kind: str, event: str,
                  entry_id: str, summary: str) -> None:
        self.audit.append((position, recorded_at, editor, kind, event, entry_id, summary))

    def index_text(self, kind: str, entry_id: str, slug: str, title: str, body: str, story: str | None) -> None:
        self.texts[entry_id] = {"entry_id": entry_id, "kind": kind, "story": story, "slug": slug, "title": title,
                                "body": body,
                                "slug_words": search_words(slug), "title_words": search_words(title),
                                "body_words": search_words(body)}

    def write(self) -> None:
        """Send what the batch buffered: entries, claim states, row changes, links, the audit log, the search index."""
        with self.db.cursor() as cursor:
            self._write_entries(cursor)
            if self.closes:
                cursor.execute("UPDATE versions v SET recorded_until = c.until "
                               "FROM unnest(%s::text[], %s::integer[], %s::integer[], %s::text[]) "
                               "AS c(claim_id, version, part, until) WHERE v.claim_id = c.claim_id "
                               "AND v.version = c.version AND v.part = c.part AND v.recorded_until IS NULL",
                               tuple(list(column) for column in zip(*self.closes)))
            _copy(cursor, "versions", ROW_COLUMNS, ([row.get(c) for c in ROW_COLUMNS] for row in self.rows))
            if self.claims:
                cursor.execute(
                    "INSERT INTO claims (id, story, slug, version, incident_ids, corrections) "
                    "SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::integer[], %s::text[], %s::text[]) "
                    "ON CONFLICT (id) DO UPDATE SET version = excluded.version, incident_ids = excluded.incident_ids, "
                    "corrections = excluded.corrections",
                    tuple(list(column) for column in zip(*self.claims)))
            _copy(cursor, "links", ("claim_id", "relation", "target_id", "story", "stated_on", "note", "recorded_at",
                                    "editor"), self.links)
            _copy(cursor, "audit", ("position", "recorded_at", "editor", "kind", "event", "entry_id", "summary"),
                  self.audit)
            if self.texts:
                columns = [[text[name] for text in self.texts.values()] for name in _SEARCH_COLUMNS]
                cursor.execute(_SEARCH_UPSERT, columns)

    def _write_entries(self, cursor: psycopg.Cursor) -> None:
        by_kind: dict[str, list[dict]] = {"story": [], "source": [], "topic": [], "incident": []}
        for kind, entry, _ in self.entries.values():
            by_kind[kind].append(entry)
        if by_kind["story"]:
            cursor.executemany(
                "INSERT INTO stories (id, slug, title, description, period) "
                "VALUES (%(id)s, %(slug)s, %(title)s, %(description)s, %(period)s) "
                "ON CONFLICT (id) DO UPDATE SET slug = excluded.slug, title = excluded.title, "
                "description = excluded.description, period = excluded.period",
                [{**e, "period": json.dumps(e["period"], ensure_ascii=False) if e["period"] else None}
                 for e in by_kind["story"]])
        if by_kind["source"]:
            cursor.executemany(
                "INSERT INTO sources (id, slug, name, camp, kind, aliases, description, camps) "
                "VALUES (%(id)s, %(slug)s, %(name)s, %(camp)s, %(kind)s, %(aliases)s, %(description)s, %(camps)s) "
                "ON CONFLICT (id) DO UPDATE SET slug = excluded.slug, name = excluded.name, camp = excluded.camp, "
                "kind = excluded.kind, aliases = excluded.aliases, description = excluded.description, "
                "camps = excluded.camps",
                [{**e, "aliases": json.dumps(e["aliases"], ensure_ascii=False),
                  "camps": json.dumps(e["camps"], ensure_ascii=False)} for e in by_kind["source"]])
            touched = [e["id"] for e in by_kind["source"]]
            names = [(key, entry_id) for entry_id, (kind, _, keys) in self.entries.items() if kind == "source"
                     for key in keys]
            cursor.execute("DELETE FROM source_names WHERE source_id = ANY(%s)", (touched,))
            cursor.execute("INSERT INTO source_names (key, source_id) SELECT * FROM unnest(%s::text[], %s::text[])",
                           ([key for key, _ in names], [entry_id for _, entry_id in names]))
            # Each source's camps over time, as the intervals lens queries join on.
            camps = [interval for e in by_kind["source"] for interval in camp_intervals(e)]
            cursor.execute("DELETE FROM source_camps WHERE source_id = ANY(%s)", (touched,))
            cursor.execute("INSERT INTO source_camps (source_id, number, camp, since_on, until_on) "
                           "SELECT * FROM unnest(%s::text[], %s::integer[], %s::text[], %s::text[], %s::text[])",
                           tuple(list(column) for column in zip(*camps)) if camps else ([], [], [], [], []))
        if by_kind["topic"]:
            cursor.executemany(
                "INSERT INTO topics (id, story, slug, title, kind, unit, description) "
                "VALUES (%(id)s, %(story)s, %(slug)s, %(title)s, %(kind)s, %(unit)s, %(description)s) "
                "ON CONFLICT (id) DO UPDATE SET story = excluded.story, slug = excluded.slug, title = excluded.title, "
                "kind = excluded.kind, unit = excluded.unit, description = excluded.description", by_kind["topic"])
        if by_kind["incident"]:
            cursor.executemany(
                "INSERT INTO incidents (id, story, slug, title, occurred, place, description, citations) "
                "VALUES (%(id)s, %(story)s, %(slug)s, %(title)s, %(occurred)s, %(place)s, %(description)s, "
                "%(citations)s) "
                "ON CONFLICT (id) DO UPDATE SET story = excluded.story, slug = excluded.slug, title = excluded.title, "
                "occurred = excluded.occurred, place = excluded.place, description = excluded.description, "
                "citations = excluded.citations",
                [{**e, "occurred": json.dumps(e["occurred"], ensure_ascii=False),
                  "citations": json.dumps(e["citations"], ensure_ascii=False)} for e in by_kind["incident"]])


def _copy(cursor: psycopg.Cursor, table: str, columns: tuple[str, ...], rows: Any) -> None:
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    with cursor.copy(statement) as copy:
        copy.write_row(first)
        for row in rows:
            copy.write_row(row)


def _decode_entry(row: dict) -> dict:
    for name in ("aliases", "occurred", "citations", "camps", "period"):
        if name in row and isinstance(row[name], str):
            row[name] = json.loads(row[name])
    return row


class PostgresViewStore(SharedReads, ViewStore):
    """The read models in one schema; a store on the current generation follows the pointer to the next.

    Its reads are chronicle/persistence/queries.py's.
    """

    dialect = POSTGRES

    def __init__(self, locator: PostgresViewLocator, schema: str, follows: bool):
        self.locator = locator
        self.schema = schema
        self.follows = follows
        self.pool = locator.pool_for(schema)
        self._lock = threading.Lock()

    def _read(self, query: Callable[[psycopg.Connection], T]) -> T:
        """Run a read; if the view was rebuilt and its schema dropped meanwhile, move to the new one once."""
        seen = self.schema
        try:
            with self.pool.connection() as db:
                return query(db)
        except _MOVED:
            if not self._follow(seen):
                raise
        with self.pool.connection() as db:
            return query(db)

    def _follow(self, seen: str) -> bool:
        """Switch to the generation the pointer names; False if there is nothing to switch to."""
        with self._lock:
            if self.schema != seen:
                return True  # another thread has moved already
            current = self.locator.current_name() if self.follows else None
            if current is None or current == self.schema:
                return False
            old, self.pool, self.schema = self.pool, self.locator.pool_for(current), current
        old.close()
        return True

    def _fetch(self, statement: str, params: Any = None) -> list[dict]:
        return self._read(lambda db: db.execute(statement, params).fetchall())

    def follow_current(self) -> bool:
        """Move to the generation the pointer names if another process rebuilt the view (one round trip)."""
        if not self.follows:
            return False
        pointer = sql.SQL("SELECT current FROM {}.chronicle_views").format(sql.Identifier(self.locator.schema))
        rows = self._read(lambda db: db.execute(pointer).fetchall())
        seen = self.schema
        return bool(rows) and rows[0]["current"] != seen and self._follow(seen)

    @property
    def layout(self) -> int:
        """The layout this generation was written in (0 for one older than layouts)."""
        try:
            rows = self._fetch("SELECT version FROM layout")
        except errors.UndefinedTable:
            return 0  # a generation written before layouts (one whose schema was dropped has moved on)
        return rows[0]["version"] if rows else 0

    @contextmanager
    def batch(self, application_name: str, expected: int, last: int) -> Iterator[ViewBatch]:
        seen = self.schema
        try:
            with self._batch(application_name, expected, last) as batch:
                yield batch
        except _MOVED:
            if not self._follow(seen):
                raise
            # The view moved to a rebuilt generation at another position: poll again.
            raise PositionMoved(expected) from None

    @contextmanager
    def _batch(self, application_name: str, expected: int, last: int) -> Iterator[PostgresViewBatch]:
        with self.pool.connection() as db, db.transaction():
            # One batch at a time per view, as SQLite's BEGIN IMMEDIATE gives; readers are not blocked.
            db.execute("SET LOCAL statement_timeout = 0")
            db.execute("LOCK TABLE tracking IN SHARE ROW EXCLUSIVE MODE")
            row = db.execute("SELECT notification_id FROM tracking WHERE application_name = %s",
                             (application_name,)).fetchone()
            if (row["notification_id"] if row else 0) != expected:
                raise PositionMoved(expected)
            batch = PostgresViewBatch(db)
            yield batch
            batch.write()
            if last.bit_length() > expected.bit_length():
                # The view has doubled: refresh the planner's statistics, or its plans stay those of an
                # empty table (scanning every row stated before the day) until autovacuum, if it runs.
                db.execute(f"ANALYZE {', '.join(VIEW_TABLES)}")
            db.execute("INSERT INTO tracking VALUES (%s, %s) ON CONFLICT (application_name) "
                       "DO UPDATE SET notification_id = excluded.notification_id", (application_name, last))

    def fault(self, application_name: str) -> dict | None:
        try:
            return super().fault(application_name)
        except errors.UndefinedTable:
            return None  # a generation written before faults were kept

    def record_fault(self, application_name: str, position: int, event: str, reason: str, at: str) -> bool:
        def insert(db: psycopg.Connection) -> bool:
            with db.transaction():
                return db.execute("INSERT INTO faults VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                                  (application_name, position, event, reason, at)).rowcount == 1
        return self._read(insert)

    def claim_facts(self, claim_id: str) -> dict | None:
        rows = self._fetch("SELECT version, incident_ids, corrections FROM claims WHERE id = %s", (claim_id,))
        if not rows:
            return None
        row = rows[0]
        return {"version": row["version"], "incident_ids": json.loads(row["incident_ids"]),
                "corrections": json.loads(row["corrections"]) if row["corrections"] else []}

    def _search_query(self, terms: list[str]) -> str | None:
        return _search_query(terms)

    def close(self) -> None:
        self.pool.close()


class PostgresViewLocator(ViewLocator):
    """View generations ``<schema>_view_<n>``, the current one named in ``<schema>.chronicle_views``."""

    def __init__(self, url: str, query_timeout: float | None = None):
        self.conninfo, self.schema = split_url(url)
        self.query_timeout = query_timeout
        ensure_schema(self.conninfo, self.schema)
        with self._admin() as db:
            db.execute(sql.SQL(
                "CREATE TABLE IF NOT EXISTS {0}.chronicle_views ("
                "one boolean PRIMARY KEY DEFAULT true CHECK (one), current text NOT NULL); "
                "CREATE SEQUENCE IF NOT EXISTS {0}.chronicle_view_generation").format(sql.Identifier(self.schema)))

    @contextmanager
    def _admin(self) -> Iterator[psycopg.Connection]:
        """A transaction that holds the chronicle's advisory lock: generations change one at a time."""
        with psycopg.connect(self.conninfo, autocommit=True, row_factory=dict_row) as db, db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"chronicle-views:{self.schema}",))
            yield db

    def pool_for(self, schema: str) -> ConnectionPool:
        """Connections whose search path is one view generation's schema."""
        # The view's working set is cached, so an index probe costs about a sequential read; at the
        # default (4, for spinning disks) the planner hashed every source and topic for each narrative.
        # The queries are few and their best plans do not depend on the values asked for, so a
        # prepared statement is planned once instead of on every call (planning cost more than running).
        # A read that runs past the query timeout is cancelled (QueryCanceled), so one slow question
        # cannot hold a connection; the projection's batches lift the bound for their transaction.
        timeout = int((self.query_timeout or 0) * 1000)
        statement = sql.SQL("SET search_path TO {}; SET random_page_cost = 1.1; "
                            "SET plan_cache_mode = force_generic_plan; SET statement_timeout = {}").format(
            sql.Identifier(schema), sql.Literal(timeout)).as_string()

        def configure(db: psycopg.Connection) -> None:
            db.execute(statement)

        return ConnectionPool(self.conninfo, min_size=1, max_size=POOL_SIZE, open=True, configure=configure,
                              kwargs={"autocommit": True, "row_factory": dict_row}, name=schema)

    def current_name(self) -> str | None:
        with psycopg.connect(self.conninfo, autocommit=True) as db:
            row = db.execute(sql.SQL("SELECT current FROM {}.chronicle_views").format(
                sql.Identifier(self.schema))).fetchone()
        return row[0] if row else None

    def current(self) -> ViewStore:
        name = self.current_name()
        if name is None:
            with self._admin() as db:
                name = self._pointer(db) or self._point_to(db, self._create(db, indexed=True))
        return PostgresViewStore(self, name, follows=True)

    def fresh(self) -> ViewStore:
        with self._admin() as db:
            name = self._create(db, indexed=False)
        return PostgresViewStore(self, name, follows=False)

    def promote(self, store: ViewStore) -> ViewStore:
        assert isinstance(store, PostgresViewStore)
        with self._admin() as db:
            db.execute(sql.SQL("SET LOCAL search_path TO {}").format(sql.Identifier(store.schema)))
            db.execute("SET LOCAL maintenance_work_mem = '256MB'")
            db.execute(QUERY_INDEXES)
            db.execute(f"ANALYZE {', '.join(VIEW_TABLES)}")
            self._point_to(db, store.schema)
            for old in self._generations(db):
                if old != store.schema and _generation(old) < _generation(store.schema):
                    db.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(old)))
        store.follows = True
        return store

    def _pointer(self, db: psycopg.Connection) -> str | None:
        row = db.execute(sql.SQL("SELECT current FROM {}.chronicle_views").format(
            sql.Identifier(self.schema))).fetchone()
        return row["current"] if row else None

    def _point_to(self, db: psycopg.Connection, name: str) -> str:
        db.execute(sql.SQL("INSERT INTO {}.chronicle_views (current) VALUES (%s) "
                           "ON CONFLICT (one) DO UPDATE SET current = excluded.current").format(
            sql.Identifier(self.schema)), (name,))
        return name

    def _create(self, db: psycopg.Connection, indexed: bool) -> str:
        number = db.execute("SELECT nextval(%s) AS n", (f"{self.schema}.chronicle_view_generation",)).fetchone()["n"]
        name = f"{self.schema}_view_{number}"
        db.execute(sql.SQL("CREATE SCHEMA {0}; SET LOCAL search_path TO {0}").format(sql.Identifier(name)))
        db.execute(VIEW_SCHEMA)
        db.execute("INSERT INTO layout (version) VALUES (%s)", (LAYOUT,))
        if indexed:
            db.execute(QUERY_INDEXES)
        return name

    def _generations(self, db: psycopg.Connection) -> list[str]:
        rows = db.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s",
                          (self.schema.replace("_", r"\_") + r"\_view\_%",)).fetchall()
        return [row["nspname"] for row in rows if re.fullmatch(rf"{self.schema}_view_\d+", row["nspname"])]


def _generation(schema: str) -> int:
    return int(schema.rsplit("_", 1)[1])


class StoreUnavailableError(ChronicleError):
    """The configured PostgreSQL server cannot be reached."""
