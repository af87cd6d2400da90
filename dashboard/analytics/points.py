"""Compact column store of establishment points, sent once to the browser and filtered there."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _codes(values: pd.Series, categories: list[str]) -> list[int]:
    """Index of each value in `categories` (-1 when missing)."""
    return pd.Categorical(values, categories=categories).codes.astype(int).tolist()


def point_store(establishments: pd.DataFrame, *, filieres: list[str], departments: list[str]) -> dict:
    """Columns {id, lat, lon, f, d, n, h} for the map: coordinates rounded to 5 decimals (≈ 1 m).

    `f` and `d` index into the `filieres` and `departments` lists returned alongside, `n` is the name
    and `h` the estimated headcount (jobs).
    """
    frame = establishments
    return {
        "id": frame["public_id"].tolist(),
        "lat": np.round(frame["lat"].to_numpy(float), 5).tolist(),
        "lon": np.round(frame["lon"].to_numpy(float), 5).tolist(),
        "f": _codes(frame["filiere_code"], filieres),
        "d": _codes(frame["department_code"], departments),
        "n": frame["name"].tolist(),
        "h": frame["headcount_estimate"].fillna(0).astype(int).tolist(),
        "filieres": filieres,
        "departments": departments,
    }
