"""The explorer in real Chromium: filters, shareable URL, card, export, and agreement with the API."""

import csv
import io
import json
import unicodedata
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from auth_support import sign_in_page
from browser_support import assert_choropleth_follows_filters, choose_option

pytestmark = pytest.mark.browser


def _number(text: str) -> int:
    return int("".join(ch for ch in text if ch.isdigit()))


def _api_total(live_server: str, query: str) -> int:
    with urllib.request.urlopen(f"{live_server}/api/v1/establishments?{query}&limit=1") as response:
        return json.load(response)["total"]


def _kpi(page) -> int:
    return _number(page.locator("#kpi-establishments").inner_text())


def _wait_kpi(page, expected: int) -> None:
    page.wait_for_function("(n) => { const e = document.getElementById('kpi-establishments');"
                           " return e && e.innerText.replace(/\\D/g, '') === String(n); }", arg=expected,
                           timeout=15000)


def test_a_filter_changes_the_count_and_the_url(page, live_server):
    page.goto(live_server + "/", wait_until="networkidle")
    page.wait_for_selector(".marker-cluster", timeout=30000)
    everything = _kpi(page)
    choose_option(page, "#filter-departement", "57 Moselle")
    page.keyboard.press("Escape")
    moselle = _api_total(live_server, "departement=57")
    _wait_kpi(page, moselle)
    assert 0 < moselle < everything
    page.wait_for_function("() => location.search.includes('departement=57')", timeout=10000)
    clusters = [_number(t) for t in page.locator(".marker-cluster span").all_inner_texts()]
    assert 0 < sum(clusters) <= moselle  # clusters are rebuilt from the filtered points
    assert page.errors == [] and page.foreign_requests == []


# Establishments drawn: the exact count of each cluster (its title) plus the single markers.
_DRAWN = """() => [...document.querySelectorAll('.marker-cluster[title]')]
    .reduce((sum, e) => sum + Number(e.title.replace(/\\D/g, '')), 0)
    + document.querySelectorAll('path.tissu-point').length"""


def test_a_filter_change_reclusters_and_the_clusters_add_up_to_the_count(page, live_server):
    page.goto(live_server + "/", wait_until="networkidle")
    page.wait_for_selector(".marker-cluster", timeout=30000)
    for departments in (["55"], ["55", "54"]):
        page.evaluate("(v) => window.dash_clientside.set_props('filter-departement', {value: v})", departments)
        expected = _api_total(live_server, "departement=" + ",".join(departments))
        _wait_kpi(page, expected)
        # The map fits the chosen departments, so every selected establishment is in view: the clusters and single
        # markers drawn add up to the count shown (the clusters were rebuilt from the filtered points).
        page.wait_for_function(f"() => ({_DRAWN})() === {expected}", timeout=15000)
        assert page.evaluate(_DRAWN) == expected
    assert page.errors == [] and page.foreign_requests == []


def test_the_grid_clusters_count_each_selected_point_once(page, live_server):
    """assets/clusters.js on a hand-built store: clusters plus single points account for the selection in view."""
    page.goto(live_server + "/", wait_until="networkidle")
    page.wait_for_selector(".marker-cluster", timeout=30000)
    out = page.evaluate("""() => {
        // 3 points in Nancy within metres of each other, 1 in Metz, 1 far west (out of a Nancy view).
        const store = {lat: [48.6921, 48.6922, 48.6923, 49.1193, 48.70], lon: [6.1844, 6.1845, 6.1846, 6.1757, 3.6],
                       f: [0, 0, 1, 0, 0], n: ['a', 'b', 'c', 'd', 'e']};
        const run = (selected, zoom, bounds) => window.tissu.clusters.features(store, selected,
            {zoom: zoom, bounds: bounds, settings: {radius: 64, maxZoom: 12}}).features.map((f) =>
            f.properties.cluster ? {n: f.properties.point_count, b: f.properties.bounds} : {i: f.properties.i});
        const nancy = [[48.6, 6.0], [48.8, 6.4]];
        return {all: run([0, 1, 2, 3, 4], 8, null), some: run([1, 3], 8, null),
                nancy: run([0, 1, 2, 3, 4], 9, nancy), close: run([0, 1, 2, 3, 4], 13, nancy)};
    }""")
    assert sorted(map(str, out["all"])) == sorted(map(str, [
        {"n": 3, "b": [[48.6921, 6.1844], [48.6923, 6.1846]]}, {"i": 3}, {"i": 4}]))
    assert sorted(f["i"] for f in out["some"]) == [1, 3]  # the selection, not the store, is clustered
    assert out["nancy"] == [{"n": 3, "b": [[48.6921, 6.1844], [48.6923, 6.1846]]}]  # Metz and the west: out of view
    assert sorted(f["i"] for f in out["close"]) == [0, 1, 2]  # beyond the clustered zooms: single markers in view


def test_reloading_a_shared_url_restores_the_view(page, live_server):
    query = "capability=soudure_tig&departement=57,54&carte=epci&indicateur=jobs&lat=49.0&lon=6.2&zoom=9"
    page.goto(f"{live_server}/?{query}", wait_until="networkidle")
    _wait_kpi(page, _api_total(live_server, "capability=soudure_tig&departement=57,54"))
    assert page.locator("#filter-capability").inner_text().startswith("Soudure TIG")
    assert "EPCI" in page.locator("#choropleth-level").inner_text()
    assert page.locator(".choro-row").count() >= 3  # the choropleth legend is drawn
    page.wait_for_function("() => location.search.includes('zoom=9')", timeout=10000)
    params = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    assert params["capability"] == ["soudure_tig"] and params["carte"] == ["epci"] and params["zoom"] == ["9"]
    assert page.errors == [] and page.foreign_requests == []


def test_bad_url_values_show_a_notice_not_a_blank_page(page, live_server):
    page.goto(f"{live_server}/?departement=75&zoom=abc&capability=soudage", wait_until="networkidle")
    page.wait_for_selector(".marker-cluster", timeout=30000)
    notices = page.locator(".notice").all_inner_texts()
    assert len(notices) == 3 and any("« 75 »" in n for n in notices)


@pytest.mark.parametrize("query", [
    "capability=tournage,fraisage_5axes&capability_mode=any",
    "capability=tournage,fraisage_3axes",
    "q=saint die",
    "filiere=metal&size_min=12&member=oui",
    "division=25,28&certification=iso9001&zone_emploi=4410",
    "naf=25.62B&epci=200039865",
])
def test_browser_and_api_agree_on_counts(page, live_server, query):
    if "member=" in query:  # the member filter is a signed-in viewer's: sign in through the form first
        sign_in_page(page, live_server, "member")
        answer = page.request.get(f"{live_server}/api/v1/establishments?{urllib.parse.quote(query, safe='=&,')}"
                                  "&limit=1")  # the browser's own session
        assert answer.status == 200
        expected = answer.json()["total"]
    else:
        expected = _api_total(live_server, urllib.parse.quote(query, safe="=&,"))
    page.goto(f"{live_server}/?{query.replace(' ', '+')}", wait_until="networkidle")
    _wait_kpi(page, expected)


def test_the_public_gets_no_member_filter_and_no_member_flags(page, live_server):
    page.goto(f"{live_server}/?member=oui", wait_until="networkidle")
    page.wait_for_selector(".marker-cluster", timeout=30000)
    assert any("réservé" in n for n in page.locator(".notice").all_inner_texts())
    assert page.locator("#filter-member input").count() == 0
    _wait_kpi(page, _api_total(live_server, ""))  # the filter was dropped, not applied
    store = page.evaluate("() => window.dash_component_api.getLayout('explorer-point-store').props.data")
    assert "m" not in store and len(store["lat"]) > 1000
    sign_in_page(page, live_server, "member")
    page.goto(f"{live_server}/", wait_until="networkidle")
    page.wait_for_selector("#filter-member input", timeout=30000)
    page.wait_for_function("() => { const s = window.dash_component_api.getLayout('explorer-point-store');"
                           " return s && s.props.data && s.props.data.m; }", timeout=30000)


def test_clicking_a_marker_opens_its_card(page, live_server):
    with urllib.request.urlopen(f"{live_server}/api/v1/establishments?departement=55&limit=1") as response:
        target = json.load(response)["items"][0]
    query = urllib.parse.urlencode({"q": target["name"], "lat": target["lat"], "lon": target["lon"], "zoom": 13})
    page.goto(f"{live_server}/?{query}", wait_until="networkidle")
    page.wait_for_selector("path.tissu-point", timeout=30000)
    page.locator("path.tissu-point").first.click(force=True)
    page.wait_for_selector(".card-drawer.open .card-title", timeout=10000)
    assert page.locator(".card-title").inner_text() == target["name"]
    assert target["id"] in page.locator(".card-drawer").inner_text()
    page.wait_for_function("(id) => location.search.includes('etab=' + id)", arg=target["id"], timeout=10000)
    page.click("#establishment-card-close")
    page.wait_for_selector(".card-drawer.open", state="detached", timeout=10000)


def test_csv_export_downloads_exactly_the_filtered_rows(page, live_server):
    page.goto(f"{live_server}/?capability=traitement_thermique,galvanisation&capability_mode=any",
              wait_until="networkidle")
    expected = _api_total(live_server, "capability=traitement_thermique,galvanisation&capability_mode=any")
    _wait_kpi(page, expected)
    page.click("#explorer-view-tabs >> text=Tableau")
    page.wait_for_function("() => document.querySelectorAll('.ag-row').length > 0", timeout=15000)
    with page.expect_download() as download:
        page.click("#export-csv")
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content), delimiter=";"))
    assert len(rows) == expected
    assert all(("Traitement thermique" in r["Savoir-faire"]) or ("Galvanisation" in r["Savoir-faire"]) for r in rows)


def test_reset_clears_every_filter(page, live_server):
    page.goto(f"{live_server}/?departement=88&member=oui&q=a", wait_until="networkidle")
    page.wait_for_selector("#kpi-establishments", timeout=30000)
    page.click("#filter-reset")
    _wait_kpi(page, _api_total(live_server, ""))
    assert page.locator("#filter-q").input_value() == ""


def test_empty_result_shows_a_friendly_message(page, live_server):
    page.goto(f"{live_server}/?q=zzzzqqq", wait_until="networkidle")
    page.wait_for_selector("#explorer-empty", state="visible", timeout=15000)
    assert "Aucun établissement" in page.locator("#explorer-empty").inner_text()


def test_the_closed_table_costs_no_request_and_its_grid_loads_when_opened(page, live_server):
    """Filter changes on the map send nothing to the server; the grid's bundle and rows come with the tab, one
    block of rows per request, and the open table follows the filters and sorts on the server."""
    blocks, grids, cards, scripts = [], [], [], []

    def on_request(request):
        body = request.post_data or ""
        if "/_dash-update-component" in request.url:
            if "getRowsRequest" in body:
                blocks.append(json.loads(body))
            if "explorer-table-opened" in body:
                grids.append(body)
            if "establishment-card-body" in body:
                cards.append(body)
        if request.resource_type == "script":
            scripts.append(request.url)

    def block_criteria(n):
        return next(s["value"] for s in blocks[n]["state"] if s["id"] == "explorer-table-criteria")

    page.on("request", on_request)
    page.goto(live_server + "/", wait_until="networkidle")
    page.wait_for_selector(".marker-cluster", timeout=30000)
    for value in (["57"], ["54", "88"], []):
        page.evaluate("(v) => window.dash_clientside.set_props('filter-departement', {value: v})", value)
        page.wait_for_timeout(300)
    page.fill("#filter-q", "forge")
    page.wait_for_function("() => location.search.includes('q=forge')", timeout=10000)
    page.wait_for_load_state("networkidle")
    assert blocks == [] and grids == []
    assert not any("dash_ag_grid" in url for url in scripts)
    assert page.evaluate("() => !window.dash_ag_grid.getApi")  # still the stand-in of assets/01-tissu-payloads.js
    page.click("#explorer-view-tabs >> text=Tableau")
    page.wait_for_function("() => document.querySelectorAll('.ag-row').length > 0", timeout=15000)
    page.wait_for_load_state("networkidle")
    assert len(grids) == 1 and len(blocks) == 1 and block_criteria(0)["q"] == "forge"
    assert cards == []  # a new grid has no selection to report
    assert sum("/dash_ag_grid/dash_ag_grid." in url for url in scripts) == 1  # the main bundle, once
    page.click("#explorer-view-tabs >> text=Carte")
    page.click("#explorer-view-tabs >> text=Tableau")  # same criteria: the rows shown are still right
    page.wait_for_timeout(500)
    page.wait_for_load_state("networkidle")
    # The grid shown again may ask for its first block once more (same criteria, answered from the LRU).
    assert len(blocks) <= 2 and all(block_criteria(n) == block_criteria(0) for n in range(len(blocks)))
    shown = len(blocks)
    page.evaluate("() => window.dash_clientside.set_props('filter-departement', {value: ['55']})")
    expected = _api_total(live_server, "departement=55&q=forge")
    page.wait_for_function("(n) => document.getElementById('explorer-table-note').innerText.replace(/\\D/g, '')"
                           " === String(n) && location.search.includes('departement=55')", arg=expected, timeout=10000)
    page.wait_for_load_state("networkidle")
    assert len(blocks) == shown + 1 and block_criteria(shown)["departement"] == ["55"]  # follows the filters
    assert len(grids) == 1  # the same grid, asked for its first block again
    assert page.locator(".ag-center-cols-container .ag-row").count() == expected
    page.evaluate("() => window.dash_clientside.set_props('filter-q', {value: ''})")
    everything = _api_total(live_server, "departement=55")
    page.wait_for_function("(n) => document.getElementById('explorer-table-note').innerText.replace(/\\D/g, '')"
                           " === String(n)", arg=everything, timeout=10000)
    page.click(".ag-header-cell[col-id='name'] .ag-header-cell-label")  # sort by name: the server sorts it all
    page.wait_for_function("() => { const c = document.querySelector(\".ag-row[row-index='0'] [col-id='name']\");"
                           " return c && c.innerText.length > 0 && document.querySelector(\"[col-id='name'] "
                           ".ag-sort-ascending-icon:not(.ag-hidden)\"); }", timeout=10000)
    page.wait_for_load_state("networkidle")
    assert [(m["colId"], m["sort"]) for m in blocks[-1]["inputs"][0]["value"]["sortModel"]] == [("name", "asc")]
    with urllib.request.urlopen(f"{live_server}/api/v1/establishments?departement=55&limit=10000") as response:
        names = [e["name"] for e in json.load(response)["items"]]
    first = page.locator(".ag-row[row-index='0'] [col-id='name']").inner_text()
    fold = lambda t: "".join(c for c in unicodedata.normalize("NFD", t) if not unicodedata.combining(c)).casefold()  # noqa: E731
    assert fold(first) == min(fold(n) for n in names)
    page.click(".ag-row[row-index='0'] [col-id='name']")  # a row opens its card
    # The card shows over the table, where the user is (it used to wait for the map tab).
    page.wait_for_selector("#establishment-card.open", state="visible", timeout=10000)
    assert page.locator("#explorer-table-area").is_visible() and not page.locator("#explorer-map-area").is_visible()
    assert first in page.locator("#establishment-card-body").text_content() and len(cards) == 1
    assert page.errors == [] and page.foreign_requests == []


_SETTLED = """async () => {  // the map's own view, once its flight is over (the URL only follows some moves)
  const map = window.tissu.map.current(), pause = () => new Promise((done) => setTimeout(done, 400));
  for (let i = 0; i < 40; i++) {
    const zoom = map.getZoom(), center = map.getCenter();
    await pause();
    if (map.getZoom() === zoom && map.getCenter().equals(center)) { return true; }
  }
  return false;
}"""


def test_choosing_a_territory_fits_the_map_and_its_search_ignores_accents(page, live_server):
    page.goto(live_server + "/", wait_until="networkidle")
    page.wait_for_selector(".marker-cluster", timeout=30000)
    view = lambda: {k: float(v[0]) for k, v in urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query).items()  # noqa: E731
                    if k in ("lat", "lon", "zoom")}
    choose_option(page, "#filter-departement", "88 Vosges")
    page.keyboard.press("Escape")
    # The map flies to the Vosges (centre about 48.2 N, 6.4 E): the synced URL follows the map.
    page.wait_for_function("() => { const p = new URLSearchParams(location.search);"
                           " return p.has('lat') && Math.abs(+p.get('lat') - 48.2) < 0.25; }", timeout=15000)
    vosges = view()
    assert abs(vosges["lon"] - 6.4) < 0.5
    # No accent, words out of their hyphen: « CC Bruyères-Vallons des Vosges ».
    choose_option(page, "#filter-epci", "Bruyères-Vallons", typed="bruyeres vallons")
    page.keyboard.press("Escape")
    # The flight reports intermediate views (zoom already above the department's, centre still west): wait for
    # the map to arrive east of Épinal, not for the first deeper zoom.
    page.wait_for_function("(z) => { const p = new URLSearchParams(location.search);"
                           " return +p.get('zoom') > z && +p.get('lon') > 6.4; }", arg=vosges["zoom"], timeout=15000)
    assert page.evaluate(_SETTLED)
    page.wait_for_timeout(300)
    bruyeres = view()  # the intercommunality lies east of Épinal, around 48.2 N, 6.7 E
    assert 48.0 < bruyeres["lat"] < 48.4 and 6.4 < bruyeres["lon"] < 7.0
    # Clearing the department leaves the intercommunality as the territory to show, which the map already
    # shows: no zero-length flight (it would re-project every polygon and re-cluster the same view inside the
    # filter's repaint).
    moves = page.evaluate("""async () => {
      const map = window.tissu.map.current();
      let moves = 0; map.on('movestart', () => { moves += 1; });
      window.dash_clientside.set_props('filter-departement', {value: []});
      await new Promise((done) => setTimeout(done, 1500));
      return moves;
    }""")
    assert moves == 0 and view() == bruyeres
    assert page.errors == [] and page.foreign_requests == []


def test_a_link_to_a_department_opens_the_map_on_it(page, live_server, service):
    """`/?departement=88`, shared without a map position, opens fitted to the Vosges, not on all of Lorraine."""
    vosges = service.lookups.communes.query("department_code == '88'").dropna(subset=["lat", "lon"])
    page.goto(f"{live_server}/?departement=88", wait_until="networkidle")
    page.wait_for_selector(".marker-cluster", timeout=20000)
    # The address bar follows the map (syncUrl): wait for the fitted view's centre to be written there.
    page.wait_for_function("([s, n]) => { const q = new URLSearchParams(location.search);"
                           " const lat = +q.get('lat'); return q.has('zoom') && lat > s && lat < n; }",
                           arg=[float(vosges["lat"].min()), float(vosges["lat"].max())], timeout=15000)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    assert vosges["lon"].min() < float(query["lon"][0]) < vosges["lon"].max()
    assert float(query["zoom"][0]) > 8.5  # closer than the territory's opening view
    assert query["departement"] == ["88"]


def test_the_choropleth_follows_the_filters(page, live_server):
    page.goto(live_server + "/", wait_until="networkidle")
    page.wait_for_selector(".marker-cluster", timeout=30000)
    assert_choropleth_follows_filters(page, live_server)
    assert page.errors == []
