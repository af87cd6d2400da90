"""Server-side clusters of the explorer's map (above TISSU_CLIENT_POINTS_MAX): the same counts as the browser's.

The reference is `assets/clusters.js` itself, run by Node on the point store when Node is installed, and a
line-by-line port of its `features` (per point, in Python) that always runs; both on the demo's points.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from dashboard.analytics.filters import Criteria, filter_mask
from dashboard.policy import ANONYMOUS
from dashboard.services import DataService, explorer
from dashboard.services.industry_territories import industry_territories
from dashboard.services.map_clusters import CLUSTERS, criteria_key, map_view, selection, unit_values

LORRAINE = (47.8, 4.8, 49.7, 7.7)  # south, west, north, east
CUT = (48.55, 5.9, 49.2, 6.7)  # a view whose edges cut through cells at every zoom
CASES = [(Criteria(), LORRAINE, 7.0), (Criteria(), LORRAINE, 8.5), (Criteria(), CUT, 9.25),
         (Criteria(departements=("57", "54")), CUT, 10.0), (Criteria(size_min="11", q="sa"), LORRAINE, 8.0),
         (Criteria(), (48.6, 6.1, 48.75, 6.3), 12.5), (Criteria(), (48.65, 6.12, 48.72, 6.24), 13.0)]


def _merc_y(lat: float) -> float:
    s = math.sin(lat * math.pi / 180)
    return min(1.0, max(0.0, 0.5 - 0.25 * math.log((1 + s) / (1 - s)) / math.pi))


def _reference(store: dict, selected: list[int], bounds, zoom: float) -> list[dict]:
    """assets/clusters.js `features`, transcribed: per point, cells from the smallest x/y of the whole store."""
    radius, max_zoom = CLUSTERS["radius"], CLUSTERS["maxZoom"]
    xs = [lon / 360 + 0.5 for lon in store["lon"]]
    ys = [_merc_y(lat) for lat in store["lat"]]
    s, w, n, e = bounds
    box = (w / 360 + 0.5, _merc_y(n), e / 360 + 0.5, _merc_y(s))
    inside = [i for i in selected if box[0] <= xs[i] <= box[2] and box[1] <= ys[i] <= box[3]]
    z = max(0, math.floor(zoom))
    if z > max_zoom:
        return [{"properties": {"i": i}} for i in inside]
    size = radius / (256 * 2 ** z)
    x0, y0, cols = min(xs), min(ys), math.floor((max(xs) - min(xs)) / size) + 1
    cells: dict[int, list[int]] = {}
    for i in inside:
        cells.setdefault(math.floor((ys[i] - y0) / size) * cols + math.floor((xs[i] - x0) / size), []).append(i)
    out = []
    for members in cells.values():
        if len(members) == 1:
            out.append({"properties": {"i": members[0]}})
        else:
            lat = [store["lat"][i] for i in members]
            lon = [store["lon"][i] for i in members]
            out.append({"geometry": {"coordinates": [sum(lon) / len(lon), sum(lat) / len(lat)]},
                        "properties": {"cluster": True, "point_count": len(members),
                                       "bounds": [[min(lat), min(lon)], [max(lat), max(lon)]]}})
    return out


def _summary(features: list[dict]) -> tuple[list, list, np.ndarray]:
    """Single points by index; clusters as (count, bounds) sorted, and their mean positions in that order (numpy
    and a running sum add the same coordinates in a different order: equal to within 1e-9 degree)."""
    points = sorted(f["properties"]["i"] for f in features if not f["properties"].get("cluster"))
    clusters = sorted(((f["properties"]["point_count"], *(v for c in f["properties"]["bounds"] for v in c)),
                       f["geometry"]["coordinates"]) for f in features if f["properties"].get("cluster"))
    return points, [key for key, _ in clusters], np.array([mean for _, mean in clusters])


def _same(features: list[dict], expected: list[dict]) -> bool:
    (points, clusters, means), (points_e, clusters_e, means_e) = _summary(features), _summary(expected)
    return points == points_e and clusters == clusters_e and np.allclose(means, means_e, rtol=0, atol=1e-9)


def _selected(service, criteria: Criteria) -> list[int]:
    snap = service.snapshot()
    return np.flatnonzero(filter_mask(snap.establishments, criteria, capability_links=snap.capability_links,
                                      certification_links=snap.certification_links,
                                      territory_communes=industry_territories(service).communes)).tolist()


@pytest.fixture(scope="module")
def store(service) -> dict:
    return explorer.point_store_value(service)


@pytest.mark.parametrize(("criteria", "bounds", "zoom"), CASES)
def test_server_clusters_equal_the_browser_grid(service, store, criteria, bounds, zoom):
    view = map_view(service, criteria, ANONYMOUS, bounds=bounds, zoom=zoom)
    expected = _reference(store, _selected(service, criteria), bounds, zoom)
    assert expected, "the case must show something"
    assert _same(view.features, expected)
    assert view.count == len(_selected(service, criteria))
    if zoom < 13 and bounds == LORRAINE:  # the whole territory in view: the counts on the map add up to the total
        assert sum(f["properties"].get("point_count", 1) for f in view.features) == view.count


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js not installed")
def test_server_clusters_equal_clusters_js_run_by_node(service, store):
    """assets/clusters.js itself (in Node, on the point store) against the server, on the same selections."""
    asset = Path(__file__).resolve().parents[1] / "assets" / "clusters.js"
    cases = [{"selected": _selected(service, c), "bounds": [[b[0], b[1]], [b[2], b[3]]], "zoom": z}
             for c, b, z in CASES]
    script = ("global.window = {tissu: {}, innerWidth: 1600, innerHeight: 1000};\n"
              f"{asset.read_text()}\n"
              "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
              "const out = input.cases.map(c => window.tissu.clusters.features(input.store, c.selected, "
              "{bounds: c.bounds, zoom: c.zoom, settings: input.settings}).features);\n"
              "process.stdout.write(JSON.stringify(out));\n")
    done = subprocess.run(["node", "-e", script], input=json.dumps({"store": store, "cases": cases,
                                                                     "settings": CLUSTERS}),
                          capture_output=True, text=True, timeout=60, check=True)
    for (criteria, bounds, zoom), features in zip(CASES, json.loads(done.stdout)):
        view = map_view(service, criteria, ANONYMOUS, bounds=bounds, zoom=zoom)
        assert _same(view.features, features), (criteria, bounds, zoom)


def test_totals_and_choropleth_match_the_selection(service, store):
    criteria = Criteria(departements=("57",))
    chosen = _selected(service, criteria)
    view = map_view(service, criteria, ANONYMOUS, bounds=LORRAINE, zoom=8)
    assert (view.count, view.total) == (len(chosen), len(store["lat"]))
    assert view.jobs == sum(store["h"][i] for i in chosen)
    assert view.communes == len({store["c"][i] for i in chosen})
    values = unit_values(service, criteria, ANONYMOUS, level="departements", metric="count")
    assert values["57"] == len(chosen) and values["54"] == 0


def test_the_threshold_switches_the_page_to_server_clusters(service, engine):
    """At or below the setting the page gets the point store's URL; above it, the map routes instead."""
    total = len(service.snapshot().establishments)
    below = DataService(engine, replace(service.settings, client_points_max=total))
    above = DataService(engine, replace(service.settings, client_points_max=500))
    urls_below = explorer.explorer_data(below, {}, ANONYMOUS).payload_urls
    urls_above = explorer.explorer_data(above, {}, ANONYMOUS).payload_urls
    assert "points" in urls_below and "clusters" not in urls_below
    assert urls_above["clusters"] == "/api/v1/map/clusters" and urls_above["units"] == "/api/v1/map/units"
    assert "points" not in urls_above and urls_above["lookups"] == urls_below["lookups"]
    assert explorer.explorer_data(above, {}, ANONYMOUS).total == total  # the count line stays exact


def test_cache_keys_are_normalised(service, client):
    assert criteria_key(Criteria(departements=("57", "54"), q="Métal  Usine")) == \
        criteria_key(Criteria(departements=("54", "57"), q="metal usine"))
    snap = service.snapshot()
    first = selection(service, snap, Criteria(departements=("54", "57")))
    assert selection(service, snap, Criteria(departements=("57", "54"))) is first
    a = client.get("/api/v1/map/clusters?bounds=47.8,4.8,49.7,7.7&zoom=8.5&departement=54,57").get_json()
    size = len(snap._user)
    b = client.get("/api/v1/map/clusters?bounds=47.8,4.8,49.7,7.7&zoom=8.75&departement=57&departement=54")
    assert b.get_json()["count"] == a["count"] == len(first.indices)
    assert len(snap._user) == size  # same filters, same integer zoom: the same entries


@pytest.mark.parametrize("query", [
    "zoom=8", "bounds=1,2,3&zoom=8", "bounds=a,b,c,d&zoom=8", "bounds=nan,4,49,7&zoom=8", "bounds=49,4,48,7&zoom=8",
    "bounds=47,4,49,190&zoom=8", "bounds=47,4,49,7", "bounds=47,4,49,7&zoom=-1", "bounds=47,4,49,7&zoom=99",
    "bounds=47,4,49,7&zoom=inf", "bounds=47,4,49,7&zoom=8&departement=99", "bounds=47,4,49,7&zoom=8&radius=3",
    "bounds=47,4,49,7&zoom=8&" + "&".join(f"naf={i}" for i in range(101)),
])
def test_bad_cluster_requests_are_400(client, query):
    response = client.get(f"/api/v1/map/clusters?{query}")
    assert response.status_code == 400 and response.get_json()["error"]["code"]


def test_units_route_and_its_refusals(client):
    assert client.get("/api/v1/map/units?indicateur=count").status_code == 400
    assert client.get("/api/v1/map/units?carte=pays").status_code == 400
    assert client.get("/api/v1/map/units?carte=epci&indicateur=member_share").status_code == 403
    assert client.get("/api/v1/map/clusters?bounds=47,4,49,7&zoom=8&member=oui").status_code == 403
    body = client.get("/api/v1/map/units?carte=departements&indicateur=count").get_json()
    assert set(body["values"]) == {"54", "55", "57", "88"} and sum(body["values"].values()) > 0


def test_the_warm_up_above_the_threshold_builds_the_first_view_not_the_point_store(service, engine):
    from dashboard.services.warmup import _steps

    above = DataService(engine, replace(service.settings, client_points_max=500))
    names = [name for name, _ in _steps(above, above.snapshot())]
    assert "map_view" in names and "payload:explorer_points" not in names and "payload:explorer_members" not in names
    below = [name for name, _ in _steps(service, service.snapshot())]
    assert "payload:explorer_points" in below and "map_view" not in below


@pytest.mark.parametrize("share", [0.002, 0.45, 1.0])
def test_cell_totals_in_the_datasets_cell_order_equal_those_of_a_sort(share):
    from dashboard.analytics.clusters import cell_totals, grid_cells, mercator_x, mercator_y

    rng = np.random.default_rng(11)
    lat, lon = rng.uniform(47.8, 49.6, 50_000), rng.uniform(4.9, 7.6, 50_000)
    grid = grid_cells(mercator_x(lon), mercator_y(lat), zoom=9, radius=60)
    indices = np.flatnonzero(rng.random(len(lat)) < share)
    sorted_ = cell_totals(indices, grid.cells, lat, lon)
    ordered = cell_totals(indices, grid.cells, lat, lon, by_cell=grid.by_cell)
    assert len(sorted_) > 0
    for name in ("cell", "count", "lat_sum", "lon_sum", "south", "west", "north", "east", "first"):
        np.testing.assert_array_equal(getattr(ordered, name), getattr(sorted_, name), err_msg=name)
