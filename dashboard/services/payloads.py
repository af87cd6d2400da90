"""Per-dataset payloads: JSON the browser fetches once per data version, never inside a callback response.

A payload is a value that depends only on the loaded data (the explorer's point store, a long option list). It
is encoded once per snapshot (compact JSON, then gzip once) and served by `GET /data/<name>-<etag>.json`
(`dashboard/app.py`). The etag is a hash of the bytes, so the URL changes exactly when the content does and
browsers may keep it forever (`immutable`); a page carries only the URL.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DATA_PREFIX = "/data/"
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_FILENAME = re.compile(r"([a-z][a-z0-9_]*)-([0-9a-f]{20})\.json")
GZIP_LEVEL = 6  # level 9 gains < 2 % on this JSON and costs 3x the time (measured on the point store)


@dataclass(frozen=True)
class EncodedPayload:
    name: str
    raw: bytes  # compact UTF-8 JSON
    packed: bytes  # the same, gzipped once
    etag: str

    @property
    def url(self) -> str:
        return f"{DATA_PREFIX}{self.name}-{self.etag}.json"


# name -> build(service) returning the payload of the current snapshot (cached there).
PayloadBuilder = Callable[[Any], EncodedPayload]


def encode_payload(name: str, value: Any) -> EncodedPayload:
    """`value` as compact JSON (no spaces, UTF-8 kept) and gzipped once; etag: the first 20 hex of its SHA-1."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"payload name must match {_NAME.pattern}: {name!r}")
    raw = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    return EncodedPayload(name, raw, gzip.compress(raw, compresslevel=GZIP_LEVEL, mtime=0),
                          hashlib.sha1(raw).hexdigest()[:20])


def cached_payload(snap: Any, name: str, build: Callable[[], Any]) -> EncodedPayload:
    """The encoded payload `name` of this snapshot, built and compressed once per data version."""
    return snap.cached(f"payload:{name}", lambda: encode_payload(name, build()))


def restricted(action: Any) -> Callable[[PayloadBuilder], PayloadBuilder]:
    """Mark a payload builder as reserved to viewers the policy allows `action`: the app then answers 403 to
    others and never lets a shared cache keep it (`Cache-Control: private`)."""
    def mark(build: PayloadBuilder) -> PayloadBuilder:
        build.requires = action  # type: ignore[attr-defined]
        return build
    return mark


def required_action(build: PayloadBuilder) -> Any:
    """The policy action a payload needs, None when it is public."""
    return getattr(build, "requires", None)


def parse_filename(filename: str) -> tuple[str, str] | None:
    """`"explorer_points-<etag>.json"` -> (name, etag); None when the file name is not a payload's."""
    match = _FILENAME.fullmatch(filename)
    return (match.group(1), match.group(2)) if match else None
