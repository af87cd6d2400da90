"""Partner engine: catalog build and query time at 10k, 100k and 1M establishments.

Each query asks for one capability within 40 km of a random establishment (excluded from its own
results), keeping the 50 best (what a page shows). Two engine timings: the search alone
(`partner_ranking`: index lookup, filters, in-radius and beyond-radius counts, ranking) and the full
`partners_near` (plus the explained rows as a DataFrame). Baseline, measured in the same run on the
same origins, two brute-force scans computing the haversine distance to EVERY row with numpy, then
the same filter, counts and sort, without building rows: "optimised" (latitudes pre-converted to
radians and cosines once, as fast as numpy allows) and "naive" (`haversine_km` on the raw degree
columns, the naive baseline of docs/performance.md §6). Speed-up = baseline median / engine median
(the full `partners_near` ratio is conservative: the baselines build no rows). Measured, never
asserted. The first 20 queries of each series check that engine and baseline return the same ids
and counts.

Data: the seeded demo generator (`dashboard.demo`) at the scale giving the requested number of
active establishments; `--uniform` (or a missing generator) uses seeded uniform points in the
Lorraine bounding box instead. Run: `python -m benchmarks.partners [--sizes 10000,100000,1000000]`.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.analytics.geodesy import _haversine_rad, haversine_km
from dashboard.analytics.partners import PartnerCatalog, partner_catalog, partner_ranking, partners_near

ACTIVE_PER_DEMO_SCALE = 9_850  # active establishments of the demo at scale 1 (dashboard/demo/establishments.py docstring)
RADIUS_KM = 40.0
LIMIT = 50
LORRAINE_BBOX = (47.8, 49.6, 4.9, 7.6)  # lat min, lat max, lon min, lon max


@dataclass(frozen=True)
class Dataset:
    label: str  # where the rows come from
    establishments: pd.DataFrame  # id, public_id, name, naf_code, filiere_code, size_band_code, headcount_estimate,
    #                               commune_code, department_code, epci_code, zone_code, lat, lon, is_member
    capability_links: pd.DataFrame  # establishment_id, capability_code, origin
    certification_links: pd.DataFrame  # establishment_id, certification_code
    capabilities: pd.DataFrame  # taxonomy: code, label
    certifications: pd.DataFrame  # taxonomy: code, label


def _from_demo(target: int, seed: int) -> Dataset:
    from dashboard.demo import generate_demo
    from dashboard.reference import load_polygons, load_reference

    ref = load_reference()
    demo = generate_demo(ref, load_polygons("communes"), seed=seed, scale=target / ACTIVE_PER_DEMO_SCALE)
    frame = demo.establishments[demo.establishments["state"] == "A"].reset_index(drop=True)
    frame.insert(0, "id", np.arange(1, len(frame) + 1, dtype=np.int64))
    communes = ref.communes.rename(columns={"departement": "department_code", "epci": "epci_code",
                                            "zone_emploi": "zone_code"})
    frame = frame.merge(communes[["code", "department_code", "epci_code", "zone_code"]], how="left",
                        left_on="commune_code", right_on="code").drop(columns="code")
    filiere_code = dict(zip(ref.filieres["label"], ref.filieres["code"]))
    frame["filiere_code"] = frame["naf_code"].map(dict(zip(ref.naf["subclass"], ref.naf["filiere"]))).map(filiere_code)
    ids = pd.Series(frame["id"].to_numpy(), index=frame["public_id"].to_numpy())

    def links(pairs: pd.DataFrame) -> pd.DataFrame:
        out = pairs.assign(establishment_id=pairs["public_id"].map(ids)).dropna(subset=["establishment_id"])
        return out.drop(columns="public_id").astype({"establishment_id": np.int64}).reset_index(drop=True)

    capability_links = links(demo.capabilities).assign(origin="declared")
    return Dataset(f"demo generator, seed {seed}", frame, capability_links, links(demo.certifications),
                   ref.capabilities[["code", "label"]], ref.certifications[["code", "label"]])


def _uniform(target: int, seed: int) -> Dataset:
    from dashboard.reference import load_reference

    ref = load_reference()
    rng = np.random.default_rng(seed)
    lat_min, lat_max, lon_min, lon_max = LORRAINE_BBOX
    frame = pd.DataFrame({
        "id": np.arange(1, target + 1, dtype=np.int64),
        "public_id": [f"U-{i}" for i in range(1, target + 1)],
        "name": [f"Site {i}" for i in range(1, target + 1)],
        "naf_code": "25.62B", "filiere_code": rng.choice(["metal", "meca", "auto", "plasturgie"], target),
        "size_band_code": rng.choice(["01", "03", "11", "12", "21"], target),
        "headcount_estimate": rng.integers(1, 100, target), "commune_code": "54395",
        "department_code": rng.choice(["54", "55", "57", "88"], target), "epci_code": "", "zone_code": "",
        "lat": rng.uniform(lat_min, lat_max, target), "lon": rng.uniform(lon_min, lon_max, target),
        "is_member": rng.random(target) < 0.2,
    })
    # A tenth of the taxonomy prevalence (≈ 0.55 capabilities per site, the demo has ≈ 0.46).
    prevalence = ref.capabilities["prevalence"].to_numpy(float) / 10
    has = rng.random((target, prevalence.size)) < prevalence
    rows, cols = np.nonzero(has)
    capability_links = pd.DataFrame({"establishment_id": rows + 1,
                                     "capability_code": ref.capabilities["code"].to_numpy()[cols],
                                     "origin": "declared"})
    certified = np.flatnonzero(rng.random(target) < 0.1)
    certification_links = pd.DataFrame({"establishment_id": certified + 1, "certification_code": "iso9001"})
    return Dataset(f"uniform points in the Lorraine bbox, seed {seed}", frame, capability_links,
                   certification_links, ref.capabilities[["code", "label"]], ref.certifications[["code", "label"]])


def synthetic_dataset(target: int, *, seed: int = 42, uniform: bool = False) -> Dataset:
    """About `target` active establishments from the demo generator, or uniform points when asked or unavailable."""
    if not uniform:
        try:
            return _from_demo(target, seed)
        except ImportError:
            pass
    return _uniform(target, seed)


def build_catalog(data: Dataset) -> PartnerCatalog:
    return partner_catalog(data.establishments, data.capability_links, data.certification_links,
                           capability_taxonomy=data.capabilities, certification_taxonomy=data.certifications)


class BruteForce:
    """The baseline: haversine to every row, then the same filter, counts and order as the engine."""

    def __init__(self, catalog: PartnerCatalog) -> None:
        self.catalog = catalog
        frame = catalog.establishments
        self.phi = np.radians(frame["lat"].to_numpy(float))
        self.lam = np.radians(frame["lon"].to_numpy(float))
        self.cos = np.cos(self.phi)

    def query(self, lat: float, lon: float, capability: str, exclude_id: int) -> tuple[list[int], int, int]:
        phi0, lam0 = np.radians(lat), np.radians(lon)
        return self._select(_haversine_rad(phi0, lam0, self.phi, self.lam, np.cos(phi0), self.cos), capability,
                            exclude_id)

    def naive(self, lat: float, lon: float, capability: str, exclude_id: int) -> tuple[list[int], int, int]:
        frame = self.catalog.establishments
        return self._select(haversine_km(lat, lon, frame["lat"].to_numpy(), frame["lon"].to_numpy()), capability,
                            exclude_id)

    def _select(self, distances: np.ndarray, capability: str, exclude_id: int) -> tuple[list[int], int, int]:
        ids = self.catalog.ids
        column = self.catalog.capability_column(capability)
        candidates = np.flatnonzero(self.catalog.capabilities[:, column] & (distances <= 2 * RADIUS_KM)
                                    & (ids != exclude_id))
        inside = candidates[distances[candidates] <= RADIUS_KM]
        order = np.lexsort((ids[inside], distances[inside]))[:LIMIT]
        return ids[inside][order].tolist(), int(inside.size), int(candidates.size - inside.size)


@dataclass
class Series:
    sites: int
    mix: str
    build_s: float
    search_ms: list[float]  # partner_ranking
    full_ms: list[float]  # partners_near, 50 rows
    all_rows_ms: list[float]  # partners_near, every row in the radius
    brute_ms: list[float]
    naive_ms: list[float]
    hits: list[int]
    mismatches: int


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def _ratio(baseline: float, engine: float) -> str:
    ratio = baseline / engine
    return f"{ratio:,.1f}×" if ratio < 10 else f"{ratio:,.0f}×"


def _timed(call, queries: list[dict]) -> list[float]:
    """Milliseconds per call, after two warm-up calls."""
    for kw in queries[:2]:
        call(kw)
    out = []
    for kw in queries:
        started = time.perf_counter()
        call(kw)
        out.append((time.perf_counter() - started) * 1e3)
    return out


def measure(sizes: list[int], *, queries: int = 200, seed: int = 42, uniform: bool = False) -> list[Series]:
    out = []
    for target in sizes:
        data = synthetic_dataset(target, seed=seed, uniform=uniform)
        started = time.perf_counter()
        catalog = build_catalog(data)
        build_s = time.perf_counter() - started
        brute = BruteForce(catalog)
        rng = np.random.default_rng(seed + target)
        origins = rng.integers(0, catalog.size, queries)
        supplier_counts = {code: catalog.supplier_index[code].size for code in catalog.capability_codes}
        common = max(supplier_counts, key=supplier_counts.get)
        mixes = {
            "random capability": [catalog.capability_codes[i] for i in rng.integers(0, len(catalog.capability_codes),
                                                                                       queries)],
            f"most common capability ({common}, {supplier_counts[common]:,} suppliers)": [common] * queries,
        }
        lats = catalog.establishments["lat"].to_numpy(float)
        lons = catalog.establishments["lon"].to_numpy(float)
        for mix, capabilities in mixes.items():
            queries_kw = [dict(lat=float(lats[o]), lon=float(lons[o]), capabilities=[c], radius_km=RADIUS_KM,
                               exclude_id=int(catalog.ids[o])) for o, c in zip(origins.tolist(), capabilities)]
            # Each method runs its own loop over the same queries (no cache pollution between methods).
            search = _timed(lambda kw: partner_ranking(catalog, **kw, limit=LIMIT), queries_kw)
            full = _timed(lambda kw: partners_near(catalog, **kw, limit=LIMIT), queries_kw)
            all_rows = _timed(lambda kw: partners_near(catalog, **kw), queries_kw)
            baseline = _timed(lambda kw: brute.query(kw["lat"], kw["lon"], kw["capabilities"][0], kw["exclude_id"]),
                              queries_kw)
            naive = _timed(lambda kw: brute.naive(kw["lat"], kw["lon"], kw["capabilities"][0], kw["exclude_id"]),
                           queries_kw)
            hits = [partner_ranking(catalog, **kw).total_in_radius for kw in queries_kw]
            mismatches = 0
            for kw in queries_kw[:20]:
                result = partners_near(catalog, **kw, limit=LIMIT)
                got = (result.items["id"].tolist(), result.total_in_radius, result.beyond_radius)
                mismatches += got != brute.query(kw["lat"], kw["lon"], kw["capabilities"][0], kw["exclude_id"])
            out.append(Series(catalog.size, mix, build_s, search, full, all_rows, baseline, naive, hits, mismatches))
        print(f"… {catalog.size:,} sites measured ({data.label})", flush=True)
    return out


def report(series: list[Series]) -> str:
    lines = ["| sites | query mix | catalog build (s) | search median (ms) | search p95 (ms) | "
             "partners_near, 50 rows, median (ms) | p95 (ms) | same, all rows, median (ms) | "
             "optimised scan median (ms) | p95 (ms) | naive scan median (ms) | "
             "speed-up search vs optimised / naive | speed-up partners_near vs optimised / naive | "
             "mean partners within 40 km | mismatches /20 |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in series:
        search, full, brute, naive = (statistics.median(v) for v in (s.search_ms, s.full_ms, s.brute_ms, s.naive_ms))
        lines.append(
            f"| {s.sites:,} | {s.mix} | {s.build_s:.2f} | {search:.2f} | {_percentile(s.search_ms, 95):.2f} | "
            f"{full:.2f} | {_percentile(s.full_ms, 95):.2f} | {statistics.median(s.all_rows_ms):.2f} | "
            f"{brute:.2f} | {_percentile(s.brute_ms, 95):.2f} | {naive:.2f} | "
            f"{_ratio(brute, search)} / {_ratio(naive, search)} | {_ratio(brute, full)} / {_ratio(naive, full)} | "
            f"{statistics.mean(s.hits):,.0f} | {s.mismatches} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="active establishments per run")
    parser.add_argument("--queries", type=int, default=200, help="random origins per query mix")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--uniform", action="store_true", help="uniform random points instead of the demo generator")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    print(f"# Partner engine, {time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}, Python "
          f"{platform.python_version()}, radius {RADIUS_KM:g} km, limit {LIMIT}, {args.queries} origins\n", flush=True)
    print(report(measure(sizes, queries=args.queries, seed=args.seed, uniform=args.uniform)))


if __name__ == "__main__":
    main()
