"""Réindustrialisation page and fiche territoire wiring: URL or controls -> services.indicators / scorecard ->
layouts.indicators (cards, figures, markers, exports, the fiche and its PDF)."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, ctx
from flask import Response, request

from dashboard import exports, ids, scorecard
from dashboard.services import DataService, network_outcomes
from dashboard.services import indicators as svc
from dashboard.services.indicators import IndicatorPageView, IndicatorQuery
from dashboard.sessions import current_viewer
from layouts.indicators import fiche, indicators_page, results_outputs
from layouts.network_outcomes import fiche_network_section


def page_view(service: DataService, query: dict[str, list[str]]) -> IndicatorPageView:
    return svc.page_view(service, query)


def render(service: DataService, query: dict[str, list[str]]):
    return indicators_page(svc.page_view(service, query))


def page_outputs(service: DataService, q: IndicatorQuery) -> tuple:
    """Every output of the page for a query (see register)."""
    return results_outputs(svc.page_results(service, q))


def export_indicators(service: DataService, params: dict | None, kind: str) -> dict:
    return exports.download_file(svc.export_file(service, params), kind)


def render_fiche(service: DataService, query: dict[str, list[str]]):
    data = scorecard.fiche_data(service, query)
    return fiche(data, extra=fiche_network(service, data.content) if data.content is not None else None)


def fiche_network(service: DataService, content):
    """The fiche's Réseau section for staff; None (absent) for everyone else, as the policy says."""
    network = network_outcomes.territory_outcomes(service, current_viewer(), content.communes)
    return fiche_network_section(network, content.scope.label) if network is not None else None


def fiche_pdf_response(service: DataService, args) -> Response:
    pdf = scorecard.fiche_pdf(service, {k: args.getlist(k) for k in args})
    if pdf.content is None:
        return Response(pdf.error, status=400, mimetype="text/plain")  # UTF-8 by Flask's default charset
    return Response(pdf.content, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{pdf.filename}"'})


def fiche_page_check(service: DataService):
    """Before Dash serves `/fiche`: a URL naming an unknown level or territory is a 400 saying what is wrong
    (the page itself, rendered in the browser, shows the same message with the selector)."""
    if request.method != "GET" or request.path.rstrip("/") != "/fiche":
        return None
    error = scorecard.fiche_error(service, {k: request.args.getlist(k) for k in request.args})
    return Response(error, status=400, mimetype="text/plain") if error else None


def fiche_selector(service: DataService, level: str, code: str | None):
    """Territory options for a level, the selected territory, and the link to open it."""
    return scorecard.fiche_choice(service, level, code,
                                   level_changed=(ctx.triggered_id if ctx else None) == ids.FICHE_LEVEL)


INPUTS = [ids.IND_DEPARTEMENT, ids.IND_EPCI, ids.IND_ZONE, ids.IND_TI, ids.IND_FILIERE, ids.IND_PERIOD,
          ids.IND_INDEX100, ids.IND_THRESHOLD, ids.IND_SERIES_CODE]


def register(app, service: DataService) -> None:
    app.callback(  # the order of layouts.indicators.results_outputs
        Output(ids.IND_SCOPE, "children"), Output(ids.IND_KPIS, "children"), Output(ids.IND_SERIES_GRAPH, "figure"),
        Output(ids.IND_FLOWS_GRAPH, "figure"), Output(ids.IND_CONTEXT_GRAPH, "figure"),
        Output(ids.IND_DGE_GRAPH, "figure"),
        Output(ids.IND_PROJECTS_LAYER, "children"), Output(ids.IND_PROJECTS_SUMMARY, "children"),
        Output(ids.IND_FICHE_LINK, "href"), Output(ids.IND_QUERY, "data"),
        *[Input(i, "value") for i in INPUTS],
    )(lambda *values: page_outputs(service, svc.query_from_controls(service, *values)))
    app.clientside_callback(
        ClientsideFunction(namespace="tissu", function_name="syncQueryUrl"),
        Output(ids.IND_URL_SYNC, "data"), Input(ids.IND_QUERY, "data"),
    )
    app.callback(
        Output(ids.IND_DOWNLOAD, "data"),
        Input(ids.IND_EXPORT_CSV, "n_clicks"), Input(ids.IND_EXPORT_XLSX, "n_clicks"), State(ids.IND_QUERY, "data"),
        prevent_initial_call=True,
    )(lambda _c, _x, params: export_indicators(service, params,
                                               "csv" if ctx.triggered_id == ids.IND_EXPORT_CSV else "xlsx"))
    app.callback(
        Output(ids.FICHE_TERRITORY, "options"), Output(ids.FICHE_TERRITORY, "value"), Output(ids.FICHE_OPEN, "href"),
        Input(ids.FICHE_LEVEL, "value"), Input(ids.FICHE_TERRITORY, "value"), prevent_initial_call=True,
    )(lambda level, code: fiche_selector(service, level, code))
    app.server.add_url_rule("/fiche.pdf", "fiche_pdf", lambda: fiche_pdf_response(service, request.args))
    app.server.before_request(lambda: fiche_page_check(service))
