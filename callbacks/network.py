"""Réseau wiring: post a need, show a need's suppliers, ask for an introduction, move an introduction along.

Every write goes through `services.network` (policy, validation, one audited transaction); Dash's POST is
same-origin checked by `sessions.py`.
"""

from __future__ import annotations

import datetime as dt

from dash import ALL, Input, Output, State, ctx, no_update

from callbacks import network_outcomes as outcomes_callbacks
from dashboard import ids
from dashboard.analytics.network import TransitionError
from dashboard.callback_inputs import as_number, as_text, as_texts
from dashboard.policy import Forbidden, Role, Viewer
from dashboard.services import DataService
from dashboard.services import network as nw
from dashboard.sessions import client_address, current_viewer
from layouts import network as views

_FAILURES = (Forbidden, nw.NetworkInputError, nw.NetworkNotFound, TransitionError)


def render(service: DataService, query: dict[str, list[str]]):
    return views.network_page(nw.page(service, current_viewer()))


def late_components() -> list:
    """The signed-in page (form, buttons), for Dash's callback validation: the public never gets it."""
    return [views.network_page(nw.NetworkPage(
        signed_in=True, can_post=True, summary={"open_needs": 0, "open_offers": 0, "introductions": {"commande": 0}},
        needs=[], offers=[], opportunities=[], introductions=[], site_options=[], capability_options=[],
        certification_options=[], tile_url="", tile_attribution="", is_demo=False, today=dt.date(2026, 1, 1))),
        *outcomes_callbacks.late_components()]


def post_need(service: DataService, site, title, capabilities, required, wished, quantity, radius, deadline,
              visibility, description):
    viewer = current_viewer()
    raw = {"site": as_text(site) or "", "title": as_text(title) or "", "description": as_text(description) or "",
           "capabilities": [c for c in as_texts(capabilities) if not c.startswith("famille:")],
           "certifications_required": as_texts(required), "certifications_wished": as_texts(wished),
           "quantity": as_text(quantity) or "", "radius_km": as_number(radius) if radius not in (None, "") else -1,
           "deadline": as_text(deadline) or "", "visibility": as_text(visibility) or "members"}
    try:
        need_id = nw.create_need(service, viewer, raw, address=client_address())
    except _FAILURES as error:
        return views.message(getattr(error, "message", str(error)), ok=False), no_update, no_update, no_update
    item = nw.need(service, need_id, viewer)
    search = nw.need_matches(service, item, viewer)
    return (views.message(f"Besoin n° {need_id} publié : {len(search.records)} fournisseurs dans un rayon de "
                          f"{item['radius_km']:g} km.", ok=True),
            views.needs_list(nw.listed_needs(service, viewer), can_match=True),
            views.matches_panel(item, search, mine=sorted(viewer.sirets)), views.match_markers(item, search))


def show_matches(service: DataService, clicks: list):
    trigger, viewer = ctx.triggered_id, current_viewer()
    if not isinstance(trigger, dict) or not any(clicks or []):
        return no_update, no_update
    try:
        item = nw.need(service, int(trigger["need"]), viewer)
        search = nw.need_matches(service, item, viewer)
    except _FAILURES as error:
        return views.message(getattr(error, "message", str(error)), ok=False), []
    mine = sorted(viewer.sirets) if viewer.role is Role.MEMBER else [item["buyer_id"]]
    return views.matches_panel(item, search, mine=mine), views.match_markers(item, search)


def _intro_outputs(service: DataService, viewer: Viewer, text: str, ok: bool):
    return (views.message(text, ok=ok), views.intro_list(nw.introductions(service, viewer), signed_in=True),
            views.opportunities_list(nw.opportunities(service, viewer), signed_in=True))


def ask(service: DataService, clicks: list):
    trigger, viewer = ctx.triggered_id, current_viewer()
    if not isinstance(trigger, dict) or not any(clicks or []):
        return no_update, no_update, no_update
    try:
        nw.request_introduction(service, viewer, requester=str(trigger["from"]), target=str(trigger["to"]),
                                origin="need", need_id=int(trigger["need"]), address=client_address())
    except _FAILURES as error:
        return views.message(getattr(error, "message", str(error)), ok=False), no_update, no_update
    return _intro_outputs(service, viewer, "Demande envoyée : suivez-la dans « Mises en relation ».", True)


def move(service: DataService, clicks: list, reasons: list):
    trigger, viewer = ctx.triggered_id, current_viewer()
    if not isinstance(trigger, dict) or not any(clicks or []):
        return no_update, no_update, no_update
    intro, status = int(trigger["intro"]), str(trigger["status"])
    reason = next((as_text(value) for state, value in zip(ctx.states_list[0] if ctx.states_list else [],
                                                          reasons or [])
                   if state["id"].get("intro") == intro), None)
    if status == "sans_suite" and reason is None:
        reason = "refus" if any(v.id == intro and v.status == "demandee" for v in nw.introductions(service, viewer)) \
            else None
    try:
        nw.move_introduction(service, viewer, intro, status, reason=reason, address=client_address())
    except _FAILURES as error:
        return (views.message(getattr(error, "message", str(error)), ok=False), no_update, no_update)
    return _intro_outputs(service, viewer, f"Mise en relation n° {intro} {views.DONE_LABELS[status]}.",
                          True)


def register(app, service: DataService) -> None:
    outcomes_callbacks.register(app, service)
    app.callback(Output(ids.NET_NEED_MESSAGE, "children"), Output(ids.NET_NEEDS_LIST, "children"),
                 Output(ids.NET_MATCHES, "children"), Output(ids.NET_MAP_LAYER, "children"),
                 Input(ids.NET_NEED_SUBMIT, "n_clicks"), State(ids.NET_NEED_SITE, "value"),
                 State(ids.NET_NEED_TITLE, "value"), State(ids.NET_NEED_CAPABILITIES, "value"),
                 State(ids.NET_NEED_CERT_REQUIRED, "value"), State(ids.NET_NEED_CERT_WISHED, "value"),
                 State(ids.NET_NEED_QUANTITY, "value"), State(ids.NET_NEED_RADIUS, "value"),
                 State(ids.NET_NEED_DEADLINE, "date"), State(ids.NET_NEED_VISIBILITY, "value"),
                 State(ids.NET_NEED_DESCRIPTION, "value"), prevent_initial_call=True)(
        lambda _n, *values: post_need(service, *values))
    app.callback(Output(ids.NET_MATCHES, "children", allow_duplicate=True),
                 Output(ids.NET_MAP_LAYER, "children", allow_duplicate=True),
                 Input({"type": ids.NET_NEED_MATCH, "need": ALL}, "n_clicks"), prevent_initial_call=True)(
        lambda clicks: show_matches(service, clicks))
    app.callback(Output(ids.NET_ASK_MESSAGE, "children"), Output(ids.NET_INTRO_LIST, "children"),
                 Output(ids.NET_OPPORTUNITIES, "children"),
                 Input({"type": ids.NET_ASK, "need": ALL, "from": ALL, "to": ALL}, "n_clicks"),
                 prevent_initial_call=True)(lambda clicks: ask(service, clicks))
    app.callback(Output(ids.NET_INTRO_MESSAGE, "children"),
                 Output(ids.NET_INTRO_LIST, "children", allow_duplicate=True),
                 Output(ids.NET_OPPORTUNITIES, "children", allow_duplicate=True),
                 Input({"type": ids.NET_INTRO_MOVE, "intro": ALL, "status": ALL}, "n_clicks"),
                 State({"type": ids.NET_INTRO_REASON, "intro": ALL}, "value"), prevent_initial_call=True)(
        lambda clicks, reasons: move(service, clicks, reasons))
