"""The coverage engine: hand-built cases and property tests against a brute-force computation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dashboard.analytics.coverage import (
    CoverageQueryError,
    coverage_by_unit,
    coverage_matrix,
    coverage_rate,
    coverage_summary,
)
from dashboard.analytics.geodesy import EARTH_RADIUS_KM, haversine_km
from dashboard.analytics.partners import partner_catalog

ORIGIN = (48.7, 6.2)
EDGE_M = 1e-3  # km
PROPERTY = settings(max_examples=60, deadline=None)
CAPABILITIES = pd.DataFrame({"code": ["pliage", "tournage", "galvanisation"],
                             "label": ["Pliage", "Tournage", "Galvanisation à chaud"]})


def north(km: float, origin: tuple[float, float] = ORIGIN) -> tuple[float, float]:
    return origin[0] + math.degrees(km / EARTH_RADIUS_KM), origin[1]


def build_catalog(rows: list[dict]):
    """rows: {id, lat, lon, caps, jobs, filiere, dep}."""
    establishments = pd.DataFrame({
        "id": [r["id"] for r in rows],
        "public_id": [f"DEMO-{r['id']}" for r in rows],
        "name": [f"Établissement {r['id']}" for r in rows],
        "filiere_code": [r.get("filiere", "metal") for r in rows],
        "headcount_estimate": [r.get("jobs", 10) for r in rows],
        "commune_code": [r.get("commune", "54001") for r in rows],
        "department_code": [r.get("dep", "54") for r in rows],
        "epci_code": [r.get("epci", "E1") for r in rows],
        "zone_code": [r.get("zone", "Z1") for r in rows],
        "lat": [r["lat"] for r in rows],
        "lon": [r["lon"] for r in rows],
    }, columns=["id", "public_id", "name", "filiere_code", "headcount_estimate", "commune_code", "department_code",
                "epci_code", "zone_code", "lat", "lon"])
    links = pd.DataFrame([(r["id"], c, "declared") for r in rows for c in r.get("caps", ())],
                         columns=["establishment_id", "capability_code", "origin"])
    certifications = pd.DataFrame(columns=["establishment_id", "certification_code"])
    return partner_catalog(establishments, links, certifications, capability_taxonomy=CAPABILITIES)


def communes_frame(rows: list[dict]) -> pd.DataFrame:
    """rows: {code, lat, lon, population, dep, epci, zone}."""
    return pd.DataFrame({
        "code": [r["code"] for r in rows],
        "name": [f"Commune {r['code']}" for r in rows],
        "population": [r.get("population", 100) for r in rows],
        "department_code": [r.get("dep", "54") for r in rows],
        "epci_code": [r.get("epci", "E1") for r in rows],
        "zone_code": [r.get("zone", "Z1") for r in rows],
        "lat": [r["lat"] for r in rows],
        "lon": [r["lon"] for r in rows],
    }, columns=["code", "name", "population", "department_code", "epci_code", "zone_code", "lat", "lon"])


# --- hand-built cases ----------------------------------------------------------------------------

def test_a_supplier_never_covers_itself():
    catalog = build_catalog([
        {"id": 1, "lat": ORIGIN[0], "lon": ORIGIN[1], "caps": ["pliage"], "jobs": 40},
        {"id": 2, **dict(zip(("lat", "lon"), north(10.0))), "jobs": 60},
    ])
    result = coverage_rate(catalog, capability="pliage", radius_km=15, weight="count")
    points = result.points.set_index("id")
    assert points.loc[1, "suppliers_within"] == 0 and not points.loc[1, "covered"]
    assert math.isnan(points.loc[1, "nearest_km"])
    assert points.loc[2, "suppliers_within"] == 1 and points.loc[2, "single_source"]
    assert points.loc[2, "nearest_km"] == pytest.approx(10.0, abs=1e-9)
    assert points.loc[2, "single_supplier_id"] == 1
    assert result.rate == 0.5 and result.single_source_share == 0.5 and result.desert_share == 0.5
    assert result.single_suppliers["id"].tolist() == [1]
    assert result.single_suppliers["dependent_points"].tolist() == [1]
    by_jobs = coverage_rate(catalog, capability="pliage", radius_km=15)  # weight defaults to jobs
    assert by_jobs.weight == "jobs" and by_jobs.rate == pytest.approx(0.6)


def test_two_suppliers_cover_each_other():
    catalog = build_catalog([
        {"id": 1, "lat": ORIGIN[0], "lon": ORIGIN[1], "caps": ["pliage"]},
        {"id": 2, **dict(zip(("lat", "lon"), north(10.0))), "caps": ["pliage"]},
    ])
    covered = coverage_rate(catalog, capability="pliage", radius_km=15)
    assert covered.points["suppliers_within"].tolist() == [1, 1]
    assert covered.rate == 1.0 and covered.single_source_share == 1.0
    assert sorted(covered.single_suppliers["id"]) == [1, 2]
    apart = coverage_rate(catalog, capability="pliage", radius_km=5)
    assert apart.rate == 0.0 and apart.points["desert"].all()


def test_supplier_at_the_radius_boundary():
    supplier = (ORIGIN[0], ORIGIN[1] + 0.4)
    catalog = build_catalog([{"id": 1, "lat": supplier[0], "lon": supplier[1], "caps": ["pliage"]}])
    communes = communes_frame([{"code": "54001", "lat": ORIGIN[0], "lon": ORIGIN[1]}])
    exact = haversine_km(*ORIGIN, *supplier)
    at = coverage_rate(catalog, communes, capability="pliage", radius_km=exact, demand="communes")
    assert at.rate == 1.0 and at.points["suppliers_within"].tolist() == [1]
    short = coverage_rate(catalog, communes, capability="pliage", radius_km=exact - 1e-6, demand="communes")
    assert short.rate == 0.0 and short.points["desert"].tolist() == [True]
    assert short.points["nearest_km"].iloc[0] == pytest.approx(exact, abs=1e-9)
    summary = coverage_summary(catalog, communes, radius_km=[exact - 1e-6, exact], demand="communes",
                               capabilities=["pliage"])
    assert summary["rate"].tolist() == [0.0, 1.0]


def test_a_capability_without_any_supplier():
    catalog = build_catalog([{"id": 1, "lat": ORIGIN[0], "lon": ORIGIN[1], "caps": ["pliage"]}])
    communes = communes_frame([{"code": "54001", "lat": ORIGIN[0], "lon": ORIGIN[1], "population": 500}])
    result = coverage_rate(catalog, communes, capability="galvanisation", radius_km=100, demand="communes")
    assert result.rate == 0.0 and result.single_source_share == 0.0 and result.desert_share == 1.0
    assert result.points["desert"].all() and result.points["nearest_km"].isna().all()
    assert math.isnan(result.median_nearest_km) and math.isnan(result.median_third_nearest_km)
    assert result.suppliers.empty and result.single_suppliers.empty
    summary = coverage_summary(catalog, communes, radius_km=50, demand="communes").set_index("capability_code")
    assert summary.loc["galvanisation", "suppliers"] == 0 and summary.loc["galvanisation", "rate"] == 0.0
    assert summary.loc["galvanisation", "capability_label"] == "Galvanisation à chaud"


def test_weighted_medians_and_third_nearest():
    suppliers = [north(5.0), north(10.0), north(20.0)]
    catalog = build_catalog([{"id": i + 1, "lat": s[0], "lon": s[1], "caps": ["pliage"]}
                             for i, s in enumerate(suppliers)])
    far = north(-100.0)
    communes = communes_frame([
        {"code": "1", "lat": ORIGIN[0], "lon": ORIGIN[1], "population": 100},  # 5, 10, 20 km
        {"code": "2", "lat": suppliers[2][0], "lon": suppliers[2][1], "population": 100},  # 0, 10, 15 km
        {"code": "3", "lat": far[0], "lon": far[1], "population": 300},  # 105, 110, 120 km
    ])
    result = coverage_rate(catalog, communes, capability="pliage", radius_km=12, demand="communes")
    np.testing.assert_allclose(result.points["nearest_km"], [5, 0, 105], atol=1e-9)
    np.testing.assert_allclose(result.points["third_nearest_km"], [20, 15, 120], atol=1e-9)
    assert result.points["suppliers_within"].tolist() == [2, 2, 0]
    # Lower weighted median: cumulative population 100, 200, 500 reaches 250 at the 3rd commune.
    assert result.median_nearest_km == pytest.approx(105, abs=1e-9)
    assert result.rate == pytest.approx(0.4)
    counted = coverage_rate(catalog, communes, capability="pliage", radius_km=12, demand="communes", weight="count")
    assert counted.median_nearest_km == pytest.approx(5, abs=1e-9)  # values 0, 5, 105: the 2nd of 3


def test_aggregation_by_territory():
    catalog = build_catalog([{"id": 1, "lat": ORIGIN[0], "lon": ORIGIN[1], "caps": ["pliage"]}])
    near, far1, far2 = north(3.0), north(80.0), north(90.0)
    communes = communes_frame([
        {"code": "54001", "lat": near[0], "lon": near[1], "population": 100, "dep": "54"},
        {"code": "54002", "lat": far1[0], "lon": far1[1], "population": 300, "dep": "54"},
        {"code": "57001", "lat": far2[0], "lon": far2[1], "population": 50, "dep": "57"},
    ])
    result = coverage_rate(catalog, communes, capability="pliage", radius_km=25, demand="communes")
    units = coverage_by_unit(result, level="departement").set_index("code")
    assert units.loc["54", "rate"] == pytest.approx(0.25)
    assert units.loc["54", "desert_points"] == 1 and units.loc["54", "desert_weight"] == 300
    assert not units.loc["54", "is_desert"]
    assert units.loc["57", "rate"] == 0.0 and units.loc["57", "is_desert"]
    assert units.loc["54", "max_nearest_km"] == pytest.approx(80.0, abs=1e-9)
    assert units.loc["54", "median_nearest_km"] == pytest.approx(80.0, abs=1e-9)
    per_commune = coverage_by_unit(result, level="commune")
    assert per_commune["code"].tolist() == ["54001", "54002", "57001"]
    assert per_commune["is_desert"].tolist() == [False, True, True]
    with pytest.raises(CoverageQueryError):
        coverage_by_unit(result, level="region")


def test_matrix_by_filiere():
    a, b = north(10.0), north(60.0)
    catalog = build_catalog([
        {"id": 1, "lat": ORIGIN[0], "lon": ORIGIN[1], "caps": ["pliage"], "filiere": "metal", "jobs": 10},
        {"id": 2, "lat": a[0], "lon": a[1], "caps": ["tournage"], "filiere": "metal", "jobs": 30},
        {"id": 3, "lat": b[0], "lon": b[1], "filiere": "meca", "jobs": 5},
    ])
    matrix = coverage_matrix(catalog, radius_km=20, filieres=["metal", "meca", "auto"])
    assert matrix.loc["metal", "pliage"] == pytest.approx(0.75)  # 2 covered by 1; 1 does not cover itself
    assert matrix.loc["metal", "tournage"] == pytest.approx(0.25)
    assert matrix.loc["meca", "pliage"] == 0.0
    assert np.isnan(matrix.loc["auto", "pliage"])
    counted = coverage_matrix(catalog, radius_km=20, weight="count", capabilities=["pliage"])
    assert counted.loc["metal", "pliage"] == 0.5 and list(counted.columns) == ["pliage"]


def test_empty_catalog():
    catalog = build_catalog([])
    result = coverage_rate(catalog, capability="pliage", radius_km=25)
    assert result.points.empty and math.isnan(result.rate)
    communes = communes_frame([{"code": "54001", "lat": ORIGIN[0], "lon": ORIGIN[1]}])
    on_communes = coverage_rate(catalog, communes, capability="pliage", radius_km=25, demand="communes")
    assert on_communes.rate == 0.0 and on_communes.points["desert"].all()


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"capability": "soudure_laser"}, "capability"),
    ({"radius_km": 0}, "radius_km"),
    ({"radius_km": 301}, "radius_km"),
    ({"demand": "regions"}, "demand"),
    ({"weight": "population"}, "weight"),
])
def test_invalid_coverage_queries(kwargs, field):
    catalog = build_catalog([{"id": 1, "lat": ORIGIN[0], "lon": ORIGIN[1], "caps": ["pliage"]}])
    query = {"capability": "pliage", "radius_km": 25, **kwargs}
    with pytest.raises(CoverageQueryError) as raised:
        coverage_rate(catalog, **query)
    assert raised.value.field == field


# --- property tests against brute force ----------------------------------------------------------

lats = st.floats(47.0, 50.2, allow_nan=False)
lons = st.floats(4.0, 8.5, allow_nan=False)
establishments = st.lists(st.fixed_dictionaries({
    "lat": lats, "lon": lons, "caps": st.lists(st.sampled_from(["pliage", "tournage"]), unique=True, max_size=2),
    "jobs": st.integers(0, 500), "filiere": st.sampled_from(["metal", "meca"]),
}), max_size=30)
communes = st.lists(st.fixed_dictionaries({"lat": lats, "lon": lons, "population": st.integers(0, 5000),
                                           "dep": st.sampled_from(["54", "57"])}), min_size=1, max_size=20)


def brute_force(est_rows, demand_rows, capability, radius, *, self_ids):
    """Per demand point: count within radius, nearest and 3rd-nearest km, all by direct haversine."""
    suppliers = [r for r in est_rows if capability in r["caps"]]
    out = []
    for point, own in zip(demand_rows, self_ids):
        d = sorted(haversine_km(point["lat"], point["lon"], s["lat"], s["lon"]) for s in suppliers if s["id"] != own)
        assume(all(abs(x - radius) > EDGE_M for x in d))
        out.append((sum(x <= radius for x in d), d[0] if d else math.nan, d[2] if len(d) > 2 else math.nan))
    return out


def naive_weighted_median(values, weights):
    pairs = sorted(zip([math.inf if math.isnan(v) else v for v in values], weights), key=lambda p: p[0])
    total = sum(weights)
    if total <= 0:
        return math.nan
    running = 0.0
    for value, weight in pairs:
        running += weight
        if running >= total / 2:
            return value if math.isfinite(value) else math.nan
    return math.nan


def assert_matches(result, expected, weights):
    points = result.points
    assert points["suppliers_within"].tolist() == [e[0] for e in expected]
    np.testing.assert_allclose(points["nearest_km"], [e[1] for e in expected], atol=1e-6)
    np.testing.assert_allclose(points["third_nearest_km"], [e[2] for e in expected], atol=1e-6)
    total = sum(weights)
    covered = sum(w for w, e in zip(weights, expected) if e[0] >= 1)
    single = sum(w for w, e in zip(weights, expected) if e[0] == 1)
    if total > 0:
        assert result.rate == pytest.approx(covered / total)
        assert result.single_source_share == pytest.approx(single / total)
    else:
        assert math.isnan(result.rate)
    for got, column in ((result.median_nearest_km, 1), (result.median_third_nearest_km, 2)):
        want = naive_weighted_median([e[column] for e in expected], weights)
        assert (math.isnan(got) and math.isnan(want)) or got == pytest.approx(want, abs=1e-6)


@PROPERTY
@given(establishments, st.floats(0.5, 300), st.sampled_from(["pliage", "tournage"]), st.sampled_from(["jobs", "count"]))
def test_establishment_coverage_equals_brute_force(rows, radius, capability, weight):
    for i, row in enumerate(rows):
        row["id"] = i + 1
    catalog = build_catalog(rows)
    expected = brute_force(rows, rows, capability, radius, self_ids=[r["id"] for r in rows])
    result = coverage_rate(catalog, capability=capability, radius_km=radius, weight=weight)
    weights = [float(r["jobs"]) if weight == "jobs" else 1.0 for r in rows]
    assert_matches(result, expected, weights)
    summary = coverage_summary(catalog, radius_km=radius, weight=weight, capabilities=[capability])
    row = summary.iloc[0]
    assert (math.isnan(row["rate"]) and math.isnan(result.rate)) or row["rate"] == pytest.approx(result.rate)
    assert (math.isnan(row["single_source_share"]) and math.isnan(result.single_source_share)) or \
        row["single_source_share"] == pytest.approx(result.single_source_share)
    matrix = coverage_matrix(catalog, radius_km=radius, weight=weight, capabilities=[capability])
    for filiere in matrix.index:
        members = [(w, e) for w, e, r in zip(weights, expected, rows) if r["filiere"] == filiere]
        total = sum(w for w, _ in members)
        want = sum(w for w, e in members if e[0] >= 1) / total if total > 0 else math.nan
        got = matrix.loc[filiere, capability]
        assert (math.isnan(got) and math.isnan(want)) or got == pytest.approx(want)


@PROPERTY
@given(establishments, communes, st.floats(0.5, 300), st.sampled_from(["pliage", "tournage"]))
def test_commune_coverage_equals_brute_force(rows, commune_rows, radius, capability):
    for i, row in enumerate(rows):
        row["id"] = i + 1
    for i, row in enumerate(commune_rows):
        row["code"] = f"{i:05d}"
    catalog = build_catalog(rows)
    frame = communes_frame(commune_rows)
    expected = brute_force(rows, commune_rows, capability, radius, self_ids=[None] * len(commune_rows))
    result = coverage_rate(catalog, frame, capability=capability, radius_km=radius, demand="communes")
    assert_matches(result, expected, [float(r["population"]) for r in commune_rows])
    units = coverage_by_unit(result, level="departement").set_index("code")
    for dep in units.index:
        inside = [e for e, r in zip(expected, commune_rows) if r["dep"] == dep]
        assert units.loc[dep, "is_desert"] == all(e[0] == 0 for e in inside)
        assert units.loc[dep, "demand_points"] == len(inside)
