"""Skills page wiring: URL or controls -> services.skills -> layouts.skills (heatmap, ranking, trend, map, exports)."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, ctx, no_update

from dashboard import exports, ids
from dashboard.callback_inputs import as_texts
from dashboard.services import DataService
from dashboard.services import skills as svc
from dashboard.services.skills import SkillsPageView, SkillsQuery
from layouts.skills import results_outputs, skills_page


def skills_view(service: DataService, query: dict[str, list[str]]) -> SkillsPageView:
    return svc.page_view(service, query)


def render(service: DataService, query: dict[str, list[str]]):
    return skills_page(svc.page_view(service, query))


def skills_results(service: DataService, q: SkillsQuery) -> tuple:
    """Every output of the page for a query (see register)."""
    return results_outputs(svc.skills_results(service, q))


def export_table(service: DataService, params: dict | None, table: str, kind: str) -> dict:
    return exports.download_file(svc.export_file(service, params, table), kind)


def on_departement(service: DataService, departement, territory):
    return svc.territory_choice(service, departement, territory)


def on_trade_scope(service: DataService, family, industrial, trade):
    return svc.trade_choice(service, family, "oui" in as_texts(industrial), trade)


EXPORTS = {ids.SKILLS_EXPORT_HEATMAP_CSV: ("heatmap", "csv"), ids.SKILLS_EXPORT_HEATMAP_XLSX: ("heatmap", "xlsx"),
           ids.SKILLS_EXPORT_RANKING_CSV: ("ranking", "csv"), ids.SKILLS_EXPORT_RANKING_XLSX: ("ranking", "xlsx"),
           ids.SKILLS_EXPORT_TREND_CSV: ("trend", "csv"), ids.SKILLS_EXPORT_TREND_XLSX: ("trend", "xlsx"),
           ids.SKILLS_EXPORT_MAP_CSV: ("map", "csv"), ids.SKILLS_EXPORT_MAP_XLSX: ("map", "xlsx")}
CONTROLS = [ids.SKILLS_DEPARTEMENT, ids.SKILLS_TERRITORY, ids.SKILLS_FAMILY, ids.SKILLS_INDUSTRIAL, ids.SKILLS_YEAR,
            ids.SKILLS_INDICATOR, ids.SKILLS_TRADE]


def register(app, service: DataService) -> None:
    app.callback(
        Output(ids.SKILLS_TERRITORY, "options"), Output(ids.SKILLS_TERRITORY, "value"),
        Input(ids.SKILLS_DEPARTEMENT, "value"), State(ids.SKILLS_TERRITORY, "value"), prevent_initial_call=True,
    )(lambda departement, territory: on_departement(service, departement, territory))
    app.callback(
        Output(ids.SKILLS_TRADE, "options"), Output(ids.SKILLS_TRADE, "value"),
        Input(ids.SKILLS_FAMILY, "value"), Input(ids.SKILLS_INDUSTRIAL, "value"), State(ids.SKILLS_TRADE, "value"),
        prevent_initial_call=True,
    )(lambda family, industrial, trade: on_trade_scope(service, family, industrial, trade))
    app.callback(  # the order of layouts.skills.results_outputs
        Output(ids.SKILLS_KPIS, "children"), Output(ids.SKILLS_HEATMAP, "figure"),
        Output(ids.SKILLS_RANKING, "children"), Output(ids.SKILLS_TREND, "figure"),
        Output(ids.SKILLS_AREAS_LAYER, "hideout"), Output(ids.SKILLS_AREAS_LAYER, "url"),
        Output(ids.SKILLS_SITES_LAYER, "data"),
        Output(ids.SKILLS_EMPLOYERS_LAYER, "data"), Output(ids.SKILLS_MAP_LEGEND, "children"),
        Output(ids.SKILLS_MAP_TITLE, "children"), Output(ids.SKILLS_QUERY, "data"),
        Output("skills-heatmap-source", "children"), Output("skills-ranking-source", "children"),
        Output("skills-map-source", "children"), Output("skills-trend-source", "children"),
        *[Input(i, "value") for i in CONTROLS],
    )(lambda *values: skills_results(service, svc.query_from_controls(service, *values)))
    app.clientside_callback(  # the partner page's function writes any params dict into the address bar
        ClientsideFunction(namespace="tissu", function_name="syncQueryUrl"),
        Output(ids.SKILLS_URL_SYNC, "data"), Input(ids.SKILLS_QUERY, "data"),
    )
    app.callback(
        Output(ids.SKILLS_DOWNLOAD, "data"), *[Input(i, "n_clicks") for i in EXPORTS], State(ids.SKILLS_QUERY, "data"),
        prevent_initial_call=True,
    )(lambda *args: export_table(service, args[-1], *EXPORTS[ctx.triggered_id]) if ctx.triggered_id in EXPORTS
      else no_update)
