"""Event pages: the overview with the live wall, a participant's printable agenda, the big-screen kiosk."""

from __future__ import annotations

from dataclasses import dataclass, field

import dash_leaflet as dl
from dash import dcc, html
from dash.development.base_component import Component, ComponentType

from dashboard import ids
from dashboard.formatting import fr_date, fr_number, fr_percent
from layouts.basemap import basemap

DAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def _day_label(date) -> str:
    return f"{DAY_NAMES[date.weekday()]} {fr_date(date)}"


def bars(rows: list[tuple[str, int]], *, total: int | None = None, limit: int = 8, css: str = "") -> html.Div:
    """Horizontal HTML bars (label, value): light, printable, no chart library."""
    rows = rows[:limit]
    top = max([v for _, v in rows] + [1])
    return html.Div([html.Div([
        html.Span(label, className="ev-bar-label"),
        html.Span(html.Span(style={"width": f"{100 * value / top:.1f}%"}, className="ev-bar-fill"),
                  className="ev-bar-track"),
        html.Span(fr_number(value) + (f" · {fr_percent(value / total, 0)}" if total else ""), className="ev-bar-value"),
    ], className="ev-bar") for label, value in rows], className=f"ev-bars {css}")


# --- Overview and live wall ------------------------------------------------------------------------

@dataclass(frozen=True)
class EventPageView:
    title: str
    subtitle: str
    is_demo: bool
    wall: dict  # dashboard.services.event.wall_counts
    participant_options: list[dict] = field(default_factory=list)


def wall(counts: dict) -> html.Div:
    active, target = counts["active"], max(counts["target"], 1)
    return html.Div([
        html.Div([
            html.Div([html.Div(fr_number(active), className="ev-big"),
                      html.Div(f"rendez-vous planifiés ou tenus, objectif {fr_number(counts['target'])}",
                               className="ev-big-label"),
                      html.Div(html.Div(style={"width": f"{min(100, 100 * active / target):.1f}%"},
                                        className="ev-progress-fill"), className="ev-progress")],
                     className="ev-counter"),
            html.Div([html.Div(fr_number(counts["held"]), className="ev-mid"), html.Div("tenus", className="muted")],
                     className="ev-stat"),
            html.Div([html.Div(fr_number(counts["scheduled"]), className="ev-mid"),
                      html.Div("à venir", className="muted")], className="ev-stat"),
            html.Div([html.Div(fr_number(counts["cancelled"]), className="ev-mid"),
                      html.Div("annulés", className="muted")], className="ev-stat"),
        ], className="ev-wall-head"),
        html.Div([
            html.Div([html.H3("Par département du visiteur"), bars(counts["by_department"], total=active)],
                     className="ev-panel"),
            html.Div([html.H3("Par filière du visiteur"), bars(counts["by_filiere"], total=active)],
                     className="ev-panel"),
        ], className="ev-wall-grid"),
    ])


def event_page(view: EventPageView) -> html.Div:
    return html.Div([
        html.Div([
            html.H1(view.title, className="page-title"),
            html.P(view.subtitle, className="page-lead"),
            html.Div([
                html.A("Mode kiosque (grand écran)", href="/evenement/kiosque", className="button"),
                html.A("Rendez-vous (CSV pour la plateforme)", href="/api/v1/event/meetings.csv", className="button"),
            ], className="ev-actions"),
        ], className="ev-head"),
        html.Div(wall(view.wall), id=ids.EVENT_WALL, className="ev-wall"),
        dcc.Interval(id=ids.EVENT_WALL_TICK, interval=30_000),
        html.Div([
            html.Div([
                html.H3("Agenda d'un participant"),
                dcc.Dropdown(id=ids.EVENT_PARTICIPANT, options=view.participant_options,
                             placeholder="Exposant ou visiteur…", searchable=True),
                html.Div(id=ids.EVENT_AGENDA_LINK, className="ev-agenda-link"),
            ], className="ev-panel"),
            html.Div([
                html.H3("Suivi des rendez-vous"),
                html.P("Marquez un rendez-vous tenu ou annulé (son n° figure sur les agendas), puis replanifiez : "
                       "les rendez-vous maintenus ne bougent pas, la capacité libérée est réattribuée.",
                       className="muted"),
                html.Div([
                    dcc.Input(id=ids.EVENT_MEETING_ID, type="number", min=1, placeholder="N° de rendez-vous",
                              className="ev-input"),
                    html.Button("Tenu", id=ids.EVENT_MARK_HELD, className="button"),
                    html.Button("Annulé", id=ids.EVENT_MARK_CANCELLED, className="button"),
                    html.Button("Replanifier après annulations", id=ids.EVENT_RESCHEDULE, className="button"),
                ], className="ev-admin-row"),
                html.Div(id=ids.EVENT_ADMIN_MESSAGE, className="ev-admin-message", role="status"),
            ], className="ev-panel"),
        ], className="ev-wall-grid"),
    ], className="ev-page")


def no_event() -> html.Div:
    return html.Div([
        html.H1("Aucun événement"),
        html.P("Importez les participants : tissu template event, puis tissu import event FICHIER et "
               "tissu event schedule."),
    ], className="page-message")


# --- Agenda ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AgendaView:
    event_name: str
    venue: str
    is_demo: bool
    person: dict
    days: list[tuple[str, list[dict]]]  # (day label, meetings: time, with_name, with_commune, stand, why, origin…)
    qr_data_uri: str | None  # exhibitors: QR code of their card in the explorer
    card_url: str | None
    notice: str = ""


def agenda_page(view: AgendaView) -> html.Div:
    p = view.person
    role = "Exposant" if p["role"] == "exposant" else "Visiteur"
    stand = p.get("stand") if isinstance(p.get("stand"), str) else None
    commune = p.get("commune_name") if isinstance(p.get("commune_name"), str) else ""
    where = f"Stand {stand}" if stand else commune
    total = sum(len(rows) for _, rows in view.days)
    head = html.Div([
        html.Div([
            html.Div(view.event_name + (" · données fictives" if view.is_demo else ""), className="ag-event"),
            html.H1(p["name"], className="ag-name"),
            html.Div([html.Span(role, className=f"ag-role ag-role-{p['role']}"), html.Span(where),
                      html.Span(f"{fr_number(total)} rendez-vous"), html.Span(view.venue)], className="ag-meta"),
        ]),
        html.Div([html.Img(src=view.qr_data_uri, alt="QR code de la fiche", className="ag-qr"),
                  html.Div("Fiche sur tissu", className="ag-qr-label")], className="ag-qr-box")
        if view.qr_data_uri else None,
    ], className="ag-head")
    sections: list[Component] = []
    for label, rows in view.days:
        sections.append(html.Section([
            html.H2(label, className="ag-day"),
            html.Table([
                html.Thead(html.Tr([html.Th(h) for h in ("Heure", "Avec", "Lieu", "Pourquoi", "N°")])),
                html.Tbody([html.Tr([
                    html.Td(r["time"], className="ag-time"),
                    html.Td([html.Div(r["with_name"], className="ag-with"),
                             html.Div(r.get("with_commune") or "", className="muted")]),
                    html.Td(f"Stand {r['stand']}", className="ag-stand"),
                    html.Td([html.Div(r["why"]), html.Div(
                        f"score {fr_number(r['score'])}/100" + (" · recommandation tissu"
                                                               if r["origin"] == "recommendation" else ""),
                        className="muted")]),
                    html.Td([str(r["id"]), html.Div(r["status_label"], className=f"ag-status ag-{r['status']}")
                             if r["status"] != "scheduled" else None]),
                ], className=f"ag-row ag-row-{r['status']}") for r in rows]),
            ], className="ag-table"),
        ], className="ag-section"))
    if not sections:
        sections = [html.P("Aucun rendez-vous planifié pour ce participant.", className="ag-empty")]
    return html.Div([
        html.Div([html.A("← Événement", href="/evenement", className="button"),
                  # assets/event.js prints on click (no server round trip, no Dash callback)
                  html.Button("Imprimer / PDF", id=ids.EVENT_PRINT, className="button")],
                 className="ag-tools no-print"),
        html.P(view.notice, className="ag-notice no-print") if view.notice else None,
        head, *sections,
    ], id=ids.EVENT_AGENDA, className="ag-page")


def agenda_missing(message: str) -> html.Div:
    return html.Div([
        html.H1("Agenda"), html.P(message),
        html.A("Choisir un participant sur la page Événement", href="/evenement", className="button"),
    ], className="page-message")


# --- Kiosk -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class KioskView:
    slides: list[tuple[str, str, ComponentType]]  # (key, title, body)
    seconds: float  # per slide
    config: dict  # {"n": slides, "map": index of the map slide or -1, "stops": [...]}
    is_demo: bool


TICKS_PER_SLIDE = 4  # the map slide flies to a new department on each tick


def kiosk_map(stops: list[dict]) -> dl.Map:
    first = stops[0] if stops else {"lat": 48.7, "lon": 6.2, "zoom": 8}
    return dl.Map(basemap(), id=ids.KIOSK_MAP, center=[first["lat"], first["lon"]], zoom=8, zoomControl=False,
                  attributionControl=False, dragging=False, scrollWheelZoom=False, doubleClickZoom=False,
                  boxZoom=False, keyboard=False, className="kiosk-map")


def kiosk_page(view: KioskView) -> html.Div:
    slides = [html.Section([html.H1(title, className="kiosk-title"), html.Div(body, className="kiosk-body")],
                           className=f"kiosk-slide kiosk-slide-{key}") for key, title, body in view.slides]
    tick_ms = int(view.seconds * 1000 / TICKS_PER_SLIDE)
    return html.Div([
        html.Div(slides, id=ids.KIOSK_DECK, className="kiosk-deck show-0"),
        html.Div([html.Span(className="kiosk-dot") for _ in view.slides], className="kiosk-dots"),
        html.Div(["tissu · le tissu industriel lorrain",
                  html.Span(" · données de démonstration (fictives)" if view.is_demo else "")],
                 className="kiosk-footer"),
        html.Button("❚❚", id=ids.KIOSK_PAUSE, className="kiosk-pause", title="Pause / reprise"),
        dcc.Interval(id=ids.KIOSK_TICK, interval=max(tick_ms, 250)),
        dcc.Interval(id=ids.KIOSK_COUNTER_TICK, interval=30_000),
        dcc.Store(id=ids.KIOSK_CONFIG, data=view.config),
    ], id=ids.KIOSK, className="kiosk")


def big_numbers(items: list[tuple[str, str]]) -> html.Div:
    return html.Div([html.Div([html.Div(value, className="kiosk-number"), html.Div(label, className="kiosk-label")],
                              className="kiosk-figure") for value, label in items], className="kiosk-figures")


def kiosk_bars(rows: list[tuple[str, int]], *, unit: str = "") -> html.Div:
    top = max([v for _, v in rows] + [1])
    return html.Div([html.Div([
        html.Span(label, className="kb-label"),
        html.Span(html.Span(style={"width": f"{100 * v / top:.1f}%"}, className="kb-fill"), className="kb-track"),
        html.Span(fr_number(v) + unit, className="kb-value")], className="kb-row") for label, v in rows],
        className="kiosk-bars")


def counter(active: int, target: int, held: int) -> html.Div:
    share = min(1.0, active / max(target, 1))
    return html.Div([
        html.Div(fr_number(active), className="kiosk-counter-value"),
        html.Div(f"rendez-vous d'affaires planifiés ou tenus · objectif {fr_number(target)}",
                 className="kiosk-label"),
        html.Div(html.Div(style={"width": f"{100 * share:.1f}%"}, className="kiosk-progress-fill"),
                 className="kiosk-progress"),
        html.Div(f"{fr_number(held)} déjà tenus", className="kiosk-sub"),
    ])
