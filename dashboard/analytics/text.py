"""Accent- and case-insensitive text search ("saint die" finds Saint-Dié-des-Vosges)."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

_SEPARATORS = re.compile(r"[\s\-'’.,;/()]+")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}


def normalize(text: str) -> str:
    """Lower case, no accents, separators folded to single spaces, 'St' expanded to 'saint'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    plain = plain.replace("œ", "oe").replace("æ", "ae")
    words = [_ABBREVIATIONS.get(w, w) for w in _SEPARATORS.split(plain) if w]
    return " ".join(words)


def matches(values: pd.Series, query: str) -> pd.Series:
    """Boolean mask: every word of `query` starts a word of the value (prefix match, any order)."""
    words = normalize(query).split()
    if not words:
        return pd.Series(True, index=values.index)
    haystack = " " + values.fillna("").map(normalize) + " "
    mask = pd.Series(True, index=values.index)
    for word in words:
        mask &= haystack.str.contains(" " + word, regex=False)
    return mask
