"""Coverage page wiring: capability, radius, weighting -> services.coverage -> layouts.coverage (KPIs, distance
map, ranking, heatmap, tables, exports)."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, ctx, no_update

from dashboard import exports, ids
from dashboard.analytics.coverage import CoverageQueryError
from dashboard.services import DataService
from dashboard.services import coverage as svc
from dashboard.services.coverage import CoverageView
from layouts.coverage import capability_components, coverage_page, overview_graphs


def coverage_view(service: DataService, query: dict[str, list[str]]) -> CoverageView:
    return svc.coverage_view(service, query)


def render(service: DataService, query: dict[str, list[str]]):
    return coverage_page(svc.coverage_view(service, query))


# Both answers depend only on the data version and the controls: built once per choice in the snapshot's bounded
# LRU (the figures cost ~100 ms of plotly validation per build, the components ~50 ms), then only serialised.

def capability_outputs(service: DataService, capability: str, radius_km: float, weighting: str, level: str,
                       cross_border=None) -> tuple:
    """KPIs, map styling, suppliers, the per-unit and single-supplier tables, and the link parameters."""
    controls = (*svc.controls(capability, radius_km, weighting, level), svc.switch_value(cross_border))
    return service.snapshot().lru(("coverage-outputs", *controls), lambda: (
        capability_components(svc.capability_page(service, *controls))))


def overview_figures(service: DataService, capability: str, radius_km: float, weighting: str,
                     cross_border=None) -> tuple:
    """The ranking of every capability and the filière × capability heatmap at this radius."""
    capability, radius_km, weighting, _ = svc.controls(capability, radius_km, weighting)
    abroad = svc.cross_border_choice(service, svc.switch_value(cross_border))
    if not svc.in_range(radius_km):  # the capability panel says why
        return no_update, no_update
    return service.snapshot().lru(("coverage-figures", capability, radius_km, weighting, abroad), lambda: (
        overview_graphs(svc.overview(service, radius_km=radius_km, weighting=weighting, cross_border=abroad),
                        selected=capability, radius_km=radius_km)))


def capability_from_click(click: dict | None):
    try:
        return (click or {})["points"][0]["customdata"][0]
    except (TypeError, KeyError, IndexError):
        return no_update


def export_tables(service: DataService, params: dict | None, choice: str, kind: str):
    """The download, or none when the page's query cannot run (its message is already on the page)."""
    try:
        return exports.download_file(svc.export_file(service, params, choice, kind), kind)
    except CoverageQueryError:
        return no_update


def register(app, service: DataService) -> None:
    inputs = [Input(ids.COVERAGE_CAPABILITY, "value"), Input(ids.COVERAGE_RADIUS, "value"),
              Input(ids.COVERAGE_WEIGHT, "value"), Input(ids.COVERAGE_CROSS_BORDER, "value")]
    app.callback(  # the order of layouts.coverage.capability_components
        Output(ids.COVERAGE_KPIS, "children"), Output(ids.COVERAGE_COMMUNES, "hideout"),
        Output(ids.COVERAGE_SUPPLIERS, "data"), Output(ids.COVERAGE_TABLE, "rowData"),
        Output(ids.COVERAGE_TABLE, "columnDefs"), Output(ids.COVERAGE_SINGLES, "rowData"),
        Output(ids.COVERAGE_SINGLES, "columnDefs"), Output(ids.COVERAGE_QUERY, "data"),
        Output(ids.COVERAGE_COMMUNES, "url"), *inputs, Input(ids.COVERAGE_LEVEL, "value"),
    )(lambda cap, radius, weighting, abroad, level: capability_outputs(service, cap, radius, weighting, level, abroad))
    app.callback(
        Output(ids.COVERAGE_RANKING, "figure"), Output(ids.COVERAGE_MATRIX, "figure"), *inputs,
    )(lambda cap, radius, weighting, abroad: overview_figures(service, cap, radius, weighting, abroad))
    app.callback(
        Output(ids.COVERAGE_CAPABILITY, "value"), Input(ids.COVERAGE_RANKING, "clickData"), prevent_initial_call=True,
    )(capability_from_click)
    app.clientside_callback(
        ClientsideFunction(namespace="tissu", function_name="syncQueryUrl"),
        Output(ids.COVERAGE_URL_SYNC, "data"), Input(ids.COVERAGE_QUERY, "data"),
    )
    app.callback(
        Output(ids.COVERAGE_DOWNLOAD, "data"),
        Input(ids.COVERAGE_EXPORT_CSV, "n_clicks"), Input(ids.COVERAGE_EXPORT_XLSX, "n_clicks"),
        State(ids.COVERAGE_QUERY, "data"), State(ids.COVERAGE_EXPORT_CHOICE, "value"), prevent_initial_call=True,
    )(lambda _c, _x, params, choice: export_tables(service, params, choice,
                                                   "csv" if ctx.triggered_id == ids.COVERAGE_EXPORT_CSV else "xlsx"))
