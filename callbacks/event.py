"""Event pages wiring: overview and live wall, agenda, kiosk (slides built once, rotated in the browser)."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, ctx, html

from callbacks.introductions import register_agenda as register_asks
from dashboard import ids
from dashboard.services import DataService
from dashboard.services import event as svc
from dashboard.services import network as nw
from dashboard.sessions import client_address, current_viewer
from layouts.event import (
    AgendaView,
    KioskView,
    agenda,
    agenda_link,
    counter_panel,
    kiosk_page,
    overview_page,
    wall_update,
)
from layouts.event import agenda_view as agenda_components
from layouts.event import kiosk_view as kiosk_components

ADMIN_ACTIONS = {ids.EVENT_MARK_HELD: "held", ids.EVENT_MARK_CANCELLED: "cancelled", ids.EVENT_RESCHEDULE: "reschedule"}


def _base_url() -> str:
    """This request's host URL (QR codes point at it); a local one outside a request (tests calling render)."""
    try:
        from flask import request

        return request.host_url
    except RuntimeError:
        return "http://localhost:8050/"


def render(service: DataService, query: dict[str, list[str]]):
    return overview_page(svc.overview(service, current_viewer()))


def admin_action(service: DataService, trigger: str | None, meeting_id) -> str:
    return svc.admin_action(service, ADMIN_ACTIONS.get(trigger or ""), meeting_id, current_viewer(),
                            address=client_address())


def agenda_view(service: DataService, event: svc.EventInfo, participant_id: int) -> AgendaView:
    return agenda_components(svc.agenda_data(service, event, participant_id, base_url=_base_url()))


def render_agenda(service: DataService, query: dict[str, list[str]]):
    """The agenda; a member sees, on the meetings their establishment had, a button to ask for an introduction."""
    data = svc.agenda_for_query(service, query, base_url=_base_url())
    askable: frozenset[int] = frozenset()
    if isinstance(data, svc.AgendaData):
        meetings = [int(r["id"]) for _, _, rows in data.days for r in rows]
        askable = nw.askable_meetings(service, current_viewer(), meetings)
    return agenda(data, askable=askable)


def late_components() -> list:
    """The agenda's ask message, for Dash's callback validation (no agenda renders without a participant)."""
    return [html.Div(id=ids.EVENT_ASK_MESSAGE)]


def kiosk_view(service: DataService, query: dict[str, list[str]]) -> KioskView:
    return kiosk_components(svc.kiosk_data(service, base_url=_base_url()), seconds=svc.slide_seconds(query))


def live_counter(service: DataService):
    return counter_panel(svc.meeting_counter(service))


def render_kiosk(service: DataService, query: dict[str, list[str]]):
    return kiosk_page(kiosk_view(service, query))


def register(app, service: DataService) -> None:
    register_asks(app, service)
    app.callback(Output(ids.EVENT_WALL, "children"), Input(ids.EVENT_WALL_TICK, "n_intervals"),
                 Input(ids.EVENT_ADMIN_MESSAGE, "children"), prevent_initial_call=True)(
        lambda _n, _msg: wall_update(svc.current_wall(service)))
    app.callback(Output(ids.EVENT_AGENDA_LINK, "children"), Input(ids.EVENT_PARTICIPANT, "value"))(agenda_link)
    app.clientside_callback(ClientsideFunction("payloads", "one"), Output(ids.EVENT_PARTICIPANT, "options"),
                            Input(ids.EVENT_PARTICIPANTS_URL, "data"))
    app.callback(Output(ids.EVENT_ADMIN_MESSAGE, "children"), Input(ids.EVENT_MARK_HELD, "n_clicks"),
                 Input(ids.EVENT_MARK_CANCELLED, "n_clicks"), Input(ids.EVENT_RESCHEDULE, "n_clicks"),
                 State(ids.EVENT_MEETING_ID, "value"), prevent_initial_call=True)(
        lambda _a, _b, _c, meeting: admin_action(service, ctx.triggered_id, meeting))
    app.callback(Output(ids.KIOSK_COUNTER, "children"), Input(ids.KIOSK_COUNTER_TICK, "n_intervals"),
                 prevent_initial_call=True)(lambda _n: live_counter(service))
    app.clientside_callback(ClientsideFunction("tissuEvent", "rotate"),
                            Output(ids.KIOSK_DECK, "className"),
                            Input(ids.KIOSK_TICK, "n_intervals"), State(ids.KIOSK_CONFIG, "data"))
    app.clientside_callback(ClientsideFunction("tissuEvent", "pause"),
                            Output(ids.KIOSK_TICK, "disabled"), Output(ids.KIOSK_PAUSE, "children"),
                            Input(ids.KIOSK_PAUSE, "n_clicks"), State(ids.KIOSK_TICK, "disabled"),
                            prevent_initial_call=True)
