"""Réseau, Besoins wiring: open the pre-filled form of one's own need, save it, close it (after a confirmation).

Who may change a need is the service's answer (`services.network.update_need` asks the policy: the buyer's
members and staff); the buttons only appear on needs the service marked `mine`. Each save is one audited
transaction; Dash's POST is same-origin checked by `sessions.py`.
"""

from __future__ import annotations

from dash import ALL, Input, Output, State, ctx, no_update

from dashboard import ids
from dashboard.callback_inputs import as_number, as_text, as_texts
from dashboard.policy import Forbidden, Viewer
from dashboard.services import DataService
from dashboard.services import network as nw
from dashboard.sessions import client_address, current_viewer
from layouts import network as views
from layouts.network_needs import need_editor

_FAILURES = (Forbidden, nw.NetworkInputError, nw.NetworkNotFound)
NOT_YOURS = "Seuls l'acheteur et l'équipe UIMM peuvent modifier ou clore ce besoin."


def _failure(error: Exception):
    return views.message(getattr(error, "message", str(error)), ok=False)


def _needs(service: DataService, viewer: Viewer, selected: int | None = None):
    return views.needs_list(nw.listed_needs(service, viewer), can_match=viewer.signed_in, selected=selected)


def edit_need(service: DataService, trigger, clicks: list):
    """The form of the need whose "Modifier" was clicked, pre-filled (nothing for a need that is not the viewer's)."""
    viewer = current_viewer()
    if not isinstance(trigger, dict) or not any(clicks or []):
        return no_update, no_update
    try:
        item = nw.need(service, int(trigger["need"]), viewer)
    except _FAILURES as error:
        return None, _failure(error)
    if not item.get("mine"):
        return None, views.message(NOT_YOURS, ok=False)
    capabilities, certifications = nw.form_options(service)
    return (need_editor(item, capability_options=capabilities, certification_options=certifications,
                        today=nw.today()), None)


def edited_raw(title, capabilities, required, wished, quantity, radius, deadline, visibility, description) -> dict:
    """The edit form's fields as the service's input (the API's names; the site is not one of them)."""
    return {"title": as_text(title) or "", "description": as_text(description) or "",
            "capabilities": [c for c in as_texts(capabilities) if not c.startswith("famille:")],
            "certifications_required": as_texts(required), "certifications_wished": as_texts(wished),
            "quantity": as_text(quantity) or "", "radius_km": as_number(radius) if radius not in (None, "") else -1,
            "deadline": as_text(deadline) or "", "visibility": as_text(visibility) or "members"}


def save_need(service: DataService, trigger, clicks: list, *values):
    """Save the edit form (the same validation as a new need, French errors, nothing saved on a bad field)."""
    viewer = current_viewer()
    if not isinstance(trigger, dict) or not any(clicks or []):
        return no_update, no_update, no_update
    need_id = int(trigger["need"])
    try:
        nw.update_need(service, viewer, need_id, edited_raw(*values), address=client_address())
    except _FAILURES as error:
        return _failure(error), no_update, no_update
    return (views.message(f"Besoin n° {need_id} modifié.", ok=True), _needs(service, viewer, need_id), None)


def close_need(service: DataService, trigger, submits: list):
    """Close the need whose "Clore" was confirmed: it leaves the list, the map and the suppliers' opportunities."""
    viewer = current_viewer()
    if not isinstance(trigger, dict) or not any(submits or []):
        return (no_update,) * 5
    need_id = int(trigger["need"])
    try:
        nw.update_need(service, viewer, need_id, {"status": "closed"}, address=client_address())
    except _FAILURES as error:
        return _failure(error), no_update, no_update, no_update, no_update
    return views.message(f"Besoin n° {need_id} clos.", ok=True), _needs(service, viewer), None, None, []


def cancel_edit(n_clicks):
    """Close the edit form ("Annuler"); Dash also calls this when the form appears (0 clicks): nothing then."""
    return None if n_clicks else no_update


def register(app, service: DataService) -> None:
    app.callback(Output(ids.NET_NEED_EDITOR, "children", allow_duplicate=True),
                 Input(ids.NET_NEED_EDIT_CANCEL, "n_clicks"), prevent_initial_call=True)(cancel_edit)
    app.callback(Output(ids.NET_NEED_EDITOR, "children"), Output(ids.NET_NEED_MESSAGE, "children",
                                                                  allow_duplicate=True),
                 Input({"type": ids.NET_NEED_EDIT, "need": ALL}, "n_clicks"), prevent_initial_call=True)(
        lambda clicks: edit_need(service, ctx.triggered_id, clicks))
    app.callback(Output(ids.NET_NEED_MESSAGE, "children", allow_duplicate=True),
                 Output(ids.NET_NEEDS_LIST, "children", allow_duplicate=True),
                 Output(ids.NET_NEED_EDITOR, "children", allow_duplicate=True),
                 Input({"type": ids.NET_NEED_SAVE, "need": ALL}, "n_clicks"),
                 State(ids.NET_NEED_EDIT_TITLE, "value"), State(ids.NET_NEED_EDIT_CAPABILITIES, "value"),
                 State(ids.NET_NEED_EDIT_CERT_REQUIRED, "value"), State(ids.NET_NEED_EDIT_CERT_WISHED, "value"),
                 State(ids.NET_NEED_EDIT_QUANTITY, "value"), State(ids.NET_NEED_EDIT_RADIUS, "value"),
                 State(ids.NET_NEED_EDIT_DEADLINE, "date"), State(ids.NET_NEED_EDIT_VISIBILITY, "value"),
                 State(ids.NET_NEED_EDIT_DESCRIPTION, "value"), prevent_initial_call=True)(
        lambda clicks, *values: save_need(service, ctx.triggered_id, clicks, *values))
    app.callback(Output(ids.NET_NEED_MESSAGE, "children", allow_duplicate=True),
                 Output(ids.NET_NEEDS_LIST, "children", allow_duplicate=True),
                 Output(ids.NET_NEED_EDITOR, "children", allow_duplicate=True),
                 Output(ids.NET_MATCHES, "children", allow_duplicate=True),
                 Output(ids.NET_MAP_LAYER, "children", allow_duplicate=True),
                 Input({"type": ids.NET_NEED_CLOSE, "need": ALL}, "submit_n_clicks"), prevent_initial_call=True)(
        lambda submits: close_need(service, ctx.triggered_id, submits))
