"""The Chronicle application: commands that record events, queries that read the view.

Commands save and then catch the view up, so a caller reads its own writes. Queries return
plain data (dicts and lists) that the schemas in :mod:`chronicle.schemas` describe.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError

from chronicle.answers import LRU, Answers, cached, generation, reading
from chronicle.dates import PARTS_OF_DAY, FuzzyDate, FuzzyDateError, parse_day
from chronicle.domain import (
    ChronicleError, InvalidValueError, Claim, Incident, Source, Story, Topic, editor_cvar, entry_id, natural_id,
)
from chronicle.figures import Figure
from chronicle.integrity import ChainReport, verify_links
from chronicle.validation import check_aggregates
from chronicle.projections import narrative as folds
from chronicle.projections.camps import camp_intervals
from chronicle.projections.changes import day_changes
from chronicle.projections.asof import BATCH_SIZE, REBUILD_BATCH, REBUILD_CLAIMS, AsOfProjection, stamp, unavailable
from chronicle.projections.store import Lens, ViewLocator

EVERYONE = ("everyone", "all", "*")
# A view this many events (and more than it holds) behind the log is folded afresh rather than caught up.
BULK_EVENTS = 20000
log = logging.getLogger("chronicle")


T = TypeVar("T")


class Chronicle(Application[UUID]):
    """An event-sourced chronicle of who said what, when, and what became of it."""

    name = "chronicle"

    def __init__(self, env: dict | None = None, views: ViewLocator | None = None, batch_size: int = BATCH_SIZE):
        super().__init__(env)
        if views is None:
            raise ValueError("a Chronicle needs a view locator")
        self.views = views
        self.batch_size = batch_size
        self.view = views.current()
        self.projection = AsOfProjection(self, self.view, batch_size)
        self.behind: str | None = None
        self.answers = Answers()
        self._caught_up_to: tuple | None = None  # the (generation, log head) the view was last caught up to
        self._recorded_at = LRU(64)
        self._lenses = LRU(256)
        self._stories = LRU(256)
        self._camp_sets = LRU(2)  # the camps sources are in, by (generation, position)
        self._moves = LRU(2)  # camp moves by (generation, position)

    def upgrade_view(self, progress: Callable[[int, int], None] | None = None) -> bool:
        """Rebuild the read models if the current ones were written in an older layout."""
        if self.view.layout == self.view.LAYOUT:
            return False
        # The old read models held these events already: a broken chain is for `verify` to report.
        self.rebuild(progress, accept_broken_chain=True)
        return True

    # ----- who is writing

    @contextmanager
    def editing_as(self, editor: str) -> Iterator[None]:
        """Stamp the events recorded inside the block with this editor's name."""
        token = editor_cvar.set(editor)
        try:
            yield
        finally:
            editor_cvar.reset(token)

    # ----- commands

    def start_story(self, slug: str, title: str, description: str | None = None,
                    period: dict | str | None = None) -> UUID:
        """Start a story: the contested event its topics, incidents and claims are about."""
        self._refuse_existing(natural_id("story", slug), "story", slug)
        return self._commit(Story.start(slug, title, description, period))

    def register_source(self, slug: str, name: str, camp: str, kind: str = "organisation",
                        aliases: list | None = None, description: str | None = None) -> UUID:
        """Register who speaks (a source speaks in every story)."""
        self._refuse_existing(natural_id("source", slug), "source", slug)
        source = Source.register(slug, name, camp, kind, aliases, description)
        return self._commit(source)

    def move_source(self, source: str, camp: str, since: dict | str, note: str | None = None,
                    citations: list | None = None) -> int:
        """Record that a source is in another camp from a stated date on."""
        aggregate = self.repository.get(UUID(self.resolve_source(source)["id"]))
        aggregate.move(camp, since, note, citations)
        self._commit(aggregate)
        return aggregate.version

    def open_topic(self, slug: str, title: str, kind: str = "question", unit: str | None = None,
                   description: str | None = None, story: str | None = None) -> UUID:
        """Open a topic (a figure or a question) that a story's claims can be about."""
        story = self.story_for_write(story)
        self._refuse_existing(entry_id("topic", story, slug), "topic", slug, story)
        return self._commit(Topic.open(story, slug, title, kind, unit, description))

    def record_incident(self, slug: str, title: str, occurred: dict | str, place: str | None = None,
                        description: str | None = None, citations: list | None = None,
                        story: str | None = None) -> UUID:
        """Record something that happened in a story."""
        story = self.story_for_write(story)
        self._refuse_existing(entry_id("incident", story, slug), "incident", slug, story)
        return self._commit(Incident.record(story, slug, title, occurred, place, description, citations))

    def state_claim(self, slug: str, source: str, topic: str, stated: dict | str, text: str,
                    quote: str | None = None, figure: dict | None = None, citations: list | None = None,
                    note: str | None = None, via: str | None = None, incidents: list | None = None,
                    links: list | None = None, story: str | None = None, figures: list | None = None,
                    quote_language: str | None = None, original: dict | None = None) -> UUID:
        """Record what a source stated, on what date, with any links it makes, in one transaction."""
        story = self.story_for_write(story)
        self._refuse_existing(entry_id("claim", story, slug), "claim", slug, story)
        claim = Claim.state(
            story, slug, UUID(self.resolve_source(source)["id"]), UUID(self.resolve("topic", topic, story)["id"]),
            stated, text, quote, figure, citations, note,
            via_id=UUID(self.resolve_source(via)["id"]) if via else None,
            incident_ids=[UUID(self.resolve("incident", i, story)["id"]) for i in incidents or []],
            figures=self.figures_on_topics(figures, story), quote_language=quote_language, original=original,
        )
        for link in links or []:
            claim.link(link["relation"], UUID(self.resolve("claim", link["target"], story)["id"]),
                       link.get("stated"), link.get("note"))
        return self._commit(claim)

    def figures_on_topics(self, figures: list | None, story: str) -> list | None:
        """Figures named by their topic's slug, with the topic's id in its place."""
        if figures is None:
            return None
        found = []
        if not isinstance(figures, list):
            raise InvalidValueError(f"figures: must be a list of figures, not {type(figures).__name__}")
        for number, figure in enumerate(figures):
            if not isinstance(figure, dict) or not isinstance(figure.get("topic", ""), str):
                raise InvalidValueError(f"figures[{number}]: must be a figure with the slug of its topic")
            topic = self.resolve("topic", figure.get("topic", ""), story)
            if topic["kind"] != "figure":
                raise InvalidValueError(f"figures[{number}].topic: {topic['slug']!r} is not a figure topic")
            found.append({**{k: v for k, v in figure.items() if k != "topic"}, "topic_id": topic["id"]})
        return found

    def revise_claim(self, claim: str, stated: dict | str, expected_version: int | None = None,
                     story: str | None = None, **words: Any) -> int:
        """The source revised its claim (text, quote and/or figures) on a date; returns the new version."""
        aggregate = self._claim_for_update(claim, expected_version, story)
        if "figures" in words:
            words["figures"] = self.figures_on_topics(words["figures"], aggregate.story)
        aggregate.revise(stated, **words)
        self._commit(aggregate)
        return aggregate.version

    def retract_claim(self, claim: str, stated: dict | str, reason: str, citations: list | None = None,
                      expected_version: int | None = None, story: str | None = None) -> int:
        """The source withdrew its claim on a date, for a reason."""
        aggregate = self._claim_for_update(claim, expected_version, story)
        aggregate.retract(stated, reason, citations)
        self._commit(aggregate)
        return aggregate.version

    def reinstate_claim(self, claim: str, stated: dict | str, note: str | None = None,
                        citations: list | None = None, expected_version: int | None = None,
                        story: str | None = None) -> int:
        """The source stood by its retracted claim again, from a date, on some evidence."""
        aggregate = self._claim_for_update(claim, expected_version, story)
        aggregate.reinstate(stated, note, citations)
        self._commit(aggregate)
        return aggregate.version

    def link_claims(self, claim: str, relation: str, target: str, stated: dict | str | None = None,
                    note: str | None = None, expected_version: int | None = None,
                    story: str | None = None) -> int:
        """Record that one claim disputes, contradicts, reframes or supports another of its story."""
        aggregate = self._claim_for_update(claim, expected_version, story)
        aggregate.link(relation, UUID(self.resolve("claim", target, aggregate.story)["id"]), stated, note)
        self._commit(aggregate)
        return aggregate.version

    def correct_claim(self, claim: str, changes: dict, reason: str, version: int | None = None,
                      expected_version: int | None = None, story: str | None = None) -> int:
        """An editor fixes the chronicle's entry for a claim (not what the source said)."""
        aggregate = self._claim_for_update(claim, expected_version, story)
        changes = dict(changes)
        for name, kind in (("source_id", "source"), ("via_id", "source"), ("topic_id", "topic")):
            if changes.get(name) is not None:
                if not isinstance(changes[name], str | UUID):
                    raise InvalidValueError(f"changes.{name}: must name a {kind} by slug or id, "
                                            f"not {_short_repr(changes[name])}")
                changes[name] = str(changes[name])
                found = (self.resolve_source(changes[name]) if kind == "source"
                         else self.resolve(kind, changes[name], aggregate.story))
                changes[name] = UUID(found["id"])
        if changes.get("figures") is not None:
            changes["figures"] = self.figures_on_topics(changes["figures"], aggregate.story)
        aggregate.correct(changes, reason, version)
        self._commit(aggregate)
        return aggregate.version

    def amend_entry(self, kind: str, key: str, changes: dict, reason: str, story: str | None = None) -> int:
        """An editor corrects a story, source, topic or incident entry."""
        entry = self.resolve_source(key) if kind == "source" else self.resolve(kind, key, story)
        aggregate = self.repository.get(UUID(entry["id"]))
        aggregate.amend(changes, reason)
        self._commit(aggregate)
        return aggregate.version

    def save_all(self, *aggregates: Any, progress: Callable[[int, int], None] | None = None,
                 catch_up: bool = True) -> int:
        """Record the pending events of many aggregates in one transaction; return how many.

        A bulk import records chunk after chunk with ``catch_up=False`` (or through chronicle.bulk),
        then calls :meth:`settle` once.
        """
        self._refuse_while_stopped()
        check_aggregates(aggregates)
        count = self._recorded(aggregates)
        if catch_up:
            self.settle(progress)
        return count

    def save_events(self, events: list) -> int:
        """Record events whose stored schemas chronicle.bulk has checked, in one transaction, without catching up."""
        self._refuse_while_stopped()
        return self._recorded(events)

    def _recorded(self, objects: Any) -> int:
        try:
            return len(self.save(*objects))
        except IntegrityError as error:
            raise ConcurrentWriteError("another writer recorded these entries first; nothing was saved") from error
        except Exception as error:
            if unavailable(error):
                raise StoreUnavailableError(f"the event store cannot record now ({_reason(error)}); "
                                            "nothing was saved") from error
            raise

    def settle(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Catch the view up after recording: incrementally, or, when the view has more events to fold
        than it holds (a bulk import), by folding the whole log into a fresh generation whose query
        indexes are built once at the end, then switching to it, as a rebuild does."""
        held = self.view.max_tracking_id(self.name) or 0
        behind = (self.recorder.max_notification_id() or 0) - held
        if behind >= BULK_EVENTS and behind > held and not self.view_fault():
            try:
                return self.rebuild(progress)
            except BrokenChainError:
                pass  # a log that does not verify is only ever folded on an editor's say-so: catch up as usual
        return self.catch_up(progress)

    def _refuse_while_stopped(self) -> None:
        fault = self.view_fault()
        if fault:
            raise ViewStoppedError(
                f"the read models stopped before event {fault['position']} ({fault['event']}), which they cannot "
                f"fold: {fault['reason']}. Nothing new is recorded until `chronicle rebuild` folds it")

    def view_fault(self) -> dict | None:
        """Where the read models stopped, and why, if an event could not be folded; None when they are whole."""
        return self.view.fault(self.name)

    def _commit(self, aggregate: Any) -> UUID:
        self.save_all(aggregate)
        return aggregate.id

    def _refuse_existing(self, entry_id: UUID, kind: str, slug: str, story: str | None = None) -> None:
        if entry_id in self.repository:
            where = f" in story {story!r}" if story else ""
            raise DuplicateEntryError(f"a {kind} with slug {slug!r} already exists{where}")

    def _claim_for_update(self, key: str, expected_version: int | None, story: str | None = None) -> Claim:
        claim = self.repository.get(UUID(self.resolve("claim", key, story)["id"]))
        if expected_version is not None and claim.version != expected_version:
            raise StaleVersionError(
                f"claim {claim.slug!r} is at version {claim.version}, not {expected_version}: "
                "someone else changed it first"
            )
        return claim

    # ----- the view

    def catch_up(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Bring the view up to the end of the log, or as far as the store lets it.

        When the view's store cannot be written (read-only, full, unreachable), reads go on serving
        the view as it is; :meth:`view_status` says how far behind it is and why. When the log has not
        moved since the last catch-up (one read of its head says so), nothing else is read.
        """
        return self._catch_up_to(self.recorder.max_notification_id() or 0, progress)

    def close(self) -> None:
        close_reads = getattr(self.recorder, "close_reads", None)
        if close_reads is not None:
            close_reads()
        super().close()

    def read_position(self) -> tuple[str, int]:
        """The view's generation and the log position a read sees, the view caught up to it first: every
        event recorded before the read, by this process or by another, is in the answer."""
        head = self.recorder.max_notification_id() or 0
        self.view.follow_current()
        self._catch_up_to(head)
        return generation(self.view), head

    def recorded_at(self, position: int) -> str | None:
        """When the event at a log position was recorded (None before the first)."""
        key = (generation(self.view), position)
        found = self._recorded_at.get(key)
        if found is None and position > 0:
            logged = self.view.audit(position - 1, 1)
            found = logged[0]["recorded_at"] if logged and logged[0]["position"] == position else \
                next(self.event_log(position - 1, 1), {}).get("recorded_at")
            self._recorded_at.put(key, found)
        return found

    def settled(self, known_at: str | None, position: int) -> bool:
        """Whether answers as the chronicle stood at ``known_at`` can no longer change: it is before the
        recording of the event at ``position``, so every event after it is later still."""
        known = self.known_moment(known_at)
        recorded = self.recorded_at(position) if known else None
        return recorded is not None and known < recorded

    def known_moment(self, known_at: str | None) -> str | None:
        """A "known at" moment as the queries compare it; None for none, or for one they would refuse."""
        try:
            return _moment(known_at)
        except InvalidQueryError:
            return None

    def _catch_up_to(self, head: int, progress: Callable[[int, int], None] | None = None) -> int:
        seen = (generation(self.view), head)
        if self.behind is None and self._caught_up_to == seen:
            return 0
        try:
            processed = self.projection.catch_up(progress)
        except Exception as error:
            if not unavailable(error):
                raise
            if self.behind is None:
                log.warning("the read models cannot catch up now: %s", _reason(error))
            self.behind = _reason(error)
            return 0
        self.behind = None
        self._caught_up_to = seen
        return processed

    def view_status(self) -> dict:
        """How far the read models have folded the log, and why they stopped, if they did."""
        position = self.view.max_tracking_id(self.name) or 0
        head = self.recorder.max_notification_id() or 0
        return {"position": position, "head": head, "fault": self.view_fault(), "behind": self.behind}

    def rebuild(self, progress: Callable[[int, int], None] | None = None, accept_broken_chain: bool = False) -> int:
        """Rebuild every read model from the log into a fresh view, then switch to it.

        A log whose hash chain does not verify is refused unless ``accept_broken_chain``: the read
        models would otherwise present a rewritten history as the chronicle's.
        """
        if not accept_broken_chain:
            report = self.verify_chain()
            if not report.ok:
                raise BrokenChainError(
                    f"the event log's hash chain is broken at position {report.broken_at} ({report.problem}); "
                    "nothing was rebuilt. Run `chronicle verify`; rebuild with --accept-broken-chain to index it anyway")
        fresh = self.views.fresh()
        count = AsOfProjection(self, fresh, max(self.batch_size, REBUILD_BATCH), REBUILD_CLAIMS).catch_up(progress)
        old = self.view
        self.view = self.views.promote(fresh)
        self.projection = AsOfProjection(self, self.view, self.batch_size)
        old.close()
        self.catch_up()
        return count

    def verify_chain(self) -> ChainReport:
        """Recompute the hash chain over the whole log; report the first broken link."""
        return verify_links(self.recorder.chain_rows(), self.recorder.orphan_hashes())

    def head(self) -> dict:
        """The last recorded event's position and chained hash."""
        position, digest = self.recorder.head()
        return {"position": position, "hash": digest}

    # ----- resolving names

    def resolve_source(self, key: str) -> dict:
        """A source by id, slug, name or alias ("Kassym-Zhomart Tokayev" finds Tokayev)."""
        _asked(key, "source")
        found = self.view.entry("source", key)
        if found:
            return found
        matches = self.view.find_sources(key)
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise UnknownEntryError(f"no source is called {key!r}")
        names = ", ".join(m["slug"] for m in matches)
        raise UnknownEntryError(f"{key!r} could be any of these sources: {names}")

    def resolve(self, kind: str, key: str, story: str | None = None) -> dict:
        """A story, topic, incident or claim by id or slug (a slug within its story)."""
        if kind == "source":
            return self.resolve_source(key)
        if kind == "story":
            return self.resolve_story(key)
        _asked(key, kind)
        story = self.resolve_story(story)["slug"]
        found = self.view.entry(kind, str(key), story)
        if not found or found.get("story") != story:
            raise UnknownEntryError(f"no {kind} is called {key!r} in story {story!r}")
        return found

    @cached
    def resolve_story(self, key: str | None) -> dict:
        """A story by slug or id; with none named, the chronicle's only story."""
        if key is not None:
            _asked(key, "story")
            key = str(key)
        return dict(self._at_position(self._stories, key, lambda: self._story(key)))

    def _story(self, key: str | None) -> dict:
        if key is not None:
            found = self.view.entry("story", key)
            if not found and self.catch_up():  # perhaps another process has just started it
                found = self.view.entry("story", key)
            if not found:
                raise UnknownEntryError(f"no story is called {key!r}")
            return found
        count = self.view.count("story")
        if count == 1:
            return self.view.entries("story")[0]
        if not count:
            raise UnknownEntryError("this chronicle holds no story yet: load one first")
        names = ", ".join(s["slug"] for s in self.view.entries("story")[:20]) + (", ..." if count > 20 else "")
        raise UnknownEntryError(f"this chronicle holds {count} stories: name one ({names})")

    def _at_position(self, memo: LRU, key: object, compute: Callable[[], T]) -> T:
        """What ``compute`` reads, kept for the (generation, position) the current request reads at: a
        name resolved once per position, not on every question (a round trip each on PostgreSQL). Outside
        a request, or while the view is behind its position, it is read afresh."""
        at = reading()
        if at is None or self.behind is not None:
            return compute()
        found = memo.get((*at, key))
        if found is None:
            found = compute()
            memo.put((*at, key), found)
        return found

    def _camps_now(self) -> frozenset:
        """The camps the sources are in at the position read (a short vocabulary, read in one query)."""
        return self._at_position(self._camp_sets, "camps", lambda: frozenset(self.view.camps()))

    def story_for_write(self, key: str | None) -> str:
        """The story a new entry goes in: the one named (which must exist), else the only one."""
        return self.resolve_story(key)["slug"]

    @cached
    def stories(self) -> list[dict]:
        """Every story with its title, period, counts and the last day its story changed."""
        facts = {f["slug"]: f for f in self.view.story_facts()}
        found = []
        for entry in self.view.entries("story"):
            known = facts.get(entry["slug"], {})
            period = folds.present_date(FuzzyDate.from_dict(entry["period"])) if entry.get("period") else None
            found.append({**entry, "period": period,
                          "counts": {k: known.get(k, 0) for k in ("topics", "incidents", "claims")},
                          "first_day": known.get("first_day"), "last_day": known.get("last_day")})
        return found

    @cached
    def story(self, key: str | None = None) -> dict:
        """One story with its facts, as :meth:`stories` lists it (kept apart: the list of every story is
        large at scale, and each read of a cached answer copies it)."""
        slug = self.resolve_story(key)["slug"]
        return next(s for s in self.stories() if s["slug"] == slug)

    def resolve_lens(self, spec: str | None) -> Lens:
        """A lens from words: "official", "everyone", a camp, a source, or several joined by commas."""
        return self._at_position(self._lenses, spec, lambda: self._lens(spec))  # immutable: shared

    def _lens(self, spec: str | None) -> Lens:
        spec = _asked((spec or "everyone").strip(), "lens")
        if spec.lower() in EVERYONE:
            return Lens("everyone")
        lens_camps, lens_sources = set(), set()
        for part in (p.strip() for p in spec.split(",") if p.strip()):
            if part.startswith("camp:") or self._has_camp(part):
                lens_camps.add(part.removeprefix("camp:"))
            else:
                lens_sources.add(self.resolve_source(part.removeprefix("source:"))["id"])
        return Lens(spec, frozenset(lens_camps), frozenset(lens_sources))

    def _has_camp(self, camp: str) -> bool:
        return camp in self._camps_now()  # read afresh outside a request, as _at_position says

    # ----- queries

    @cached
    def narrative(self, as_of: str, lens: str | None = "official", known_at: str | None = None,
                  story: str | None = None) -> dict:
        """A story's claims current on a date for a lens, by topic, as the chronicle held them then."""
        return self._told(as_of, lens, known_at, story)[0]

    @cached
    def narrative_with_changes(self, as_of: str, lens: str | None = "official", known_at: str | None = None,
                               story: str | None = None) -> dict:
        """A narrative, and under ``changes`` what changed in it since the day before (what :meth:`diff`
        of the two days says), read from the day's own rows and the versions they replaced that day."""
        told, rows, links = self._told(as_of, lens, known_at, story)
        day, lens_ = told["as_of"], self.resolve_lens(lens)
        previous = (date.fromisoformat(day) - timedelta(days=1)).isoformat()
        if self._lens_moves_on(lens_, day):  # a source joined or left the lens's camps that day
            return {**told, "changes": self.diff(previous, day, lens, known_at, story)}
        changed = sorted({r["claim_id"] for r in rows if r["stated_on"] == day})
        earlier = [r for r in self.view.claims_rows(changed, told["known_at"]) if r["stated_until"] == day
                   and r["stated_on"] < day and self._in_lens_on(lens_, r, previous)] if changed else []
        changes = day_changes(rows, earlier, links, told["topics"], day, previous)
        return {**told, "changes": {"story": told["story"], "from": previous, "to": day, "lens": told["lens"],
                                    "known_at": told["known_at"], **changes}}

    def _told(self, as_of: str, lens: str | None, known_at: str | None, story: str | None) -> tuple:
        """A narrative, with the index rows and links it was told from."""
        day, known = _day(as_of), _moment(known_at)
        chosen, slug = self.resolve_lens(lens), self.resolve_story(story)["slug"]
        rows = self.view.narrative_rows(slug, day, chosen, known)
        links = self.view.links(sorted({r["claim_id"] for r in rows}), known)
        return ({"story": slug, "as_of": day, "lens": chosen.name, "known_at": known,
                 "topics": folds.narrate(rows, links, day)}, rows, links)

    def _lens_moves_on(self, lens: Lens, day: str) -> bool:
        """Whether a source moved into or out of one of the lens's camps on the day."""
        return not lens.everyone and bool(lens.camps & self._camp_moves().get(day, frozenset()))

    def _camp_moves(self) -> dict[str, frozenset]:
        """The days on which sources moved camps, each with the camps they left and joined: read once per
        position from the sources that moved (not by decoding every source: at a million statements that
        took 115 MB a thread) and shared, not copied as the answer cache copies what it returns."""
        at = reading() or self.read_position()
        found = self._moves.get(at)
        if found is None:
            found = self.view.camp_moves()
            self._moves.put(at, found)
        return found

    def _in_lens_on(self, lens: Lens, row: dict, day: str) -> bool:
        """Whether a row's source or channel was one of the lens's sources, or in one of its camps, on a day."""
        if lens.everyone:
            return True
        for speaker in filter(None, (row["source_id"], row["via_id"])):
            if speaker in lens.source_ids:
                return True
            entry = self.view.entry("source", speaker) or {"id": speaker, "camps": []}
            if any(c[2] in lens.camps and c[3] <= day and (c[4] is None or c[4] > day) for c in camp_intervals(entry)):
                return True
        return False

    @cached
    def diff(self, start: str, end: str, lens: str | None = "official", known_at: str | None = None,
             story: str | None = None) -> dict:
        """What changed in the lens's story between two dates."""
        first, last = sorted((_day(start), _day(end)))
        before = self.narrative(first, lens, known_at, story)
        after = self.narrative(last, lens, known_at, story)
        ids = sorted({c["id"] for g in after["topics"] for c in g["claims"]})
        links = self.view.links(ids, after["known_at"])
        return {"story": after["story"], "from": first, "to": last, "lens": after["lens"],
                "known_at": after["known_at"], **folds.diff(before["topics"], after["topics"], links, first, last)}

    @cached
    def topic_history(self, topic: str, known_at: str | None = None, story: str | None = None) -> dict:
        """Every version of every claim on a topic, in stated order, with who said it and why."""
        entry = self.resolve("topic", topic, story)
        rows = self.view.topic_rows(entry["id"], _moment(known_at))
        return {"story": entry["story"], "topic": _public(entry), "known_at": _moment(known_at),
                "history": folds.topic_history(rows)}

    def claim_history(self, claim: str, known_at: str | None = None, story: str | None = None) -> dict:
        """A claim's versions with what changed, its editorial corrections, and its links."""
        self.catch_up()
        entry = self.resolve("claim", claim, story)
        known = _moment(known_at)
        rows = self.view.claim_rows(entry["id"], known)
        facts = self.view.claim_facts(entry["id"])
        corrections = [fix for fix in facts["corrections"] if known is None or fix["at"] <= known]
        links = folds._links_by_claim(self.view.links([entry["id"]], known), None).get(entry["id"], [])
        return {"story": entry["story"], "claim": entry["slug"], "id": entry["id"], "known_at": known,
                "entry_version": facts["version"],
                "versions": folds.claim_versions(rows), "corrections": corrections, "links": links}

    @cached
    def timeline(self, as_of: str, lens: str | None = "official", known_at: str | None = None,
                 story: str | None = None) -> dict:
        """The lens's story as of a day: incidents in occurred order with their claims; other claims by day stated."""
        story = self.narrative(as_of, lens, known_at, story)
        items: dict[tuple, dict] = {}
        for incident in self.incidents(occurred_to=story["as_of"], story=story["story"]):
            items[_when(incident["occurred"], 0, incident["slug"])] = {
                "on": incident["occurred"]["on"], "incident": incident, "claims": []}
        incidents = {i["id"]: i for i in self.incidents(story=story["story"])}
        for group in story["topics"]:
            for claim in group["claims"]:
                claim = {**claim, "topic_title": group["topic"]["title"]}
                about = [incidents[i] for i in self._incident_ids(claim["id"]) if i in incidents]
                for incident in about:
                    key = _when(incident["occurred"], 0, incident["slug"])
                    items.setdefault(key, {"on": key[0], "incident": incident, "claims": []})["claims"].append(claim)
                if not about:
                    key = (claim["stated"]["on"], len(PARTS_OF_DAY) + 1, 1, "")
                    items.setdefault(key, {"on": key[0], "incident": None, "claims": []})["claims"].append(claim)
        for item in items.values():
            item["claims"].sort(key=lambda c: (c["stated"]["on"], c["claim"]))
        figures = [{"topic": g["topic"], "claim": next(c for c in g["claims"] if c["claim"] == g["current"])}
                   for g in story["topics"] if g["current"]]
        return {"story": story["story"], "as_of": story["as_of"], "lens": story["lens"], "known_at": story["known_at"],
                "figures": figures, "items": [items[key] for key in sorted(items)]}

    def _incident_ids(self, claim_id: str) -> list[str]:
        return self.view.claim_facts(claim_id)["incident_ids"]

    def claim_since(self, claim: str, entry_version: int, story: str | None = None) -> dict:
        """A claim's latest words when its entry was at a version, its latest words now, and the events between."""
        claim_id = UUID(self.resolve("claim", claim, story)["id"])
        then = self.repository.get(claim_id, version=entry_version)
        now = self.repository.get(claim_id)
        events = [{"version": e.originator_version, "event": type(e).__name__, "editor": getattr(e, "editor", None),
                   "recorded_at": stamp(e.timestamp)}
                  for e in self.repository.event_store.get(claim_id, gt=entry_version)]
        return {"claim": now.slug, "then": {"entry_version": then.version, **_words(then.versions[-1])},
                "now": {"entry_version": now.version, **_words(now.versions[-1])}, "events": events}

    @cached
    def source_claims(self, source: str, known_at: str | None = None) -> dict:
        """A source's claims (spoken or published by it), and how often it revised or retracted."""
        entry = self.resolve_source(source)
        rows = self.view.source_rows(entry["id"], _moment(known_at))
        versions = [folds.present_row(r) for r in rows]
        counts = {kind: sum(1 for v in versions if v["kind"] == kind) for kind in ("stated", "revised", "retracted")}
        return {"source": _public(entry), "counts": counts, "versions": versions}

    @cached
    def entries(self, kind: str, story: str | None = None) -> list[dict]:
        """All sources or stories, or a story's topics or incidents."""
        if kind in ("source", "story"):
            return [_public(e) for e in self.view.entries(kind)]
        return [_public(e) for e in self.view.entries(kind, self.resolve_story(story)["slug"])]

    @cached
    def incidents(self, occurred_from: str | None = None, occurred_to: str | None = None,
                  place: str | None = None, story: str | None = None) -> list[dict]:
        """A story's incidents that may have occurred between two days, optionally at a place; dates presented."""
        first = _bound(occurred_from, "occurred_from") or "0000-01-01"
        last = _bound(occurred_to, "occurred_to") or "9999-12-31"
        found = []
        for entry in self.entries("incident", story):
            when = FuzzyDate.from_dict(entry["occurred"])
            if when.start.isoformat() <= last and when.end.isoformat() >= first and _mentions(entry["place"], place):
                found.append({**entry, "occurred": folds.present_date(when)})
        return sorted(found, key=lambda e: (e["occurred"]["on"], e["slug"]))

    @cached
    def lens_history(self, lens: str | None = "official", known_at: str | None = None,
                     story: str | None = None, limit: int | None = None, offset: int = 0) -> dict:
        """The versions of the claims of a story in a lens, in stated order, each with what it replaced:
        all of them, or the page of ``limit`` from ``offset`` (``more`` says whether another follows)."""
        chosen, known, slug = self.resolve_lens(lens), _moment(known_at), self.resolve_story(story)["slug"]
        rows = self.view.lens_rows(slug, chosen, known, None if limit is None else limit + 1, offset)
        more = limit is not None and len(rows) > limit
        rows = rows[:limit] if limit is not None else rows
        earlier = self._versions_before(rows, known) if offset else None
        return {"story": slug, "lens": chosen.name, "known_at": known, "history": folds.topic_history(rows, earlier),
                "page": {"limit": limit, "offset": offset, "more": more}}

    def _versions_before(self, rows: list[dict], known: str | None) -> dict[tuple, dict]:
        """For each (claim, part) of a page, the version just before its first one on the page."""
        first: dict[tuple, dict] = {}
        for row in rows:
            first.setdefault((row["claim_id"], row["part"]), row)
        before: dict[tuple, dict] = {}
        for row in self.view.claims_rows(sorted({claim for claim, _ in first}), known):
            key = (row["claim_id"], row["part"])
            if key in first and (row["stated_on"], row["version"]) < (first[key]["stated_on"], first[key]["version"]):
                before[key] = row
        return before

    @cached
    def narrative_days(self, lens: str | None = "official", known_at: str | None = None,
                       story: str | None = None) -> list[str]:
        """The stated days on which a lens's narrative changed: a claim stated, revised, retracted or linked."""
        return self.view.change_days(self.resolve_story(story)["slug"], self.resolve_lens(lens), _moment(known_at))

    @cached
    def changes_around(self, day: str, lens: str | None = "official", known_at: str | None = None,
                       story: str | None = None) -> tuple[str | None, str | None]:
        """The nearest days before and after ``day`` on which the lens's narrative changed."""
        return self.view.days_around(self.resolve_story(story)["slug"], _day(day), self.resolve_lens(lens),
                                     _moment(known_at))

    @cached
    def camps(self, limit: int | None = None) -> list[str]:
        """The camps the chronicle's sources are in, in order (the first ``limit`` of them)."""
        return self.view.camps(limit)

    @cached
    def count(self, kind: str, story: str | None = None) -> int:
        """How many stories or sources the chronicle holds, or topics, incidents or claims (in a story)."""
        return self.view.count(kind, story)

    def last_recorded_at(self) -> str | None:
        """When the last event in the log was recorded; None for an empty chronicle."""
        position = self.recorder.max_notification_id() or 0
        last = next(self.event_log(max(position - 1, 0), 1), None)
        return last["recorded_at"] if last else None

    @cached
    def search(self, text: str, kind: str | None = None, limit: int = 50, story: str | None = None) -> list[dict]:
        """Claims, quotes, sources (with their aliases), topics, incidents and stories matching every word,
        in every story (or one), each hit with the story it is in."""
        slug = self.resolve_story(story)["slug"] if story else None
        hits = self.view.search(re.findall(r"\w+", _asked(text or "", "search")), kind, limit, slug)
        return [{**hit, "title": _clipped(hit["title"], 0, TITLE_SIZE),
                 "snippet": _clipped(hit["snippet"], (hit["snippet"] or "").find("["), SNIPPET_SIZE)} for hit in hits]

    @cached
    def audit(self, after: int = 0, limit: int = 100, kind: str | None = None,
              event: str | None = None, editor: str | None = None) -> list[dict]:
        """The event log in recorded order, filtered by kind of entry, kind of event or editor."""
        return self.view.audit(after, limit, kind, event, editor)

    def event_log(self, after: int = 0, limit: int | None = None) -> Iterator[dict]:
        """The raw event log in recorded order, straight from the event store."""
        position = after
        while limit is None or limit > 0:
            batch = self.recorder.select_notifications(start=position + 1, limit=min(limit or 500, 500))
            if not batch:
                return
            for notification in batch:
                yield self._raw_event(notification)
            position = batch[-1].id
            if limit is not None:
                limit -= len(batch)

    def _raw_event(self, notification: Any) -> dict:
        event = self.mapper.to_domain_event(notification)
        data = {k: v for k, v in vars(event).items()
                if k not in ("originator_id", "originator_version", "timestamp", "editor")}
        return {"position": notification.id, "id": str(event.originator_id),
                "version": event.originator_version, "type": notification.topic,
                "recorded_at": stamp(event.timestamp), "editor": getattr(event, "editor", None),
                "data": data}


# What one search hit shows at most, in characters: a matching word can be a megabyte long.
TITLE_SIZE, SNIPPET_SIZE = 300, 400


def _clipped(text: str | None, around: int, size: int) -> str | None:
    """At most ``size`` characters of the text, from a little before ``around``, with ellipses where cut."""
    if text is None or len(text) <= size:
        return text
    start = max(0, min(around - size // 4, len(text) - size)) if around > 0 else 0
    return ("…" if start else "") + text[start:start + size] + ("…" if start + size < len(text) else "")


def _asked(text: Any, what: str) -> Any:
    """Refuse a name or question with a NUL character: no store can look it up (PostgreSQL text cannot hold it)."""
    if isinstance(text, str) and "\x00" in text:
        raise InvalidQueryError(f"{what}: {text!r} contains a NUL character (U+0000)")
    return text


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _reason(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}".strip()[:500]


def _day(text: str) -> str:
    _asked(text, "as of")
    try:
        if not str(text).isascii():
            raise FuzzyDateError(f"{text!r} is not a day: use YYYY-MM-DD in ASCII digits")
        return parse_day(str(text)).isoformat()
    except FuzzyDateError as error:
        raise InvalidQueryError(f"as of: {error}") from None


def _moment(text: str | None) -> str | None:
    """A "known at" instant as sortable UTC text; a bare day means the end of that day."""
    if text is None or text == "":
        return None
    value = _asked(str(text), "known at").strip().replace("Z", "+00:00")
    try:
        if not value.isascii():
            raise ValueError(value)
        if len(value) == 10:
            moment = datetime.fromisoformat(value + "T23:59:59.999999+00:00")
        else:
            moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return stamp(moment)
    except ValueError:
        raise InvalidQueryError(f"known at: {text!r} is not an ISO 8601 date or time") from None
    except OverflowError:
        raise InvalidQueryError(f"known at: {text!r} is outside the years 1 to 9999 in UTC") from None


def _bound(text: str | None, name: str) -> str | None:
    if not text:
        return None
    try:
        return parse_day(str(text)).isoformat()
    except FuzzyDateError as error:
        raise InvalidQueryError(f"{name}: {error}") from None


def _mentions(place: str | None, wanted: str | None) -> bool:
    return not wanted or wanted.casefold() in (place or "").casefold()


def _when(occurred: dict, order: int, slug: str) -> tuple:
    """Sorts a presented date by day, then part of the day (a whole day first), then the rest."""
    part = occurred.get("part_of_day")
    return (occurred["on"], PARTS_OF_DAY.index(part) + 1 if part else 0, order, slug)


def _words(version: dict) -> dict:
    """One version of a claim's words as plain data, its date and figure presented."""
    return {"kind": version["kind"], "stated": folds.present_date(FuzzyDate.from_dict(version["stated"])),
            "text": version["text"], "quote": version["quote"],
            "figure": folds.present_figure(Figure.from_dict(version["figure"])), "reason": version.get("reason")}


def _public(entry: dict) -> dict:
    return {k: v for k, v in entry.items() if k != "state"}


class UnknownEntryError(ChronicleError):
    """No story, source, topic, incident or claim answers to that name."""


class DuplicateEntryError(ChronicleError):
    """An entry with that slug already exists."""


class StaleVersionError(ChronicleError):
    """The entry changed since the version the writer last saw."""


class ConcurrentWriteError(ChronicleError):
    """Another writer recorded an event for the same entry at the same time."""


class InvalidQueryError(ChronicleError):
    """A question the chronicle cannot parse (a bad date or time)."""


class ViewStoppedError(ChronicleError):
    """The read models stopped at an event they cannot fold; writes wait for a rebuild."""


class StoreUnavailableError(ChronicleError):
    """The store cannot be written or reached now (read-only, full, unreachable); nothing was saved."""


class BrokenChainError(ChronicleError):
    """The event log's hash chain does not verify."""

