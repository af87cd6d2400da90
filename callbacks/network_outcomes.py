"""Réseau, Résultats (staff) wiring: the period filter and the CSV/XLSX export (registered by callbacks.network)."""

from __future__ import annotations

from dash import Input, Output, State, ctx, no_update

from dashboard import exports, ids
from dashboard.policy import Forbidden
from dashboard.services import DataService
from dashboard.services import network_outcomes as svc
from dashboard.sessions import current_viewer
from layouts import network_outcomes as views


def results(service: DataService, period):
    """The results for a period; nothing changes for a viewer the policy refuses (the tab is staff only)."""
    try:
        return views.outcomes_results(svc.outcomes(service, current_viewer(), months=svc.period_from(period)))
    except Forbidden:
        return no_update


def export(service: DataService, period, fmt: str):
    try:
        return exports.download_file(svc.export_file(service, current_viewer(), months=svc.period_from(period)), fmt)
    except Forbidden:
        return no_update


def late_components() -> list:
    """The staff tab (only staff get it), for Dash's callback validation."""
    return [views.outcomes_panel(svc.Outcomes(total=0, funnel={}, median_days_to_exchange=None,
                                              deal_share_within_50km=None, stalled=0, by_department=[],
                                              by_filiere=[]))]


def register(app, service: DataService) -> None:
    app.callback(Output(ids.NET_OUT_RESULTS, "children"), Input(ids.NET_OUT_PERIOD, "value"),
                 prevent_initial_call=True)(lambda period: results(service, period))
    app.callback(Output(ids.NET_OUT_DOWNLOAD, "data"), Input(ids.NET_OUT_EXPORT_CSV, "n_clicks"),
                 Input(ids.NET_OUT_EXPORT_XLSX, "n_clicks"), State(ids.NET_OUT_PERIOD, "value"),
                 prevent_initial_call=True)(
        lambda _c, _x, period: export(service, period, "xlsx" if ctx.triggered_id == ids.NET_OUT_EXPORT_XLSX
                                      else "csv"))
