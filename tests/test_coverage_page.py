"""The coverage page (callbacks as functions) and GET /api/v1/coverage[/summary]."""

import base64
import io

import pandas as pd
import pytest
from dash import no_update

from callbacks.coverage import capability_from_click, capability_outputs, coverage_view, export_tables, overview_figures
from layouts.coverage import DISTANCE_CLASSES


def test_view_reads_the_url_and_reports_bad_values(service):
    view = coverage_view(service, {"capability": ["forge"], "radius_km": ["25"], "weight": ["population"],
                                   "level": ["zone_emploi"]})
    assert (view.capability, view.radius_km, view.weighting, view.level, view.notices) == \
        ("forge", 25.0, "population", "zone_emploi", [])
    bad = coverage_view(service, {"capability": ["x"], "radius_km": ["999"], "weight": ["y"], "level": ["pays"]})
    assert (bad.capability, bad.radius_km, bad.weighting, bad.level) == ("traitement_thermique", 50.0, "jobs", "epci")
    assert len(bad.notices) == 4


def test_capability_outputs_are_consistent(service):
    kpis, hideout, suppliers, unit_rows, unit_cols, singles, single_cols, params, url = capability_outputs(
        service, "galvanisation", 25.0, "jobs", "departement")
    assert params == {"capability": "galvanisation", "radius_km": "25", "weight": "jobs", "level": "departement"}
    assert url == "/geo/communes.pbf" and len(kpis) == 6
    assert len(hideout["km"]) == 2321 and hideout["radius"] == 25.0
    assert hideout["classes"] == [[upper, color] for upper, color, _ in DISTANCE_CLASSES]  # the legend's classes
    n_suppliers = len(suppliers["features"])
    assert n_suppliers > 0 and kpis[5].children[0].children == str(n_suppliers)
    # A commune hosting a supplier is 0 km from it... up to the commune centroid: within its own size.
    assert min(v for v in hideout["km"].values() if v is not None) < 10
    assert {r["name"] for r in unit_rows} <= {"Meurthe-et-Moselle", "Meuse", "Moselle", "Vosges"}
    assert [c["field"] for c in unit_cols][:2] == ["name", "rate"]
    assert all(r["dependent_points"] >= 1 for r in singles)


def test_unknown_capability_gives_a_message_not_an_error(service):
    out = capability_outputs(service, "famille:usinage", 50.0, "jobs", "epci")
    assert "inconnu" in str(out[0]).lower() and out[-1] is no_update


def test_ranking_and_heatmap(service):
    ranking, heatmap = overview_figures(service, "forge", 50.0, "jobs")
    bars = ranking.data[0]
    assert len(bars.y) == 45 and list(bars.x) == sorted(bars.x)  # weakest first
    assert "#d9731c" in bars.marker.color  # the chosen capability is highlighted
    assert heatmap.data[0].z.shape[1] == 45
    assert capability_from_click({"points": [{"customdata": ["forge", 3]}]}) == "forge"
    assert capability_from_click(None) is no_update


def test_exports_every_table(service):
    params = {"capability": "forge", "radius_km": "50", "weight": "count", "level": "epci"}
    for choice in ("units", "summary", "matrix", "singles"):
        payload = export_tables(service, params, choice, "csv")
        text = base64.b64decode(payload["content"]).decode("utf-8")
        assert text.startswith("\ufeff") and len(text.splitlines()) >= 2
    book = export_tables(service, params, "units", "xlsx")
    sheets = pd.read_excel(io.BytesIO(base64.b64decode(book["content"])), sheet_name=None)
    assert set(sheets) == {"Territoires", "Tous les savoir-faire", "Filières × savoir-faire", "Fournisseurs uniques",
                           "Paramètres"}
    assert len(sheets["Tous les savoir-faire"]) == 45


def test_api_coverage(client):
    body = client.get("/api/v1/coverage?capability=forge&radius_km=40&level=departement&weight=count").get_json()
    assert body["capability"] == "forge" and body["level"] == "departement" and body["demand"] == "establishments"
    assert 0 <= body["rate"] <= 1 and abs(body["rate"] + body["desert_share"] - 1) < 1e-3
    assert {u["code"] for u in body["units"]} <= {"54", "55", "57", "88"}
    assert all(d["code"] in {u["code"] for u in body["units"] if u["is_desert"]} for d in body["deserts"])
    communes = client.get("/api/v1/coverage?capability=forge&radius_km=40&weight=population").get_json()
    assert communes["demand"] == "communes" and len(communes["units"]) == 2321


def test_api_coverage_summary_is_sorted_weakest_first(client):
    body = client.get("/api/v1/coverage/summary?radius_km=25").get_json()
    rates = [i["rate"] for i in body["items"]]
    assert len(rates) == 45 and rates == sorted(rates)


@pytest.mark.parametrize("query, parameter", [
    ("", "capability"), ("capability=x", "capability"), ("capability=forge&radius_km=0", "radius_km"),
    ("capability=forge&radius_km=301", "radius_km"), ("capability=forge&radius_km=loin", "radius_km"),
    ("capability=forge&level=pays", "level"), ("capability=forge&weight=x", "weight"),
    ("capability=forge&foo=1", "foo"),
])
def test_api_coverage_bad_requests(client, query, parameter):
    response = client.get(f"/api/v1/coverage?{query}")
    assert response.status_code == 400 and response.get_json()["error"]["parameter"] == parameter


def test_api_summary_bad_requests(client):
    assert client.get("/api/v1/coverage/summary?radius_km=-3").status_code == 400
    assert client.get("/api/v1/coverage/summary?weight=x").get_json()["error"]["parameter"] == "weight"


def _find(component, predicate):
    """Every component under `component` (depth first) for which `predicate` holds."""
    found = [component] if predicate(component) else []
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, (str, int, float)):
            found += _find(child, predicate)
    return found


def test_map_keeps_suppliers_over_the_colouring_and_the_legend_off_the_map(service):
    from callbacks.coverage import render
    from dashboard import ids
    from layouts.basemap import CHORO_PANE, POINTS_PANE

    page = render(service, {})
    panes = _find(page, lambda c: type(c).__name__ == "Pane")
    names = [p.name for p in panes]
    assert names.index(POINTS_PANE) > names.index(CHORO_PANE)  # assets/tissu.css stacks it above, z-index 380
    points = [p for p in panes if p.name == POINTS_PANE][0]
    assert points.children.id == ids.COVERAGE_SUPPLIERS and points.children.hideout == {"pane": POINTS_PANE}
    with open("assets/tissu.css", encoding="utf-8") as handle:
        css = handle.read()
    assert ".leaflet-tissu-points-pane { z-index: 380; }" in css
    assert ".leaflet-tissu-choro-pane { z-index: 360; }" in css
    # The legend sits below the map frame, not over it.
    frame = _find(page, lambda c: getattr(c, "className", None) == "coverage-map")[0]
    assert not _find(frame, lambda c: getattr(c, "id", None) == ids.COVERAGE_LEGEND)
    box = _find(page, lambda c: getattr(c, "className", None) == "coverage-map-box")[0]
    assert [getattr(c, "id", None) for c in box.children][-1] == ids.COVERAGE_LEGEND
    assert "map-overlay" not in _find(page, lambda c: getattr(c, "id", None) == ids.COVERAGE_LEGEND)[0].className


def test_ranking_axis_runs_to_100_percent_with_its_label(service):
    from dashboard.figures.coverage import RANKING_RIGHT_MARGIN

    ranking, _ = overview_figures(service, "forge", 100.0, "jobs")
    assert max(ranking.data[0].x) == pytest.approx(100)  # bars reach 100 % at 100 km
    assert tuple(ranking.layout.xaxis.range) == (0, 100) and ranking.layout.xaxis.ticklabeloverflow == "allow"
    assert ranking.layout.margin.r == RANKING_RIGHT_MARGIN >= 30  # room for the "100 %" label


def test_points_and_weights_are_explained(service):
    from callbacks.coverage import render
    from layouts.coverage import POINT_NOTE

    *_, unit_cols, singles, single_cols, _params, _url = capability_outputs(service, "forge", 50.0, "jobs", "epci")
    tips = {c["field"]: c.get("headerTooltip") for c in unit_cols + single_cols}
    assert all(tips[f] for f in ("desert_points", "demand_points", "dependent_points", "dependent_weight"))
    assert "Point de demande" in POINT_NOTE and "Poids" in POINT_NOTE
    assert POINT_NOTE in str(render(service, {}))
