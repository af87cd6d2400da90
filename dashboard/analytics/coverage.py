"""Local supplier coverage, supplier deserts and single-source risk per capability (issue 5).

Demand points are establishments (weighted by estimated jobs, or counted) or commune centroids
(weighted by population, or counted). For a capability and a radius r (great-circle km), each demand
point gets its distances to the 3 nearest suppliers from one k-nearest query on that capability's
supplier index (no all-pairs matrix), and everything follows from them: covered = nearest ≤ r,
single-source = covered and 2nd nearest > r, the medians of the nearest and 3rd-nearest distances.
The number of suppliers within r is known from those distances while it is below 3; beyond, an
exact count costs a ball query per point (seconds at 100k points), so callers that show no count
cap it (`count_cap`). A supplier never covers itself. Definitions are in docs/indicators.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from dashboard.analytics.partners import MAX_RADIUS_KM, PartnerCatalog
from dashboard.analytics.spatial import QueryPoints, query_points
from dashboard.formatting import fr_number

DEMANDS = ("establishments", "communes")
WEIGHTS = {"establishments": ("jobs", "count"), "communes": ("population", "count")}
LEVELS = {"commune": "commune_code", "epci": "epci_code", "zone_emploi": "zone_code", "departement": "department_code"}
DEFAULT_RADII_KM = (25.0, 50.0, 100.0)
_COMMUNE_COLUMNS = ("code", "population", "lat", "lon", "department_code", "epci_code", "zone_code")
_ESTABLISHMENT_KEEP = ("id", "public_id", "name", "commune_code", "filiere_code", "naf_code", "department_code",
                       "epci_code", "zone_code", "lat", "lon", "headcount_estimate")
_SUPPLIER_KEEP = ("id", "public_id", "name", "commune_code", "department_code", "lat", "lon", "country",
                  "country_label")  # the last two with the sites abroad (services.cross_border)


class CoverageQueryError(ValueError):
    """An invalid coverage query; the message is French and meant for the user, `field` names the parameter."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class CoverageResult:
    """Coverage of one capability at one radius, per demand point and overall (shares in [0, 1], km)."""

    capability: str
    radius_km: float
    demand: str  # "establishments" or "communes"
    weight: str  # "jobs", "count" or "population"
    points: pd.DataFrame  # one row per demand point; see `coverage_rate`
    suppliers: pd.DataFrame  # establishments offering the capability
    single_suppliers: pd.DataFrame  # suppliers that are the only one within r of some demand points
    rate: float  # weighted share of demand with ≥ 1 supplier within r (NaN when the total weight is 0)
    single_source_share: float  # weighted share of demand with exactly 1 supplier within r
    desert_share: float  # 1 - rate
    median_nearest_km: float  # weighted median distance to the nearest supplier (NaN when undefined)
    median_third_nearest_km: float  # weighted median distance to the 3rd-nearest supplier
    count_cap: int | None = None  # points["suppliers_within"] is min(count, count_cap); None: exact counts


@dataclass(frozen=True)
class NearestSuppliers:
    """Each demand point's 3 nearest suppliers of one capability (never itself): what every radius reads.

    Independent of the radius and of the weight, so it can be computed once per capability and demand
    (`nearest_suppliers`) and handed to `coverage_rate` / `coverage_summary` for any radius.
    """

    capability: str
    demand: str
    positions: NDArray[np.int32]  # (m, 3) catalog positions, -1 when missing
    distances: NDArray[np.float64]  # (m, 3) km, inf when missing, nearest first


# A source of NearestSuppliers per capability code (a cache, or None to query each time).
NearestSource = Callable[[str], NearestSuppliers]
NEAREST_K = 3


# --- validation ----------------------------------------------------------------------------------

def _check_radius(radius_km: float) -> float:
    try:
        radius_km = float(radius_km)
    except (TypeError, ValueError):
        raise CoverageQueryError("Le rayon doit être un nombre de kilomètres.", field="radius_km") from None
    if not (math.isfinite(radius_km) and 0 < radius_km <= MAX_RADIUS_KM):
        raise CoverageQueryError(
            f"Le rayon doit être supérieur à 0 et au plus {fr_number(MAX_RADIUS_KM)} km (reçu : {radius_km}).",
            field="radius_km")
    return radius_km


def _check_capability(catalog: PartnerCatalog, capability: str) -> int:
    if capability not in catalog.capability_codes:
        raise CoverageQueryError(f"Savoir-faire inconnu : « {capability} ».", field="capability")
    return catalog.capability_column(capability)


def _check_demand(demand: str, weight: str | None, communes: pd.DataFrame | None) -> str:
    if demand not in DEMANDS:
        raise CoverageQueryError(f"Demande inconnue : « {demand} » (valeurs possibles : establishments, communes).",
                                 field="demand")
    weight = WEIGHTS[demand][0] if weight is None else weight
    if weight not in WEIGHTS[demand]:
        allowed = ", ".join(WEIGHTS[demand])
        raise CoverageQueryError(f"Pondération « {weight} » impossible pour cette demande (valeurs possibles : "
                                 f"{allowed}).", field="weight")
    if demand == "communes":
        if communes is None:
            raise ValueError("communes are required when demand='communes'")
        missing = [c for c in _COMMUNE_COLUMNS if c not in communes.columns]
        if missing:
            raise ValueError(f"communes frame lacks columns {missing}")
    return weight


# --- the core: nearest suppliers of every demand point -------------------------------------------

@dataclass(frozen=True)
class _Demand:
    frame: pd.DataFrame  # demand points, one row each, with commune_code / territory columns
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    weight: NDArray[np.float64]
    own: NDArray[np.int64] | None  # catalog position of each demand establishment (None for communes)

    @cached_property
    def points(self) -> QueryPoints:
        """lat/lon converted once for every capability's index (not at all when the distances are given)."""
        return query_points(self.lat, self.lon)


def _demand(catalog: PartnerCatalog, communes: pd.DataFrame | None, demand: str, weight: str) -> _Demand:
    if demand == "communes":
        if communes is None:
            raise CoverageQueryError("Les communes sont nécessaires pour une demande par commune.", field="demand")
        frame = communes.reset_index(drop=True)
        frame = frame.assign(commune_code=frame["code"])
        values = frame["population"] if weight == "population" else pd.Series(1.0, index=frame.index)
        own = None
    else:
        home = catalog.establishments.iloc[:catalog.home_count]  # sites abroad supply, they are no demand
        frame = home[[c for c in _ESTABLISHMENT_KEEP if c in home.columns]]
        if weight == "jobs":
            values = pd.to_numeric(frame.get("headcount_estimate", pd.Series(0.0, index=frame.index)),
                                   errors="coerce")
        else:
            values = pd.Series(1.0, index=frame.index)
        own = np.arange(catalog.home_count, dtype=np.int64)
    lat, lon = frame["lat"].to_numpy(float), frame["lon"].to_numpy(float)
    return _Demand(frame=frame, lat=lat, lon=lon,
                   weight=values.fillna(0.0).to_numpy(float), own=own)


def _nearest_suppliers(catalog: PartnerCatalog, capability: str, demand: _Demand, k: int,
                       *, max_km: float | None = None) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """(m, k) catalog positions (-1) and km (inf) of each demand point's k nearest suppliers, never itself."""
    index = catalog.supplier_index[capability]
    extra = 1 if demand.own is not None else 0
    positions, distances = index.nearest_many(demand.points, k=k + extra, max_km=max_km)
    if demand.own is not None:
        # Drop the demand point's own column (a supplier is its own nearest) by shifting the rest left.
        mine = positions == demand.own[:, None]
        own_column = np.where(mine.any(axis=1), mine.argmax(axis=1), k + 1)
        columns = np.arange(k)[None, :]
        take = columns + (columns >= own_column[:, None])
        positions = np.take_along_axis(positions, take, axis=1)
        distances = np.take_along_axis(distances, take, axis=1)
    return positions, distances


def _suppliers_within(catalog: PartnerCatalog, capability: str, column: int, demand: _Demand,
                      distances: NDArray[np.float64], radius_km: float, *, count_cap: int | None) -> NDArray[np.int64]:
    """Suppliers within radius_km of each demand point (never itself), capped at count_cap when given."""
    within = (distances <= radius_km).sum(axis=1).astype(np.int64)  # exact wherever it is below k
    if count_cap is not None:
        return np.minimum(within, count_cap)
    full = np.flatnonzero(within == distances.shape[1])  # all k nearest inside: only a ball count knows more
    if full.size:
        counted = np.asarray(catalog.supplier_index[capability].count_within(
            demand.lat[full], demand.lon[full], radius_km), dtype=np.int64)
        if demand.own is not None:
            counted -= catalog.capabilities[demand.own[full], column].astype(np.int64)  # 0 km from itself
        within[full] = counted
    return within


def nearest_suppliers(catalog: PartnerCatalog, communes: pd.DataFrame | None = None, *, capability: str,
                      demand: str = "establishments") -> NearestSuppliers:
    """The 3 nearest suppliers (great-circle km) of every demand point for `capability`: one k-nearest query."""
    _check_capability(catalog, capability)
    _check_demand(demand, None, communes)
    points = _demand(catalog, communes, demand, WEIGHTS[demand][-1])
    return _nearest(catalog, capability, points, demand)


def _nearest(catalog: PartnerCatalog, capability: str, points: _Demand, demand: str) -> NearestSuppliers:
    positions, distances = _nearest_suppliers(catalog, capability, points, NEAREST_K)
    return NearestSuppliers(capability, demand, positions.astype(np.int32), distances)


def _nearest_for(catalog: PartnerCatalog, capability: str, points: _Demand, demand: str,
                 source: NearestSource | None) -> NearestSuppliers:
    found = source(capability) if source is not None else _nearest(catalog, capability, points, demand)
    if found.capability != capability or found.demand != demand or found.distances.shape[0] != points.lat.size:
        raise ValueError(f"nearest suppliers of {found.capability!r}/{found.demand!r} "
                         f"given for {capability!r}/{demand!r}")
    return found


def _weighted_share(flags: NDArray[np.bool_], weights: NDArray[np.float64]) -> float:
    total = weights.sum()
    return float(weights[flags].sum() / total) if total > 0 else math.nan


def _weighted_median(values: NDArray[np.float64], weights: NDArray[np.float64]) -> float:
    """Lower weighted median: the smallest value whose cumulative weight reaches half the total (NaN if inf/none)."""
    total = weights.sum()
    if not total > 0:
        return math.nan
    order = np.argsort(values)  # ties hold equal values: any order gives the same median
    cumulative = np.cumsum(weights[order])
    value = values[order][np.searchsorted(cumulative, total / 2.0)]
    return float(value) if math.isfinite(value) else math.nan


def _finite_or_nan(values: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.where(np.isfinite(values), values, np.nan)


# --- public API ----------------------------------------------------------------------------------

def coverage_rate(
    catalog: PartnerCatalog,
    communes: pd.DataFrame | None = None,
    *,
    capability: str,
    radius_km: float,
    demand: str = "establishments",
    weight: str | None = None,
    count_cap: int | None = None,
    nearest: NearestSource | None = None,
) -> CoverageResult:
    """Coverage of `capability` within radius_km (great-circle km): rate and single-source share in [0, 1], per point.

    `points` has the demand columns (communes: code, population, territories; establishments: id,
    public_id, name, filière, territories) plus weight, suppliers_within (count, never the point
    itself), nearest_km, third_nearest_km (NaN when fewer suppliers exist), nearest_supplier_id,
    covered (≥ 1 supplier within r), single_source (exactly 1), desert (none), single_supplier_id.
    `weight` defaults to jobs (establishments) or population (communes). `count_cap` (≥ 2) caps
    suppliers_within at that many, read from a k-nearest query with k = max(3, count_cap) instead
    of a ball query per point; every other figure is the same with or without it. `nearest` gives
    precomputed `NearestSuppliers` (with a cap of at most 3 or without one, which then needs them only
    where all 3 are within r); without it the k-nearest query runs here.
    """
    radius_km = _check_radius(radius_km)
    column = _check_capability(catalog, capability)
    weight = _check_demand(demand, weight, communes)
    if count_cap is not None and int(count_cap) < 2:
        raise ValueError("count_cap must be at least 2 (single-source needs to tell 1 from more)")
    points = _demand(catalog, communes, demand, weight)
    k = NEAREST_K if count_cap is None else max(NEAREST_K, int(count_cap))
    positions: NDArray[np.integer]
    if k == NEAREST_K:
        given = _nearest_for(catalog, capability, points, demand, nearest)
        positions, distances = given.positions, given.distances
    else:
        positions, distances = _nearest_suppliers(catalog, capability, points, k)
    counts = _suppliers_within(catalog, capability, column, points, distances, radius_km, count_cap=count_cap)
    covered = distances[:, 0] <= radius_km  # the nearest supplier is within r
    single = covered & ~(distances[:, 1] <= radius_km)  # ... and the 2nd is not
    found = positions[:, 0] >= 0
    nearest_ids = pd.array(np.zeros(found.size, dtype=np.int64), dtype="Int64")
    nearest_ids[found] = catalog.ids[positions[found, 0]]
    nearest_ids[~found] = pd.NA

    frame = points.frame.assign(
        weight=points.weight,
        suppliers_within=counts,
        nearest_km=_finite_or_nan(distances[:, 0]),
        third_nearest_km=_finite_or_nan(distances[:, 2]),
        nearest_supplier_id=nearest_ids,
        covered=covered,
        single_source=single,
        desert=~covered,
    )
    frame["single_supplier_id"] = frame["nearest_supplier_id"].where(single, pd.NA)

    supplier_positions = np.flatnonzero(catalog.capabilities[:, column])
    establishments = catalog.establishments
    keep = [establishments.columns.get_loc(c) for c in _SUPPLIER_KEEP if c in establishments.columns]
    suppliers = establishments.iloc[supplier_positions, keep].reset_index(drop=True)  # rows first: no full copy
    # Per sole supplier: how many demand points (and how much weight) depend on it.
    sole, inverse = np.unique(catalog.ids[positions[single, 0]], return_inverse=True)
    singles = pd.DataFrame({"dependent_points": np.bincount(inverse, minlength=sole.size).astype(np.int64),
                            "dependent_weight": np.bincount(inverse, weights=points.weight[single],
                                                            minlength=sole.size).astype(float)},
                           index=pd.Index(sole.astype(np.int64)))
    single_suppliers = (suppliers.merge(singles, left_on="id", right_index=True, how="inner")
                        .sort_values(["dependent_weight", "dependent_points", "id"], ascending=[False, False, True])
                        .reset_index(drop=True))
    rate = _weighted_share(covered, points.weight)
    return CoverageResult(
        capability=capability, radius_km=radius_km, demand=demand, weight=weight, points=frame,
        suppliers=suppliers, single_suppliers=single_suppliers, rate=rate,
        single_source_share=_weighted_share(single, points.weight),
        desert_share=1.0 - rate if not math.isnan(rate) else math.nan,
        median_nearest_km=_weighted_median(distances[:, 0], points.weight),
        median_third_nearest_km=_weighted_median(distances[:, 2], points.weight),
        count_cap=count_cap,
    )


def coverage_summary(
    catalog: PartnerCatalog,
    communes: pd.DataFrame | None = None,
    *,
    radius_km: float | Sequence[float] = DEFAULT_RADII_KM,
    demand: str = "establishments",
    weight: str | None = None,
    capabilities: Iterable[str] | None = None,
    nearest: NearestSource | None = None,
) -> pd.DataFrame:
    """One row per capability × radius: suppliers, rate, single-source and desert shares in [0, 1], median km.

    Columns: capability_code, capability_label, radius_km, suppliers (establishments offering it),
    rate, single_source_share, desert_share, median_nearest_km, median_third_nearest_km,
    single_suppliers (distinct suppliers that are the only one within r of some demand point).
    `nearest` gives each capability's precomputed `NearestSuppliers` (see `coverage_rate`).
    """
    radii = [_check_radius(r) for r in (radius_km if isinstance(radius_km, Sequence) else [radius_km])]
    weight = _check_demand(demand, weight, communes)
    codes = list(catalog.capability_codes if capabilities is None else capabilities)
    for code in codes:
        _check_capability(catalog, code)
    points = _demand(catalog, communes, demand, weight)
    rows = []
    for code in codes:
        found = _nearest_for(catalog, code, points, demand, nearest)
        positions, distances = found.positions, found.distances
        median_first = _weighted_median(distances[:, 0], points.weight)
        median_third = _weighted_median(distances[:, 2], points.weight)
        for radius in radii:
            covered = distances[:, 0] <= radius
            single = covered & ~(distances[:, 1] <= radius)
            rate = _weighted_share(covered, points.weight)
            rows.append({
                "capability_code": code,
                "capability_label": catalog.capability_labels.get(code, code),
                "radius_km": radius,
                "suppliers": catalog.supplier_index[code].size,
                "rate": rate,
                "single_source_share": _weighted_share(single, points.weight),
                "desert_share": 1.0 - rate if not math.isnan(rate) else math.nan,
                "median_nearest_km": median_first,
                "median_third_nearest_km": median_third,
                "single_suppliers": int(np.unique(positions[single, 0]).size),
            })
    return pd.DataFrame(rows, columns=["capability_code", "capability_label", "radius_km", "suppliers", "rate",
                                       "single_source_share", "desert_share", "median_nearest_km",
                                       "median_third_nearest_km", "single_suppliers"])


def coverage_by_unit(result: CoverageResult, *, level: str) -> pd.DataFrame:
    """Coverage aggregated per commune / EPCI / zone d'emploi / département (shares in [0, 1], km).

    Columns: code, demand_points, weight, rate (weighted share covered), covered_points,
    desert_points, desert_weight, single_source_share, median_nearest_km (weighted), max_nearest_km
    (worst-served point), is_desert (no demand point of the unit is covered). Units without demand
    points are absent.
    """
    if level not in LEVELS:
        raise CoverageQueryError(f"Niveau inconnu : « {level} » (valeurs possibles : {', '.join(LEVELS)}).",
                                 field="level")
    points = result.points
    codes, uniques = pd.factorize(points[LEVELS[level]], sort=True)  # the groupby order; NaN codes dropped
    keep = codes >= 0
    group, n = codes[keep], len(uniques)
    weights = points["weight"].to_numpy(float)[keep]
    covered = points["covered"].to_numpy(bool)[keep]
    single = points["single_source"].to_numpy(bool)[keep]
    nearest = points["nearest_km"].to_numpy(float)[keep]
    nearest = np.where(np.isnan(nearest), np.inf, nearest)

    def total(flags: NDArray[np.bool_] | None = None) -> NDArray[np.float64]:
        return np.bincount(group if flags is None else group[flags],
                           weights=weights if flags is None else weights[flags], minlength=n).astype(float)

    demand_points = np.bincount(group, minlength=n)
    weight = total()
    covered_points = np.bincount(group[covered], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(weight > 0, total(covered) / weight, np.nan)
        single_share = np.where(weight > 0, total(single) / weight, np.nan)
    # Per unit, points by distance: the last is the worst served; the lower weighted median is the
    # first whose running weight reaches half the unit's (sums of integer weights are exact).
    order = np.lexsort((nearest, group))
    ordered, running = nearest[order], np.cumsum(weights[order])
    ends = np.cumsum(demand_points)
    starts = ends - demand_points
    before = np.concatenate([[0.0], running])[starts]  # weight of the units sorted before
    at = np.clip(np.searchsorted(running, before + weight / 2.0, side="left"), starts, ends - 1)
    median = np.where(weight > 0, ordered[at], np.nan)
    worst = ordered[ends - 1]
    return pd.DataFrame({
        "code": np.asarray(uniques, dtype=object),
        "demand_points": demand_points.astype(np.int64),
        "weight": weight,
        "rate": rate,
        "covered_points": covered_points.astype(np.int64),
        "desert_points": (demand_points - covered_points).astype(np.int64),
        "desert_weight": total(~covered),
        "single_source_share": single_share,
        "median_nearest_km": np.where(np.isfinite(median), median, np.nan),
        "max_nearest_km": np.where(np.isfinite(worst), worst, np.nan),
        "is_desert": covered_points == 0,
    }, columns=["code", "demand_points", "weight", "rate", "covered_points", "desert_points", "desert_weight",
                "single_source_share", "median_nearest_km", "max_nearest_km", "is_desert"])


def coverage_matrix(
    catalog: PartnerCatalog,
    *,
    radius_km: float,
    weight: str = "jobs",
    capabilities: Iterable[str] | None = None,
    filieres: Sequence[str] | None = None,
    nearest: NearestSource | None = None,
) -> pd.DataFrame:
    """Filière × capability coverage rates in [0, 1]: for establishments of each filière, share covered within r km.

    Rows are filière codes (`filieres` order, else sorted), columns capability codes; NaN where a
    filière has no weight. Establishments without a filière are left out. `nearest` gives each capability's
    precomputed `NearestSuppliers` of the establishments (see `coverage_rate`).
    """
    radius_km = _check_radius(radius_km)
    weight = _check_demand("establishments", weight, None)
    codes = list(catalog.capability_codes if capabilities is None else capabilities)
    for code in codes:
        _check_capability(catalog, code)
    points = _demand(catalog, None, "establishments", weight)
    groups = points.frame["filiere_code"] if "filiere_code" in points.frame.columns else pd.Series(
        pd.NA, index=points.frame.index, dtype=object)
    group_codes, group_uniques = pd.factorize(groups, use_na_sentinel=True)
    order = list(filieres) if filieres is not None else sorted(str(g) for g in group_uniques)
    keep = group_codes >= 0
    totals = np.bincount(group_codes[keep], weights=points.weight[keep], minlength=len(group_uniques))
    out = pd.DataFrame(index=pd.Index(order, name="filiere_code"), columns=codes, dtype=float)
    for code in codes:
        if nearest is not None:
            distances = _nearest_for(catalog, code, points, "establishments", nearest).distances
        else:
            _, distances = _nearest_suppliers(catalog, code, points, 1, max_km=radius_km)
        covered = keep & (distances[:, 0] <= radius_km)
        sums = np.bincount(group_codes[covered], weights=points.weight[covered], minlength=len(group_uniques))
        with np.errstate(invalid="ignore", divide="ignore"):
            rates = np.where(totals > 0, sums / np.where(totals > 0, totals, 1), np.nan)
        out[code] = pd.Series(rates, index=[str(g) for g in group_uniques]).reindex(order).to_numpy()
    return out
