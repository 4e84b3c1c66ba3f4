"""The tracked as-of projection: folds the event log into the view, batch by batch.

SQLite cannot push new events to a subscriber, so the view catches up by polling the
application's notifications in batches. Each batch is written in one view transaction together
with the tracking position of its last event, so a crash neither loses nor repeats an event.
Claim events are folded with the domain's own mutators (``event.mutate``), so the read model
and the aggregates cannot disagree about what an event means.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

from chronicle.domain import Claim, Incident, Source, Story, Topic, camp_on, day_of, natural_id
from chronicle.projections.claims import (CACHED_CLAIMS, ClaimCache, Folded, annotate, claim_facts, claim_words,
                                          events_before, refold, touched_versions)
from chronicle.projections.names import name_keys
from chronicle.projections.rows import derive_rows, row_key
from chronicle.projections.store import PositionMoved, ViewBatch, ViewStore

BATCH_SIZE = 2000
# A rebuild folds the whole log at once, in larger transactions. It keeps as many claims folded between
# them as catching up does: twice as many took 90 MB more (339 against 247 MB at 100,000 statements)
# for no measurable speed, and a bulk import's one fold must stay under its 500 MB target.
REBUILD_BATCH = 10000
REBUILD_CLAIMS = 10000
log = logging.getLogger("chronicle.projection")


def unavailable(error: BaseException) -> bool:
    """Whether an error is the store's (locked, read-only, full, unreachable, timed out), not the event's."""
    import psycopg
    from eventsourcing import persistence

    return isinstance(error, sqlite3.OperationalError | psycopg.OperationalError | psycopg.InterfaceError
                      | persistence.OperationalError | persistence.InterfaceError | OSError)


def stamp(moment: datetime) -> str:
    """A recording time as sortable ISO text in UTC, to the microsecond."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


class AsOfProjection:
    """Keeps a view store caught up with an application's event log."""

    def __init__(self, app: Any, store: ViewStore, batch_size: int = BATCH_SIZE, cached_claims: int = CACHED_CLAIMS):
        self.app = app
        self.store = store
        self.batch_size = batch_size
        self.cache = ClaimCache(cached_claims)
        self.stopped: dict | None = None  # the fault the last catch-up stopped at, if any

    def lag(self) -> int:
        """How many recorded events the view has not processed yet."""
        head = self.app.recorder.max_notification_id() or 0
        return head - (self.store.max_tracking_id(self.app.name) or 0)

    def catch_up(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Process every event not yet in the view; return how many were processed.

        An event the read models cannot fold stops the view just before it: the events before it
        are kept, the fault is recorded (and logged) once, and later calls do not try it again, so
        reads go on serving the last good position. A rebuild tries again.
        """
        processed = 0
        total = None
        while True:
            position = self.store.max_tracking_id(self.app.name) or 0
            fault = self.store.fault(self.app.name)
            self.stopped = fault if fault and fault["position"] == position + 1 else None
            if self.stopped:
                return processed
            notifications = self.app.recorder.select_notifications(
                start=position + 1, limit=self.batch_size
            )
            if not notifications:
                return processed
            if progress and total is None:
                total = processed + (self.app.recorder.max_notification_id() or 0) - position
            try:
                self._process(position, notifications)
            except PositionMoved:
                continue  # another process wrote this batch first: poll again
            except Exception as error:
                if unavailable(error):
                    raise
                processed += self._up_to_the_fault(position, notifications)
                continue
            processed += len(notifications)
            if progress:
                progress(processed, max(total or 0, processed))

    def _up_to_the_fault(self, position: int, notifications: Sequence[Any]) -> int:
        """Fold a failed batch one event at a time; record the first event that cannot be folded."""
        for count, notification in enumerate(notifications):
            try:
                self._process(position, [notification])
            except PositionMoved:
                return count
            except Exception as error:
                if unavailable(error):
                    raise
                self._record_fault(notification, error)
                return count
            position = notification.id
        return len(notifications)

    def _record_fault(self, notification: Any, error: Exception) -> None:
        reason = f"{type(error).__name__}: {error}"[:1000]
        at = stamp(datetime.now(timezone.utc))
        if self.store.record_fault(self.app.name, notification.id, notification.topic, reason, at):
            log.error("the read models stopped before event %s (%s): %s; reads serve the view as it was, "
                      "writes are refused until `chronicle rebuild` folds it", notification.id, notification.topic,
                      reason)

    def _process(self, position: int, notifications: Sequence[Any]) -> None:
        mapper = self.app.mapper
        self.cache.start(position)
        try:
            with self.store.batch(self.app.name, position, notifications[-1].id) as batch:
                folder = _BatchFolder(batch, self.cache, self.app)
                for notification in notifications:
                    folder.apply(notification.id, mapper.to_domain_event(notification))
                folder.flush()
        except BaseException:
            self.cache.clear()  # folded claims were changed in place by a batch that did not commit
            raise
        self.cache.committed(notifications[-1].id)


class _BatchFolder:
    """Folds one batch of events into rows: claims come from the working set, or are folded again."""

    def __init__(self, batch: ViewBatch, cache: ClaimCache, app: Any):
        self.batch = batch
        self.cache = cache
        self.app = app
        self.touched: dict[str, Folded] = {}
        self.new_rows: set[int] = set()  # ids of the row dicts first opened in this batch
        self.closed_stored: list[tuple] = []
        self.finished_rows: list[dict] = []
        self.stories: set[str] = set()

    def _ensure_story(self, slug: str) -> None:
        """Every story an entry names has a row, described by its Started event if it has one."""
        if slug in self.stories:
            return
        self.stories.add(slug)
        story_id = str(natural_id("story", slug))
        try:
            self.batch.load_entry(story_id)
        except KeyError:
            self.batch.save_story({"id": story_id, "slug": slug, "title": slug, "description": None, "period": None})

    def apply(self, position: int, event: Any) -> None:
        at, editor, entry_id = stamp(event.timestamp), getattr(event, "editor", "system"), str(event.originator_id)
        if isinstance(event, Claim.Event):
            kind = "claim"
            self._apply_claim(entry_id, event, at, editor)
        else:
            kind = self._apply_entry(event, at)
        self.batch.log_event(position, at, editor, kind, type(event).__name__, entry_id, _summary(event))

    def _apply_entry(self, event: Any, at: str) -> str:
        """Fold a story, source, topic or incident event; return which kind of entry it was."""
        entry_id = str(event.originator_id)
        kind = CREATED_KINDS.get(type(event))
        if kind:
            entry = {"id": entry_id, **_created_fields(event)}
            if kind == "source":
                entry["camps"] = [{"camp": entry["camp"], "since": None, "recorded_at": at}]
        else:
            kind, entry = self.batch.load_entry(entry_id)
            if isinstance(event, Source.Moved):
                entry["camps"].append({"camp": event.camp, "since": event.since, "recorded_at": at})
            else:
                entry.update(event.changes)
                if kind == "source" and "camp" in event.changes:
                    entry["camps"][0]["camp"] = event.changes["camp"]
            if kind == "source":
                entry["camp"] = camp_on(entry["camps"], None)
        story = entry.get("story")
        if story:
            self._ensure_story(story)
        if kind == "story":
            self.stories.add(entry["slug"])
            self.batch.save_story(entry)
            self.batch.index_text(kind, entry_id, entry["slug"], entry["title"], entry.get("description") or "",
                                  entry["slug"])
        elif kind == "source":
            self.batch.save_source(entry, name_keys(entry["slug"], entry["name"], entry["aliases"]))
            self.batch.index_text(kind, entry_id, entry["slug"], entry["name"],
                                  " ".join([*entry["aliases"], entry["camp"], entry.get("description") or ""]), None)
        elif kind == "topic":
            self.batch.save_topic(entry)
            self.batch.index_text(kind, entry_id, entry["slug"], entry["title"], entry.get("description") or "", story)
        else:
            self.batch.save_incident(entry)
            self.batch.index_text(kind, entry_id, entry["slug"], entry["title"],
                                  " ".join(filter(None, [entry.get("place"), entry.get("description")])), story)
        return kind

    def _apply_claim(self, claim_id: str, event: Any, at: str, editor: str) -> None:
        folded = self._folded(claim_id, event)
        folded.claim = event.mutate(folded.claim)
        claim = folded.claim
        if isinstance(event, Claim.Stated):
            self._ensure_story(claim.story)
        annotate(claim, event, at, editor)
        self.touched[claim_id] = folded
        if isinstance(event, Claim.Linked):
            link = claim.links[-1]
            stated = link["stated"] or claim.versions[0]["stated"]
            self.batch.save_link(claim_id, link["relation"], str(link["target_id"]), claim.story, day_of(stated),
                                 link["note"], at, editor)
        self._reindex(folded, at, touched_versions(event))

    def _folded(self, claim_id: str, event: Any) -> Folded:
        folded = self.touched.get(claim_id) or self.cache.get(claim_id)
        if folded is None:
            # A claim's first event has nothing before it; any other was folded before this batch.
            folded = Folded(None, []) if isinstance(event, Claim.Stated) else refold(
                events_before(self.app, claim_id, event.originator_version), stamp)
            self.cache.put(claim_id, folded)
        return folded

    def _reindex(self, folded: Folded, at: str, numbers: list[int] | None) -> None:
        """Close the rows the event made stale and open the rows it made true."""
        wanted = {row_key(row): row for row in derive_rows(folded.claim, numbers)}
        kept = []
        for row in folded.rows:
            if numbers is not None and row["version"] not in numbers:
                kept.append(row)
            elif row_key(row) in wanted:
                kept.append(row)
                del wanted[row_key(row)]
            elif id(row) in self.new_rows:
                self.new_rows.discard(id(row))
                self.finished_rows.append({**row, "recorded_until": at})
            else:
                self.closed_stored.append((row["claim_id"], row["version"], row["part"], at))
        for row in wanted.values():
            row.update(recorded_from=at, recorded_until=None)
            self.new_rows.add(id(row))
            kept.append(row)
        folded.rows = kept

    def flush(self) -> None:
        """Write what the batch changed: closed rows, new rows, claims and their words."""
        self.batch.close_rows(self.closed_stored)
        new_rows = self.finished_rows + [
            row for folded in self.touched.values() for row in folded.rows if id(row) in self.new_rows]
        self.batch.insert_rows(new_rows)
        claims = [folded.claim for folded in self.touched.values()]
        self.batch.save_claims([claim_facts(claim) for claim in claims])
        for claim in claims:
            self.batch.index_text("claim", str(claim.id), claim.slug, claim.versions[-1]["text"], claim_words(claim),
                                  claim.story)


CREATED_KINDS = {Story.Started: "story", Source.Registered: "source", Topic.Opened: "topic",
                 Incident.Recorded: "incident"}


def _created_fields(event: Any) -> dict:
    skip = {"originator_id", "originator_version", "timestamp", "originator_topic", "editor"}
    return {k: v for k, v in vars(event).items() if k not in skip}


def _summary(event: Any) -> str:
    name = type(event).__name__
    if isinstance(event, Claim.Stated | Claim.Revised):
        return (event.text or event.quote or "")[:200]
    if isinstance(event, Claim.Retracted):
        return event.reason[:200]
    if isinstance(event, Claim.Reinstated):
        return (event.note or "reinstated")[:200]
    if isinstance(event, Source.Moved):
        return f"{event.camp} from {day_of(event.since)}"
    if isinstance(event, Claim.Corrected):
        return f"{', '.join(sorted(event.changes))}: {event.reason}"[:200]
    if isinstance(event, Claim.Linked):
        return event.relation
    return getattr(event, "slug", None) or getattr(event, "reason", None) or name
