"""Event page adapters: overview and live wall, agenda, kiosk (slides built once, rotated in the browser)."""

from __future__ import annotations

import datetime as dt
import logging

import pandas as pd
from dash import ClientsideFunction, Input, Output, State, ctx, html, no_update

from dashboard import ids, repository
from dashboard.analytics.scheduling import ORIGIN_LABELS, STATUS_LABELS
from dashboard.formatting import fr_number
from dashboard.services import DataService
from dashboard.services import event as ev
from layouts.event import (
    AgendaView,
    EventPageView,
    KioskView,
    agenda_missing,
    agenda_page,
    big_numbers,
    counter,
    event_page,
    kiosk_bars,
    kiosk_map,
    kiosk_page,
    no_event,
    wall,
)

log = logging.getLogger(__name__)
DEFAULT_SLIDE_SECONDS = 8.0
SLIDE_SECONDS_RANGE = (1.0, 120.0)
# Where the kiosk map flies: department centres (degrees) and zoom.
DEPARTMENT_STOPS = {"54": (48.78, 6.17, 9), "55": (48.98, 5.38, 9), "57": (49.03, 6.62, 9), "88": (48.20, 6.45, 9)}


def _labels(service: DataService) -> tuple[dict, dict]:
    look = service.lookups
    return dict(zip(look.filieres["code"], look.filieres["label"])), dict(zip(look.departments["code"],
                                                                             look.departments["name"]))


def wall_counts(service: DataService, event: ev.EventInfo) -> dict:
    filieres, departments = _labels(service)
    return ev.wall_counts(service.engine, event, filiere_labels=filieres, department_names=departments)


def participant_options(service: DataService, event: ev.EventInfo) -> list[dict]:
    people = repository.event_participants(service.engine, event.id)
    return [{"label": f"{n} – {'stand ' + s if r == 'exposant' else (c or 'visiteur')}", "value": int(i),
             "search": f"{n} {c or ''} {s or ''}"}
            for i, n, r, s, c in zip(people["id"], people["name"], people["role"], people["stand"],
                                     people["commune_name"])]


# --- Overview -------------------------------------------------------------------------------------

def render(service: DataService, query: dict[str, list[str]]):
    event = ev.current_event(service.engine)
    if event is None:
        return no_event()
    g = event.grid
    subtitle = (f"{event.venue} · {fr_date_range(event)} · {g.n_slots} créneaux de {g.slot_minutes} min · "
                "score et « pourquoi » expliqués pour chaque rendez-vous"
                + (" · événement de démonstration (fictif)" if event.is_demo else ""))
    return event_page(EventPageView(title=event.name, subtitle=subtitle, is_demo=event.is_demo,
                                    wall=wall_counts(service, event),
                                    participant_options=participant_options(service, event)))


def fr_date_range(event: ev.EventInfo) -> str:
    last = event.starts_on + dt.timedelta(days=event.grid.days - 1)
    return f"du {event.starts_on:%d/%m/%Y} au {last:%d/%m/%Y}" if last != event.starts_on else \
        f"le {event.starts_on:%d/%m/%Y}"


def refresh_wall(service: DataService):
    event = ev.current_event(service.engine)
    return wall(wall_counts(service, event)) if event else no_update


def agenda_link(participant_id):
    if not participant_id:
        return None
    return html.A("Ouvrir l'agenda imprimable →", href=f"/evenement/agenda?participant={int(participant_id)}",
                  className="button")


def admin_action(service: DataService, trigger: str | None, meeting_id) -> str:
    """Mark a meeting held / cancelled, or reschedule keeping every meeting that stays; returns a French message."""
    event = ev.current_event(service.engine)
    if event is None:
        return "Aucun événement chargé."
    if trigger == ids.EVENT_RESCHEDULE:
        summary = ev.schedule_event(service.engine, event, keep_scheduled=True)
        return (f"Replanification : {fr_number(summary.placed)} nouveaux rendez-vous, "
                f"{fr_number(summary.kept)} maintenus sans changement.")
    if trigger in (ids.EVENT_MARK_HELD, ids.EVENT_MARK_CANCELLED):
        if not meeting_id:
            return "Indiquez le n° du rendez-vous."
        status = "held" if trigger == ids.EVENT_MARK_HELD else "cancelled"
        try:
            ev.set_status(service.engine, event, int(meeting_id), status)
        except ev.EventError as err:
            return str(err)
        return f"Rendez-vous n° {int(meeting_id)} : {STATUS_LABELS[status]}."
    return ""


# --- Agenda ---------------------------------------------------------------------------------------

def _qr(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=4, border=2, dark="#1d2733")


def _base_url() -> str:
    try:
        from flask import request

        return request.host_url
    except RuntimeError:  # outside a request (tests calling render directly)
        return "http://localhost:8050/"


def card_url(public_id: str) -> str:
    """The explorer card of an establishment, as an absolute URL (what a phone opens from a QR code)."""
    return f"{_base_url()}?etab={public_id}"


def agenda_view(service: DataService, event: ev.EventInfo, participant_id: int) -> AgendaView:
    person, meetings = ev.agenda(service.engine, event, participant_id)
    days = []
    for day, group in meetings.groupby("day", sort=True):
        date = event.grid.starts_at(int(group["slot"].iloc[0])).date()
        rows = group.assign(origin_label=group["origin"].map(ORIGIN_LABELS),
                            status_label=group["status"].map(STATUS_LABELS)).to_dict("records")
        days.append((f"Jour {str(day)[1:]} · {_day(date)}", rows))
    public_id = person.get("establishment_public_id")
    url = card_url(public_id) if person["role"] == "exposant" and isinstance(public_id, str) and public_id else None
    return AgendaView(event_name=event.name, venue=event.venue, is_demo=event.is_demo, person=person, days=days,
                      qr_data_uri=_qr(url) if url else None, card_url=url)


def _day(date: dt.date) -> str:
    from layouts.event import _day_label

    return _day_label(date)


def render_agenda(service: DataService, query: dict[str, list[str]]):
    event = ev.current_event(service.engine)
    if event is None:
        return no_event()
    raw = (query.get("participant") or [""])[0]
    if not raw.isdigit():
        message = "Choisissez un participant." if not raw else f"Participant « {raw} » invalide : choisissez-en un."
        return agenda_missing(message)
    try:
        return agenda_page(agenda_view(service, event, int(raw)))
    except ev.EventError as err:
        return agenda_missing(str(err))


# --- Kiosk ----------------------------------------------------------------------------------------

def slide_seconds(query: dict[str, list[str]]) -> float:
    """Seconds per slide from `?duree=` (clamped to 1–120 s; default 8 s)."""
    raw = (query.get("duree") or [""])[0].replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        return DEFAULT_SLIDE_SECONDS
    return min(max(value, SLIDE_SECONDS_RANGE[0]), SLIDE_SECONDS_RANGE[1]) if value == value else DEFAULT_SLIDE_SECONDS


def _territory(service: DataService):
    snap = service.snapshot()
    est = snap.establishments
    look = service.lookups
    return big_numbers([
        (fr_number(len(est)), "établissements industriels actifs"),
        (fr_number(est["headcount_estimate"].fillna(0).sum()), "emplois estimés"),
        (fr_number(est["commune_code"].nunique()), "communes industrielles"),
        (fr_number(int(est["is_member"].fillna(False).astype(bool).sum())), "adhérents UIMM"),
        (fr_number(len(look.capabilities)), "savoir-faire répertoriés"),
        (fr_number(len(snap.certification_links)), "certifications déclarées"),
    ])


def _stops(service: DataService) -> list[dict]:
    est = service.snapshot().establishments
    counts = est["department_code"].value_counts()
    jobs = est.groupby("department_code")["headcount_estimate"].sum()
    names = dict(zip(service.lookups.departments["code"], service.lookups.departments["name"]))
    return [{"code": code, "lat": lat, "lon": lon, "zoom": zoom,
             "caption": f"{names.get(code, code)} ({code}) : {fr_number(int(counts.get(code, 0)))} établissements · "
                        f"{fr_number(float(jobs.get(code, 0)))} emplois estimés"}
            for code, (lat, lon, zoom) in DEPARTMENT_STOPS.items()]


def _top_capabilities(service: DataService):
    links = service.snapshot().capability_links
    labels = dict(zip(service.lookups.capabilities["code"], service.lookups.capabilities["label"]))
    top = links["capability_code"].value_counts().head(8)
    return kiosk_bars([(labels.get(c, c), int(n)) for c, n in top.items()], unit=" sites")


def _deserts(service: DataService):
    """Capabilities with the lowest 25 km coverage of the population (None when the engine is unusable)."""
    try:
        from dashboard.services import coverage as coverage_service

        table = coverage_service.summary(service, radius_km=25.0, weighting="population")
    except Exception:  # noqa: BLE001 - optional slide: any failure of another topic's engine skips it
        log.warning("kiosk: coverage engine unavailable, supplier-desert slide skipped", exc_info=True)
        return None
    table = table.dropna(subset=["rate"]).sort_values("rate").head(6)
    if not len(table):
        return None
    return html.Div([
        html.P("Part de la population sans fournisseur à moins de 25 km", className="kiosk-lead"),
        kiosk_bars([(r["capability_label"], round(100 * r["desert_share"])) for r in table.to_dict("records")],
                   unit=" %"),
    ])


def _skills(service: DataService):
    table = repository.recruitment_tensions(service.engine, limit=6)
    if not len(table) or table["difficult"].fillna(0).sum() == 0:
        return None
    return html.Div([
        html.P("Projets de recrutement jugés difficiles (BMO, dernière année)", className="kiosk-lead"),
        kiosk_bars([(r["label"], int(r["difficult"] or 0)) for r in table.to_dict("records")]),
    ])


def _trend(service: DataService):
    snap = service.snapshot()
    if snap.dataset is None:
        return None
    flows = repository.establishment_flows(service.engine, snap.dataset.id)
    opened = pd.to_datetime(flows["created_on"], errors="coerce").dt.year.value_counts()
    closed = pd.to_datetime(flows["closed_on"], errors="coerce").dt.year.value_counts()
    years = [y for y in range(2016, 2026) if opened.get(y, 0) or closed.get(y, 0)]
    if not years:
        return None
    top = max([int(opened.get(y, 0)) for y in years] + [int(closed.get(y, 0)) for y in years] + [1])
    cols = [html.Div([
        html.Div([html.Span(style={"height": f"{100 * opened.get(y, 0) / top:.0f}%"}, className="kt-open"),
                  html.Span(style={"height": f"{100 * closed.get(y, 0) / top:.0f}%"}, className="kt-close")],
                 className="kt-bars"),
        html.Div(str(y), className="kt-year"),
        html.Div(f"{int(opened.get(y, 0) - closed.get(y, 0)):+d}".replace("-", "−"), className="kt-net"),
    ], className="kt-col") for y in years]
    return html.Div([
        html.P([html.Span("■ ouvertures", className="kt-key-open"), "  ",
                html.Span("■ fermetures", className="kt-key-close"), " · solde net sous chaque année"],
               className="kiosk-lead"),
        html.Div(cols, className="kiosk-trend"),
    ])


def _exhibitors(service: DataService, event: ev.EventInfo | None):
    if event is None:
        return None
    people = repository.event_participants(service.engine, event.id)
    shown = people[(people["role"] == "exposant") & people["establishment_public_id"].notna()]
    if not len(shown):
        return None
    day_index = (dt.date.today().toordinal()) % max(len(shown) // 4, 1)
    picked = shown.iloc[day_index * 4: day_index * 4 + 4]
    return html.Div([html.Div([
        html.Img(src=_qr(card_url(r["establishment_public_id"])), className="kiosk-qr", alt=f"QR {r['name']}"),
        html.Div(r["name"], className="kiosk-qr-name"),
        html.Div(f"Stand {r['stand']} · {r['commune_name'] or ''}", className="kiosk-qr-meta"),
    ], className="kiosk-qr-card") for r in picked.to_dict("records")], className="kiosk-qr-grid")


def live_counter(service: DataService):
    event = ev.current_event(service.engine)
    if event is None:
        return html.Div("Aucun événement en cours", className="kiosk-label")
    counts = repository.event_meeting_counts(service.engine, event.id)
    active = counts.get("scheduled", 0) + counts.get("held", 0)
    return counter(active, event.meeting_target, counts.get("held", 0))


def kiosk_view(service: DataService, query: dict[str, list[str]]) -> KioskView:
    event = ev.current_event(service.engine)
    stops = _stops(service)
    candidates = [
        ("territoire", "Le tissu industriel lorrain en chiffres", _territory(service)),
        ("carte", "Quatre départements, un tissu", html.Div([kiosk_map(stops),
                                                              html.Div(stops[0]["caption"], id=ids.KIOSK_MAP_CAPTION,
                                                                       className="kiosk-caption")],
                                                             className="kiosk-map-wrap")),
        ("savoir-faire", "Savoir-faire les plus répandus", _top_capabilities(service)),
        ("deserts", "Déserts de fournisseurs", _deserts(service)),
        ("competences", "Métiers en tension", _skills(service)),
        ("tendance", "Ouvertures et fermetures d'établissements", _trend(service)),
        ("rendez-vous", event.name if event else "Rendez-vous d'affaires",
         html.Div(live_counter(service), id=ids.KIOSK_COUNTER, className="kiosk-counter")),
        ("exposants", "Flashez un exposant pour voir sa fiche", _exhibitors(service, event)),
    ]
    slides = [(k, t, b) for k, t, b in candidates if b is not None]
    keys = [k for k, _, _ in slides]
    config = {"n": len(slides), "map": keys.index("carte"), "ticks": 4,
              "stops": [{k: s[k] for k in ("lat", "lon", "zoom", "caption")} for s in stops]}
    return KioskView(slides=slides, seconds=slide_seconds(query), config=config,
                     is_demo=service.snapshot().is_demo or bool(event and event.is_demo))


def render_kiosk(service: DataService, query: dict[str, list[str]]):
    return kiosk_page(kiosk_view(service, query))


# --- Wiring ---------------------------------------------------------------------------------------

def register(app, service: DataService) -> None:
    app.callback(Output(ids.EVENT_WALL, "children"), Input(ids.EVENT_WALL_TICK, "n_intervals"),
                 Input(ids.EVENT_ADMIN_MESSAGE, "children"), prevent_initial_call=True)(
        lambda _n, _msg: refresh_wall(service))
    app.callback(Output(ids.EVENT_AGENDA_LINK, "children"), Input(ids.EVENT_PARTICIPANT, "value"))(agenda_link)
    app.callback(Output(ids.EVENT_ADMIN_MESSAGE, "children"), Input(ids.EVENT_MARK_HELD, "n_clicks"),
                 Input(ids.EVENT_MARK_CANCELLED, "n_clicks"), Input(ids.EVENT_RESCHEDULE, "n_clicks"),
                 State(ids.EVENT_MEETING_ID, "value"), prevent_initial_call=True)(
        lambda _a, _b, _c, meeting: admin_action(service, ctx.triggered_id, meeting))
    app.callback(Output(ids.KIOSK_COUNTER, "children"), Input(ids.KIOSK_COUNTER_TICK, "n_intervals"),
                 prevent_initial_call=True)(lambda _n: live_counter(service))
    app.clientside_callback(ClientsideFunction("tissuEvent", "rotate"),
                            Output(ids.KIOSK_DECK, "className"), Output(ids.KIOSK_MAP, "viewport"),
                            Output(ids.KIOSK_MAP_CAPTION, "children"),
                            Input(ids.KIOSK_TICK, "n_intervals"), State(ids.KIOSK_CONFIG, "data"))
    app.clientside_callback(ClientsideFunction("tissuEvent", "pause"),
                            Output(ids.KIOSK_TICK, "disabled"), Output(ids.KIOSK_PAUSE, "children"),
                            Input(ids.KIOSK_PAUSE, "n_clicks"), State(ids.KIOSK_TICK, "disabled"),
                            prevent_initial_call=True)
