"""Partner page wiring: controls -> services.partners (a PartnerQuery, the engine) -> layouts.partners (list, map
layers, link) and exports."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, ctx, no_update

from callbacks.introductions import register_partners as register_asks
from dashboard import exports, ids
from dashboard.analytics.partner_query import PartnerQuery
from dashboard.analytics.partners import PartnerQueryError
from dashboard.policy import Action, Forbidden, Viewer, can
from dashboard.services import DataService
from dashboard.services import network as nw
from dashboard.services import partners as svc
from dashboard.services.partners import OriginError, PartnerPageView
from dashboard.sessions import current_viewer
from layouts.partners import ask_panel, export_notice, partners_page, results_outputs


def site_options(service: DataService, text: str | None, selected: str | None) -> list[dict]:
    return svc.site_options(service, text, selected)


def partner_view(service: DataService, query: dict[str, list[str]]) -> PartnerPageView:
    return svc.partner_view(service, query, current_viewer())


def _asking(viewer: Viewer) -> frozenset[str]:
    """The sites a member may ask introductions for (none for the public; staff ask from a member's page)."""
    return viewer.sirets if viewer.signed_in and can(viewer, Action.REQUEST_INTRODUCTION) else frozenset()


def render(service: DataService, query: dict[str, list[str]]):
    viewer = current_viewer()
    asks = nw.site_options(service, viewer) if _asking(viewer) else []
    return partners_page(partner_view(service, query), ask_sites=asks)


def late_components() -> list:
    """The members' ask panel, for Dash's callback validation (the public never gets it)."""
    return [ask_panel([{"label": "Votre établissement", "value": "DEMO-0000000"}])]


def partner_results(service: DataService, query: PartnerQuery) -> tuple:
    """Summary, ranked list, origin layers, result points, map viewport and link parameters for a query."""
    viewer = current_viewer()
    return results_outputs(svc.partner_results(service, query, viewer), asking=_asking(viewer))


def export_partners(service: DataService, params: dict | None, kind: str) -> dict:
    return exports.download_file(svc.export_file(service, params, current_viewer()), kind)


def export_or_notice(service: DataService, params: dict | None, kind: str):
    """The download, or no download and a French hint when the query cannot run (no origin chosen yet...)."""
    try:
        return export_partners(service, params, kind), no_update
    except (OriginError, PartnerQueryError) as err:
        return no_update, export_notice(str(err))
    except Forbidden as refusal:
        return no_update, export_notice(refusal.message)


def context_choice(service: DataService, match: str | None, site: str | None, mode: str | None):
    """Capabilities and mode for a newly chosen site context (or origin site); nothing changes without one."""
    choice = svc.context_choice(service, match, site, mode)
    return (no_update, no_update) if choice is None else choice


def origin_from_click(mode: str, click: dict | None):
    if mode != "point" or not click or "latlng" not in click:
        return no_update
    lat, lon = click["latlng"]["lat"], click["latlng"]["lng"]
    return {"lat": round(lat, 5), "lon": round(lon, 5)}


CONTROL_INPUTS = [ids.PARTNER_ORIGIN_MODE, ids.PARTNER_ORIGIN_SITE, ids.PARTNER_ORIGIN_COMMUNE]
NEED_INPUTS = [ids.PARTNER_CAPABILITY, ids.PARTNER_CAPABILITY_MODE, ids.PARTNER_CERTIFICATION, ids.PARTNER_NAF,
               ids.PARTNER_SIZE, ids.PARTNER_MEMBER, ids.PARTNER_RADIUS, ids.PARTNER_SORT,
               ids.PARTNER_CERTIFICATION_WISHED, ids.PARTNER_MATCH,
               ids.PARTNER_CROSS_BORDER]  # the order of svc.query_from_controls


def register(app, service: DataService) -> None:
    app.callback(
        Output(ids.PARTNER_ORIGIN_SITE, "options"),
        Input(ids.PARTNER_ORIGIN_SITE, "search_value"), State(ids.PARTNER_ORIGIN_SITE, "value"),
        prevent_initial_call=True,
    )(lambda text, selected: site_options(service, text, selected) if text else no_update)
    app.clientside_callback(
        ClientsideFunction(namespace="payloads", function_name="one"),
        Output(ids.PARTNER_ORIGIN_COMMUNE, "options"), Input(ids.PARTNER_COMMUNES_URL, "data"),
    )
    # Typing replaces the payload's options by the server's ranked matches (exact name, then population).
    app.callback(
        Output(ids.PARTNER_ORIGIN_COMMUNE, "options", allow_duplicate=True),
        Input(ids.PARTNER_ORIGIN_COMMUNE, "search_value"), State(ids.PARTNER_ORIGIN_COMMUNE, "value"),
        prevent_initial_call=True,
    )(lambda text, selected: svc.commune_options(service, text, selected) if text else no_update)
    app.callback(
        Output(ids.PARTNER_ORIGIN_POINT, "data"),
        Input(ids.PARTNER_MAP, "clickData"), State(ids.PARTNER_ORIGIN_MODE, "value"), prevent_initial_call=True,
    )(lambda click, mode: origin_from_click(mode, click))
    app.clientside_callback(
        ClientsideFunction(namespace="tissu", function_name="partnerOriginMode"),
        Output("partner-site-box", "style"), Output("partner-commune-box", "style"),
        Output("partner-point-box", "style"), Output("partner-match-box", "style"),
        Input(ids.PARTNER_ORIGIN_MODE, "value"),
    )
    # A chosen context (or another origin site under a context) sets the capabilities; never on load, where the
    # URL's own capabilities (perhaps edited by hand) are what the link shares.
    app.callback(
        Output(ids.PARTNER_CAPABILITY, "value"), Output(ids.PARTNER_CAPABILITY_MODE, "value"),
        Input(ids.PARTNER_MATCH, "value"), Input(ids.PARTNER_ORIGIN_SITE, "value"),
        State(ids.PARTNER_ORIGIN_MODE, "value"), prevent_initial_call=True,
    )(lambda match, site, mode: context_choice(service, match, site, mode))
    app.callback(  # the order of layouts.partners.results_outputs
        Output(ids.PARTNER_SUMMARY, "children"), Output(ids.PARTNER_LIST, "children"),
        Output(ids.PARTNER_ORIGIN_LAYER, "children"), Output(ids.PARTNER_RESULTS_LAYER, "data"),
        Output(ids.PARTNER_MAP, "viewport"), Output(ids.PARTNER_QUERY, "data"),
        Output(ids.PARTNER_WIDEN, "style"), Output(ids.PARTNER_WIDEN, "children"),
        *[Input(i, "value") for i in CONTROL_INPUTS], Input(ids.PARTNER_ORIGIN_POINT, "data"),
        *[Input(i, "value") for i in NEED_INPUTS],
    )(lambda mode, site, commune, point, *need: partner_results(
        service, svc.query_from_controls(mode, site, commune, point, *need)))
    app.callback(
        Output(ids.PARTNER_RADIUS, "value"), Input(ids.PARTNER_WIDEN, "n_clicks"), State(ids.PARTNER_RADIUS, "value"),
        prevent_initial_call=True,
    )(lambda _n, radius: min(svc.MAX_WIDEN_KM, 2 * float(radius or 40)))
    app.clientside_callback(
        ClientsideFunction(namespace="tissu", function_name="syncQueryUrl"),
        Output(ids.PARTNER_URL_SYNC, "data"), Input(ids.PARTNER_QUERY, "data"),
    )
    app.callback(
        Output(ids.PARTNER_DOWNLOAD, "data"), Output(ids.PARTNER_SUMMARY, "children", allow_duplicate=True),
        Input(ids.PARTNER_EXPORT_CSV, "n_clicks"), Input(ids.PARTNER_EXPORT_XLSX, "n_clicks"),
        State(ids.PARTNER_QUERY, "data"), prevent_initial_call=True,
    )(lambda _c, _x, params: export_or_notice(service, params,
                                              "csv" if ctx.triggered_id == ids.PARTNER_EXPORT_CSV else "xlsx"))
    register_asks(app, service)
