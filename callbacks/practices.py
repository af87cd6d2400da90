"""Bonnes pratiques wiring: search the published sheets, write / edit / submit / preview one's own, review (staff).
Every write goes through `services.practices` (policy, validation, one audited transaction); Dash's POST is
same-origin checked by `sessions.py`."""

from __future__ import annotations

from dash import ALL, Input, Output, State, ctx, no_update

from dashboard import ids
from dashboard.callback_inputs import as_number, as_text, as_texts
from dashboard.policy import Forbidden
from dashboard.services import DataService
from dashboard.services import practices as pr
from dashboard.sessions import client_address, current_viewer
from layouts import practices as views

_FAILURES = (Forbidden, pr.PracticeInputError, pr.PracticeNotFound, pr.TransitionError)
_FIELDS = (ids.PRAC_TITLE, ids.PRAC_PROBLEM, ids.PRAC_ACTIONS, ids.PRAC_RESULTS, ids.PRAC_THEMES,
           ids.PRAC_CAPABILITIES, ids.PRAC_CONTACT)
_EMPTY: tuple[str | list, ...] = ("", "", "", "", [], [], "")


def _first(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name) or []
    return values[0].strip()[:100] if values and values[0].strip() else None


def _integer(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) <= 9 else None


def page_query(query: dict[str, list[str]]) -> pr.PracticeQuery:
    """The URL's ?q=, ?theme=, ?savoir_faire=, ?departement=, ?cercle= (unknown codes find nothing)."""
    return pr.PracticeQuery(text=_first(query, "q") or "", theme=_first(query, "theme"),
                            capability=_first(query, "savoir_faire"), department=_first(query, "departement"),
                            circle=_integer(_first(query, "cercle")))


def render(service: DataService, query: dict[str, list[str]]):
    view = pr.page(service, current_viewer(), page_query(query), selected=_integer(_first(query, "fiche")))
    return views.practices_page(view, tab=_first(query, "onglet") or "fiches")


def late_components() -> list:
    """The page of a staff member who also writes (form, review queue), for Dash's callback validation."""
    return [views.practices_page(pr.PracticesPage(signed_in=True, can_write=True, can_review=True,
                                                  query=pr.PracticeQuery()))]


def filter_list(service: DataService, text, theme, capability, department, circle):
    query = pr.PracticeQuery(text=(as_text(text) or "")[:100], theme=as_text(theme), capability=as_text(capability),
                             department=as_text(department),
                             circle=int(circle) if isinstance(circle, int) and not isinstance(circle, bool) else None)
    items = pr.search(service, current_viewer(), query)[:pr.PAGE_SIZE]
    return views.sheets_list(items, query=query), views.count_line(items)


def save(service: DataService, editing, site, title, problem, actions, results, themes, capabilities, contact,
         circle):
    viewer, submit = current_viewer(), ctx.triggered_id == ids.PRAC_SUBMIT
    raw = {"site": as_text(site) or "", "title": as_text(title) or "", "problem": as_text(problem) or "",
           "actions": as_text(actions) or "", "results": as_text(results) or "", "themes": as_texts(themes),
           "capabilities": [c for c in as_texts(capabilities) if not c.startswith("famille:")],
           "contact": as_text(contact) or "", "circle_id": int(n) if (n := as_number(circle)) else None}
    try:
        if isinstance(editing, int) and not isinstance(editing, bool):
            pr.update_sheet(service, viewer, editing, raw, submit=submit, address=client_address())
            sheet_id = editing
        else:
            sheet_id = pr.create_sheet(service, viewer, raw, submit=submit, address=client_address())
    except _FAILURES as error:
        return (views.message(getattr(error, "message", str(error)), ok=False), no_update, no_update, no_update,
                *(no_update,) * len(_FIELDS))
    done = "soumise à la relecture de l'équipe UIMM" if submit else "enregistrée comme brouillon"
    return (views.message(f"Fiche n° {sheet_id} {done}.", ok=True),
            views.mine_list(pr.search(service, viewer, pr.PracticeQuery(mine=True))), None, "Nouvelle fiche", *_EMPTY)


def edit(service: DataService, clicks: list):
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []):
        return (no_update,) * (4 + len(_FIELDS))
    try:
        item = pr.sheet(service, int(trigger["sheet"]), current_viewer())
    except _FAILURES as error:
        return views.message(getattr(error, "message", str(error)), ok=False), *(no_update,) * (3 + len(_FIELDS))
    return (views.message(f"Fiche n° {item['id']} ouverte dans le formulaire.", ok=True), item["id"],
            f"Modifier la fiche n° {item['id']}", item.get("circle_id"), item["title"], item["problem"],
            item["actions"], item["results"], item["themes"], item["capabilities"], item.get("contact", ""))


def send(service: DataService, clicks: list):
    trigger, viewer = ctx.triggered_id, current_viewer()
    if not isinstance(trigger, dict) or not any(clicks or []):
        return no_update, no_update
    try:
        pr.submit_sheet(service, viewer, int(trigger["sheet"]), address=client_address())
    except _FAILURES as error:
        return views.message(getattr(error, "message", str(error)), ok=False), no_update
    return (views.message(f"Fiche n° {trigger['sheet']} soumise à la relecture de l'équipe UIMM.", ok=True),
            views.mine_list(pr.search(service, viewer, pr.PracticeQuery(mine=True))))


def decide(service: DataService, clicks: list, comments: list):
    trigger, viewer = ctx.triggered_id, current_viewer()
    if not isinstance(trigger, dict) or not any(clicks or []):
        return no_update, no_update
    sheet_id, decision = int(trigger["sheet"]), str(trigger["decision"])
    states = ctx.states_list[0] if ctx.states_list else []
    comment = next((as_text(s.get("value")) for s in states if s["id"].get("sheet") == sheet_id), None)
    try:
        pr.review_sheet(service, viewer, sheet_id, decision, comment=comment or "", address=client_address())
    except _FAILURES as error:
        return views.message(getattr(error, "message", str(error)), ok=False), no_update
    done = "publiée : tout le monde la voit" if decision == "published" else "renvoyée à son auteur"
    return (views.message(f"Fiche n° {sheet_id} {done}.", ok=True),
            views.queue_list(pr.search(service, viewer, pr.PracticeQuery(status="submitted"))[::-1]))


def register(app, service: DataService) -> None:
    fields = [Output(i, "value", allow_duplicate=True) for i in _FIELDS]
    app.callback(Output(ids.PRAC_LIST, "children"), Output(ids.PRAC_COUNT, "children"),
                 Input(ids.PRAC_SEARCH, "value"), Input(ids.PRAC_THEME, "value"), Input(ids.PRAC_CAPABILITY, "value"),
                 Input(ids.PRAC_DEPARTMENT, "value"), State(ids.PRAC_CIRCLE, "data"), prevent_initial_call=True)(
        lambda *values: filter_list(service, *values))
    app.callback(Output(ids.PRAC_FORM_MESSAGE, "children"), Output(ids.PRAC_MINE, "children"),
                 Output(ids.PRAC_EDITING, "data"), Output(ids.PRAC_FORM_TITLE, "children"), *fields,
                 Input(ids.PRAC_SAVE, "n_clicks"), Input(ids.PRAC_SUBMIT, "n_clicks"), State(ids.PRAC_EDITING, "data"),
                 State(ids.PRAC_SITE, "value"), *(State(i, "value") for i in _FIELDS),
                 State(ids.PRAC_CIRCLE_ID, "value"),
                 prevent_initial_call=True)(lambda _s, _u, *values: save(service, *values))
    app.callback(Output(ids.PRAC_PREVIEW_AREA, "children"), Input(ids.PRAC_PREVIEW, "n_clicks"),
                 State(ids.PRAC_PROBLEM, "value"), State(ids.PRAC_ACTIONS, "value"), State(ids.PRAC_RESULTS, "value"),
                 prevent_initial_call=True)(lambda _n, problem, actions, results: views.preview_panel(
                     pr.preview({"problem": problem, "actions": actions, "results": results})))
    app.callback(Output(ids.PRAC_FORM_MESSAGE, "children", allow_duplicate=True),
                 Output(ids.PRAC_EDITING, "data", allow_duplicate=True),
                 Output(ids.PRAC_FORM_TITLE, "children", allow_duplicate=True),
                 Output(ids.PRAC_CIRCLE_ID, "value", allow_duplicate=True), *fields,
                 Input({"type": ids.PRAC_EDIT, "sheet": ALL}, "n_clicks"), prevent_initial_call=True)(
        lambda clicks: edit(service, clicks))
    app.callback(Output(ids.PRAC_FORM_MESSAGE, "children", allow_duplicate=True),
                 Output(ids.PRAC_MINE, "children", allow_duplicate=True),
                 Input({"type": ids.PRAC_SEND, "sheet": ALL}, "n_clicks"), prevent_initial_call=True)(
        lambda clicks: send(service, clicks))
    app.callback(Output(ids.PRAC_REVIEW_MESSAGE, "children"), Output(ids.PRAC_QUEUE, "children"),
                 Input({"type": ids.PRAC_DECIDE, "sheet": ALL, "decision": ALL}, "n_clicks"),
                 State({"type": ids.PRAC_COMMENT, "sheet": ALL}, "value"), prevent_initial_call=True)(
        lambda clicks, _comments: decide(service, clicks, _comments))
