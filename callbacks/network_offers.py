"""Réseau, Offres tab wiring: post an offer, show the needs an offer serves, change or close one's own offer.

Writes go through `services.network` (policy, validation, one audited transaction); Dash's POST is same-origin
checked by `sessions.py`.
"""

from __future__ import annotations

from dash import ALL, Input, Output, State, ctx, no_update

from callbacks.introductions import by_row
from dashboard import ids
from dashboard.callback_inputs import as_text
from dashboard.policy import Forbidden, Viewer
from dashboard.services import DataService
from dashboard.services import network as nw
from dashboard.sessions import client_address, current_viewer
from layouts import network as views
from layouts.network_offers import offer_needs_panel, offers_list

_FAILURES = (Forbidden, nw.NetworkInputError, nw.NetworkNotFound)


def _offers(service: DataService, viewer: Viewer):
    sites = nw.site_options(service, viewer)
    return offers_list(nw.listed_offers(service, viewer), signed_in=viewer.signed_in, count=0,
                       ask_from=sites[0]["value"] if sites else None, today=nw.today())


def offer_raw(kind, site, title, capability, material, quantity, start, until, description) -> dict:
    """The form's fields as the service's input (the API's names); only the fields of the chosen kind."""
    kind = as_text(kind) or "capacity"
    raw = {"kind": kind, "site": as_text(site) or "", "title": as_text(title) or "",
           "description": as_text(description) or "", "quantity": as_text(quantity) or "",
           "available_from": as_text(start) or "", "available_until": as_text(until) or ""}
    if kind == "capacity":
        raw["capability"] = as_text(capability) or ""
    else:
        raw["material"] = as_text(material) or ""
    return raw


def post_offer(service: DataService, *values):
    viewer = current_viewer()
    try:
        offer_id = nw.create_offer(service, viewer, offer_raw(*values), address=client_address())
    except _FAILURES as error:
        return views.message(getattr(error, "message", str(error)), ok=False), no_update
    return views.message(f"Offre n° {offer_id} publiée.", ok=True), _offers(service, viewer)


def offer_needs(service: DataService, trigger, clicks: list):
    viewer = current_viewer()
    if not isinstance(trigger, dict) or not any(clicks or []):
        return no_update
    try:
        item = nw.offer(service, int(trigger["offer"]), viewer)
    except _FAILURES as error:
        return views.message(getattr(error, "message", str(error)), ok=False)
    return offer_needs_panel(item, nw.needs_for_offer(service, item, viewer))


def change_offer(service: DataService, trigger, clicks: list, quantities: dict, untils: dict):
    """Save the quantity and end date of one's own offer (the values its card shows, by offer id), or close it."""
    viewer = current_viewer()
    if not isinstance(trigger, dict) or not any(clicks or []):
        return no_update, no_update
    offer_id = int(trigger["offer"])
    closing = trigger["type"] == ids.NET_OFFER_CLOSE
    raw = ({"status": "closed"} if closing else {"quantity": as_text(quantities.get(offer_id)) or "",
                                                 "available_until": as_text(untils.get(offer_id)) or ""})
    try:
        nw.update_offer(service, viewer, offer_id, raw, address=client_address())
    except _FAILURES as error:
        return views.message(getattr(error, "message", str(error)), ok=False), no_update
    done = "close" if closing else "enregistrée"
    return views.message(f"Offre n° {offer_id} {done}.", ok=True), _offers(service, viewer)


def register(app, service: DataService) -> None:
    app.callback(Output(ids.NET_OFFER_MESSAGE, "children"), Output(ids.NET_OFFERS_LIST, "children"),
                 Input(ids.NET_OFFER_SUBMIT, "n_clicks"), State(ids.NET_OFFER_KIND, "value"),
                 State(ids.NET_OFFER_SITE, "value"), State(ids.NET_OFFER_TITLE, "value"),
                 State(ids.NET_OFFER_CAPABILITY, "value"), State(ids.NET_OFFER_MATERIAL, "value"),
                 State(ids.NET_OFFER_QUANTITY, "value"), State(ids.NET_OFFER_FROM, "date"),
                 State(ids.NET_OFFER_UNTIL, "date"), State(ids.NET_OFFER_DESCRIPTION, "value"),
                 prevent_initial_call=True)(lambda _n, *values: post_offer(service, *values))
    app.callback(Output(ids.NET_OFFER_NEEDS, "children"),
                 Input({"type": ids.NET_OFFER_MATCH, "offer": ALL}, "n_clicks"), prevent_initial_call=True)(
        lambda clicks: offer_needs(service, ctx.triggered_id, clicks))
    app.callback(Output(ids.NET_OFFER_MESSAGE, "children", allow_duplicate=True),
                 Output(ids.NET_OFFERS_LIST, "children", allow_duplicate=True),
                 Input({"type": ids.NET_OFFER_SAVE, "offer": ALL}, "n_clicks"),
                 Input({"type": ids.NET_OFFER_CLOSE, "offer": ALL}, "n_clicks"),
                 State({"type": ids.NET_OFFER_EDIT_QUANTITY, "offer": ALL}, "value"),
                 State({"type": ids.NET_OFFER_EDIT_UNTIL, "offer": ALL}, "date"), prevent_initial_call=True)(
        lambda saves, closes, _q, _u: change_offer(service, ctx.triggered_id, (saves or []) + (closes or []),
                                                   by_row(0, "offer"), by_row(1, "offer")))
