"""Coverage from k-nearest distances (the page and API path, counts capped) against brute-force haversine."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dashboard.analytics.coverage import coverage_by_unit, coverage_rate
from dashboard.analytics.geodesy import haversine_km
from tests.test_coverage_engine import build_catalog, communes_frame, naive_weighted_median

PROPERTY = settings(max_examples=80, deadline=None)
EDGE_KM = 1e-3  # points this close to the radius are left out: float rounding may decide either way

lats = st.floats(48.0, 49.5, allow_nan=False)
lons = st.floats(5.0, 7.5, allow_nan=False)
# Clustered sites (many within a few km) so that counts above the cap and ties at 0 km occur.
sites = st.lists(st.fixed_dictionaries({
    "lat": lats, "lon": lons, "caps": st.lists(st.sampled_from(["pliage", "tournage"]), unique=True, max_size=2),
    "jobs": st.integers(0, 300), "dep": st.sampled_from(["54", "57", "88"]),
    "duplicate": st.booleans(),
}), max_size=40)


def _rows(drawn):
    rows = []
    for row in drawn:
        rows.append(row)
        if row["duplicate"]:  # the same spot twice: a co-located supplier at 0 km
            rows.append(dict(row))
    for i, row in enumerate(rows):
        row["id"] = i + 1
    return rows


def _brute(rows, demand, capability, radius, own_ids):
    """Per demand point: sorted haversine km to every supplier but itself."""
    suppliers = [r for r in rows if capability in r["caps"]]
    out = []
    for point, own in zip(demand, own_ids):
        d = sorted(haversine_km(point["lat"], point["lon"], s["lat"], s["lon"]) for s in suppliers if s["id"] != own)
        assume(all(abs(x - radius) > EDGE_KM for x in d))
        out.append(d)
    return out


def _share(flags, weights):
    total = sum(weights)
    return sum(w for f, w in zip(flags, weights) if f) / total if total > 0 else math.nan


def _same(got, want):
    assert (math.isnan(got) and math.isnan(want)) or got == pytest.approx(want, abs=1e-9)


def _check(result, distances, weights, radius, cap):
    covered = [bool(d) and d[0] <= radius for d in distances]
    single = [c and not (len(d) > 1 and d[1] <= radius) for c, d in zip(covered, distances)]
    _same(result.rate, _share(covered, weights))
    _same(result.desert_share, 1 - _share(covered, weights) if sum(weights) > 0 else math.nan)
    _same(result.single_source_share, _share(single, weights))
    first = [d[0] if d else math.nan for d in distances]
    third = [d[2] if len(d) > 2 else math.nan for d in distances]
    _same(result.median_nearest_km, naive_weighted_median(first, weights))
    _same(result.median_third_nearest_km, naive_weighted_median(third, weights))
    counts = [sum(x <= radius for x in d) for d in distances]
    want = counts if cap is None else [min(c, cap) for c in counts]
    assert result.points["suppliers_within"].tolist() == want
    assert result.points["covered"].tolist() == covered and result.points["single_source"].tolist() == single


@PROPERTY
@given(sites, st.floats(0.5, 150), st.sampled_from(["pliage", "tournage"]), st.sampled_from([None, 2, 3, 5]),
       st.sampled_from(["jobs", "count"]))
def test_establishment_coverage_from_nearest_distances(drawn, radius, capability, cap, weight):
    rows = _rows(drawn)
    catalog = build_catalog(rows)
    distances = _brute(rows, rows, capability, radius, [r["id"] for r in rows])
    result = coverage_rate(catalog, capability=capability, radius_km=radius, weight=weight, count_cap=cap)
    assert result.count_cap == cap
    _check(result, distances, [float(r["jobs"]) if weight == "jobs" else 1.0 for r in rows], radius, cap)


@PROPERTY
@given(sites, st.lists(st.fixed_dictionaries({"lat": lats, "lon": lons, "population": st.integers(0, 5000),
                                              "dep": st.sampled_from(["54", "57"])}), min_size=1, max_size=25),
       st.floats(0.5, 150), st.sampled_from([None, 3]))
def test_commune_coverage_from_nearest_distances(drawn, commune_rows, radius, cap):
    rows = _rows(drawn)
    for i, row in enumerate(commune_rows):
        row["code"] = f"{i:05d}"
    catalog = build_catalog(rows)
    distances = _brute(rows, commune_rows, "pliage", radius, [None] * len(commune_rows))
    result = coverage_rate(catalog, communes_frame(commune_rows), capability="pliage", radius_km=radius,
                           demand="communes", count_cap=cap)
    _check(result, distances, [float(r["population"]) for r in commune_rows], radius, cap)


def _units_by_loop(points: pd.DataFrame, column: str) -> pd.DataFrame:
    """The per-unit table as a groupby loop (the implementation the vectorised one replaced)."""
    rows = []
    for code, group in points.groupby(column, sort=True, dropna=True):
        weights = group["weight"].to_numpy(float)
        covered = group["covered"].to_numpy(bool)
        nearest = group["nearest_km"].to_numpy(float)
        total = weights.sum()
        rows.append({
            "code": code, "demand_points": len(group), "weight": float(total),
            "rate": weights[covered].sum() / total if total > 0 else math.nan,
            "covered_points": int(covered.sum()), "desert_points": int((~covered).sum()),
            "desert_weight": float(weights[~covered].sum()),
            "single_source_share": weights[group["single_source"].to_numpy(bool)].sum() / total if total > 0
            else math.nan,
            "median_nearest_km": naive_weighted_median(list(nearest), list(weights)),
            "max_nearest_km": float(nearest.max()) if not np.isnan(nearest).any() else math.nan,
            "is_desert": not covered.any(),
        })
    return pd.DataFrame(rows, columns=["code", "demand_points", "weight", "rate", "covered_points", "desert_points",
                                       "desert_weight", "single_source_share", "median_nearest_km",
                                       "max_nearest_km", "is_desert"])


@PROPERTY
@given(sites, st.floats(0.5, 150), st.sampled_from(["commune", "departement"]))
def test_units_table_equals_a_groupby_loop(drawn, radius, level):
    rows = _rows(drawn)
    for i, row in enumerate(rows):
        row["commune"] = f"{row['dep']}{i % 4:03d}"
    catalog = build_catalog(rows)
    result = coverage_rate(catalog, capability="pliage", radius_km=radius, count_cap=3)
    column = {"commune": "commune_code", "departement": "department_code"}[level]
    got = coverage_by_unit(result, level=level)
    want = _units_by_loop(result.points, column)
    assert list(got.columns) == list(want.columns) and got["code"].tolist() == want["code"].tolist()
    for name in want.columns.drop("code"):
        assert len(want) == 0 or got[name].dtype == want[name].dtype, name
        np.testing.assert_allclose(got[name].to_numpy(float), want[name].to_numpy(float), rtol=0, atol=1e-12,
                                   err_msg=name)


def test_count_cap_below_two_is_refused():
    catalog = build_catalog([{"id": 1, "lat": 48.7, "lon": 6.2, "caps": ["pliage"]}])
    with pytest.raises(ValueError):
        coverage_rate(catalog, capability="pliage", radius_km=10, count_cap=1)


@PROPERTY
@given(sites, st.floats(0.5, 150), st.sampled_from(["pliage", "tournage"]), st.sampled_from([None, 3]))
def test_precomputed_nearest_suppliers_give_the_same_coverage_summary_and_matrix(drawn, radius, capability, cap):
    from dashboard.analytics.coverage import coverage_matrix, coverage_summary, nearest_suppliers

    rows = _rows(drawn)
    catalog = build_catalog(rows)
    cache = {code: nearest_suppliers(catalog, capability=code) for code in catalog.capability_codes}
    distances = _brute(rows, rows, capability, radius, [r["id"] for r in rows])
    given_nearest = coverage_rate(catalog, capability=capability, radius_km=radius, count_cap=cap,
                                  nearest=cache.__getitem__)
    _check(given_nearest, distances, [float(r["jobs"]) for r in rows], radius, cap)
    queried = coverage_rate(catalog, capability=capability, radius_km=radius, count_cap=cap)
    pd.testing.assert_frame_equal(given_nearest.points, queried.points)
    pd.testing.assert_frame_equal(given_nearest.single_suppliers, queried.single_suppliers)
    pd.testing.assert_frame_equal(coverage_summary(catalog, radius_km=radius, nearest=cache.__getitem__),
                                  coverage_summary(catalog, radius_km=radius))
    pd.testing.assert_frame_equal(coverage_matrix(catalog, radius_km=radius, nearest=cache.__getitem__),
                                  coverage_matrix(catalog, radius_km=radius))


def test_nearest_suppliers_of_another_capability_or_demand_are_refused():
    from dashboard.analytics.coverage import nearest_suppliers

    rows = [{"id": 1, "lat": 48.7, "lon": 6.2, "caps": ["pliage"], "jobs": 5, "dep": "54"},
            {"id": 2, "lat": 48.8, "lon": 6.1, "caps": ["pliage", "tournage"], "jobs": 3, "dep": "54"}]
    catalog = build_catalog(rows)
    other = nearest_suppliers(catalog, capability="tournage")
    with pytest.raises(ValueError, match="given for 'pliage'"):
        coverage_rate(catalog, capability="pliage", radius_km=10, count_cap=3, nearest=lambda _code: other)
