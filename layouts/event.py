"""Event pages: the overview with the live wall, a participant's printable agenda, the big-screen kiosk."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import dash_leaflet as dl
from dash import dcc, html, no_update
from dash.development.base_component import Component, ComponentType

from dashboard import ids, territory
from dashboard.callback_inputs import as_number
from dashboard.formatting import fr_date, fr_number, fr_percent
from dashboard.services.event import AgendaData, AgendaMissing, EventInfo, EventOverview, KioskData, MeetingCounter
from layouts.basemap import basemap, geometry_url
from layouts.components import dropdown
from layouts.network_outcomes import open_needs_slide

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
    participants_url: str | None = None  # the payload of the participant picker's options
    can_run: bool = False  # staff: the meeting follow-up panel; others get an invitation to sign in


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
                html.A("Rendez-vous (CSV pour la plateforme)", href="/api/v1/event/meetings.csv", className="button")
                if view.can_run else None,  # who meets whom: staff only (the API answers 403 to others)
            ], className="ev-actions"),
        ], className="ev-head"),
        html.Div(wall(view.wall), id=ids.EVENT_WALL, className="ev-wall"),
        dcc.Interval(id=ids.EVENT_WALL_TICK, interval=30_000),
        html.Div([
            html.Div([
                html.H3("Agenda d'un participant"),
                dropdown(id=ids.EVENT_PARTICIPANT, options=[], placeholder="Exposant ou visiteur…",
                         searchable=True),
                dcc.Store(id=ids.EVENT_PARTICIPANTS_URL, data=view.participants_url),  # the options: a payload
                html.Div(id=ids.EVENT_AGENDA_LINK, className="ev-agenda-link"),
            ], className="ev-panel"),
            _admin_panel() if view.can_run else html.Div([
                html.H3("Suivi des rendez-vous"),
                html.P("Réservé à l'équipe UIMM : connectez-vous pour marquer les rendez-vous et replanifier.",
                       className="muted"),
                html.A("Se connecter", href="/connexion?suivant=/evenement", className="button button-light"),
                dcc.Input(id=ids.EVENT_MEETING_ID, type="hidden"),
                *[html.Button(id=i, hidden=True) for i in (ids.EVENT_MARK_HELD, ids.EVENT_MARK_CANCELLED,
                                                           ids.EVENT_RESCHEDULE)],
                html.Div(id=ids.EVENT_ADMIN_MESSAGE, hidden=True),
            ], className="ev-panel"),
        ], className="ev-wall-grid"),
    ], className="ev-page")


def _admin_panel() -> html.Div:
    return html.Div([
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
            ], className="ev-panel")


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
    askable: frozenset[int] = frozenset()  # meetings the viewer's establishment had: an introduction may follow


def agenda_page(view: AgendaView) -> html.Div:
    p = view.person
    role = "Exposant" if p["role"] == "exposant" else "Visiteur"
    stand = p.get("stand") if isinstance(p.get("stand"), str) else None
    commune = p.get("commune_name") if isinstance(p.get("commune_name"), str) else ""
    where = f"Stand {stand}" if stand else commune
    # Cancelled meetings stay listed (struck through) but are not the participant's meetings any more.
    statuses = [r["status"] for _, rows in view.days for r in rows]
    total = sum(status != "cancelled" for status in statuses)
    cancelled = len(statuses) - total
    head = html.Div([
        html.Div([
            html.Div(view.event_name + (" · données fictives" if view.is_demo else ""), className="ag-event"),
            html.H1(p["name"], className="ag-name"),
            html.Div([html.Span(role, className=f"ag-role ag-role-{p['role']}"), html.Span(where),
                      html.Span(f"{fr_number(total)} rendez-vous", className="ag-count"),
                      html.Span(f"{fr_number(cancelled)} annulé{'s' if cancelled > 1 else ''}",
                                className="ag-cancelled") if cancelled else None,
                      html.Span(view.venue)], className="ag-meta"),
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
                    html.Td(className="ag-why", children=[html.Div(r["why"]), html.Div(
                        f"score {fr_number(r['score'])}/100" + (" · recommandation tissu"
                                                               if r["origin"] == "recommendation" else ""),
                        className="muted")]),
                    html.Td([str(r["id"]), html.Div(r["status_label"], className=f"ag-status ag-{r['status']}")
                             if r["status"] != "scheduled" else None,
                             html.Button("Mise en relation", id={"type": ids.EVENT_ASK, "meeting": int(r["id"])},
                                         n_clicks=0, className="button button-small no-print",
                                         title="Demander une mise en relation avec ce participant")
                             if int(r["id"]) in view.askable else None], className="ag-no"),
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
        html.Div(id=ids.EVENT_ASK_MESSAGE, className="no-print"),
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
    config: dict  # {"n": number of slides}
    is_demo: bool


def kiosk_map(department: dict) -> dl.Map:
    """One department, framed to its outline (drawn over the others) with its establishments as points."""
    points = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": {}}
        for lat, lon in department["points"]]}
    outline = dl.GeoJSON(url=geometry_url("departements"), format="geobuf", interactive=False,
                         style={"variable": "tissu.kiosk.departmentStyle"}, hideout={"code": department["code"]})
    sites = dl.GeoJSON(data=points, interactive=False, pointToLayer={"variable": "tissu.kiosk.siteToLayer"})
    (south, west), (north, east) = department["bounds"]
    # `bounds` frames the map; dash-leaflet still needs a center and zoom to report its viewport.
    return dl.Map([*basemap(), outline, sites], id=f"{ids.KIOSK_MAP}-{department['code']}",
                  center=[(south + north) / 2, (west + east) / 2], zoom=9, bounds=department["bounds"],
                  boundsOptions={"padding": [24, 24]}, preferCanvas=True,
                  zoomControl=False, attributionControl=False, dragging=False, scrollWheelZoom=False,
                  doubleClickZoom=False, boxZoom=False, keyboard=False, className="kiosk-map")


def _map_slide(department: dict) -> tuple[str, str, ComponentType]:
    body = html.Div([kiosk_map(department), html.Div(department["caption"], className="kiosk-caption")],
                    className="kiosk-map-wrap")
    return f"carte-{department['code']}", f"{department['name']} ({department['code']})", body


def kiosk_page(view: KioskView) -> html.Div:
    slides = [html.Section([html.H1(title, className="kiosk-title"), html.Div(body, className="kiosk-body")],
                           className=f"kiosk-slide kiosk-slide-{key}") for key, title, body in view.slides]
    return html.Div([
        html.Div(slides, id=ids.KIOSK_DECK, className="kiosk-deck show-0"),
        html.Div([html.Span(className="kiosk-dot") for _ in view.slides], className="kiosk-dots"),
        html.Div([f"tissu · {territory.active().tagline}",
                  html.Span(" · données de démonstration (fictives)" if view.is_demo else "", className="kiosk-demo")],
                 className="kiosk-footer"),
        html.Button("❚❚", id=ids.KIOSK_PAUSE, className="kiosk-pause", title="Pause / reprise"),
        dcc.Interval(id=ids.KIOSK_TICK, interval=int(view.seconds * 1000)),
        dcc.Interval(id=ids.KIOSK_COUNTER_TICK, interval=30_000),
        dcc.Store(id=ids.KIOSK_CONFIG, data=view.config),
    ], id=ids.KIOSK, className="kiosk")


def big_numbers(items: list[tuple[str, str]]) -> html.Div:
    return html.Div([html.Div([html.Div(value, className="kiosk-number"), html.Div(label, className="kiosk-label")],
                              className="kiosk-figure") for value, label in items], className="kiosk-figures")


def kiosk_bars(rows: list[tuple[str, int]], *, unit: str = "", scale: float | None = None) -> html.Div:
    """Horizontal bars; `scale` is the full bar (100 for rates in %), by default the largest value."""
    top = scale or max([v for _, v in rows] + [1])
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


# --- From the services' data to the pages ----------------------------------------------------------

def date_range(event: EventInfo) -> str:
    last = event.starts_on + dt.timedelta(days=event.grid.days - 1)
    return f"du {event.starts_on:%d/%m/%Y} au {last:%d/%m/%Y}" if last != event.starts_on else \
        f"le {event.starts_on:%d/%m/%Y}"


def overview_page(o: EventOverview | None) -> html.Div:
    if o is None:
        return no_event()
    event, g = o.event, o.event.grid
    subtitle = (f"{event.venue} · {date_range(event)} · {g.n_slots} créneaux de {g.slot_minutes} min · "
                "score et « pourquoi » expliqués pour chaque rendez-vous"
                + (" · événement de démonstration (fictif)" if event.is_demo else ""))
    return event_page(EventPageView(title=event.name, subtitle=subtitle, is_demo=event.is_demo, wall=o.wall,
                                    participants_url=o.participants_url, can_run=o.can_run))


def wall_update(counts: dict | None):
    """The wall, or no change when there is no event any more."""
    return wall(counts) if counts else no_update


def agenda_link(participant_id):
    number = as_number(participant_id)  # the dropdown's value, or whatever a hand-made request sent
    if not number or not number.is_integer():
        return None
    return html.A("Ouvrir l'agenda imprimable →", href=f"/evenement/agenda?participant={int(number)}",
                  className="button")


def qr_data_uri(url: str) -> str:
    import segno  # only the agenda and kiosk pages draw QR codes

    return segno.make(url, error="m").svg_data_uri(scale=4, border=2, dark="#1d2733")


def agenda_view(data: AgendaData, *, askable: frozenset[int] = frozenset()) -> AgendaView:
    days = [(f"Jour {number} · {_day_label(date)}", rows) for number, date, rows in data.days]
    return AgendaView(event_name=data.event.name, venue=data.event.venue, is_demo=data.event.is_demo,
                      person=data.person, days=days, qr_data_uri=qr_data_uri(data.card_url) if data.card_url else None,
                      card_url=data.card_url, askable=askable)


def agenda(data: AgendaData | AgendaMissing | None, *, askable: frozenset[int] = frozenset()) -> html.Div:
    if data is None:
        return no_event()
    if isinstance(data, AgendaMissing):
        return agenda_missing(data.message)
    return agenda_page(agenda_view(data, askable=askable))


def counter_panel(c: MeetingCounter | None) -> html.Div:
    if c is None:
        return html.Div("Aucun événement en cours", className="kiosk-label")
    return counter(c.active, c.target, c.held)


def _trend(rows: list[tuple[int, int, int]]) -> html.Div:
    top = max([o for _, o, _ in rows] + [c for _, _, c in rows] + [1])
    cols = [html.Div([
        html.Div([html.Span(style={"height": f"{100 * opened / top:.0f}%"}, className="kt-open"),
                  html.Span(style={"height": f"{100 * closed / top:.0f}%"}, className="kt-close")],
                 className="kt-bars"),
        html.Div(str(year), className="kt-year"),
        html.Div(f"{opened - closed:+d}".replace("-", "−"), className="kt-net"),
    ], className="kt-col") for year, opened, closed in rows]
    return html.Div([
        html.P([html.Span("■ ouvertures", className="kt-key-open"), "  ",
                html.Span("■ fermetures", className="kt-key-close"), " · solde net sous chaque année"],
               className="kiosk-lead"),
        html.Div(cols, className="kiosk-trend"),
    ])


def _exhibitors(rows: list[dict]) -> html.Div:
    return html.Div([html.Div([
        html.Img(src=qr_data_uri(r["card_url"]), className="kiosk-qr", alt=f"QR {r['name']}"),
        html.Div(r["name"], className="kiosk-qr-name"),
        html.Div(f"Stand {r['stand']} · {r['commune_name'] or ''}", className="kiosk-qr-meta"),
    ], className="kiosk-qr-card") for r in rows], className="kiosk-qr-grid")


def _rate_bars(lead: str, rows: list[tuple[str, int]] | None) -> html.Div | None:
    """Rates in %: the full bar is 100 %, so that 73 % fills three quarters of it."""
    return html.Div([html.P(lead, className="kiosk-lead"), kiosk_bars(rows, unit=" %", scale=100)]) if rows else None


def kiosk_view(data: KioskData, *, seconds: float) -> KioskView:
    """The slides that have something to show, in order, and the browser's rotation config."""
    year = f"BMO {data.tensions_year}" if data.tensions_year else "BMO"
    candidates = [
        ("territoire", f"{territory.active().tagline.capitalize()} en chiffres",
         big_numbers([(fr_number(value), label) for value, label in data.territory])),
        *[_map_slide(d) for d in data.departments],
        ("savoir-faire", "Savoir-faire les plus répandus", kiosk_bars(data.top_capabilities, unit=" sites")),
        ("deserts", "Déserts de fournisseurs",
         _rate_bars("Part de la population sans fournisseur à moins de 25 km", data.deserts)),
        ("competences", "Métiers industriels en tension",
         _rate_bars(f"Part des projets de recrutement jugés difficiles ({year}, métiers de l'industrie)",
                    data.tensions)),
        ("tendance", "Ouvertures et fermetures d'établissements", _trend(data.trend) if data.trend else None),
        ("rendez-vous", data.event_name or "Rendez-vous d'affaires",
         html.Div(counter_panel(data.counter), id=ids.KIOSK_COUNTER, className="kiosk-counter")),
        ("besoins", "Besoins ouverts des acheteurs", open_needs_slide(data.open_needs or [], is_demo=data.needs_demo)),
        ("exposants", "Flashez un exposant pour voir sa fiche", _exhibitors(data.exhibitors) if data.exhibitors
         else None),
    ]
    slides: list[tuple[str, str, ComponentType]] = [(k, t, b) for k, t, b in candidates if b is not None]
    return KioskView(slides=slides, seconds=seconds, config={"n": len(slides)}, is_demo=data.is_demo)
