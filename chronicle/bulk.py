"""A bulk import: chunks of aggregates recorded one transaction each, each chunk checked in parallel.

Every event is checked by its stored schema (``chronicle.validation``) before it is recorded, as
``Chronicle.save_all`` does; here the check of one chunk runs in a forked child process while the
parent builds the next chunk through the domain, so the two cores share the work. A chunk is only
recorded once its check has passed; a refusal names the event and its field, and nothing of that
chunk (or after it) is recorded. The read models are folded once at the end (``Chronicle.settle``).
Without ``os.fork`` (Windows), chunks are checked in the process itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from chronicle.domain import InvalidValueError
from chronicle.validation import check_event

MESSAGE = 4000  # at most this many bytes of a refusal cross the pipe


class BulkRecorder:
    """Records chunks of aggregates: checks each in a child process while the next is built."""

    def __init__(self, chronicle: Any):
        self.chronicle = chronicle
        self._waiting: tuple[list, int, int] | None = None  # events, pid, pipe of the chunk being checked
        self.events = 0

    def record(self, aggregates: Iterable[Any]) -> None:
        """Take the aggregates' pending events as the next chunk; record the chunk before it."""
        events = [(event, type(aggregate).__name__) for aggregate in aggregates
                  for event in aggregate.collect_events()]
        self._record_waiting()
        if events:
            self._waiting = (events, *_check_in_child(events)) if hasattr(os, "fork") else (
                _checked_here(events), 0, -1)

    def finish(self) -> int:
        """Record the last chunk and fold the read models; return how many events were recorded."""
        self._record_waiting()
        self.chronicle.settle()
        return self.events

    def _record_waiting(self) -> None:
        if self._waiting is None:
            return
        events, pid, pipe = self._waiting
        self._waiting = None
        if pid:
            _wait(pid, pipe)
        self.events += self.chronicle.save_events([event for event, _ in events])


def _checked_here(events: list) -> list:
    for event, kind in events:
        check_event(event, kind)
    return events


def _check_in_child(events: list) -> tuple[int, int]:
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: check, report the first refusal (or nothing), and leave without cleaning up
        os.close(readable)
        message = b""
        try:
            _checked_here(events)
        except InvalidValueError as error:
            message = str(error).encode()[:MESSAGE] or b"refused"
        except BaseException as error:  # noqa: BLE001 - any failure of the check refuses the chunk
            message = f"{type(error).__name__}: {error}".encode()[:MESSAGE]
        os.write(writable, message)
        os._exit(0)
    os.close(writable)
    return pid, readable


def _wait(pid: int, pipe: int) -> None:
    chunks = []
    while chunk := os.read(pipe, 65536):
        chunks.append(chunk)
    os.close(pipe)
    _, status = os.waitpid(pid, 0)
    message = b"".join(chunks).decode(errors="replace")
    if message:
        raise InvalidValueError(message)
    if status != 0:
        raise InvalidValueError(f"the check of a chunk of events did not finish (status {status}); nothing of it "
                                "was recorded")
