"""Accent- and case-insensitive text search ("saint die" finds Saint-Dié-des-Vosges).

The browser runs the same normalisation (assets/tissu.js) from `TEXT_RULES`, sent in the explorer's
lookup store: the patterns below are written in the syntax Python `re` and JavaScript `RegExp` read alike.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

# Whitespace spelt out (Python's and JavaScript's `\s` differ on a few control characters), then punctuation.
SEPARATORS = r"[ \t\n\r\f\v\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\-'’.,;/()]+"
MARKS = r"[\u0300-\u036f]"  # the combining accents NFKD splits off Latin letters
LIGATURES = {"œ": "oe", "æ": "ae"}
ABBREVIATIONS = {"st": "saint", "ste": "sainte"}
TEXT_RULES = {"separators": SEPARATORS, "marks": MARKS, "ligatures": LIGATURES, "abbreviations": ABBREVIATIONS}

_SEPARATORS = re.compile(SEPARATORS)
_MARKS = re.compile(MARKS)
_LIGATURES = re.compile("|".join(LIGATURES))
_SHORT = {long: short for short, long in ABBREVIATIONS.items()}
_SAINT = re.compile(r"\bsaint(e?)\b", re.IGNORECASE)


def normalize(text: str) -> str:
    """Lower case, no accents, separators folded to single spaces, 'St' expanded to 'saint'."""
    plain = _MARKS.sub("", unicodedata.normalize("NFKD", text)).lower()
    plain = _LIGATURES.sub(lambda m: LIGATURES[m.group()], plain)
    words = [ABBREVIATIONS.get(w, w) for w in _SEPARATORS.split(plain) if w]
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


def search_text(*parts: str | None) -> str:
    """The `search` field of a dropdown option, for Dash's own filter (lower case, each typed word a substring of
    one whitespace-separated word): the shown text, the same without accents (punctuation kept, so 'saint-die'
    matches), its normalised form ('saint die') and the abbreviated ones ('st die', 'St-Dié'). 'Épinal', 'épinal',
    'Epinal' and 'epinal' all find Épinal."""
    shown = " ".join(p for p in parts if p)
    unaccented = _LIGATURES.sub(lambda m: LIGATURES[m.group()], _MARKS.sub("", unicodedata.normalize("NFKD", shown)))
    words = normalize(shown)
    short = " ".join(_SHORT.get(w, w) for w in words.split())
    abbreviated = _SAINT.sub(lambda m: "st" + m.group(1), shown)  # 'St-Dié' typed with its hyphen
    return " ".join(dict.fromkeys(t for t in (shown, unaccented, words, short, abbreviated) if t))


def rank(names: pd.Series, query: str, weights: pd.Series | None = None,
         context: pd.Series | None = None) -> pd.Index:
    """The index labels of the values matching `query` (see `matches`: every query word prefixes a word), best
    first: exact matches (the whole normalised name), then the other prefix matches; within each, larger
    `weights` first (population, headcount), then alphabetical on the normalised name, then the original order.
    'Metz' lists Metz before Montigny-lès-Metz, and never Jametz (no word of it starts with 'metz').
    `context` (an establishment's commune) is matched too but never makes an exact match."""
    words = normalize(query)
    if not words:
        return names.index[:0]
    haystack = names if context is None else names.fillna("") + " " + context.reindex(names.index).fillna("")
    plain = names[matches(haystack, query)].fillna("").map(normalize)
    weight = weights.reindex(plain.index) if weights is not None else pd.Series(0.0, index=plain.index)
    order = pd.DataFrame({"tier": (plain != words).astype(int), "weight": -pd.to_numeric(weight).fillna(0.0),
                          "name": plain})
    return order.sort_values(["tier", "weight", "name"], kind="mergesort").index


def searchable(options: list[dict]) -> list[dict]:
    """Dropdown options whose `search` (or label) gains its normalised form, for lists filtered in the browser."""
    return [dict(o, search=search_text(str(o.get("search") or o["label"]))) for o in options]


def with_search(options: list) -> list:
    """Options as given, those without a `search` field given one built from their label (search_text): every
    dropdown filtered in the browser then matches accented and unaccented typing alike."""
    return [dict(o, search=search_text(str(o["label"])))
            if isinstance(o, dict) and not o.get("search") and isinstance(o.get("label"), (str, int, float)) else o
            for o in options]
