"""Compact column store of establishment points, sent once to the browser and filtered there.

The browser (assets/tissu.js) applies the same filters as `dashboard.analytics.filters`, on these
columns: integer codes into small vocabularies and bitmasks instead of repeated strings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.analytics.filters import SIZE_ORDER

BITS_PER_WORD = 30  # JS bitwise operators work on signed 32-bit integers: stay clear of the sign bit


def code_index(values: pd.Series, categories: list[str]) -> np.ndarray:
    """Index of each value in `categories` (-1 when missing or unknown), as int64."""
    return pd.Categorical(values, categories=categories).codes.astype(np.int64)


def _codes(values: pd.Series, categories: list[str]) -> list[int]:
    return code_index(values, categories).tolist()


def _bitmask_words(establishment_ids: pd.Series, links: pd.DataFrame, code_column: str,
                   vocabulary: list[str]) -> list[list[int]]:
    """One list per 30-bit word: bit j of word w is set when the site has code vocabulary[w*30 + j]."""
    n_words = max(1, -(-len(vocabulary) // BITS_PER_WORD))
    words = np.zeros((n_words, len(establishment_ids)), dtype=np.int64)
    if len(links):
        position = pd.Series(np.arange(len(establishment_ids)), index=establishment_ids.to_numpy())
        linked = links[links["establishment_id"].isin(position.index)]
        rows = position.loc[linked["establishment_id"]].to_numpy()
        codes = pd.Categorical(linked[code_column], categories=vocabulary).codes.astype(np.int64)
        valid = codes >= 0
        rows, codes = rows[valid], codes[valid]
        np.bitwise_or.at(words, (codes // BITS_PER_WORD, rows), np.left_shift(1, codes % BITS_PER_WORD))
    return [w.tolist() for w in words]


def member_flags(establishments: pd.DataFrame) -> dict:
    """The UIMM member flag of each point (same order as the point store): a payload of its own, served only
    to viewers the policy lets see membership."""
    return {"m": establishments["is_member"].astype(bool).astype(int).tolist()}


def point_store(establishments: pd.DataFrame, *, capability_links: pd.DataFrame, certification_links: pd.DataFrame,
                vocabularies: dict[str, list[str]], version: list[int] | None = None) -> dict:
    """Columns for the map and its filters; coordinates rounded to 5 decimals (≈ 1 m).

    vocabularies: lists of codes for 'filieres', 'departements', 'epci', 'zones', 'communes', 'naf',
    'capabilities', 'certifications'; every integer column indexes one of them (-1 = none).
    """
    frame = establishments
    caps = _bitmask_words(frame["id"], capability_links, "capability_code", vocabularies["capabilities"])
    certs = _bitmask_words(frame["id"], certification_links, "certification_code", vocabularies["certifications"])
    return {
        "version": version,
        "bits": BITS_PER_WORD,
        "lat": np.round(frame["lat"].to_numpy(float), 5).tolist(),
        "lon": np.round(frame["lon"].to_numpy(float), 5).tolist(),
        "n": frame["name"].tolist(),
        "f": _codes(frame["filiere_code"], vocabularies["filieres"]),
        "d": _codes(frame["department_code"], vocabularies["departements"]),
        "e": _codes(frame["epci_code"], vocabularies["epci"]),
        "z": _codes(frame["zone_code"], vocabularies["zones"]),
        "c": _codes(frame["commune_code"], vocabularies["communes"]),
        "a": _codes(frame["naf_code"], vocabularies["naf"]),
        "s": _codes(frame["size_band_code"], list(SIZE_ORDER)),
        "h": frame["headcount_estimate"].fillna(0).astype(int).tolist(),
        "k": caps,
        "t": certs[0],
    }
