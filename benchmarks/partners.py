"""Partner engine: catalog build and query time at 10k, 100k and 1M establishments.

Each query asks for one capability within 40 km of a random establishment (excluded from its own
results), keeping the 50 best (what a page shows). Two engine timings: the search alone
(`partner_ranking`: index lookup, filters, in-radius and beyond-radius counts, ranking) and the full
`partners_near` (plus the explained rows as a DataFrame). Baseline, measured in the same run on the
same origins, two brute-force scans computing the haversine distance to EVERY row with numpy, then
the same filter, counts and sort, without building rows: "optimised" (latitudes pre-converted to
radians and cosines once, as fast as numpy allows) and "naive" (`haversine_km` on the raw degree
columns, the naive baseline of docs/performance.md §6). Speed-up = baseline median / engine median
(the full `partners_near` ratio is conservative: the baselines build no rows). A third baseline,
"capability first", is the best simple alternative: the same numpy haversine over only the
establishments having the capability (their radians precomputed per capability), then the same
filter, counts and sort. Measured, never asserted. The first 20 queries of each series check that
engine and baselines return the same ids and counts.

Second table: `GET /api/v1/partners` (lat/lon of a random establishment, one capability, 40 km,
limit 50) through the Flask test client of an app built on the demo loaded into a temporary SQLite
database, beside the function it calls (`search_partners`) and the capability-first scan on the
same catalog, at the same sizes (`--api-sizes` to choose; loading 1M rows takes minutes).

Data: the seeded demo generator (`dashboard.demo`) at the scale giving the requested number of
active establishments; `--uniform` (or a missing generator) uses seeded uniform points in the
Lorraine bounding box instead. Run: `python -m benchmarks.partners [--sizes 10000,100000,1000000]`.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.analytics.geodesy import _haversine_rad, haversine_km
from dashboard.analytics.partners import PartnerCatalog, partner_catalog, partner_ranking, partners_near
from dashboard.policy import ANONYMOUS

# Active establishments of the demo at scale 1 (dashboard/demo/establishments.py docstring).
ACTIVE_PER_DEMO_SCALE = 9_850
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
        self._suppliers: dict[str, tuple] = {}  # capability -> its rows and their radians, cosines

    def query(self, lat: float, lon: float, capability: str, exclude_id: int) -> tuple[list[int], int, int]:
        phi0, lam0 = np.radians(lat), np.radians(lon)
        return self._select(_haversine_rad(phi0, lam0, self.phi, self.lam, np.cos(phi0), self.cos), capability,
                            exclude_id)

    def filtered(self, lat: float, lon: float, capability: str, exclude_id: int) -> tuple[list[int], int, int]:
        """Capability first: haversine to the establishments having it only, then the same filter and sort."""
        if capability not in self._suppliers:
            rows = np.flatnonzero(self.catalog.capabilities[:, self.catalog.capability_column(capability)])
            self._suppliers[capability] = (rows, self.phi[rows], self.lam[rows], self.cos[rows])
        rows, phi, lam, cos = self._suppliers[capability]
        phi0, lam0 = np.radians(lat), np.radians(lon)
        distances = _haversine_rad(phi0, lam0, phi, lam, np.cos(phi0), cos)
        ids = self.catalog.ids[rows]
        candidates = np.flatnonzero((distances <= 2 * RADIUS_KM) & (ids != exclude_id))
        inside = candidates[distances[candidates] <= RADIUS_KM]
        order = np.lexsort((ids[inside], distances[inside]))[:LIMIT]
        return ids[inside][order].tolist(), int(inside.size), int(candidates.size - inside.size)

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
    filtered_ms: list[float]  # capability first
    naive_ms: list[float]
    hits: list[int]
    mismatches: int


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def _ratio(baseline: float, engine: float) -> str:
    ratio = baseline / engine
    if ratio < 0.1:
        return f"{ratio:.2g}×"  # the baseline is faster: keep two significant digits
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
            filtered = _timed(lambda kw: brute.filtered(kw["lat"], kw["lon"], kw["capabilities"][0],
                                                        kw["exclude_id"]), queries_kw)
            naive = _timed(lambda kw: brute.naive(kw["lat"], kw["lon"], kw["capabilities"][0], kw["exclude_id"]),
                           queries_kw)
            hits = [partner_ranking(catalog, **kw).total_in_radius for kw in queries_kw]
            mismatches = 0
            for kw in queries_kw[:20]:
                result = partners_near(catalog, **kw, limit=LIMIT)
                got = (result.items["id"].tolist(), result.total_in_radius, result.beyond_radius)
                args = (kw["lat"], kw["lon"], kw["capabilities"][0], kw["exclude_id"])
                mismatches += got != brute.query(*args) or got != brute.filtered(*args)
            out.append(Series(catalog.size, mix, build_s, search, full, all_rows, baseline, filtered, naive, hits,
                              mismatches))
        print(f"… {catalog.size:,} sites measured ({data.label})", flush=True)
    return out


def report(series: list[Series]) -> str:
    lines = ["| sites | query mix | catalog build (s) | search median (ms) | search p95 (ms) | "
             "partners_near, 50 rows, median (ms) | p95 (ms) | same, all rows, median (ms) | "
             "optimised scan median (ms) | p95 (ms) | capability-first scan median (ms) | p95 (ms) | "
             "naive scan median (ms) | speed-up search vs optimised / capability-first / naive | "
             "speed-up partners_near vs capability-first | mean partners within 40 km | mismatches /20 |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in series:
        search, full, brute, filtered, naive = (statistics.median(v) for v in (
            s.search_ms, s.full_ms, s.brute_ms, s.filtered_ms, s.naive_ms))
        lines.append(
            f"| {s.sites:,} | {s.mix} | {s.build_s:.2f} | {search:.2f} | {_percentile(s.search_ms, 95):.2f} | "
            f"{full:.2f} | {_percentile(s.full_ms, 95):.2f} | {statistics.median(s.all_rows_ms):.2f} | "
            f"{brute:.2f} | {_percentile(s.brute_ms, 95):.2f} | {filtered:.2f} | "
            f"{_percentile(s.filtered_ms, 95):.2f} | "
            f"{naive:.2f} | {_ratio(brute, search)} / {_ratio(filtered, search)} / {_ratio(naive, search)} | "
            f"{_ratio(filtered, full)} | {statistics.mean(s.hits):,.0f} | {s.mismatches} |")
    return "\n".join(lines)


# --- the API round trip --------------------------------------------------------------------------

def demo_app(target: int, folder: Path, seed: int):
    """An app on the demo loaded into a SQLite file in `folder` (about `target` active establishments)."""
    from dashboard.app import create_app
    from dashboard.bootstrap import load_demo, prepare_database
    from dashboard.database import make_engine
    from dashboard.settings import load_settings

    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    engine = make_engine(url)
    prepare_database(engine)
    started = time.perf_counter()
    load_demo(engine, seed=seed, scale=target / ACTIVE_PER_DEMO_SCALE)
    load_s = time.perf_counter() - started
    settings = load_settings({}, database_url=url, instance_dir=folder / "instance", auto_demo=False)
    return create_app(settings, engine), load_s


def measure_api(sizes: list[int], *, queries: int = 100, seed: int = 42) -> list[dict]:
    """Per size and query mix: /api/v1/partners round trips, search_partners calls, capability-first scans (ms)."""
    from dashboard.analytics.filters import vocabulary_from
    from dashboard.analytics.partner_query import parse_partner_query
    from dashboard.services.partners import catalog_for, search_partners

    rows = []
    for target in sizes:
        with tempfile.TemporaryDirectory() as folder:
            app, load_s = demo_app(target, Path(folder), seed)
            service, client = app.server.extensions["tissu"], app.server.test_client()
            catalog = catalog_for(service, service.snapshot())
            brute, vocabulary = BruteForce(catalog), vocabulary_from(service.lookups)
            rng = np.random.default_rng(seed + target)
            origins = rng.integers(0, catalog.size, queries).tolist()
            lats = catalog.establishments["lat"].to_numpy(float)
            lons = catalog.establishments["lon"].to_numpy(float)
            common = max(catalog.capability_codes, key=lambda code: catalog.supplier_index[code].size)
            mixes = {"random capability": [catalog.capability_codes[i] for i in
                                           rng.integers(0, len(catalog.capability_codes), queries)],
                     f"most common capability ({common})": [common] * queries}
            for mix, capabilities in mixes.items():
                params = [{"lat": [f"{lats[o]:.6f}"], "lon": [f"{lons[o]:.6f}"], "capability": [c],
                           "radius_km": [f"{RADIUS_KM:g}"], "limit": [str(LIMIT)]}
                          for o, c in zip(origins, capabilities)]

                def api(q):
                    response = client.get("/api/v1/partners", query_string={k: v[0] for k, v in q.items()})
                    assert response.status_code == 200, response.get_data(as_text=True)

                def function(q):
                    query, _ = parse_partner_query({k: v for k, v in q.items() if k != "limit"}, vocabulary,
                                                   strict=True)
                    search_partners(service, query, viewer=ANONYMOUS, limit=LIMIT)

                rows.append({"sites": catalog.size, "mix": mix, "load_s": load_s,
                             "api_ms": _timed(api, params), "function_ms": _timed(function, params),
                             "filtered_ms": _timed(lambda q: brute.filtered(float(q["lat"][0]), float(q["lon"][0]),
                                                                            q["capability"][0], -1), params)})
        print(f"… {rows[-1]['sites']:,} sites: API measured", flush=True)
    return rows


def report_api(rows: list[dict]) -> str:
    lines = ["| sites | query mix | /api/v1/partners median (ms) | p95 (ms) | search_partners median (ms) | "
             "capability-first scan median (ms) | API vs scan | demo load (s) |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        api, function, filtered = (statistics.median(r[k]) for k in ("api_ms", "function_ms", "filtered_ms"))
        lines.append(f"| {r['sites']:,} | {r['mix']} | {api:.2f} | {_percentile(r['api_ms'], 95):.2f} | "
                     f"{function:.2f} | {filtered:.2f} | {api / filtered:,.1f}× the scan's time | {r['load_s']:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="active establishments per run")
    parser.add_argument("--queries", type=int, default=200, help="random origins per query mix")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--uniform", action="store_true", help="uniform random points instead of the demo generator")
    parser.add_argument("--api-sizes", help="sizes for the API table (default: --sizes; empty: none)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    api_sizes = sizes if args.api_sizes is None else [int(s) for s in args.api_sizes.split(",") if s]
    print(f"# Partner engine, {time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}, Python "
          f"{platform.python_version()}, radius {RADIUS_KM:g} km, limit {LIMIT}, {args.queries} origins\n", flush=True)
    if sizes:
        print(report(measure(sizes, queries=args.queries, seed=args.seed, uniform=args.uniform)), flush=True)
    if api_sizes:
        print("\nThe API round trip (Flask test client, demo in SQLite):\n", flush=True)
        print(report_api(measure_api(api_sizes, queries=args.queries, seed=args.seed)))


if __name__ == "__main__":
    main()
