"""Asking for an introduction from outside /reseau: a partner search result (`/partenaires`) and an event meeting
(`/evenement/agenda`). The service checks the policy, the sides and duplicates, and audits; Dash's POST is
same-origin checked by `sessions.py`."""

from __future__ import annotations

from dash import ALL, Input, Output, State, ctx, html, no_update

from dashboard import ids
from dashboard.callback_inputs import as_text
from dashboard.policy import Forbidden
from dashboard.services import DataService
from dashboard.services import network as nw
from dashboard.sessions import client_address, current_viewer
from layouts.network import message

_FAILURES = (Forbidden, nw.NetworkInputError, nw.NetworkNotFound)
def by_row(index: int, key: str) -> dict:
    """The values of the triggered callback's `index`-th pattern-matched state, by its id's `key` (intro, offer)."""
    states = ctx.states_list[index] if len(ctx.states_list) > index else []
    return {s["id"].get(key): s.get("value") for s in states}


def _sent(new_id: int) -> html.P | None:
    return message(f"Demande de mise en relation n° {new_id} envoyée : suivez-la sur la page Réseau, onglet "
                   "« Mises en relation ».", ok=True)


def ask_from_partners(service: DataService, trigger, clicks: list, mode, origin_site, ask_site):
    """The member's site asks a result: the search's origin when it is one of theirs, else the site they picked."""
    viewer = current_viewer()
    if not isinstance(trigger, dict) or not any(clicks or []):
        return no_update
    origin = as_text(origin_site) if as_text(mode) == "site" else None
    requester = origin if origin in viewer.sirets else as_text(ask_site)
    try:
        new_id = nw.request_introduction(service, viewer, requester=requester or "", target=str(trigger["to"]),
                                         origin="partners", address=client_address())
    except _FAILURES as error:
        return message(getattr(error, "message", str(error)), ok=False)
    return _sent(new_id)


def ask_from_meeting(service: DataService, trigger, clicks: list):
    viewer = current_viewer()
    if not isinstance(trigger, dict) or not any(clicks or []):
        return no_update
    try:
        new_id = nw.request_from_meeting(service, viewer, int(trigger["meeting"]), address=client_address())
    except _FAILURES as error:
        return message(getattr(error, "message", str(error)), ok=False)
    return _sent(new_id)


def register_partners(app, service: DataService) -> None:
    app.callback(Output(ids.PARTNER_ASK_MESSAGE, "children"),
                 Input({"type": ids.PARTNER_ASK, "to": ALL}, "n_clicks"), State(ids.PARTNER_ORIGIN_MODE, "value"),
                 State(ids.PARTNER_ORIGIN_SITE, "value"), State(ids.PARTNER_ASK_SITE, "value"),
                 prevent_initial_call=True)(
        lambda clicks, *values: ask_from_partners(service, ctx.triggered_id, clicks, *values))


def register_agenda(app, service: DataService) -> None:
    app.callback(Output(ids.EVENT_ASK_MESSAGE, "children"),
                 Input({"type": ids.EVENT_ASK, "meeting": ALL}, "n_clicks"), prevent_initial_call=True)(
        lambda clicks: ask_from_meeting(service, ctx.triggered_id, clicks))
