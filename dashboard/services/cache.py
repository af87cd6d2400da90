"""A small thread-safe LRU for values keyed by what a user asked (radius, territory, filters…).

Values that depend only on the dataset live in `Snapshot.cached`; anything whose key a user chooses goes
here, bounded, so that a visitor trying 120 radii cannot grow a worker's memory without end.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class BoundedCache:
    """Least-recently-used cache of at most `maxsize` entries; `get_or_build` builds a missing value once."""

    def __init__(self, maxsize: int = 64):
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries

    def get_or_build(self, key: Hashable, build: Callable[[], T]) -> T:
        """The cached value, or `build()` run once for concurrent callers of the same key (single flight)."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
            building = self._building.setdefault(key, threading.Lock())
        with building:  # per key: a slow build blocks only the callers waiting for that same value
            with self._lock:
                if key in self._entries:
                    self._entries.move_to_end(key)
                    return self._entries[key]
            value = build()
            with self._lock:
                self._entries[key] = value
                self._entries.move_to_end(key)
                while len(self._entries) > self.maxsize:
                    self._entries.popitem(last=False)
                self._building.pop(key, None)
            return value


def normalised_key(*parts: Any) -> tuple:
    """A hashable key: floats rounded to 3 decimals, lists/sets sorted into tuples, strings stripped."""
    return tuple(_normalised(part) for part in parts)


def _normalised(part: Any) -> Hashable:
    if isinstance(part, float):
        return round(part, 3)
    if isinstance(part, (list, tuple, set, frozenset)):
        return tuple(sorted((_normalised(p) for p in part), key=repr))
    if isinstance(part, str):
        return part.strip()
    return part
