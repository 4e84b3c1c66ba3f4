"""The read queries of both view stores, each defined once, with the SQL dialect as a parameter.

A query is a Python function of a :class:`Dialect` (and of the few shapes a question can take:
"now" or "as known at", everyone or a lens) that renders its SQL text; each rendering is kept
(``functools.cache``), so a store executes a constant string on its own connection, as when the
SQL was written out by hand, and the driver's statement cache (sqlite3's, psycopg's prepared
statements) sees one text per query shape. The figures that chose this over SQLAlchemy Core are
in docs/performance.md ("One query layer"), from ``python -m bench.query_layer``.

What the two dialects differ in is all here, in :class:`Dialect`: the placeholder (``:name``,
``%(name)s``), how a list of ids is passed and tested (a JSON array read by ``json_each``, a
``text[]`` with ``= ANY``), what "no limit" is, a typed NULL test, how a lens's speakers are
found (SQLite asks for them first; PostgreSQL joins them in, see ``speakers_join``), and full-text
search (FTS5 against a tsvector), which differs in more than syntax and so has one definition per
dialect.

:class:`SharedReads` is the read half of a view store, written once over ``_fetch``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from chronicle.persistence.days import change_days_query
from chronicle.projections.names import normalise
from chronicle.projections.store import Lens

STORIED = ("topic", "incident", "claim")
TABLES = {"story": "stories", "source": "sources", "topic": "topics", "incident": "incidents", "claim": "claims"}

_ROW_SELECT = """
SELECT v.*, c.slug AS claim_slug,
       s.slug AS source_slug, s.name AS source_name, s.camp AS source_camp,
       w.slug AS via_slug, w.name AS via_name, w.camp AS via_camp,
       t.slug AS topic_slug, t.title AS topic_title, t.kind AS topic_kind, t.unit AS topic_unit
FROM versions v
JOIN claims c ON c.id = v.claim_id
JOIN sources s ON s.id = v.source_id
LEFT JOIN sources w ON w.id = v.via_id
JOIN topics t ON t.id = v.topic_id
"""


@dataclass(frozen=True)
class Dialect:
    """What the SQL of one store differs in."""

    name: str

    @property
    def sqlite(self) -> bool:
        return self.name == "sqlite"

    def p(self, name: str) -> str:
        """The placeholder of parameter ``name``."""
        return f":{name}" if self.sqlite else f"%({name})s"

    def typed(self, name: str) -> str:
        """The placeholder typed as text, for ``IS NULL`` (PostgreSQL cannot infer an untyped one's type)."""
        return self.p(name) if self.sqlite else f"%({name})s::text"

    def one_of(self, expression: str, name: str) -> str:
        """SQL for "expression is one of the texts in parameter ``name``" (passed through :meth:`texts`)."""
        if self.sqlite:
            return f"{expression} IN (SELECT value FROM json_each(:{name}))"
        return f"{expression} = ANY(%({name})s::text[])"

    def texts(self, values: Any) -> Any:
        """A list of texts as a parameter :meth:`one_of` reads."""
        return json.dumps(list(values)) if self.sqlite else list(values)

    @property
    def no_limit(self) -> int | None:
        """The LIMIT parameter that limits nothing."""
        return -1 if self.sqlite else None

    # A lens's speakers: the sources it names, and those ever in its camps (whether a row's speaker
    # was in one of them on the day asked is checked row by row, in ``in_lens``). SQLite is asked
    # for them first (``SPEAKERS``) and gets them as a parameter; PostgreSQL joins them in as an
    # array computed once per query, which saves a round trip.
    @property
    def speakers_join(self) -> str:
        if self.sqlite:
            return ""
        return (" CROSS JOIN (SELECT ARRAY(SELECT DISTINCT source_id FROM source_camps "
                "WHERE camp = ANY(%(camps)s::text[])) || %(ids)s::text[] AS ids) s_ids")

    def speaker(self, column: str) -> str:
        return self.one_of(f"v.{column}", "speakers") if self.sqlite else f"v.{column} = ANY(s_ids.ids)"


SQLITE = Dialect("sqlite")
POSTGRES = Dialect("postgresql")


def recorded(d: Dialect, known: bool, alias: str = "v") -> str:
    """SQL for "held by the chronicle at known_at" (``known``), or now."""
    if not known:
        return f"{alias}.recorded_until IS NULL"
    at = d.p("known_at")
    return f"{alias}.recorded_from <= {at} AND ({alias}.recorded_until IS NULL OR {alias}.recorded_until > {at})"


def in_lens(d: Dialect, everyone: bool, day: str = "v.stated_on") -> str:
    """SQL for "row v is spoken or published by one of the lens's sources", in its camp on ``day``
    (with ``d.speakers_join`` joined)."""
    if everyone:
        return "TRUE"
    # By speaker id, not by joined camp, so that the plan reads the lens's sources' rows by
    # index instead of every row stated before the day.
    speaks = [
        f"({d.speaker(column)} AND ({d.one_of(f'v.{column}', 'ids')} OR EXISTS (SELECT 1 "
        f"FROM source_camps sc WHERE sc.source_id = v.{column} AND {d.one_of('sc.camp', 'camps')} "
        f"AND sc.since_on <= {day} AND (sc.until_on IS NULL OR sc.until_on > {day}))))"
        for column in ("source_id", "via_id")]
    return f"({' OR '.join(speaks)})"


def _rows(d: Dialect, where: str, order: str, everyone: bool = True) -> str:
    return f"{_ROW_SELECT}{'' if everyone else d.speakers_join} WHERE {where} ORDER BY {order}"


@cache
def narrative(d: Dialect, known: bool, everyone: bool) -> str:
    """The rows a lens held on day ``as_of`` in ``story``."""
    where = (f"{recorded(d, known)} AND v.story = {d.p('story')} AND v.stated_on <= {d.p('as_of')} "
             f"AND (v.stated_until IS NULL OR v.stated_until > {d.p('as_of')}) "
             f"AND {in_lens(d, everyone, d.p('as_of'))}")
    return _rows(d, where, "t.slug, v.stated_on, c.slug, v.part", everyone)


@cache
def lens_rows(d: Dialect, known: bool, everyone: bool) -> str:
    where = f"{recorded(d, known)} AND v.story = {d.p('story')} AND {in_lens(d, everyone)}"
    return _rows(d, where, f"v.stated_on, c.slug, v.version, v.part LIMIT {d.p('limit')} OFFSET {d.p('offset')}",
                 everyone)


@cache
def claims_rows(d: Dialect, known: bool) -> str:
    return _rows(d, f"{d.one_of('v.claim_id', 'claims')} AND {recorded(d, known)}",
                 "v.claim_id, v.stated_on, v.version, v.part")


@cache
def topic_rows(d: Dialect, known: bool) -> str:
    return _rows(d, f"v.topic_id = {d.p('topic')} AND {recorded(d, known)}", "v.stated_on, c.slug, v.version, v.part")


@cache
def claim_rows(d: Dialect, known: bool) -> str:
    return _rows(d, f"v.claim_id = {d.p('claim')} AND {recorded(d, known)}", "v.stated_on, v.version, v.part")


@cache
def source_rows(d: Dialect, known: bool) -> str:
    return _rows(d, f"(v.source_id = {d.p('source')} OR v.via_id = {d.p('source')}) AND v.part = 0 "
                    f"AND {recorded(d, known)}", "v.stated_on, c.slug, v.version")


@cache
def speakers(d: Dialect) -> str:
    """The sources ever in the lens's camps (SQLite's ``speakers`` parameter, see ``Dialect.speaker``)."""
    return f"SELECT DISTINCT source_id FROM source_camps WHERE {d.one_of('camp', 'camps')}"


@cache
def change_days(d: Dialect, known: bool, everyone: bool, pick: str, since: str = "") -> str:
    """A lens's change days (``pick`` DISTINCT), or the one nearest before or after ``day`` (MAX <, MIN >)."""
    story = f"l.story = {d.p('story')}"
    days = change_days_query(
        held=f"{recorded(d, known)} AND v.story = {d.p('story')}", in_lens=in_lens(d, everyone),
        join="" if everyone else d.speakers_join,
        linked=story if not known else f"{story} AND l.recorded_at <= {d.p('known_at')}",
        everyone=everyone, pick=pick, since=since, day=d.p("day"))
    if pick == "DISTINCT":
        return f"{days} ORDER BY 1"
    return f"SELECT {pick}(day) AS day FROM ({days}) AS days"


@cache
def links(d: Dialect, known: bool) -> str:
    when = f"l.recorded_at <= {d.p('known_at')}" if known else "TRUE"
    return (
        "SELECT l.*, a.slug AS claim_slug, b.slug AS target_slug "
        "FROM links l JOIN claims a ON a.id = l.claim_id JOIN claims b ON b.id = l.target_id "
        f"WHERE ({d.one_of('l.claim_id', 'ids')} OR {d.one_of('l.target_id', 'ids')}) AND {when} "
        "ORDER BY l.stated_on, a.slug, b.slug, l.relation")


def _table(kind: str) -> str:
    if kind not in TABLES:
        raise ValueError(f"unknown kind of entry {kind!r}")
    return TABLES[kind]


@cache
def entries(d: Dialect, kind: str, in_story: bool) -> str:
    columns = "id, story, slug" if kind == "claim" else "*"
    where = f" WHERE story = {d.p('story')}" if in_story and kind in STORIED else ""
    # Slugs are unique only within a story: those of several stories are ordered by story.
    order = "slug, story" if kind in STORIED else "slug"
    return f"SELECT {columns} FROM {_table(kind)}{where} ORDER BY {order}"


@cache
def entry(d: Dialect, kind: str, in_story: bool) -> str:
    columns = "id, story, slug" if kind == "claim" else "*"
    key = d.p("key")
    if in_story and kind in STORIED:
        where = f"id = {key} OR (story = {d.p('story')} AND slug = {key})"
    else:
        where = f"id = {key} OR slug = {key}"
    # An entry by that id first, before one by that slug.
    return f"SELECT {columns} FROM {_table(kind)} WHERE {where} ORDER BY id = {key} DESC LIMIT 1"


STORY_FACTS = """
    SELECT s.story AS slug,
           (SELECT count(*) FROM topics t WHERE t.story = s.story) AS topics,
           (SELECT count(*) FROM incidents i WHERE i.story = s.story) AS incidents,
           (SELECT count(*) FROM claims c WHERE c.story = s.story) AS claims,
           (SELECT MIN(v.stated_on) FROM versions v WHERE v.story = s.story AND v.recorded_until IS NULL) AS first_day,
           (SELECT MAX(v.stated_on) FROM versions v WHERE v.story = s.story AND v.recorded_until IS NULL) AS last_day
    FROM (SELECT slug AS story FROM stories UNION SELECT story FROM topics
          UNION SELECT story FROM incidents UNION SELECT story FROM claims) AS s
    ORDER BY s.story"""


@cache
def camps(d: Dialect) -> str:
    # One index seek per camp, not a scan of every source.
    return ("WITH RECURSIVE c(camp) AS (SELECT MIN(camp) FROM sources UNION ALL "
            "SELECT (SELECT MIN(camp) FROM sources WHERE camp > c.camp) FROM c WHERE c.camp IS NOT NULL) "
            f"SELECT camp FROM c WHERE camp IS NOT NULL LIMIT {d.p('limit')}")


# The affiliations of the sources that had more than one, in the order camp_intervals gives them.
CAMP_MOVES = ("SELECT source_id, camp, since_on FROM source_camps WHERE source_id IN "
              "(SELECT source_id FROM source_camps WHERE number > 0) ORDER BY source_id, since_on, number")


@cache
def count(d: Dialect, kind: str, in_story: bool) -> str:
    where = f" WHERE story = {d.p('story')}" if in_story and kind in STORIED else ""
    return f"SELECT count(*) AS n FROM {_table(kind)}{where}"


@cache
def find_sources(d: Dialect, like: bool) -> str:
    return ("SELECT DISTINCT s.* FROM source_names n JOIN sources s ON s.id = n.source_id "
            f"WHERE n.key {'LIKE' if like else '='} {d.p('key')} ORDER BY s.slug")


@cache
def audit(d: Dialect) -> str:
    def either(name: str) -> str:
        return f"({d.typed(name)} IS NULL OR {name} = {d.p(name)})"

    return (f"SELECT * FROM audit WHERE position > {d.p('after')} AND {either('kind')} AND {either('event')} "
            f"AND {either('editor')} ORDER BY position LIMIT {d.p('limit')}")


# Full-text search: FTS5's MATCH, snippet() and bm25() against PostgreSQL's tsvector, ts_headline()
# and ts_rank() differ in more than syntax, so each dialect has its own select; the filters and
# the order after the rank are shared. Weights {D, C, B, A} on PostgreSQL: body 1, slug 2, title 4,
# as SQLite's bm25 weighs them.
SEARCH_WEIGHTS = "{0.25, 0, 0.5, 1}"
HEADLINE = 'StartSel=[, StopSel=], MaxWords=16, MinWords=6, ShortWord=0, MaxFragments=1, FragmentDelimiter=" … "'


@cache
def search(d: Dialect) -> str:
    if d.sqlite:
        snippet, source, match = "snippet(search, 5, '[', ']', ' … ', 16)", "search", "search MATCH :query"
        rank = "bm25(search, 0, 0, 0, 2.0, 4.0, 1.0)"
    else:
        snippet = "ts_headline('simple', body, q, %(headline)s)"
        source, match = "search, to_tsquery('simple', %(query)s) AS q", "document @@ q"
        rank = "ts_rank(%(weights)s::float4[], document, q, 1) DESC"
    return (f"SELECT kind, entry_id AS id, story, slug, title, {snippet} AS snippet FROM {source} "
            f"WHERE {match} AND ({d.typed('kind')} IS NULL OR kind = {d.p('kind')}) "
            f"AND ({d.typed('story')} IS NULL OR story = {d.p('story')} OR story IS NULL) "
            f"ORDER BY {rank}, slug LIMIT {d.p('limit')}")


@cache
def max_tracking_id(d: Dialect) -> str:
    return f"SELECT notification_id FROM tracking WHERE application_name = {d.p('name')}"


@cache
def fault(d: Dialect) -> str:
    return f"SELECT position, event, reason, at FROM faults WHERE application_name = {d.p('name')} " \
           "ORDER BY position LIMIT 1"


def decode_entry(row: dict) -> dict:
    for name in ("aliases", "occurred", "citations", "camps", "period"):
        if name in row and isinstance(row[name], str):
            row[name] = json.loads(row[name])
    return row


class SharedReads:
    """The read queries of a view store, once for both stores: each store gives its ``dialect``,
    ``_fetch(sql, params) -> list[dict]`` and ``_search_query(terms)`` (the text its index matches)."""

    dialect: Dialect

    def _fetch(self, statement: str, params: Any = None) -> list[dict]:
        raise NotImplementedError

    def _search_query(self, terms: list[str]) -> str | None:
        raise NotImplementedError

    def _lens_params(self, lens: Lens, params: dict) -> dict:
        if lens.everyone:
            return params
        d = self.dialect
        params.update(ids=d.texts(sorted(lens.source_ids)), camps=d.texts(sorted(lens.camps)))
        if d.sqlite:
            rows = self._fetch(speakers(d), {"camps": params["camps"]})
            params["speakers"] = d.texts(sorted({row["source_id"] for row in rows} | set(lens.source_ids)))
        return params

    def max_tracking_id(self, application_name: str) -> int | None:
        rows = self._fetch(max_tracking_id(self.dialect), {"name": application_name})
        return rows[0]["notification_id"] if rows else None

    def fault(self, application_name: str) -> dict | None:
        rows = self._fetch(fault(self.dialect), {"name": application_name})
        return rows[0] if rows else None

    def narrative_rows(self, story: str, as_of: str, lens: Lens, known_at: str | None) -> list[dict]:
        params = self._lens_params(lens, {"as_of": as_of, "story": story, "known_at": known_at})
        return self._fetch(narrative(self.dialect, known_at is not None, lens.everyone), params)

    def change_days(self, story: str, lens: Lens, known_at: str | None) -> list[str]:
        params = self._lens_params(lens, {"story": story, "known_at": known_at})
        rows = self._fetch(change_days(self.dialect, known_at is not None, lens.everyone, "DISTINCT"), params)
        return [row["day"] for row in rows]

    def days_around(self, story: str, day: str, lens: Lens, known_at: str | None) -> tuple[str | None, str | None]:
        params = self._lens_params(lens, {"story": story, "known_at": known_at, "day": day})
        before, after = (
            self._fetch(change_days(self.dialect, known_at is not None, lens.everyone, pick, since), params)[0]["day"]
            for pick, since in (("MAX", "<"), ("MIN", ">")))
        return before, after

    def links(self, claim_ids: list[str], known_at: str | None) -> list[dict]:
        if not claim_ids:
            return []
        return self._fetch(links(self.dialect, known_at is not None),
                           {"ids": self.dialect.texts(claim_ids), "known_at": known_at})

    def lens_rows(self, story: str, lens: Lens, known_at: str | None, limit: int | None = None,
                  offset: int = 0) -> list[dict]:
        params = self._lens_params(lens, {"story": story, "known_at": known_at, "offset": offset,
                                          "limit": self.dialect.no_limit if limit is None else limit})
        return self._fetch(lens_rows(self.dialect, known_at is not None, lens.everyone), params)

    def claims_rows(self, claim_ids: list[str], known_at: str | None) -> list[dict]:
        return self._fetch(claims_rows(self.dialect, known_at is not None),
                           {"claims": self.dialect.texts(claim_ids), "known_at": known_at})

    def topic_rows(self, topic_id: str, known_at: str | None) -> list[dict]:
        return self._fetch(topic_rows(self.dialect, known_at is not None), {"topic": topic_id, "known_at": known_at})

    def claim_rows(self, claim_id: str, known_at: str | None) -> list[dict]:
        return self._fetch(claim_rows(self.dialect, known_at is not None), {"claim": claim_id, "known_at": known_at})

    def source_rows(self, source_id: str, known_at: str | None) -> list[dict]:
        return self._fetch(source_rows(self.dialect, known_at is not None),
                           {"source": source_id, "known_at": known_at})

    def entries(self, kind: str, story: str | None = None) -> list[dict]:
        rows = self._fetch(entries(self.dialect, kind, story is not None), {"story": story})
        return [decode_entry(row) for row in rows]

    def entry(self, kind: str, key: str, story: str | None = None) -> dict | None:
        rows = self._fetch(entry(self.dialect, kind, story is not None), {"key": key, "story": story})
        return decode_entry(rows[0]) if rows else None

    def story_facts(self) -> list[dict]:
        return self._fetch(STORY_FACTS)

    def camps(self, limit: int | None = None) -> list[str]:
        rows = self._fetch(camps(self.dialect), {"limit": self.dialect.no_limit if limit is None else limit})
        return [row["camp"] for row in rows]

    def camp_moves(self) -> dict[str, frozenset]:
        moves: dict[str, set] = {}
        before = None
        for row in self._fetch(CAMP_MOVES):
            if before is not None and before["source_id"] == row["source_id"]:
                moves.setdefault(row["since_on"], set()).update((before["camp"], row["camp"]))
            before = row
        return {day: frozenset(camps) for day, camps in moves.items()}

    def count(self, kind: str, story: str | None = None) -> int:
        return self._fetch(count(self.dialect, kind, story is not None), {"story": story})[0]["n"]

    def find_sources(self, key: str) -> list[dict]:
        key = normalise(key)
        rows = self._fetch(find_sources(self.dialect, like=False), {"key": key})
        if not rows and key:
            like = "%" + key.replace("%", "").replace("_", "") + "%"
            rows = self._fetch(find_sources(self.dialect, like=True), {"key": like})
        return [decode_entry(row) for row in rows]

    def audit(self, after: int = 0, limit: int = 100, kind: str | None = None,
              event: str | None = None, editor: str | None = None) -> list[dict]:
        return self._fetch(audit(self.dialect),
                           {"after": after, "limit": limit, "kind": kind, "event": event, "editor": editor})

    def search(self, terms: list[str], kind: str | None = None, limit: int = 50,
               story: str | None = None) -> list[dict]:
        query = self._search_query(terms)
        if query is None:
            return []
        return self._fetch(search(self.dialect), {"query": query, "kind": kind, "limit": limit, "story": story,
                                                  "headline": HEADLINE, "weights": SEARCH_WEIGHTS})
