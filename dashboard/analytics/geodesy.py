"""Distances on the Earth: the one great-circle convention, Lambert-93 projection, road estimates.

Every distance the dashboard reports is a great-circle distance on a sphere of radius
`EARTH_RADIUS_KM` (the IUGG mean radius R1 = 6,371.0088 km), computed with the haversine formula.
Road distance and drive time are *estimates* derived from it with two rough constants (a detour
factor and an average speed); they are labelled as estimates wherever they are shown.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from pyproj import Transformer

EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius R1, km: the one convention for reported distances

# Rough assumptions, not measurements (see docs/indicators.md). The detour (circuity) factor is the
# ratio of road distance to straight-line distance: studies put it around 1.2 in dense networks
# (Newell 1980) and higher in rural, hilly or river-cut areas (national circuity factors: Ballou,
# Rahardja & Sakai 2002, Transportation Research A 36). 1.3 is a middle value for Lorraine's mix of
# motorway corridors (A31, A4) and rural roads. 70 km/h is an average door-to-door speed over such a
# mix, not a speed limit.
ROAD_DETOUR_FACTOR = 1.3  # road km per great-circle km (assumption)
AVERAGE_SPEED_KMH = 70.0  # km/h, average over the whole trip (assumption)


def _haversine_rad(phi1, lam1, phi2, lam2, cos_phi1, cos_phi2):
    """Great-circle distance in km between points given in radians, with their latitude cosines precomputed."""
    a = np.sin((phi2 - phi1) * 0.5) ** 2 + cos_phi1 * cos_phi2 * np.sin((lam2 - lam1) * 0.5) ** 2
    return (2.0 * EARTH_RADIUS_KM) * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def haversine_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> NDArray[np.float64] | float:
    """Great-circle distance in km between (lat1, lon1) and (lat2, lon2) in degrees; numpy broadcasting applies."""
    phi1, lam1, phi2, lam2 = (np.radians(np.asarray(v, dtype=float)) for v in (lat1, lon1, lat2, lon2))
    out = _haversine_rad(phi1, lam1, phi2, lam2, np.cos(phi1), np.cos(phi2))
    return float(out) if np.ndim(out) == 0 else out


@lru_cache(maxsize=2)
def _transformer(source: int, target: int) -> Transformer:
    # pyproj >= 3.1 transformers are thread-safe; built on first use, never at import.
    return Transformer.from_crs(source, target, always_xy=True)


def to_lambert93(lat: ArrayLike, lon: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(x, y) in metres in Lambert-93 (EPSG:2154) of WGS84 (EPSG:4326) latitudes/longitudes in degrees."""
    x, y = _transformer(4326, 2154).transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def from_lambert93(x: ArrayLike, y: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(lat, lon) in degrees (EPSG:4326) of Lambert-93 (EPSG:2154) coordinates in metres."""
    lon, lat = _transformer(2154, 4326).transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)


def road_km_estimate(
    distance_km: ArrayLike, *, detour_factor: float = ROAD_DETOUR_FACTOR
) -> NDArray[np.float64] | float:
    """Estimated road distance in km: great-circle km × detour factor (a rough assumption, not routing)."""
    out = np.asarray(distance_km, dtype=float) * detour_factor
    return float(out) if np.ndim(out) == 0 else out


def drive_min_estimate(
    distance_km: ArrayLike,
    *,
    detour_factor: float = ROAD_DETOUR_FACTOR,
    speed_kmh: float = AVERAGE_SPEED_KMH,
) -> NDArray[np.float64] | float:
    """Estimated drive time in minutes: estimated road km ÷ average speed (rough assumptions, not routing)."""
    out = np.asarray(distance_km, dtype=float) * detour_factor / speed_kmh * 60.0
    return float(out) if np.ndim(out) == 0 else out


def territory_bounds(communes: pd.DataFrame, column: str, codes: list[str],
                     pad_km: float = 3.0) -> list[list[list[float]] | None]:
    """[[south, west], [north, east]] of each territory in `codes` from its communes' centroids (`lat`, `lon`),
    widened by `pad_km` so border communes are not on the map's edge; None for a territory without communes."""
    located = communes.dropna(subset=["lat", "lon"])
    box = located.groupby(column).agg(s=("lat", "min"), n=("lat", "max"), w=("lon", "min"), e=("lon", "max"))
    dlat = pad_km / 111.2
    out: list[list[list[float]] | None] = []
    for code in codes:
        if code not in box.index:
            out.append(None)
            continue
        s, n, w, e = (float(box.at[code, k]) for k in ("s", "n", "w", "e"))
        dlon = dlat / max(math.cos(math.radians((s + n) / 2)), 0.1)
        out.append([[round(s - dlat, 4), round(w - dlon, 4)], [round(n + dlat, 4), round(e + dlon, 4)]])
    return out
