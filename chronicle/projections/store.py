"""The ports between the projections and the databases that hold the read models."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any


# The layout of a view generation. A view of another layout (written by an earlier release) is not
# read: the application rebuilds the read models from the log into a fresh generation.
# 4: versions_now holds the speaker ids, so a lens's rows are told apart in the index, before the row is read.
LAYOUT = 4


@dataclass(frozen=True)
class Lens:
    """Whose words a question is about: some camps, some sources, or everyone."""

    name: str
    camps: frozenset[str] = field(default_factory=frozenset)
    source_ids: frozenset[str] = field(default_factory=frozenset)

    @property
    def everyone(self) -> bool:
        return not self.camps and not self.source_ids


class ViewBatch(ABC):
    """One transaction of the projection: reads of current state, then writes, then tracking."""

    @abstractmethod
    def save_claims(self, facts: list[tuple]) -> None:
        """Write claims: (id, story, slug, entry version, incident ids as JSON, corrections as JSON or None)."""

    @abstractmethod
    def close_rows(self, closes: list[tuple]) -> None:
        """Set ``recorded_until`` on open rows: (claim_id, version, part, when)."""

    @abstractmethod
    def insert_rows(self, rows: list[dict]) -> None: ...

    @abstractmethod
    def load_entry(self, entry_id: str) -> tuple[str, dict]:
        """A story, source, topic or incident as (kind, fields)."""

    @abstractmethod
    def save_story(self, entry: dict) -> None: ...

    @abstractmethod
    def save_source(self, entry: dict, keys: list[str]) -> None:
        """Write a source, its name keys and its camps over time (``entry["camps"]``)."""

    @abstractmethod
    def save_topic(self, entry: dict) -> None: ...

    @abstractmethod
    def save_incident(self, entry: dict) -> None: ...

    @abstractmethod
    def save_link(self, claim_id: str, relation: str, target_id: str, story: str, stated_on: str,
                  note: str | None, recorded_at: str, editor: str) -> None: ...

    @abstractmethod
    def index_text(self, kind: str, entry_id: str, slug: str, title: str, body: str, story: str | None) -> None:
        """Replace the entry's row in the full-text index (sources belong to no story)."""

    @abstractmethod
    def log_event(self, position: int, recorded_at: str, editor: str, kind: str, event: str,
                  entry_id: str, summary: str) -> None: ...


class ViewStore(ABC):
    """A materialised view of the chronicle, with its tracking position."""

    LAYOUT = LAYOUT

    @contextmanager
    def bounded(self, seconds: float | None) -> Iterator[None]:
        """Give up on this thread's reads that run past ``seconds`` from now (stores without
        per-request bounds bound each statement instead)."""
        yield

    def follow_current(self) -> bool:
        """Move to the current generation if another process promoted a rebuilt one; whether it moved.
        (A store whose generation cannot be replaced under it does nothing.)"""
        return False

    @property
    @abstractmethod
    def layout(self) -> int:
        """The layout this generation was written in (0 for one older than layouts)."""

    @abstractmethod
    def max_tracking_id(self, application_name: str) -> int | None: ...

    @abstractmethod
    def batch(self, application_name: str, expected: int, last: int) -> AbstractContextManager[ViewBatch]:
        """A transaction that fails with :class:`PositionMoved` unless tracking is at ``expected``."""

    @abstractmethod
    def fault(self, application_name: str) -> dict | None:
        """The event the projection could not fold, if it stopped at one: position, event, reason, at."""

    @abstractmethod
    def record_fault(self, application_name: str, position: int, event: str, reason: str, at: str) -> bool:
        """Remember the event the projection stopped at; False if another process recorded it first."""

    @abstractmethod
    def narrative_rows(self, story: str, as_of: str, lens: Lens, known_at: str | None) -> list[dict]:
        """A story's index rows current on ``as_of`` for the lens (its camps as of that day),
        as the chronicle held them at ``known_at``."""

    @abstractmethod
    def links(self, claim_ids: list[str], known_at: str | None) -> list[dict]:
        """Links from or to the given claims."""

    @abstractmethod
    def lens_rows(self, story: str, lens: Lens, known_at: str | None, limit: int | None = None,
                  offset: int = 0) -> list[dict]:
        """The index rows of a story spoken by the lens's sources (in its camps on the day stated),
        in stated order, as the chronicle held them at ``known_at``: all, or a page of them."""

    @abstractmethod
    def claims_rows(self, claim_ids: list[str], known_at: str | None) -> list[dict]:
        """Every index row of the given claims, by claim and in stated order."""

    @abstractmethod
    def topic_rows(self, topic_id: str, known_at: str | None) -> list[dict]: ...

    @abstractmethod
    def claim_rows(self, claim_id: str, known_at: str | None) -> list[dict]: ...

    @abstractmethod
    def source_rows(self, source_id: str, known_at: str | None) -> list[dict]: ...

    @abstractmethod
    def claim_facts(self, claim_id: str) -> dict | None:
        """A claim's entry version, incident ids and editorial corrections (as recorded, each with ``at``)."""

    @abstractmethod
    def entries(self, kind: str, story: str | None = None) -> list[dict]:
        """All stories or sources, or a story's topics, incidents or claims (id and slug, plus their fields)."""

    @abstractmethod
    def entry(self, kind: str, key: str, story: str | None = None) -> dict | None:
        """One entry by id, or by slug (within ``story``, for topics, incidents and claims)."""

    @abstractmethod
    def change_days(self, story: str, lens: Lens, known_at: str | None) -> list[str]:
        """The stated days, in order, of the lens's versions in a story and of links to or from its claims."""

    @abstractmethod
    def days_around(self, story: str, day: str, lens: Lens,
                    known_at: str | None) -> tuple[str | None, str | None]:
        """The nearest change days (as :meth:`change_days`) before and after ``day``."""

    @abstractmethod
    def story_facts(self) -> list[dict]:
        """Each story that holds entries: its slug, its counts and the last stated day of its versions."""

    @abstractmethod
    def camps(self, limit: int | None = None) -> list[str]:
        """The camps sources are in, in order (the first ``limit`` of them)."""

    @abstractmethod
    def camp_moves(self) -> dict[str, frozenset]:
        """The days on which a source moved camps, each with the camps it left and joined."""

    @abstractmethod
    def count(self, kind: str, story: str | None = None) -> int:
        """How many stories or sources, or topics, incidents or claims (of a story), the view holds."""

    @abstractmethod
    def find_sources(self, key: str) -> list[dict]:
        """Sources whose slug, name or an alias normalises to ``key``, else contain it."""

    @abstractmethod
    def audit(self, after: int = 0, limit: int = 100, kind: str | None = None,
              event: str | None = None, editor: str | None = None) -> list[dict]: ...

    @abstractmethod
    def search(self, terms: list[str], kind: str | None = None, limit: int = 50,
               story: str | None = None) -> list[dict]:
        """Entries matching every term (the last as a prefix), best first, with a snippet and their story."""

    @abstractmethod
    def close(self) -> None: ...


class ViewLocator(ABC):
    """Finds the current view, and makes and promotes fresh ones for a rebuild."""

    @abstractmethod
    def current(self) -> ViewStore: ...

    @abstractmethod
    def fresh(self) -> ViewStore:
        """An empty view beside the current one, for a rebuild that does not block writes."""

    @abstractmethod
    def promote(self, store: ViewStore) -> ViewStore:
        """Make a rebuilt view the current one."""


class PositionMoved(Exception):
    """Another process processed this batch first; the projection polls again."""


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    """Split a list into lists of at most ``size`` items."""
    for start in range(0, len(items), size):
        yield items[start:start + size]
