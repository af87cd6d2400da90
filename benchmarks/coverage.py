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

Run: `python -m benchmarks.coverage [--sizes 10000,100000] [--uniform]`.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np
import pandas as pd

from benchmarks.partners import Dataset, build_catalog, synthetic_dataset
from dashboard.analytics.coverage import coverage_matrix, coverage_rate, coverage_summary
from dashboard.analytics.geodesy import _haversine_rad
from dashboard.analytics.partners import PartnerCatalog
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
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    print(f"# Coverage engine, {time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}, Python "
          f"{platform.python_version()}, radii {', '.join(f'{r:g}' for r in RADII_KM)} km\n", flush=True)
    print(report(*measure(sizes, seed=args.seed, uniform=args.uniform)))


if __name__ == "__main__":
    main()
