"""Cercles wiring: "who near me", staff create circles and export the follow-up; on a circle's page, ask to
join, decide requests, plan sessions, register and unregister, edit the circle.

Every write goes through `services.circle_actions` (policy, validation, one audited transaction); Dash's POST
is same-origin checked by `sessions.py`. After a write the page's blocks are re-rendered from the service.
"""

from __future__ import annotations

from dash import ALL, ClientsideFunction, Input, Output, State, ctx, no_update

from dashboard import exports, ids
from dashboard.callback_inputs import as_number, as_text
from dashboard.services import DataService
from dashboard.services import circle_actions as act
from dashboard.services import circles as svc
from dashboard.services.partners import commune_options
from dashboard.sessions import client_address, current_viewer
from layouts import circles as views


def _error(error: Exception):
    return views.message(getattr(error, "message", str(error)), ok=False)


def render(service: DataService, query: dict[str, list[str]]):
    return views.circles_page(svc.page(service, current_viewer()))


def render_circle(service: DataService, query: dict[str, list[str]]):
    raw = (query.get("id") or [""])[0]
    if not raw.isdigit() or len(raw) > 9:
        return views.not_found("Indiquez le numéro du cercle : /cercles/cercle?id=1.")
    try:
        return views.circle_page(svc.circle_page(service, current_viewer(), int(raw)))
    except svc.CircleNotFound as error:
        return views.not_found(str(error))


def late_components() -> list:
    return views.late_pages()


def markers(service: DataService) -> list:
    """The map's sessions to come and member sites (or counts by commune), sent once the page is drawn: the
    first render then holds the basemap only, like the other maps."""
    return views.map_markers(svc.map_points(service, current_viewer()))


def near(service: DataService, site, commune, theme, radius):
    viewer = current_viewer()
    try:
        origin = svc.near_origin(service, site_key=as_text(site), commune=as_text(commune))
        found = svc.circles_near(service, viewer, origin, theme=as_text(theme),
                                 radius_km=as_number(radius) or svc.DEFAULT_NEAR_KM)
    except act.FAILURES as error:
        return _error(error)
    return [views.message(f"{len(found)} cercles à moins de {as_number(radius) or svc.DEFAULT_NEAR_KM:g} km de "
                          f"{origin.label}.", ok=True),
            views.circles_list(found, distance=True, empty="Aucun cercle de ce thème à cette distance : l'équipe UIMM "
                               "en est informée par les demandes d'adhésion.")]


def create_circle(service: DataService, name, theme, territory, facilitator, description):
    viewer = current_viewer()
    kind, _, code = (as_text(territory) or "lorraine:").partition(":")
    raw = {"name": as_text(name) or "", "theme": as_text(theme), "territory_kind": kind, "territory_code": code,
           "facilitator_site": as_text(facilitator) or "", "description": as_text(description) or ""}
    try:
        new_id = act.create_circle(service, viewer, raw, address=client_address())
    except act.FAILURES as error:
        return _error(error), no_update
    return (views.message(f"Cercle n° {new_id} créé.", ok=True),
            views.circles_list(svc.list_circles(service, viewer)))


def export(service: DataService, fmt: str):
    try:
        return exports.download_file(svc.stats_export(service, current_viewer()), fmt)
    except act.FAILURES:
        return no_update


def _circle_blocks(service: DataService, circle_id: int, text: str, ok: bool):
    """The message and the circle's re-rendered blocks (members and join form, pending, sessions)."""
    view = svc.circle_page(service, current_viewer(), circle_id)
    return (views.message(text, ok=ok), [views.members_block(view), views.join_block(view)],
            views.pending_block(view), views.sessions_block(view))


def _circle_id(value) -> int:
    """The page's circle (its dcc.Store), checked like any posted value."""
    number = as_number(value)
    if number is None or not float(number).is_integer() or not 0 < number < 10**9:
        raise svc.CircleNotFound("Cercle introuvable : rechargez la page.")
    return int(number)


def _run(service: DataService, circle_id, action, done: str):
    """Run `action(circle id)`; the re-rendered blocks, or the French reason and nothing changed."""
    try:
        number = _circle_id(circle_id)
        action(number)
        return _circle_blocks(service, number, done, True)
    except act.FAILURES as error:
        return _error(error), no_update, no_update, no_update


def join(service: DataService, circle_id, site, text):
    return _run(service, circle_id, lambda number: act.request_join(
        service, current_viewer(), number, as_text(site), message=as_text(text) or "",
        address=client_address()), "Demande envoyée : l'animateur du cercle y répondra.")


def decide(service: DataService, circle_id, clicks: list):
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []):
        return no_update, no_update, no_update, no_update
    status = str(trigger.get("status"))
    return _run(service, circle_id, lambda number: act.decide_join(
        service, current_viewer(), number, str(trigger.get("site")), status, address=client_address()),
        "Demande acceptée : l'établissement est membre du cercle." if status == "accepted" else "Demande déclinée.")


def seat(service: DataService, circle_id, clicks: list):
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []):
        return no_update, no_update, no_update, no_update
    session, site = as_number(trigger.get("session")), str(trigger.get("site"))
    if session is None or not float(session).is_integer():
        return _error(svc.CircleNotFound("Séance introuvable.")), no_update, no_update, no_update
    session = int(session)
    if trigger["type"] == ids.CIRCLE_REGISTER:
        return _run(service, circle_id, lambda _: act.register(service, current_viewer(), session, site,
                                                             address=client_address()), "Inscription enregistrée.")
    return _run(service, circle_id, lambda _: act.unregister(service, current_viewer(), session, site,
                                                           address=client_address()), "Désinscription enregistrée.")


def plan_session(service: DataService, circle_id, title, day, hour, commune, address, capacity):
    moment = f"{as_text(day) or ''}T{as_text(hour) or ''}" if day else ""
    raw = {"title": as_text(title) or "", "starts_at": moment, "commune": as_text(commune), "address":
           as_text(address) or "", "capacity": as_number(capacity)}
    return _run(service, circle_id, lambda number: act.create_session(service, current_viewer(), number, raw,
                                                               address=client_address()), "Séance planifiée.")


def edit_circle(service: DataService, circle_id, name, description, status):
    raw = {"name": as_text(name) or "", "description": as_text(description) or "", "status": as_text(status)}
    return _run(service, circle_id, lambda number: act.update_circle(service, current_viewer(), number, raw,
                                                              address=client_address()),
                "Cercle enregistré (rechargez la page pour voir son nouveau nom).")


_BLOCKS = (ids.CIRCLE_MESSAGE, ids.CIRCLE_MEMBERS, ids.CIRCLE_PENDING, ids.CIRCLE_SESSIONS)


def _outputs(first: bool) -> list:
    return [Output(i, "children", allow_duplicate=not first) for i in _BLOCKS]


def register(app, service: DataService) -> None:
    app.callback(Output(ids.CIRCLES_MAP_LAYER, "children"), Input(ids.CIRCLES_MAP, "id"))(
        lambda _id: markers(service))
    for dropdown, url in ((ids.CIRCLES_NEAR_COMMUNE, ids.CIRCLES_COMMUNES_URL),
                          (ids.CIRCLE_SESSION_COMMUNE, ids.CIRCLE_COMMUNES_URL)):
        # Every commune (~190 KB, the partners page's payload) once per tab; typing ranks the server's matches.
        app.clientside_callback(ClientsideFunction(namespace="payloads", function_name="one"),
                                Output(dropdown, "options"), Input(url, "data"))
        app.callback(Output(dropdown, "options", allow_duplicate=True), Input(dropdown, "search_value"),
                     State(dropdown, "value"), prevent_initial_call=True)(
            lambda text, selected: commune_options(service, text, selected) if text else no_update)
    app.callback(Output(ids.CIRCLES_NEAR_RESULTS, "children"), Input(ids.CIRCLES_NEAR_SUBMIT, "n_clicks"),
                 State(ids.CIRCLES_NEAR_SITE, "value"), State(ids.CIRCLES_NEAR_COMMUNE, "value"),
                 State(ids.CIRCLES_NEAR_THEME, "value"), State(ids.CIRCLES_NEAR_RADIUS, "value"),
                 prevent_initial_call=True)(lambda _n, *values: near(service, *values))
    app.callback(Output(ids.CIRCLES_NEW_MESSAGE, "children"), Output(ids.CIRCLES_LIST, "children"),
                 Input(ids.CIRCLES_NEW_SUBMIT, "n_clicks"), State(ids.CIRCLES_NEW_NAME, "value"),
                 State(ids.CIRCLES_NEW_THEME, "value"), State(ids.CIRCLES_NEW_TERRITORY, "value"),
                 State(ids.CIRCLES_NEW_FACILITATOR, "value"), State(ids.CIRCLES_NEW_DESCRIPTION, "value"),
                 prevent_initial_call=True)(lambda _n, *values: create_circle(service, *values))
    app.callback(Output(ids.CIRCLES_DOWNLOAD, "data"), Input(ids.CIRCLES_EXPORT_CSV, "n_clicks"),
                 prevent_initial_call=True)(lambda _n: export(service, "csv"))
    app.callback(Output(ids.CIRCLES_DOWNLOAD, "data", allow_duplicate=True),
                 Input(ids.CIRCLES_EXPORT_XLSX, "n_clicks"), prevent_initial_call=True)(
        lambda _n: export(service, "xlsx"))
    app.callback(*_outputs(True), Input(ids.CIRCLE_JOIN_SUBMIT, "n_clicks"), State(ids.CIRCLE_ID, "data"),
                 State(ids.CIRCLE_JOIN_SITE, "value"), State(ids.CIRCLE_JOIN_MESSAGE, "value"),
                 prevent_initial_call=True)(lambda _n, *values: join(service, *values))
    app.callback(*_outputs(False), Input({"type": ids.CIRCLE_DECIDE, "site": ALL, "status": ALL}, "n_clicks"),
                 State(ids.CIRCLE_ID, "data"), prevent_initial_call=True)(
        lambda clicks, circle_id: decide(service, circle_id, clicks))
    app.callback(*_outputs(False), Input({"type": ids.CIRCLE_REGISTER, "session": ALL, "site": ALL}, "n_clicks"),
                 Input({"type": ids.CIRCLE_UNREGISTER, "session": ALL, "site": ALL}, "n_clicks"),
                 State(ids.CIRCLE_ID, "data"), prevent_initial_call=True)(
        lambda on, off, circle_id: seat(service, circle_id, [*(on or []), *(off or [])]))
    app.callback(*_outputs(False), Input(ids.CIRCLE_SESSION_SUBMIT, "n_clicks"), State(ids.CIRCLE_ID, "data"),
                 State(ids.CIRCLE_SESSION_TITLE, "value"), State(ids.CIRCLE_SESSION_DATE, "date"),
                 State(ids.CIRCLE_SESSION_TIME, "value"), State(ids.CIRCLE_SESSION_COMMUNE, "value"),
                 State(ids.CIRCLE_SESSION_ADDRESS, "value"), State(ids.CIRCLE_SESSION_CAPACITY, "value"),
                 prevent_initial_call=True)(lambda _n, *values: plan_session(service, *values))
    app.callback(*_outputs(False), Input(ids.CIRCLE_EDIT_SUBMIT, "n_clicks"), State(ids.CIRCLE_ID, "data"),
                 State(ids.CIRCLE_EDIT_NAME, "value"), State(ids.CIRCLE_EDIT_DESCRIPTION, "value"),
                 State(ids.CIRCLE_EDIT_STATUS, "value"), prevent_initial_call=True)(
        lambda _n, *values: edit_circle(service, *values))
