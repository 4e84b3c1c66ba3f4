"""Answers cached by log position.

Every answer is a pure function of the view it is read from (its generation and tracking position) and of
the question, so it is kept under the key (generation, position, question) in a bounded LRU. Nothing
invalidates an entry: a new event moves the position and a rebuild promotes a new generation, and either
changes the key; old entries age out.

A cached answer is kept as the bytes of its ``marshal`` form and rebuilt on every read, so a caller that
mutates what it gets (slicing a narrative's topics into a page) cannot change the cache.
"""

from __future__ import annotations

import functools
import marshal
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

SIZE = 4096  # answers kept per process
BYTES = 24 * 2**20  # and at most this many bytes of them: a narrative of a large story is hundreds of KB
MISSING = object()

# The (generation, position) a cached call reads at: nested calls (a timeline's narrative) read at the same.
_reading: ContextVar[tuple | None] = ContextVar("chronicle_reading", default=None)


class LRU:
    """A thread-safe mapping that keeps at most ``size`` entries, dropping the least recently used; given
    ``weigh`` (an entry's size in bytes) and ``max_bytes``, it also keeps their weight under that bound."""

    def __init__(self, size: int = SIZE, max_bytes: int | None = None, weigh: Callable[[Any], int] | None = None):
        self.size = size
        self.max_bytes = max_bytes
        self.weigh = weigh if max_bytes is not None else None
        self.bytes = 0
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._weights: dict[Hashable, int] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            value = self._entries.get(key, MISSING)
            if value is MISSING:
                return default
            self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        weight = self.weigh(value) if self.weigh else 0
        if self.max_bytes is not None and weight > self.max_bytes:
            return  # larger than the whole cache: answered, not kept
        with self._lock:
            self.bytes += weight - self._weights.pop(key, 0)
            self._entries[key] = value
            self._entries.move_to_end(key)
            if self.weigh:
                self._weights[key] = weight
            while len(self._entries) > self.size or (self.max_bytes is not None and self.bytes > self.max_bytes):
                dropped, _ = self._entries.popitem(last=False)
                self.bytes -= self._weights.pop(dropped, 0)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._weights.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self._entries)


class Answers:
    """Plain-data answers (dicts, lists, strings, numbers) by key; each read returns a fresh copy."""

    def __init__(self, size: int = SIZE, max_bytes: int = BYTES):
        self.entries = LRU(size, max_bytes, len)

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        kept = self.entries.get(key, MISSING)
        if kept is not MISSING:
            return marshal.loads(kept)
        answer = compute()
        try:
            self.entries.put(key, marshal.dumps(answer))
        except ValueError:  # not plain data (a store's own types): answered, not kept
            pass
        return answer

    def __len__(self) -> int:
        return len(self.entries)


def reading() -> tuple | None:
    """The (generation, position) the current request or cached call reads at, if it is inside one."""
    return _reading.get()


@contextmanager
def reading_at(at: tuple) -> Iterator[None]:
    """Answer every cached call inside the block at one (generation, position): a request reads one state."""
    token = _reading.set(at)
    try:
        yield
    finally:
        _reading.reset(token)


def cached(method: Callable) -> Callable:
    """Answer a query method of the Chronicle from its cache, keyed by the view's position and the question."""
    name = method.__name__

    @functools.wraps(method)
    def answer(app: Any, *args: Any, **words: Any) -> Any:
        at = _reading.get()
        token = None
        if at is None:
            at = app.read_position()
            token = _reading.set(at)
        try:
            if app.behind is not None:  # the view is behind the position: its answers are not the position's
                return method(app, *args, **words)
            key = (*at, name, args, tuple(sorted(words.items())))
            return app.answers.get(key, lambda: method(app, *args, **words))
        finally:
            if token is not None:
                _reading.reset(token)

    return answer


def generation(view: Any) -> str:
    """A name for a view generation that every process reading it agrees on (its schema, or its file)."""
    schema = getattr(view, "schema", None)
    if schema:
        return str(schema)
    path = getattr(view, "path", None)
    return path.name if path is not None else f"view-{id(view)}"
