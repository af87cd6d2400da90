"""Réseau wiring: post a need, show a need's suppliers, ask for an introduction, move an introduction along.

Every write goes through `services.network` (policy, validation, one audited transaction); Dash's POST is
same-origin checked by `sessions.py`.
"""

from __future__ import annotations

import datetime as dt

from dash import ALL, Input, Output, State, ctx, no_update

from callbacks import network_needs as need_callbacks
from callbacks import network_offers as offer_callbacks
from callbacks import network_outcomes as outcomes_callbacks
from callbacks.introductions import by_row
from dashboard import ids
from dashboard.analytics.network import TransitionError
from dashboard.callback_inputs import as_number, as_text, as_texts
from dashboard.policy import Forbidden, Role, Viewer
from dashboard.services import DataService
from dashboard.services import network as nw
from dashboard.sessions import client_address, current_viewer
from layouts import network as views
from layouts.network_map import need_focus
from layouts.network_needs import need_editor

_FAILURES = (Forbidden, nw.NetworkInputError, nw.NetworkNotFound, TransitionError)


def render(service: DataService, query: dict[str, list[str]]):
    return views.network_page(nw.page(service, current_viewer()))


def late_components() -> list:
    """The signed-in page (form, buttons, a need's edit form), for Dash's callback validation: the public never
    gets it."""
    return [need_editor({"id": 0, "deadline": dt.date(2026, 1, 1)}, capability_options=[], certification_options=[],
                        today=dt.date(2026, 1, 1)),
            views.network_page(nw.NetworkPage(
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
        return views.message(getattr(error, "message", str(error)), ok=False), *[no_update] * 4
    item = nw.need(service, need_id, viewer)
    panel, found, layers, viewport = _need_view(service, item, viewer, mine=sorted(viewer.sirets))
    return (views.message(f"Besoin n° {need_id} publié : {found} fournisseurs dans un rayon de "
                          f"{item['radius_km']:g} km.", ok=True),
            views.needs_list(nw.listed_needs(service, viewer), can_match=True, selected=need_id), panel, layers,
            viewport)


def _need_view(service: DataService, item: dict, viewer: Viewer, *, mine: list[str]):
    """A need's suppliers and the offers within its radius; the map zooms to the radius around the buyer."""
    search = nw.need_matches(service, item, viewer)
    offers = nw.offers_for_need(service, item, viewer).to_dict("records")
    return (views.matches_panel(item, search, mine=mine, offers=offers), len(search.records),
            *need_focus(item, search, offers))


def show_matches(service: DataService, trigger, clicks: list):
    viewer = current_viewer()
    if not isinstance(trigger, dict) or not any(clicks or []):
        return no_update, no_update, no_update, no_update
    try:
        item = nw.need(service, int(trigger["need"]), viewer)
        mine = sorted(viewer.sirets) if viewer.role is Role.MEMBER else [item["buyer_id"]]
        panel, _found, layers, viewport = _need_view(service, item, viewer, mine=mine)
    except _FAILURES as error:
        return views.message(getattr(error, "message", str(error)), ok=False), [], no_update, no_update
    listed = views.needs_list(nw.listed_needs(service, viewer), can_match=True, selected=item["id"])
    return panel, layers, viewport, listed


def _intro_outputs(service: DataService, viewer: Viewer, text: str, ok: bool):
    return (views.message(text, ok=ok), views.intro_list(nw.introductions(service, viewer), signed_in=True),
            views.opportunities_list(nw.opportunities(service, viewer), signed_in=True))


def ask(service: DataService, trigger, clicks: list):
    """Ask for an introduction from a need (a supplier to its buyer, or the buyer to a supplier) or an offer."""
    viewer = current_viewer()
    if not isinstance(trigger, dict) or not any(clicks or []):
        return no_update, no_update, no_update
    origin, ref = str(trigger.get("origin")), int(trigger["ref"])
    try:
        nw.request_introduction(service, viewer, requester=str(trigger["from"]), target=str(trigger["to"]),
                                origin=origin, need_id=ref if origin == "need" else None,
                                offer_id=ref if origin == "offer" else None, address=client_address())
    except _FAILURES as error:
        return views.message(getattr(error, "message", str(error)), ok=False), no_update, no_update
    return _intro_outputs(service, viewer, "Demande envoyée : suivez-la dans « Mises en relation ».", True)


def move(service: DataService, trigger, clicks: list, reasons: dict, bands: dict):
    """One step of an introduction, with the reason (sans suite) and value band (commande) its card shows."""
    viewer = current_viewer()
    if not isinstance(trigger, dict) or not any(clicks or []):
        return no_update, no_update, no_update
    intro, status = int(trigger["intro"]), str(trigger["status"])
    reason, band = as_text(reasons.get(intro)), as_text(bands.get(intro)) if status == "commande" else None
    if status == "sans_suite" and reason is None:
        # Declining or withdrawing a request needs no reason picked: it is the request's refusal.
        reason = "refus" if any(v.id == intro and v.status == "demandee" for v in nw.introductions(service, viewer)) \
            else None
    try:
        nw.move_introduction(service, viewer, intro, status, reason=reason, value_band=band, address=client_address())
    except _FAILURES as error:
        return (views.message(getattr(error, "message", str(error)), ok=False), no_update, no_update)
    return _intro_outputs(service, viewer, f"Mise en relation n° {intro} {views.DONE_LABELS[status]}.", True)


def register(app, service: DataService) -> None:
    outcomes_callbacks.register(app, service)
    app.callback(Output(ids.NET_NEED_MESSAGE, "children"), Output(ids.NET_NEEDS_LIST, "children"),
                 Output(ids.NET_MATCHES, "children"), Output(ids.NET_MAP_LAYER, "children"),
                 Output(ids.NET_MAP, "viewport"), Input(ids.NET_NEED_SUBMIT, "n_clicks"),
                 State(ids.NET_NEED_SITE, "value"),
                 State(ids.NET_NEED_TITLE, "value"), State(ids.NET_NEED_CAPABILITIES, "value"),
                 State(ids.NET_NEED_CERT_REQUIRED, "value"), State(ids.NET_NEED_CERT_WISHED, "value"),
                 State(ids.NET_NEED_QUANTITY, "value"), State(ids.NET_NEED_RADIUS, "value"),
                 State(ids.NET_NEED_DEADLINE, "date"), State(ids.NET_NEED_VISIBILITY, "value"),
                 State(ids.NET_NEED_DESCRIPTION, "value"), prevent_initial_call=True)(
        lambda _n, *values: post_need(service, *values))
    app.callback(Output(ids.NET_MATCHES, "children", allow_duplicate=True),
                 Output(ids.NET_MAP_LAYER, "children", allow_duplicate=True),
                 Output(ids.NET_MAP, "viewport", allow_duplicate=True),
                 Output(ids.NET_NEEDS_LIST, "children", allow_duplicate=True),
                 Input({"type": ids.NET_NEED_MATCH, "need": ALL}, "n_clicks"), prevent_initial_call=True)(
        lambda clicks: show_matches(service, ctx.triggered_id, clicks))
    app.callback(Output(ids.NET_ASK_MESSAGE, "children"), Output(ids.NET_INTRO_LIST, "children"),
                 Output(ids.NET_OPPORTUNITIES, "children"),
                 Input({"type": ids.NET_ASK, "origin": ALL, "ref": ALL, "from": ALL, "to": ALL}, "n_clicks"),
                 prevent_initial_call=True)(lambda clicks: ask(service, ctx.triggered_id, clicks))
    app.callback(Output(ids.NET_INTRO_MESSAGE, "children"),
                 Output(ids.NET_INTRO_LIST, "children", allow_duplicate=True),
                 Output(ids.NET_OPPORTUNITIES, "children", allow_duplicate=True),
                 Input({"type": ids.NET_INTRO_MOVE, "intro": ALL, "status": ALL}, "n_clicks"),
                 State({"type": ids.NET_INTRO_REASON, "intro": ALL}, "value"),
                 State({"type": ids.NET_INTRO_BAND, "intro": ALL}, "value"), prevent_initial_call=True)(
        lambda clicks, _r, _b: move(service, ctx.triggered_id, clicks, by_row(0, "intro"), by_row(1, "intro")))
    offer_callbacks.register(app, service)
    need_callbacks.register(app, service)
