"""Coverage engine: every capability × demand points × radii 25/50/100 km at 10k and 100k establishments.

Engine: `coverage_summary` (k-nearest queries on each capability's supplier index, no all-pairs
matrix), median of 3 runs, catalog build excluded (it is built once per dataset version and shared
with the partner engine; its time is printed apart). Baseline, measured in the same run: a
brute-force computation of the same figures with chunked numpy broadcasting (256 demand points ×
all suppliers of the capability at a time, haversine with precomputed radians and cosines, the 3
smallest distances by `np.partition`), reusing each distance matrix for the 3 radii. Speed-up =
baseline / engine. Measured, never asserted; the largest difference between the two summaries is
printed as a check. Demand points: the 2,321 communes of data/ref/communes.csv (population-weighted)
and, as a heavier case, the establishments themselves (weighted by jobs, never covering themselves).

Second table, the per-capability path of the Couverture page and `/api/v1/coverage`: the demo loaded
into a temporary SQLite database at the same sizes and an app built on it. Timed: the service
functions (`capability_coverage` + `by_unit`, what the page and the API call) cold (first request of
a capability × radius, median over 3 radii; the catalog, built once per dataset version, excluded)
and warm (cached, median of 20), and the `/api/v1/coverage` round trip through the Flask test client
(JSON included), cold and warm. Baseline in the same run: the path as it was before the k-nearest
rewrite, kept below (`main_path`): the same k-nearest query, plus two `query_ball_point` passes per
demand point with `workers=-1` for the exact counts, plus the per-unit groupby loop, uncached at
every request. Its output is checked against the new one.

Run: `python -m benchmarks.coverage [--sizes 10000,100000] [--uniform] [--no-requests]`.
"""

from __future__ import annotations

import argparse
import math
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.partners import Dataset, build_catalog, demo_app, synthetic_dataset
from dashboard.analytics.coverage import (
    LEVELS,
    CoverageResult,
    coverage_matrix,
    coverage_rate,
    coverage_summary,
)
from dashboard.analytics.geodesy import _haversine_rad
from dashboard.analytics.partners import PartnerCatalog
from dashboard.analytics.spatial import (
    _ABS_SLACK,
    _REL_SLACK,
    SiteIndex,
    _chord,
    _unit_vectors,
)
from dashboard.paths import DATA_DIR

RADII_KM = (25.0, 50.0, 100.0)
CHUNK = 256
COMPARED = ("rate", "single_source_share", "median_nearest_km", "median_third_nearest_km")


def load_communes() -> pd.DataFrame:
    """The bundled commune centroids with the columns the engine expects."""
    frame = pd.read_csv(DATA_DIR / "ref" / "communes.csv", dtype={"code": str, "departement": str, "epci": str,
                                                                 "zone_emploi": str}, keep_default_na=False)
    return frame.rename(columns={"nom": "name", "departement": "department_code", "epci": "epci_code",
                                 "zone_emploi": "zone_code"})


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    value = values[order][np.searchsorted(cumulative, weights.sum() / 2.0)]
    return float(value) if np.isfinite(value) else np.nan


def brute_force_summary(catalog: PartnerCatalog, lat: np.ndarray, lon: np.ndarray, weights: np.ndarray,
                        own: np.ndarray | None) -> pd.DataFrame:
    """The figures of `coverage_summary`, from every demand × supplier distance (chunked)."""
    phi, lam = np.radians(lat), np.radians(lon)
    cos_phi = np.cos(phi)
    site_phi = np.radians(catalog.establishments["lat"].to_numpy(float))
    site_lam = np.radians(catalog.establishments["lon"].to_numpy(float))
    site_cos = np.cos(site_phi)
    total = weights.sum()
    rows = []
    for column, code in enumerate(catalog.capability_codes):
        suppliers = np.flatnonzero(catalog.capabilities[:, column])
        nearest = np.full((lat.size, 3), np.inf)
        for start in range(0, lat.size, CHUNK):
            block = slice(start, start + CHUNK)
            d = _haversine_rad(phi[block, None], lam[block, None], site_phi[None, suppliers],
                               site_lam[None, suppliers], cos_phi[block, None], site_cos[None, suppliers])
            if own is not None:
                d[own[block, None] == suppliers[None, :]] = np.inf  # a supplier never covers itself
            if suppliers.size > 3:
                d = np.partition(d, 2, axis=1)[:, :3]
            nearest[block, :d.shape[1]] = np.sort(d, axis=1)
        for radius in RADII_KM:
            covered = nearest[:, 0] <= radius
            single = covered & ~(nearest[:, 1] <= radius)
            rows.append({"capability_code": code, "radius_km": radius,
                         "rate": weights[covered].sum() / total, "single_source_share": weights[single].sum() / total,
                         "median_nearest_km": _weighted_median(nearest[:, 0], weights),
                         "median_third_nearest_km": _weighted_median(nearest[:, 2], weights)})
    return pd.DataFrame(rows)


def _max_difference(engine: pd.DataFrame, brute: pd.DataFrame) -> float:
    merged = engine.merge(brute, on=["capability_code", "radius_km"], suffixes=("", "_brute"))
    worst = 0.0
    for column in COMPARED:
        a, b = merged[column].to_numpy(float), merged[f"{column}_brute"].to_numpy(float)
        both_nan = np.isnan(a) & np.isnan(b)
        diff = np.where(both_nan, 0.0, np.abs(a - b))
        worst = max(worst, float(np.nanmax(np.where(np.isnan(diff), np.inf, diff))) if diff.size else 0.0)
    return worst


def _median_time(call, repeat: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def measure(sizes: list[int], *, seed: int = 42, uniform: bool = False) -> tuple[list[dict], list[dict]]:
    communes = load_communes()
    summaries, extras = [], []
    for target in sizes:
        data: Dataset = synthetic_dataset(target, seed=seed, uniform=uniform)
        started = time.perf_counter()
        catalog = build_catalog(data)
        build_s = time.perf_counter() - started
        frame = catalog.establishments
        demands = {
            f"{len(communes):,} communes (population)": (
                lambda: coverage_summary(catalog, communes, radius_km=RADII_KM, demand="communes"),
                communes["lat"].to_numpy(float), communes["lon"].to_numpy(float),
                communes["population"].to_numpy(float), None),
            "establishments (jobs)": (
                lambda: coverage_summary(catalog, radius_km=RADII_KM, demand="establishments"),
                frame["lat"].to_numpy(float), frame["lon"].to_numpy(float),
                frame["headcount_estimate"].fillna(0).to_numpy(float), np.arange(catalog.size)),
        }
        for label, (engine_call, lat, lon, weights, own) in demands.items():
            engine_s, engine = _median_time(engine_call)
            started = time.perf_counter()
            brute = brute_force_summary(catalog, lat, lon, weights, own)
            brute_s = time.perf_counter() - started
            summaries.append({"sites": catalog.size, "demand": label, "capabilities": len(catalog.capability_codes),
                              "build_s": build_s, "engine_s": engine_s, "brute_s": brute_s,
                              "difference": _max_difference(engine, brute)})
        supplier_counts = {code: catalog.supplier_index[code].size for code in catalog.capability_codes}
        common = max(supplier_counts, key=supplier_counts.get)
        calls = {
            f"coverage_rate, communes, {common}, 50 km": lambda: coverage_rate(
                catalog, communes, capability=common, radius_km=50, demand="communes"),
            f"coverage_rate, establishments, {common}, 50 km": lambda: coverage_rate(
                catalog, capability=common, radius_km=50),
            "coverage_matrix, filière × capability, 50 km": lambda: coverage_matrix(catalog, radius_km=50),
        }
        for label, call in calls.items():
            seconds, _ = _median_time(call)
            extras.append({"sites": catalog.size, "call": label, "seconds": seconds})
        print(f"… {catalog.size:,} sites measured ({data.label})", flush=True)
    return summaries, extras


# --- the per-capability request path, before and after ------------------------------------------

def _old_count_within(index: SiteIndex, lat: np.ndarray, lon: np.ndarray, radius_km: float) -> np.ndarray:
    """Suppliers within radius_km of each point as counted before: two ball passes over all points, all cores."""
    tree = index._tree
    if tree is None:
        return np.zeros(lat.size, dtype=np.int64)
    xyz = _unit_vectors(np.radians(lat), np.radians(lon))
    chord = _chord(radius_km)
    outer = tree.query_ball_point(xyz, chord * (1 + _REL_SLACK) + _ABS_SLACK, return_length=True, workers=-1)
    inner = tree.query_ball_point(xyz, max(chord * (1 - _REL_SLACK) - _ABS_SLACK, 0.0), return_length=True,
                                  workers=-1)
    counts = np.asarray(outer, dtype=np.int64)
    for row in np.flatnonzero(np.asarray(inner) != counts):
        counts[row] = index.within(lat[row], lon[row], radius_km, sort=False)[0].size
    return counts


def _old_units(result: CoverageResult, level: str) -> pd.DataFrame:
    """The per-unit table as built before: one pandas group at a time."""
    rows = []
    for code, group in result.points.groupby(LEVELS[level], sort=True, dropna=True):
        weights = group["weight"].to_numpy(float)
        covered = group["covered"].to_numpy(bool)
        nearest = group["nearest_km"].to_numpy(float)
        nearest_inf = np.where(np.isnan(nearest), np.inf, nearest)
        total = weights.sum()
        rows.append({"code": code, "demand_points": len(group), "weight": float(total),
                     "rate": float(weights[covered].sum() / total) if total > 0 else math.nan,
                     "covered_points": int(covered.sum()), "desert_points": int((~covered).sum()),
                     "desert_weight": float(weights[~covered].sum()),
                     "single_source_share": float(weights[group["single_source"].to_numpy(bool)].sum() / total)
                     if total > 0 else math.nan,
                     "median_nearest_km": _weighted_median(nearest_inf, weights) if total > 0 else math.nan,
                     "max_nearest_km": float(nearest_inf.max()) if np.isfinite(nearest_inf).all() else math.nan,
                     "is_desert": not covered.any()})
    return pd.DataFrame(rows)


def main_path(catalog: PartnerCatalog, communes: pd.DataFrame, *, capability: str, radius_km: float,
              demand: str, weight: str, level: str) -> tuple[CoverageResult, np.ndarray, pd.DataFrame]:
    """The work one coverage request did before: k-nearest, exact ball counts, the per-unit loop."""
    result = coverage_rate(catalog, communes, capability=capability, radius_km=radius_km, demand=demand,
                           weight=weight, count_cap=3)  # the same k-nearest query as before
    points = result.points
    counts = _old_count_within(catalog.supplier_index[capability], points["lat"].to_numpy(float),
                               points["lon"].to_numpy(float), radius_km)
    if demand == "establishments":
        counts -= catalog.capabilities[:, catalog.capability_column(capability)].astype(np.int64)
    return result, counts, _old_units(result, level)


def measure_requests(sizes: list[int], *, seed: int = 42) -> list[dict]:
    from dashboard.services import coverage as cs
    from dashboard.services.partners import catalog_for

    rows = []
    for target in sizes:
        with tempfile.TemporaryDirectory() as folder:
            app, load_s = demo_app(target, Path(folder), seed)
            service, client = app.server.extensions["tissu"], app.server.test_client()
            snap = service.snapshot()
            started = time.perf_counter()
            catalog = catalog_for(service, snap)
            catalog_s = time.perf_counter() - started
            communes = cs._communes(service)
            common = max(catalog.capability_codes, key=lambda code: catalog.supplier_index[code].size)
            for weighting in ("jobs", "population"):
                demand, weight = cs.WEIGHTINGS[weighting]

                def service_call(radius, weighting=weighting):
                    cs.capability_coverage(service, capability=common, radius_km=radius, weighting=weighting)
                    return cs.by_unit(service, capability=common, radius_km=radius, weighting=weighting,
                                      level="commune")

                def api_call(radius, weighting=weighting):
                    response = client.get(f"/api/v1/coverage?capability={common}&radius_km={radius:g}"
                                          f"&weight={weighting}")
                    assert response.status_code == 200, response.get_data(as_text=True)
                    return response

                def cold(call, radii):
                    times = []
                    for radius in radii:
                        started = time.perf_counter()
                        call(radius)
                        times.append(time.perf_counter() - started)
                    return statistics.median(times)

                service_cold = cold(service_call, (50.0, 49.0, 51.0))
                service_warm = cold(service_call, (50.0,) * 20)
                api_cold = cold(api_call, (48.0, 47.0, 52.0))
                api_warm = cold(api_call, (48.0,) * 20)
                old_s, (_, old_counts, old_units) = _median_time(lambda d=demand, w=weight: main_path(
                    catalog, communes, capability=common, radius_km=50.0, demand=d, weight=w, level="commune"))
                new_result = cs.capability_coverage(service, capability=common, radius_km=50.0, weighting=weighting)
                new_units = service_call(50.0)
                same = (np.array_equal(np.minimum(old_counts, 3), new_result.points["suppliers_within"])
                        and np.array_equal(old_counts >= 1, new_result.points["covered"])
                        and np.array_equal(old_counts == 1, new_result.points["single_source"])
                        and old_units.drop(columns="code").equals(new_units.drop(columns=["code", "name"])))
                rows.append({"sites": catalog.size, "weighting": weighting, "points": len(new_result.points),
                             "capability": common, "suppliers": catalog.supplier_index[common].size,
                             "load_s": load_s, "catalog_s": catalog_s, "old_s": old_s,
                             "service_cold": service_cold, "service_warm": service_warm,
                             "api_cold": api_cold, "api_warm": api_warm, "same": same})
        print(f"… {rows[-1]['sites']:,} sites: request path measured", flush=True)
    return rows


def report_requests(rows: list[dict]) -> str:
    lines = ["| sites | demand (weight) | capability (suppliers) | before: exact counts + unit loop (ms) | "
             "service cold (ms) | service warm (ms) | API cold (ms) | API warm (ms) | speed-up cold / warm "
             "(service) | same output |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        demand = "establishments (jobs)" if r["weighting"] == "jobs" else "communes (population)"
        lines.append(f"| {r['sites']:,} | {r['points']:,} {demand} | {r['capability']} ({r['suppliers']:,}) | "
                     f"{r['old_s'] * 1e3:,.0f} | {r['service_cold'] * 1e3:,.1f} | {r['service_warm'] * 1e3:,.2f} | "
                     f"{r['api_cold'] * 1e3:,.1f} | {r['api_warm'] * 1e3:,.1f} | "
                     f"{r['old_s'] / r['service_cold']:,.0f}× / {r['old_s'] / r['service_warm']:,.0f}× | "
                     f"{'yes' if r['same'] else 'NO'} |")
    loads = {r["sites"]: (r["load_s"], r["catalog_s"]) for r in rows}
    lines += ["", "Demo load into SQLite / catalog build (once per dataset version, excluded above): " + "; ".join(
        f"{sites:,} sites {load:.0f} s / {cat:.2f} s" for sites, (load, cat) in loads.items())]
    return "\n".join(lines)


def report(summaries: list[dict], extras: list[dict]) -> str:
    lines = ["| sites | demand points | capabilities × radii | catalog build (s) | coverage_summary (s) | "
             "brute force, chunked numpy (s) | speed-up | largest difference |",
             "|---|---|---|---|---|---|---|---|"]
    for row in summaries:
        lines.append(f"| {row['sites']:,} | {row['demand']} | {row['capabilities']} × {len(RADII_KM)} | "
                     f"{row['build_s']:.2f} | {row['engine_s']:.3f} | {row['brute_s']:.2f} | "
                     f"{row['brute_s'] / row['engine_s']:,.0f}× | {row['difference']:.1e} |")
    lines += ["", "Other engine calls (no baseline; median of 3 runs):", "",
              "| sites | call | time (s) |", "|---|---|---|"]
    for row in extras:
        lines.append(f"| {row['sites']:,} | {row['call']} | {row['seconds']:.3f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="active establishments per run")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--uniform", action="store_true", help="uniform random points instead of the demo generator")
    parser.add_argument("--no-requests", action="store_true", help="skip the page/API request path table")
    parser.add_argument("--no-summary", action="store_true", help="skip the all-capabilities table")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    print(f"# Coverage engine, {time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}, Python "
          f"{platform.python_version()}, radii {', '.join(f'{r:g}' for r in RADII_KM)} km\n", flush=True)
    if not args.no_summary:
        print(report(*measure(sizes, seed=args.seed, uniform=args.uniform)), flush=True)
    if not args.no_requests:
        print("\nOne capability × radius, the page and API path (capability with the most suppliers, 50 km, "
              "level commune):\n", flush=True)
        print(report_requests(measure_requests(sizes, seed=args.seed)))


if __name__ == "__main__":
    main()
