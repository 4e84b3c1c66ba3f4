"""Recording a generated history through the domain: aggregates, events, one transaction per chunk.

This is the bulk import the benchmark times: every command becomes a domain call (which validates
slugs, dates and figures), and every ``chunk`` statements the touched aggregates' events are checked
by their stored schemas (in a child process, while the next chunk is built: chronicle.bulk) and saved
in one transaction with eventsourcing's ``save(*many)``, hash chain included. The read models are folded once at the end
(``Chronicle.settle``: a fresh generation for a large import, indexed once it is full). The time
spent generating the history is measured apart and left out.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from chronicle.bulk import BulkRecorder
from chronicle.domain import Claim, Incident, Source, Story, Topic, entry_id, natural_id

from bench.generator import STATEMENTS, story_slug


@dataclass
class ImportReport:
    statements: int = 0
    events: int = 0
    seconds: float = 0.0
    generating: float = 0.0


def import_history(chronicle: Any, commands: Iterable[tuple], chunk: int = 2000,
                   progress: Callable[[int], None] | None = None) -> ImportReport:
    """Record the commands in chunks, then fold them into the read models once (``Chronicle.settle``);
    return how many statements and events, and the seconds spent recording and folding.

    A Chronicle records through chronicle.bulk (each chunk's events checked in a child process while
    the next chunk is built); anything else with a ``save_all`` (the bare-eventsourcing baseline)
    saves each chunk as it is built.
    """
    report = ImportReport()
    claims: dict[str, Claim] = {}
    pending: dict[UUID, Any] = {}
    recorder = BulkRecorder(chronicle) if hasattr(chronicle, "save_events") else _Direct(chronicle)
    started = time.perf_counter()
    iterator = iter(commands)
    while True:
        before = time.perf_counter()
        command = next(iterator, None)
        report.generating += time.perf_counter() - before
        if command is None:
            break
        aggregate = _apply(command, claims)
        if aggregate is not None:
            pending[aggregate.id] = aggregate
        if command[0] in STATEMENTS:
            report.statements += 1
            if report.statements % chunk == 0:
                recorder.record(pending.values())
                pending.clear()
                if progress:
                    progress(report.statements)
        if command[0] == "done" and command[1]:
            for slug in command[1]:
                claims.pop(slug, None)
    recorder.record(pending.values())
    report.events = recorder.finish()
    report.seconds = time.perf_counter() - started - report.generating
    return report


class _Direct:
    """Each chunk saved as it comes, with nothing folded: what the bare-eventsourcing baseline does."""

    def __init__(self, saver: Any):
        self.saver = saver
        self.events = 0

    def record(self, aggregates: Iterable[Any]) -> None:
        aggregates = list(aggregates)
        if aggregates:
            self.events += self.saver.save_all(*aggregates)

    def finish(self) -> int:
        return self.events


def _apply(command: tuple, claims: dict[str, Claim]) -> Any:
    kind = command[0]
    if kind == "story":
        return Story.start(**command[1])
    if kind == "source":
        return Source.register(**command[1])
    if kind == "topic":
        return Topic.open(**command[1])
    if kind == "incident":
        return Incident.record(**command[1])
    if kind == "state":
        record = command[1]
        story = story_slug(record["slug"])
        claim = Claim.state(
            story, record["slug"], natural_id("source", record["source"]), entry_id("topic", story, record["topic"]),
            record["stated"], record["text"], record["quote"], record["figure"], record["citations"],
            record["note"], via_id=natural_id("source", record["via"]) if record["via"] else None,
            incident_ids=[entry_id("incident", story, slug) for slug in record["incidents"]])
        claims[record["slug"]] = claim
        return claim
    if kind == "done":
        return None
    claim = claims[command[1]]
    change = command[2]
    if kind == "revise":
        claim.revise(**change)
    elif kind == "retract":
        claim.retract(**change)
    elif kind == "link":
        claim.link(change["relation"], entry_id("claim", claim.story, change["target"]), change["stated"],
                   change["note"])
    else:
        changes = dict(change["changes"])
        if "source" in changes:
            changes["source_id"] = natural_id("source", changes.pop("source"))
        claim.correct(changes, change["reason"], change["version"])
    return claim
