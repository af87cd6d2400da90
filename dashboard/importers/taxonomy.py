"""Capabilities and certifications as users type them, and the NAF → presumed capabilities mapping."""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import pandas as pd

from dashboard.paths import DATA_DIR

PRESUMED_CAPABILITIES_FILE = DATA_DIR / "taxonomy" / "naf_presumed_capabilities.csv"


def plain(text: str) -> str:
    """Lower case, no accents, words separated by one space: 'Soudure  MIG/MAG' -> 'soudure mig mag'."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.split(r"[^0-9a-z]+", ascii_text)).strip()


def _key(text: str) -> str:
    return plain(text).replace(" ", "")


@dataclass(frozen=True)
class Vocabulary:
    """Codes and labels of one list (capabilities or certifications), matched leniently.

    A value matches a code or a label whatever its case, accents, spaces and punctuation
    ('ISO 9001', 'iso9001', 'soudure tig'); anything else gets the closest labels as suggestions.
    """

    kind: str  # 'capability' or 'certification', for messages
    labels: dict[str, str]  # code -> label

    @classmethod
    def from_frame(cls, kind: str, frame: pd.DataFrame) -> Vocabulary:
        return cls(kind, dict(zip(frame["code"], frame["label"])))

    @cached_property
    def _by_key(self) -> dict[str, str]:
        keys: dict[str, str] = {}
        for code, label in self.labels.items():
            keys.setdefault(_key(code), code)
            keys.setdefault(_key(label), code)
        return keys

    def resolve(self, value: str) -> str | None:
        """The code for a code or label, or None."""
        return self._by_key.get(_key(value))

    def suggest(self, value: str, *, n: int = 3) -> list[str]:
        """The labels closest to `value` (accent- and case-insensitive), best first."""
        by_plain = {plain(label): label for label in self.labels.values()}
        close = difflib.get_close_matches(plain(value), list(by_plain), n=n, cutoff=0.6)
        return [by_plain[c] for c in close]

    def unknown_message(self, value: str) -> str:
        suggestions = self.suggest(value)
        hint = (" did you mean " + " or ".join(f'"{s}"' for s in suggestions) + "?") if suggestions else \
            " see `tissu template members` for the list of codes and labels."
        return f'unknown {self.kind} "{value}":{hint}'


def split_values(cell: str) -> list[str]:
    """Values of a multi-valued cell, separated by ';' (or line breaks)."""
    return [v.strip() for v in re.split(r"[;\n]", cell or "") if v.strip()]


@lru_cache(maxsize=2)
def load_presumed_capabilities(path: Path = PRESUMED_CAPABILITIES_FILE) -> dict[str, tuple[str, ...]]:
    """NAF sub-class -> capability codes presumed from it (data/taxonomy/naf_presumed_capabilities.csv)."""
    mapping: dict[str, list[str]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            mapping.setdefault(row["naf_code"], []).append(row["capability_code"])
    return {naf: tuple(codes) for naf, codes in mapping.items()}
