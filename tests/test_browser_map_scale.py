"""The explorer above TISSU_CLIENT_POINTS_MAX: clusters from the server, exact counts, no point store fetched.

The threshold is lowered to 500 on the test demo (a few thousand establishments) instead of building a huge
dataset; the clusters' equality with assets/clusters.js is tested without a browser (tests/test_map_clusters.py).
"""

from __future__ import annotations

import json
import urllib.request

import pytest
from browser_support import assert_choropleth_follows_filters

pytestmark = pytest.mark.browser

# Establishments drawn: the exact count of each cluster (its title) plus the single markers.
_DRAWN = """() => [...document.querySelectorAll('.marker-cluster[title]')]
    .reduce((sum, e) => sum + Number(e.title.replace(/\\D/g, '')), 0)
    + document.querySelectorAll('path.tissu-point').length"""


def _wait_or_say(page, condition: str, expected: int, what: str) -> None:
    """Wait for `condition(expected)`; on a timeout fail saying what the page showed (a retried CI failure of
    this test left no clue: the KPI, the drawn total, the map's zoom and bounds, the clusters requests)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(condition, arg=expected, timeout=15000)
    except PlaywrightTimeout:
        state = page.evaluate(f"""() => {{ const m = window.tissu.map.current();
            return {{kpi: document.getElementById('kpi-establishments').innerText, drawn: ({_DRAWN})(),
                     zoom: m && m.getZoom(), bounds: m && m.getBounds().toBBoxString(),
                     asked: performance.getEntriesByType('resource').map(e => e.name)
                       .filter(n => n.includes('/api/v1/map/clusters')).slice(-4)}}; }}""")
        pytest.fail(f"{what}: expected {expected} within 15 s, the page shows {state}")


def _choose_department_and_wait(page, server: str, code: str) -> None:
    """Filter on one department, then wait for the KPI to show the API's total and for the map, fitted to the
    department, to draw every selected establishment once."""
    page.evaluate("(v) => window.dash_clientside.set_props('filter-departement', {value: [v]})", code)
    with urllib.request.urlopen(f"{server}/api/v1/establishments?departement={code}&limit=1") as answer:
        expected = json.load(answer)["total"]
    _wait_or_say(page, "(n) => document.getElementById('kpi-establishments').innerText"
                       ".replace(/\\D/g, '') === String(n)", expected, "the KPI")
    _wait_or_say(page, f"(n) => ({_DRAWN})() === n", expected, "the drawn clusters")


def test_above_the_threshold_the_server_clusters_with_exact_counts(server_clusters_page, server_clusters_server):
    page, server = server_clusters_page, server_clusters_server
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(server + "/", wait_until="networkidle")
    page.wait_for_selector(".marker-cluster", timeout=30000)
    assert not [u for u in requested if "/data/explorer_points-" in u]  # no point store
    assert [u for u in requested if "/api/v1/map/clusters?" in u]
    _choose_department_and_wait(page, server, "55")
    assert page.locator(".marker-cluster").count() > 0
    assert page.errors == [] and page.foreign_requests == []


# Pan the map (no animation) and resolve with whether the marker pane was redrawn within 5 s.
_PAN_REDRAWN = """() => new Promise(resolve => {
  const map = window.tissu.map.current(), pane = document.querySelector('#explorer-map .leaflet-marker-pane');
  const observer = new MutationObserver(() => { observer.disconnect(); resolve(true); });
  observer.observe(pane, {childList: true, subtree: true});
  setTimeout(() => { observer.disconnect(); resolve(false); }, 5000);
  map.panBy([80, 0], {animate: false});
})"""


def test_a_small_pan_is_drawn_from_the_answer_already_held(server_clusters_page, server_clusters_server):
    """The clusters are asked for the view padded on each side: a pan inside that box needs no server answer
    (here every further clusters request fails, and the map is still redrawn, with the same establishments)."""
    page, server = server_clusters_page, server_clusters_server
    page.goto(server + "/", wait_until="networkidle")
    page.wait_for_selector(".marker-cluster", timeout=30000)
    page.wait_for_function("() => window.tissu.map.current() && window.tissu.map.current()._loaded")
    page.wait_for_timeout(500)  # the first view's exact answer has been drawn
    drawn_before = page.evaluate(_DRAWN)
    asked: list[str] = []
    page.route("**/api/v1/map/clusters?**", lambda route: (asked.append(route.request.url), route.abort()))
    assert page.evaluate(_PAN_REDRAWN) is True
    page.wait_for_timeout(300)
    assert page.evaluate(_DRAWN) == drawn_before  # the whole territory stays in view: every establishment drawn
    assert page.locator(".marker-cluster").count() > 0
    assert page.errors == [] and page.foreign_requests == []


def test_above_the_threshold_the_choropleth_follows_the_filters(server_clusters_page, server_clusters_server):
    """The same as in the browser's design (tests/test_browser_explorer.py), the values coming from the server."""
    page, server = server_clusters_page, server_clusters_server
    page.goto(server + "/", wait_until="networkidle")
    page.wait_for_selector(".marker-cluster", timeout=30000)
    assert_choropleth_follows_filters(page, server)
    assert page.errors == [] and page.foreign_requests == []


def test_a_failed_choropleth_request_does_not_hold_back_the_clusters(server_clusters_page, server_clusters_server):
    """With the map coloured by department and the server refusing the choropleth's values, a filter still
    redraws the clusters and the KPIs (the choropleth rides in the same callback as the clusters)."""
    page, server = server_clusters_page, server_clusters_server
    page.goto(server + "/?carte=departements", wait_until="networkidle")
    page.wait_for_selector(".marker-cluster", timeout=30000)
    page.route("**/api/v1/map/units?**", lambda route: route.abort())
    _choose_department_and_wait(page, server, "88")
    assert page.locator(".choro-row").count() >= 2  # the legend of the last values stays
