"""Great-circle distances, Lambert-93 projection and road estimates, against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.analytics.geodesy import (
    AVERAGE_SPEED_KMH,
    EARTH_RADIUS_KM,
    ROAD_DETOUR_FACTOR,
    drive_min_estimate,
    from_lambert93,
    haversine_km,
    road_km_estimate,
    to_lambert93,
)

METZ = (49.1193, 6.1757)
NANCY = (48.6921, 6.1844)


def test_metz_nancy_matches_a_hand_computation():
    # Nearly a meridian arc: R·Δφ north-south, R·cos(φm)·Δλ east-west (equirectangular, exact to ~1e-5 here).
    north = EARTH_RADIUS_KM * math.radians(METZ[0] - NANCY[0])
    east = EARTH_RADIUS_KM * math.cos(math.radians((METZ[0] + NANCY[0]) / 2)) * math.radians(NANCY[1] - METZ[1])
    expected = math.hypot(north, east)  # 47.507 km
    distance = haversine_km(*METZ, *NANCY)
    assert isinstance(distance, float)
    assert distance == pytest.approx(expected, abs=1e-3)
    assert round(distance, 1) == 47.5


def test_exact_arcs_on_the_sphere():
    assert haversine_km(0, 0, 0, 1) == pytest.approx(EARTH_RADIUS_KM * math.pi / 180, rel=1e-12)
    assert haversine_km(0, 0, 90, 0) == pytest.approx(EARTH_RADIUS_KM * math.pi / 2, rel=1e-12)
    assert haversine_km(48.0, 6.0, -48.0, -174.0) == pytest.approx(EARTH_RADIUS_KM * math.pi, rel=1e-9)  # antipodes
    assert haversine_km(*METZ, *METZ) == 0.0


def test_haversine_broadcasts():
    lats = np.array([NANCY[0], METZ[0], 48.0])
    lons = np.array([NANCY[1], METZ[1], 6.0])
    out = haversine_km(METZ[0], METZ[1], lats, lons)
    assert out.shape == (3,)
    assert out[1] == 0.0
    grid = haversine_km(lats[:, None], lons[:, None], lats[None, :], lons[None, :])
    assert grid.shape == (3, 3)
    np.testing.assert_allclose(grid, grid.T, rtol=0, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.floats(41, 51.5), st.floats(-5.5, 10), st.floats(41, 51.5), st.floats(-5.5, 10))
def test_haversine_is_a_symmetric_nonnegative_distance(lat1, lon1, lat2, lon2):
    d = haversine_km(lat1, lon1, lat2, lon2)
    assert d >= 0
    assert d == pytest.approx(haversine_km(lat2, lon2, lat1, lon1), abs=1e-9)
    assert d <= EARTH_RADIUS_KM * math.pi


def test_lambert93_origin_and_metz():
    # The projection's natural origin (46°30'N, 3°E) has false easting/northing 700 000 / 6 600 000 m.
    x, y = to_lambert93(46.5, 3.0)
    assert float(x) == pytest.approx(700_000.0, abs=1e-6)
    assert float(y) == pytest.approx(6_600_000.0, abs=1e-6)
    x, y = to_lambert93(*METZ)
    assert 925_000 < float(x) < 940_000 and 6_890_000 < float(y) < 6_900_000


def test_lambert93_round_trip():
    rng = np.random.default_rng(3)
    lat = rng.uniform(41, 51.5, 500)
    lon = rng.uniform(-5.5, 10, 500)
    back_lat, back_lon = from_lambert93(*to_lambert93(lat, lon))
    np.testing.assert_allclose(back_lat, lat, atol=1e-9)
    np.testing.assert_allclose(back_lon, lon, atol=1e-9)


def test_lambert93_distance_is_close_to_great_circle_in_lorraine():
    x1, y1 = to_lambert93(*METZ)
    x2, y2 = to_lambert93(*NANCY)
    projected_km = math.hypot(float(x2 - x1), float(y2 - y1)) / 1000
    assert projected_km == pytest.approx(haversine_km(*METZ, *NANCY), rel=0.004)


def test_road_and_drive_estimates():
    assert ROAD_DETOUR_FACTOR == 1.3 and AVERAGE_SPEED_KMH == 70.0
    assert road_km_estimate(10.0) == pytest.approx(13.0)
    assert drive_min_estimate(10.0) == pytest.approx(13.0 / 70.0 * 60.0)  # 11.14 min
    assert drive_min_estimate(35.0, detour_factor=1.0, speed_kmh=70.0) == pytest.approx(30.0)
    np.testing.assert_allclose(road_km_estimate(np.array([0.0, 1.0])), [0.0, 1.3])


def test_territory_bounds_cover_their_communes_with_a_margin():
    import pandas as pd

    from dashboard.analytics.geodesy import territory_bounds

    communes = pd.DataFrame({"epci": ["A", "A", "B", "C"], "lat": [48.0, 48.5, 49.0, None],
                             "lon": [6.0, 6.4, 5.0, None]})
    a, b, c, missing = territory_bounds(communes, "epci", ["A", "B", "C", "Z"], pad_km=0)
    assert a == [[48.0, 6.0], [48.5, 6.4]] and b == [[49.0, 5.0], [49.0, 5.0]]
    assert c is None and missing is None  # no located commune: nothing to fit
    (s, w), (n, e) = territory_bounds(communes, "epci", ["A"], pad_km=3)[0]
    assert s < 48.0 < 48.5 < n and w < 6.0 < 6.4 < e and round((48.0 - s) * 111.2, 1) == 3.0
