"""Compress static bundles once: a Flask-Compress cache that keeps only versioned static responses.

Flask-Compress asks its cache about every response; only GETs of Dash's component bundles and of our
assets (their URLs carry a version or a modification time, so content never changes under a key) are
kept. Everything else (pages, callbacks, API) gets a key the cache ignores and is compressed as before.
"""

from __future__ import annotations

import threading

from flask import Request

_CACHED_PREFIXES = ("/_dash-component-suites/", "/assets/")
_NOT_CACHED = "-"
MAX_ENTRIES = 256  # Dash serves about 30 bundles; the bound only guards against odd query strings


def static_compression_key(request: Request) -> str:
    """The full path of a cacheable static GET, else a key the cache never stores."""
    if request.method == "GET" and request.path.startswith(_CACHED_PREFIXES):
        return request.full_path.rstrip("?")
    return _NOT_CACHED


class StaticCompressionCache:
    """The `get`/`set` cache Flask-Compress expects, bounded, ignoring non-static keys."""

    def __init__(self) -> None:
        self._entries: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        return None if key.endswith(";" + _NOT_CACHED) else self._entries.get(key)

    def set(self, key: str, value: bytes) -> None:
        if key.endswith(";" + _NOT_CACHED):
            return
        with self._lock:
            if key not in self._entries and len(self._entries) >= MAX_ENTRIES:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = value
