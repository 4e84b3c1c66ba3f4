"""The ports between the projections and the databases that hold the read models."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any


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
    def load_claim(self, claim_id: str) -> tuple[bytes | None, list[dict]]:
        """The claim's folded state and its open index rows (each with its ``row_id``)."""

    @abstractmethod
    def save_claim(self, claim_id: str, slug: str, state: bytes) -> None: ...

    @abstractmethod
    def close_rows(self, closes: list[tuple[int, str]]) -> None:
        """Set ``recorded_until`` on stored rows: (row_id, when) pairs."""

    @abstractmethod
    def insert_rows(self, rows: list[dict]) -> None: ...

    @abstractmethod
    def load_entry(self, entry_id: str) -> tuple[str, dict]:
        """A source, topic or incident as (kind, fields)."""

    @abstractmethod
    def save_source(self, entry: dict, keys: list[str]) -> None: ...

    @abstractmethod
    def save_topic(self, entry: dict) -> None: ...

    @abstractmethod
    def save_incident(self, entry: dict) -> None: ...

    @abstractmethod
    def save_link(self, claim_id: str, relation: str, target_id: str, stated_on: str,
                  note: str | None, recorded_at: str, editor: str) -> None: ...

    @abstractmethod
    def index_text(self, kind: str, entry_id: str, slug: str, title: str, body: str) -> None:
        """Replace the entry's row in the full-text index."""

    @abstractmethod
    def log_event(self, position: int, recorded_at: str, editor: str, kind: str, event: str,
                  entry_id: str, summary: str) -> None: ...


class ViewStore(ABC):
    """A materialised view of the chronicle, with its tracking position."""

    @abstractmethod
    def max_tracking_id(self, application_name: str) -> int | None: ...

    @abstractmethod
    def batch(self, application_name: str, expected: int, last: int) -> AbstractContextManager[ViewBatch]:
        """A transaction that fails with :class:`PositionMoved` unless tracking is at ``expected``."""

    @abstractmethod
    def narrative_rows(self, as_of: str, lens: Lens, known_at: str | None) -> list[dict]:
        """Index rows current on ``as_of`` for the lens, as the chronicle held them at ``known_at``."""

    @abstractmethod
    def links(self, claim_ids: list[str], known_at: str | None) -> list[dict]:
        """Links from or to the given claims."""

    @abstractmethod
    def lens_rows(self, lens: Lens, known_at: str | None) -> list[dict]:
        """Every index row of the lens's sources, in stated order, as the chronicle held them at ``known_at``."""

    @abstractmethod
    def topic_rows(self, topic_id: str, known_at: str | None) -> list[dict]: ...

    @abstractmethod
    def claim_rows(self, claim_id: str, known_at: str | None) -> list[dict]: ...

    @abstractmethod
    def source_rows(self, source_id: str, known_at: str | None) -> list[dict]: ...

    @abstractmethod
    def claim_state(self, claim_id: str) -> bytes | None: ...

    @abstractmethod
    def entries(self, kind: str) -> list[dict]:
        """All sources, topics, incidents or claims (id and slug, plus their fields)."""

    @abstractmethod
    def entry(self, kind: str, key: str) -> dict | None:
        """One entry by id or slug."""

    @abstractmethod
    def change_days(self, lens: Lens, known_at: str | None) -> list[str]:
        """The stated days, in order, of the lens's versions and of links to or from its claims."""

    @abstractmethod
    def days_around(self, day: str, lens: Lens, known_at: str | None) -> tuple[str | None, str | None]:
        """The nearest change days (as :meth:`change_days`) before and after ``day``."""

    @abstractmethod
    def camps(self, limit: int | None = None) -> list[str]:
        """The camps sources are in, in order (the first ``limit`` of them)."""

    @abstractmethod
    def count(self, kind: str) -> int:
        """How many sources, topics, incidents or claims the view holds."""

    @abstractmethod
    def has_camp(self, camp: str) -> bool:
        """Whether any source is in this camp (so a lens word names a camp, not a source)."""

    @abstractmethod
    def find_sources(self, key: str) -> list[dict]:
        """Sources whose slug, name or an alias normalises to ``key``, else contain it."""

    @abstractmethod
    def audit(self, after: int = 0, limit: int = 100, kind: str | None = None,
              event: str | None = None, editor: str | None = None) -> list[dict]: ...

    @abstractmethod
    def search(self, terms: list[str], kind: str | None = None, limit: int = 50) -> list[dict]:
        """Entries matching every term (the last as a prefix), best first, with a snippet."""

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
