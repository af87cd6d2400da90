"""The site index and the partner engine: hand-built cases and property tests against brute force."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dashboard.analytics.geodesy import EARTH_RADIUS_KM, haversine_km
from dashboard.analytics.partners import (
    SIZE_BAND_ORDER,
    PartnerQueryError,
    distance_reason,
    partner_catalog,
    partners_near,
)
from dashboard.analytics.spatial import SiteIndex
from dashboard.formatting import NBSP

COMMERCY = (48.7633, 5.5916)
EDGE_M = 1e-3  # km: sites closer than 1 m to a radius may fall either side (float rounding)
PROPERTY = settings(max_examples=60, deadline=None)

# Sites around and beyond Lorraine (Champagne, Alsace, Luxembourg, Saarland, Franche-Comté).
lats = st.floats(47.0, 50.2, allow_nan=False)
lons = st.floats(4.0, 8.5, allow_nan=False)
site_lists = st.lists(st.tuples(lats, lons), min_size=0, max_size=60)


def north_of(origin: tuple[float, float], km: float) -> tuple[float, float]:
    """A point `km` great-circle km due north of `origin` (along the meridian)."""
    return origin[0] + math.degrees(km / EARTH_RADIUS_KM), origin[1]


# --- SiteIndex: hand-built -----------------------------------------------------------------------

def test_empty_index_answers_nothing():
    index = SiteIndex([], [])
    assert index.size == 0
    positions, distances = index.within(*COMMERCY, 50)
    assert positions.size == 0 and distances.size == 0
    assert index.nearest(*COMMERCY, 3)[0].size == 0
    assert index.count_within(*COMMERCY, 50) == 0
    assert index.count_within([48.0, 49.0], [6.0, 6.0], 50).tolist() == [0, 0]
    positions, distances = index.nearest_many([48.0], [6.0], 2)
    assert positions.tolist() == [[-1, -1]] and np.isinf(distances).all()


def test_single_site():
    site = north_of(COMMERCY, 12.0)
    index = SiteIndex([site[0]], [site[1]])
    positions, distances = index.within(*COMMERCY, 20)
    assert positions.tolist() == [0]
    assert distances[0] == pytest.approx(12.0, abs=1e-9)
    assert index.within(*COMMERCY, 11.99)[0].size == 0
    positions, distances = index.nearest(*COMMERCY, 3)
    assert positions.tolist() == [0] and distances[0] == pytest.approx(12.0, abs=1e-9)
    positions, distances = index.nearest_many([COMMERCY[0]], [COMMERCY[1]], 3)
    assert positions.tolist() == [[0, -1, -1]]
    assert np.isinf(distances[0, 1:]).all()


def test_radius_boundary_exactly_inside_and_outside():
    sites = [north_of(COMMERCY, 40.0), north_of(COMMERCY, 10.0), (COMMERCY[0], COMMERCY[1] + 0.5)]
    index = SiteIndex([s[0] for s in sites], [s[1] for s in sites])
    exact = haversine_km(*COMMERCY, *sites[2])
    assert index.within(*COMMERCY, exact)[0].tolist() == [1, 2]  # exactly at the radius: inside
    assert index.within(*COMMERCY, exact - 1e-6)[0].tolist() == [1]  # 1 mm short: outside
    assert index.within(*COMMERCY, exact + 1e-6)[0].tolist() == [1, 2]
    assert index.count_within(*COMMERCY, exact) == 2
    assert index.count_within(*COMMERCY, exact - 1e-6) == 1
    d40 = haversine_km(*COMMERCY, *sites[0])
    assert d40 == pytest.approx(40.0, abs=1e-9)
    assert index.within(*COMMERCY, d40)[0].tolist() == [1, 2, 0]


def test_within_far_beyond_lorraine():
    # Strasbourg, Luxembourg, Dijon, Paris, Reims and Metz seen from Commercy with a 300 km radius.
    places = np.array([(48.5734, 7.7521), (49.6116, 6.1319), (47.3220, 5.0415), (48.8566, 2.3522),
                       (49.2583, 4.0317), (49.1193, 6.1757)])
    index = SiteIndex(places[:, 0], places[:, 1])
    expected = haversine_km(*COMMERCY, places[:, 0], places[:, 1])
    positions, distances = index.within(*COMMERCY, 300)
    assert positions.tolist() == np.argsort(expected).tolist()
    np.testing.assert_allclose(distances, np.sort(expected), atol=1e-9)
    positions, _ = index.within(*COMMERCY, 150)
    assert set(positions.tolist()) == set(np.flatnonzero(expected <= 150).tolist())


def test_duplicate_sites_and_ties_go_to_lowest_positions():
    site = north_of(COMMERCY, 5.0)
    index = SiteIndex([site[0]] * 4, [site[1]] * 4)
    assert index.nearest(*COMMERCY, 2)[0].tolist() == [0, 1]
    assert index.within(*COMMERCY, 6)[0].tolist() == [0, 1, 2, 3]
    assert index.nearest(*COMMERCY, 2, mask=np.array([False, True, False, True]))[0].tolist() == [1, 3]


def test_subset_returns_parent_positions():
    rng = np.random.default_rng(5)
    lat, lon = rng.uniform(47.8, 49.6, 300), rng.uniform(4.9, 7.6, 300)
    index = SiteIndex(lat, lon)
    chosen = np.flatnonzero(rng.random(300) < 0.3)
    sub = index.subset(chosen)
    positions, distances = sub.within(48.7, 6.2, 60)
    brute = haversine_km(48.7, 6.2, lat[chosen], lon[chosen])
    assert positions.tolist() == chosen[np.argsort(brute, kind="stable")][np.sort(brute) <= 60].tolist()
    np.testing.assert_allclose(distances, haversine_km(48.7, 6.2, lat[positions], lon[positions]), atol=1e-9)


def test_invalid_inputs_raise():
    with pytest.raises(ValueError):
        SiteIndex([1.0, 2.0], [1.0])
    with pytest.raises(ValueError):
        SiteIndex([np.nan], [6.0])
    index = SiteIndex([48.0], [6.0])
    with pytest.raises(ValueError):
        index.within(48.0, 6.0, -1)
    with pytest.raises(ValueError):
        index.nearest(48.0, 6.0, 1, mask=np.array([True, False]))


def test_masked_nearest_on_a_large_index_matches_brute_force():
    rng = np.random.default_rng(11)
    n = 20_000
    lat, lon = rng.uniform(47.8, 49.6, n), rng.uniform(4.9, 7.6, n)
    index = SiteIndex(lat, lon)
    mask = rng.random(n) < 0.4  # 8,000 eligible: the k-d tree path, not the small-set scan
    for origin in [(48.7, 6.2), (47.2, 4.2), (50.1, 8.4)]:
        positions, distances = index.nearest(*origin, 7, mask=mask)
        brute = np.where(mask, haversine_km(*origin, lat, lon), np.inf)
        expected = np.argsort(brute, kind="stable")[:7]
        assert positions.tolist() == expected.tolist()
        np.testing.assert_allclose(distances, brute[expected], atol=1e-9)


# --- SiteIndex: properties -----------------------------------------------------------------------

@PROPERTY
@given(site_lists, lats, lons, st.floats(0.5, 300))
def test_within_equals_brute_force(sites, lat, lon, radius):
    index = SiteIndex([s[0] for s in sites], [s[1] for s in sites])
    brute = haversine_km(lat, lon, np.array([s[0] for s in sites]), np.array([s[1] for s in sites]))
    positions, distances = index.within(lat, lon, radius)
    got = set(positions.tolist())
    assert {i for i, d in enumerate(brute) if d <= radius - EDGE_M} <= got
    assert got <= {i for i, d in enumerate(brute) if d <= radius + EDGE_M}
    np.testing.assert_allclose(distances, brute[positions] if len(sites) else [], atol=1e-6)
    assert np.all(np.diff(distances) >= 0)
    assert index.count_within(lat, lon, radius) == positions.size


@PROPERTY
@given(site_lists, lats, lons, st.integers(1, 10), st.booleans(), st.randoms(use_true_random=False))
def test_nearest_equals_brute_force(sites, lat, lon, k, masked, random):
    index = SiteIndex([s[0] for s in sites], [s[1] for s in sites])
    brute = haversine_km(lat, lon, np.array([s[0] for s in sites]), np.array([s[1] for s in sites]))
    mask = np.array([random.random() < 0.5 for _ in sites], dtype=bool) if masked else None
    eligible = brute if mask is None else brute[mask]
    positions, distances = index.nearest(lat, lon, k, mask=mask)
    np.testing.assert_allclose(distances, np.sort(eligible)[:k], atol=1e-6)
    if len(sites):
        np.testing.assert_allclose(brute[positions], distances, atol=1e-6)
    if mask is not None:
        assert mask[positions].all()
    many_positions, many_distances = index.nearest_many([lat], [lon], k)
    found = many_positions[0] >= 0
    np.testing.assert_allclose(many_distances[0][found], np.sort(brute)[:k], atol=1e-6)


@PROPERTY
@given(site_lists, st.lists(st.tuples(lats, lons), min_size=1, max_size=8), st.floats(0.5, 300))
def test_count_within_and_nearest_many_equal_brute_force(sites, origins, radius):
    index = SiteIndex([s[0] for s in sites], [s[1] for s in sites])
    site_lat, site_lon = np.array([s[0] for s in sites]), np.array([s[1] for s in sites])
    o_lat, o_lon = np.array([o[0] for o in origins]), np.array([o[1] for o in origins])
    brute = haversine_km(o_lat[:, None], o_lon[:, None], site_lat[None, :], site_lon[None, :]).reshape(
        len(origins), len(sites))
    assume(not np.any(np.abs(brute - radius) < EDGE_M))
    assert index.count_within(o_lat, o_lon, radius).tolist() == (brute <= radius).sum(axis=1).tolist()
    positions, distances = index.nearest_many(o_lat, o_lon, 3, max_km=radius)
    for row in range(len(origins)):
        expected = np.sort(brute[row][brute[row] <= radius])[:3]
        found = positions[row] >= 0
        np.testing.assert_allclose(distances[row][found], expected, atol=1e-6)
        assert found.sum() == expected.size


# --- partners_near: hand-built -------------------------------------------------------------------

CAPABILITIES = pd.DataFrame({"code": ["soudure_tig", "soudure_robotisee", "pliage", "tournage"],
                             "label": ["Soudure TIG", "Soudure robotisée", "Pliage", "Tournage"]})
CERTIFICATIONS = pd.DataFrame({"code": ["en9100", "iso9001"], "label": ["EN 9100", "ISO 9001"]})
SIZE_BANDS = pd.DataFrame({"code": list(SIZE_BAND_ORDER), "short_label": [f"t{c}" for c in SIZE_BAND_ORDER],
                           "sort_order": range(len(SIZE_BAND_ORDER))})


def build_catalog(rows: list[dict]):
    """A catalog from rows {id, lat, lon, caps, presumed, certs, member, size, naf}."""
    establishments = pd.DataFrame({
        "id": [r["id"] for r in rows],
        "public_id": [f"DEMO-{r['id']}" for r in rows],
        "name": [f"Établissement {r['id']}" for r in rows],
        "naf_code": [r.get("naf", "25.62B") for r in rows],
        "size_band_code": [r.get("size", "12") for r in rows],
        "headcount_estimate": [r.get("jobs", 30) for r in rows],
        "lat": [r["lat"] for r in rows],
        "lon": [r["lon"] for r in rows],
        "is_member": [r.get("member", False) for r in rows],
    }, columns=["id", "public_id", "name", "naf_code", "size_band_code", "headcount_estimate", "lat", "lon",
                "is_member"])
    capability_links = pd.DataFrame(
        [(r["id"], c, "presumed" if c in r.get("presumed", ()) else "declared") for r in rows
         for c in r.get("caps", ())], columns=["establishment_id", "capability_code", "origin"])
    certification_links = pd.DataFrame([(r["id"], c) for r in rows for c in r.get("certs", ())],
                                       columns=["establishment_id", "certification_code"])
    return partner_catalog(establishments, capability_links, certification_links,
                           capability_taxonomy=CAPABILITIES, certification_taxonomy=CERTIFICATIONS,
                           size_bands=SIZE_BANDS)


ALL3 = ("soudure_tig", "soudure_robotisee", "pliage")


def site(id_: int, km: float, **kw) -> dict:
    lat, lon = north_of(COMMERCY, km)
    return {"id": id_, "lat": lat, "lon": lon, **kw}


@pytest.fixture(scope="module")
def catalog():
    return build_catalog([
        site(1, 0.0, caps=ALL3, certs=["en9100"]),  # the origin itself
        site(2, 20.0, caps=ALL3, certs=["en9100"], member=True),
        site(3, 5.0, caps=["soudure_tig"], size="03"),
        site(4, 30.0, caps=["soudure_tig", "pliage"], presumed=["pliage"], certs=["en9100"], naf="28.41Z"),
        site(5, 39.999, caps=ALL3, certs=["en9100"], size="21"),
        site(6, 40.001, caps=ALL3, certs=["en9100"]),
        site(7, 79.0, caps=ALL3, certs=["en9100"]),
        site(8, 81.0, caps=ALL3, certs=["en9100"]),
        site(9, 2.0, size=None),
    ])


def test_all_capabilities_with_certification(catalog):
    result = partners_near(catalog, lat=COMMERCY[0], lon=COMMERCY[1], capabilities=ALL3, certifications=["en9100"],
                           radius_km=40, exclude_id=1)
    assert result.items["id"].tolist() == [2, 5]
    assert result.total_in_radius == 2
    assert result.beyond_radius == 2  # sites 6 (40.001 km) and 7 (79 km); 8 lies beyond 80 km
    assert result.next_radius_km == 80.0
    np.testing.assert_allclose(result.items["distance_km"], [20.0, 39.999], atol=1e-9)
    np.testing.assert_allclose(result.items["road_km_estimate"], [26.0, 1.3 * 39.999], atol=1e-9)
    np.testing.assert_allclose(result.items["drive_min_estimate"], [26.0 / 70 * 60, 1.3 * 39.999 / 70 * 60],
                               atol=1e-9)
    # score = 100 × (matched + 1 − d/r) / (requested + 1)
    assert result.items["score"].tolist() == [87.5, 75.0]
    assert result.items["matched_capabilities"].tolist() == [list(ALL3), list(ALL3)]
    assert result.items["why"][0] == ["3 savoir-faire demandés sur 3", "EN 9100", f"20{NBSP}km", "adhérent UIMM"]
    # Next to a 40 km radius, 39.999 km keeps a decimal (cut, not rounded): it never reads as the radius.
    assert result.items["why"][1] == ["3 savoir-faire demandés sur 3", "EN 9100", f"39,9{NBSP}km"]
    assert {"public_id", "name", "naf_code", "lat", "lon"} <= set(result.items.columns)


def test_any_mode_ranks_by_capabilities_matched_then_distance(catalog):
    kwargs = dict(lat=COMMERCY[0], lon=COMMERCY[1], capabilities=["soudure_tig", "pliage"], capability_mode="any",
                  radius_km=40, exclude_id=1)
    result = partners_near(catalog, **kwargs)
    assert result.items["id"].tolist() == [2, 4, 5, 3]
    assert result.items["score"].tolist() == [83.3, 75.0, 66.7, 62.5]
    assert result.items["why"][3] == ["1 savoir-faire demandé sur 2 : Soudure TIG", f"5,0{NBSP}km"]
    assert result.items["why"][1] == ["2 savoir-faire demandés sur 2",
                                      "savoir-faire présumé d'après le code NAF : Pliage", f"30{NBSP}km"]
    assert result.items["matched_capabilities"][3] == ["soudure_tig"]
    by_distance = partners_near(catalog, **kwargs, sort="distance")
    assert by_distance.items["id"].tolist() == [3, 2, 4, 5]
    assert partners_near(catalog, **kwargs, sort="road").items["id"].tolist() == [3, 2, 4, 5]
    assert result.beyond_radius == 2


def test_origin_is_never_listed(catalog):
    with_origin = partners_near(catalog, lat=COMMERCY[0], lon=COMMERCY[1], radius_km=10)
    assert with_origin.items["id"].tolist() == [1, 9, 3]
    without = partners_near(catalog, lat=COMMERCY[0], lon=COMMERCY[1], radius_km=10, exclude_id=1)
    assert without.items["id"].tolist() == [9, 3]
    assert without.total_in_radius == 2
    # No capability requested: score is proximity only, 100 × (1 − d/r).
    assert without.items["score"].tolist() == [80.0, 50.0]
    assert without.items["why"][0] == [f"2,0{NBSP}km"]


def test_filters_size_members_naf_and_limit(catalog):
    origin = dict(lat=COMMERCY[0], lon=COMMERCY[1], radius_km=40, exclude_id=1)
    sized = partners_near(catalog, **origin, size_min="12")
    assert sized.items["id"].tolist() == [2, 4, 5]  # 3 is "03", 9 has no size band
    assert sized.items["why"][2][0] == "effectif : t21"
    assert partners_near(catalog, **origin, members_only=True).items["id"].tolist() == [2]
    assert partners_near(catalog, **origin, naf_codes=["28"]).items["id"].tolist() == [4]
    assert partners_near(catalog, **origin, naf_codes="28.41Z").items["why"][0][0] == "NAF 28.41Z"
    assert partners_near(catalog, **origin, naf_codes=["25.6"]).items["id"].tolist() == [9, 3, 2, 5]
    limited = partners_near(catalog, **origin, limit=2)
    assert limited.items["id"].tolist() == [9, 3]
    assert limited.total_in_radius == 5


def test_site_columns_keep_only_the_named_establishment_columns_and_the_same_rows(catalog):
    origin = dict(lat=COMMERCY[0], lon=COMMERCY[1], radius_km=40, exclude_id=1)
    full = partners_near(catalog, **origin).items
    slim = partners_near(catalog, **origin, site_columns=["id"]).items
    extra = ["distance_km", "road_km_estimate", "drive_min_estimate", "matched_capabilities", "score", "why"]
    assert list(slim.columns) == ["id", *extra]
    pd.testing.assert_frame_equal(slim, full[["id", *extra]])


def test_next_radius_is_capped_at_300_km(catalog):
    wide = partners_near(catalog, lat=COMMERCY[0], lon=COMMERCY[1], radius_km=200)
    assert wide.next_radius_km == 300.0
    widest = partners_near(catalog, lat=COMMERCY[0], lon=COMMERCY[1], radius_km=300)
    assert widest.next_radius_km is None and widest.beyond_radius == 0 and widest.total_in_radius == 9


def test_unknown_capability_with_no_supplier_and_empty_catalog():
    catalog = build_catalog([site(1, 3.0, caps=["pliage"])])
    result = partners_near(catalog, lat=COMMERCY[0], lon=COMMERCY[1], capabilities=["tournage"])
    assert result.items.empty and result.total_in_radius == 0 and result.beyond_radius == 0
    empty = build_catalog([])
    result = partners_near(empty, lat=COMMERCY[0], lon=COMMERCY[1], capabilities=["pliage"])
    assert result.items.empty and result.total_in_radius == 0
    assert {"distance_km", "score", "why", "matched_capabilities"} <= set(result.items.columns)


@pytest.mark.parametrize(("kwargs", "field", "words"), [
    ({"capabilities": ["soudure_laser"]}, "capabilities", "Savoir-faire inconnu"),
    ({"radius_km": 0}, "radius_km", "rayon"),
    ({"radius_km": 300.5}, "radius_km", "rayon"),
    ({"radius_km": float("nan")}, "radius_km", "rayon"),
    ({"capability_mode": "some"}, "capability_mode", "Mode"),
    ({"sort": "name"}, "sort", "Tri inconnu"),
    ({"lat": 52.0}, "lat", "France métropolitaine"),
    ({"lon": -6.0}, "lat", "France métropolitaine"),
    ({"lat": "abc"}, "lat", "Coordonnées"),
    ({"certifications": ["iso0000"]}, "certifications", "Certification inconnue"),
    ({"size_min": "99"}, "size_min", "Tranche d'effectif inconnue"),
    ({"naf_codes": ["2"]}, "naf_codes", "Code NAF invalide"),
    ({"limit": 0}, "limit", "limite"),
])
def test_invalid_queries_raise_partner_query_error(catalog, kwargs, field, words):
    query = {"lat": COMMERCY[0], "lon": COMMERCY[1], **kwargs}
    with pytest.raises(PartnerQueryError) as raised:
        partners_near(catalog, **query)
    assert raised.value.field == field
    assert words in str(raised.value)
    assert isinstance(raised.value, ValueError)


# --- partners_near: property test against a naive implementation --------------------------------

CODES = ("soudure_tig", "pliage", "tournage")
SIZES = ("01", "12", "21", None)
NAFS = ("25.62B", "28.41Z", None)

establishment_rows = st.lists(st.fixed_dictionaries({
    "lat": lats, "lon": lons,
    "caps": st.lists(st.sampled_from(CODES), unique=True, max_size=3),
    "certs": st.lists(st.sampled_from(["en9100", "iso9001"]), unique=True, max_size=2),
    "member": st.booleans(), "size": st.sampled_from(SIZES), "naf": st.sampled_from(NAFS),
}), max_size=40)

queries = st.fixed_dictionaries({
    "lat": lats, "lon": lons,
    "capabilities": st.lists(st.sampled_from(CODES), unique=True, max_size=3),
    "capability_mode": st.sampled_from(["all", "any"]),
    "certifications": st.lists(st.sampled_from(["en9100", "iso9001"]), unique=True, max_size=1),
    "naf_codes": st.sampled_from([[], ["25"], ["28.41Z"]]),
    "size_min": st.sampled_from([None, "12"]),
    "members_only": st.booleans(),
    "radius_km": st.floats(0.5, 300),
    "sort": st.sampled_from(["score", "distance", "road"]),
    "limit": st.one_of(st.none(), st.integers(1, 8)),
    "exclude": st.integers(0, 45),
})


def naive_partners(rows: list[dict], q: dict) -> tuple[list[tuple], int]:
    """Every row checked one by one: (ranking key, id) within the radius, and the count beyond it."""
    requested, r = q["capabilities"], q["radius_km"]
    next_r = min(2 * r, 300.0) if r < 300 else None
    ranked, beyond = [], 0
    for row in rows:
        matched = [c for c in requested if c in row["caps"]]
        if requested and q["capability_mode"] == "all" and len(matched) < len(requested):
            continue
        if requested and q["capability_mode"] == "any" and not matched:
            continue
        if not set(q["certifications"]) <= set(row["certs"]):
            continue
        if q["naf_codes"] and not (row["naf"] and row["naf"].startswith(tuple(q["naf_codes"]))):
            continue
        if q["size_min"] and (row["size"] is None or SIZE_BAND_ORDER.index(row["size"])
                              < SIZE_BAND_ORDER.index(q["size_min"])):
            continue
        if q["members_only"] and not row["member"] or row["id"] == q["exclude"]:
            continue
        d = haversine_km(q["lat"], q["lon"], row["lat"], row["lon"])
        assume(abs(d - r) > EDGE_M and (next_r is None or abs(d - next_r) > EDGE_M))
        if d <= r:
            key = (-len(matched), d) if q["sort"] == "score" else (0, d)
            ranked.append((key, row["id"], len(matched), d))
        elif next_r is not None and d <= next_r:
            beyond += 1
    ranked.sort(key=lambda t: (t[0], t[1]))
    return ranked, beyond


# One capability and no other filter: the fast path (counts without listing, top-k by k-nearest).
single_capability_queries = st.fixed_dictionaries({
    "lat": lats, "lon": lons,
    "capabilities": st.lists(st.sampled_from(CODES), min_size=1, max_size=1),
    "capability_mode": st.sampled_from(["all", "any"]),
    "certifications": st.just([]), "naf_codes": st.just([]), "size_min": st.none(), "members_only": st.just(False),
    "radius_km": st.floats(0.5, 300),
    "sort": st.sampled_from(["score", "distance", "road"]),
    "limit": st.one_of(st.none(), st.integers(1, 8)),
    "exclude": st.integers(0, 45),
})


@PROPERTY
@given(establishment_rows, queries)
def test_partners_near_equals_a_naive_filter_and_sort(rows, q):
    check_against_naive(rows, q)


@PROPERTY
@given(establishment_rows, single_capability_queries)
def test_single_capability_fast_path_equals_a_naive_filter_and_sort(rows, q):
    check_against_naive(rows, q)


def check_against_naive(rows: list[dict], q: dict) -> None:
    for i, row in enumerate(rows):
        row["id"] = i + 1
    catalog = build_catalog(rows)
    expected, beyond = naive_partners(rows, q)
    result = partners_near(catalog, lat=q["lat"], lon=q["lon"], capabilities=q["capabilities"],
                           capability_mode=q["capability_mode"], certifications=q["certifications"],
                           naf_codes=q["naf_codes"], size_min=q["size_min"], members_only=q["members_only"],
                           radius_km=q["radius_km"], exclude_id=q["exclude"], sort=q["sort"], limit=q["limit"])
    assert result.total_in_radius == len(expected)
    assert result.beyond_radius == beyond
    shown = expected if q["limit"] is None else expected[:q["limit"]]
    items = result.items
    assert len(items) == len(shown)
    np.testing.assert_allclose(items["distance_km"], [t[3] for t in shown], atol=1e-6)
    assert [len(m) for m in items["matched_capabilities"]] == [t[2] for t in shown]
    # Same ids in the same order, except that sites at (numerically) equal distance may swap.
    assert_same_ranking(items["id"].tolist(), expected, len(shown))
    n = len(q["capabilities"])
    scores = [round(100 * (t[2] + 1 - t[3] / q["radius_km"]) / (n + 1), 1) for t in shown]
    np.testing.assert_allclose(items["score"], scores, atol=0.1 + 1e-9)
    if q["sort"] == "score":
        assert items["score"].is_monotonic_decreasing
    if q["exclude"] in catalog.ids:
        assert q["exclude"] not in items["id"].tolist()
    if result.next_radius_km is not None:
        widened = partners_near(catalog, lat=q["lat"], lon=q["lon"], capabilities=q["capabilities"],
                                capability_mode=q["capability_mode"], certifications=q["certifications"],
                                naf_codes=q["naf_codes"], size_min=q["size_min"], members_only=q["members_only"],
                                radius_km=result.next_radius_km, exclude_id=q["exclude"])
        assert widened.total_in_radius == result.total_in_radius + result.beyond_radius


def assert_same_ranking(got: list[int], expected: list[tuple], shown: int) -> None:
    """`got` lists the first `shown` ids of `expected`, in order up to runs of equal keys (1e-9 km)."""
    runs: list[list[tuple]] = []
    for entry in expected:
        if runs and entry[0][0] == runs[-1][-1][0][0] and abs(entry[0][1] - runs[-1][-1][0][1]) <= 1e-9:
            runs[-1].append(entry)
        else:
            runs.append([entry])
    start = 0
    for run in runs:
        if start >= shown:
            break
        block = got[start:start + len(run)]
        assert set(block) <= {e[1] for e in run}
        start += len(run)


# --- Wished certifications: rank up, never exclude (issue 15) -------------------------------------

def test_wished_certification_ranks_holders_up_without_excluding(catalog):
    plain = partners_near(catalog, lat=COMMERCY[0], lon=COMMERCY[1], capabilities=["soudure_tig"], radius_km=40,
                          exclude_id=1)
    wished = partners_near(catalog, lat=COMMERCY[0], lon=COMMERCY[1], capabilities=["soudure_tig"], radius_km=40,
                           exclude_id=1, wished_certifications=["en9100"])
    assert plain.items["id"].tolist() == [3, 2, 4, 5]  # by distance: 5, 20, 30, 39.999 km
    assert wished.items["id"].tolist() == [2, 4, 5, 3]  # the EN 9100 holders first, then site 3 (none)
    assert wished.total_in_radius == plain.total_in_radius and wished.beyond_radius == plain.beyond_radius
    assert wished.items["why"][0] == ["1 savoir-faire demandé sur 1", "certification souhaitée : EN 9100",
                                      f"20{NBSP}km", "adhérent UIMM"]
    assert not any("souhaitée" in w for w in wished.items["why"].iloc[-1])  # site 3 holds none: nothing said
    assert wished.items["score"].is_monotonic_decreasing
    # A required certification is not wished as well: it filters, as before.
    both = partners_near(catalog, lat=COMMERCY[0], lon=COMMERCY[1], capabilities=["soudure_tig"], radius_km=40,
                         exclude_id=1, certifications=["en9100"], wished_certifications=["en9100"])
    assert both.items["id"].tolist() == [2, 4, 5]
    with pytest.raises(PartnerQueryError) as err:
        partners_near(catalog, lat=COMMERCY[0], lon=COMMERCY[1], wished_certifications=["iso27001"])
    assert err.value.field == "wished_certifications"


wished_lists = st.lists(st.sampled_from(["en9100", "iso9001"]), max_size=2, unique=True)


@PROPERTY
@given(establishment_rows, queries, wished_lists)
def test_a_wished_certification_never_reduces_the_results_and_ranks_holders_up(rows, q, wished):
    for i, row in enumerate(rows):
        row["id"] = i + 1
    catalog = build_catalog(rows)
    args = dict(lat=q["lat"], lon=q["lon"], capabilities=q["capabilities"], capability_mode=q["capability_mode"],
                certifications=q["certifications"], naf_codes=q["naf_codes"], size_min=q["size_min"],
                members_only=q["members_only"], radius_km=q["radius_km"], exclude_id=q["exclude"], sort=q["sort"])
    plain = partners_near(catalog, **args)
    ranked = partners_near(catalog, **args, wished_certifications=wished)
    assert ranked.total_in_radius == plain.total_in_radius and ranked.beyond_radius == plain.beyond_radius
    assert sorted(ranked.items["id"]) == sorted(plain.items["id"])
    if q["sort"] != "score":  # distance and road orders ignore wishes
        assert ranked.items["id"].tolist() == plain.items["id"].tolist()
        return
    certs = {row["id"]: set(row["certs"]) for row in rows}
    held = [len(certs[i] & (set(wished) - set(q["certifications"]))) for i in ranked.items["id"]]
    matched = [len(m) for m in ranked.items["matched_capabilities"]]
    keys = list(zip([-m for m in matched], [-h for h in held]))
    assert keys == sorted(keys)  # capabilities first, then wished certifications held
    assert ranked.items["score"].is_monotonic_decreasing
    limited = partners_near(catalog, **args, wished_certifications=wished, limit=3)
    limited_keys = [(-len(m), -len(certs[i] & (set(wished) - set(q["certifications"]))))
                    for i, m in zip(limited.items["id"], limited.items["matched_capabilities"])]
    assert limited_keys == keys[:3]  # the cut keeps the best ranked


# --- The "pourquoi" distance ------------------------------------------------------------------------

@pytest.mark.parametrize("km, radius, text", [
    (39.5, 40, "39,5"),  # whole km would read "40 km", the radius itself
    (39.96, 40, "39,9"),  # cut, not rounded: still inside
    (40.0, 40, "40,0"),
    (38.6, 40, "39"),  # more than 1 km inside: whole km
    (9.94, 40, "9,9"),  # under 10 km: one decimal as before
    (5.0, 5, "5,0"),
    (24.5, 25, "24,5"),
    (120.4, 150, "120"),
    (149.3, 150, "149,3"),
    (39.5, None, "40"),  # no radius: whole km
])
def test_distance_reason_keeps_a_decimal_near_the_radius(km, radius, text):
    assert distance_reason(km, radius_km=radius) == f"{text}{NBSP}km"
