"""Cercles d'excellence: the list and map of circles, "who near me", UIMM's follow-up, and a circle's own page
(members, join requests, sessions with their seats, the place where the circle's practice sheets go)."""

from __future__ import annotations

import datetime as dt

import dash_leaflet as dl
import pandas as pd
from dash import dcc, html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.analytics.circles import MEMBER_STATUS_LABELS
from dashboard.formatting import fr_number, fr_percent
from dashboard.services.circles import CirclePage, CirclesPage, CircleStats
from dashboard.services.circles_input import CAPACITY_RANGE
from layouts.basemap import basemap, home_center, home_zoom, map_controls
from layouts.components import dropdown

PRACTICES_PATH = "/cercles/pratiques"
CIRCLE_PATH = "/cercles/cercle"
SESSION_COLOR, FULL_COLOR, SITE_COLOR, COMMUNE_COLOR = "#1f6f8b", "#c0392b", "#0d5b32", "#6c4f9e"


def when(moment: dt.datetime) -> str:
    """A session's local date and time, '26/11/2026 à 14 h 00'."""
    return moment.strftime("%d/%m/%Y à %H h %M")


def message(text: str | None, *, ok: bool) -> html.P | None:
    if not text:
        return None
    return html.P(text, className="notice" + ("" if ok else " notice-error"), role="status" if ok else "alert")


def _field(label: str, control, hint: str | None = None) -> html.Label:
    return html.Label([html.Span(label, className="form-label"), control,
                       html.Span(hint, className="form-hint") if hint else None], className="form-field")


def _fictif(item: dict) -> html.Span | None:
    return html.Span("fictif", className="badge circle-fictif") if item.get("is_demo") else None


def seats_text(session: dict) -> str:
    if session["status"] == "cancelled":
        return "Annulée"
    if session["full"]:
        return f"Complet ({fr_number(session['capacity'])} places)"
    return f"{fr_number(session['registered'])} inscrits · {fr_number(session['seats_left'])} places libres"


# --- /cercles -------------------------------------------------------------------------------------------

def circle_card(item: dict, *, distance: bool = False) -> html.Li:
    to_come = [s for s in item.get("sessions", []) if s["upcoming"] and s["status"] == "planned"]
    facts = [item["theme_label"], item["territory_label"],
             f"{fr_number(item['members_count'])} établissements membres",
             f"prochaine séance le {when(to_come[0]['starts_at'])} à {to_come[0]['commune']}" if to_come
             else "aucune séance à venir"]
    if distance:
        facts.insert(0, "sur votre territoire" if item["on_territory"] else f"à {fr_number(item['distance_km'])} km")
    return html.Li([
        html.Div([dcc.Link(item["name"], href=f"{CIRCLE_PATH}?id={item['id']}", className="net-card-title"),
                  _fictif(item)]),
        html.Div(" · ".join(facts), className="net-card-facts"),
        html.Div(f"Animation : {item['facilitator']['name']}", className="net-card-facts")
        if "facilitator" in item else None,
    ], className="net-card")


def circles_list(items: list[dict], *, empty: str = "Aucun cercle ouvert pour l'instant.",
                 distance: bool = False) -> Component:
    if not items:
        return html.P(empty, className="form-hint")
    return html.Ol([circle_card(i, distance=distance) for i in items], className="net-list")


def map_markers(points: dict) -> list:
    """Sessions to come, and member sites (signed-in) or counts by commune (public); text only, never HTML."""
    out: list = [dl.CircleMarker(center=[c["lat"], c["lon"]], radius=6 + min(c["members"] + c["sessions"], 12),
                                 color=COMMUNE_COLOR, fillOpacity=0.5, children=dl.Tooltip(
                                     f"{c['commune']} : {fr_number(c['sessions'])} séances à venir · "
                                     f"{fr_number(c['members'])} établissements membres"))
                 for c in points.get("communes", [])]
    out += [dl.CircleMarker(center=[s["lat"], s["lon"]], radius=4, color=SITE_COLOR, fillOpacity=0.8,
                            children=dl.Tooltip(f"{s['name']} · {', '.join(s['circles'])}"))
            for s in points.get("sites", [])]
    out += [dl.CircleMarker(center=[s["lat"], s["lon"]], radius=9, color=FULL_COLOR if s["full"] else SESSION_COLOR,
                            fillOpacity=0.85, children=dl.Tooltip(
                                f"{s['circle']} · {when(s['starts_at'])} · {s['commune']}"
                                + (" · Complet" if s["full"] else "")))
            for s in points.get("sessions", [])]
    return out


def _legend(points: dict) -> html.Div:
    items = [(SESSION_COLOR, "Séance à venir"), (FULL_COLOR, "Séance complète")]
    items += [(SITE_COLOR, "Établissement membre")] if points.get("sites") else [
        (COMMUNE_COLOR, "Par commune : séances et membres")]
    return html.Div([html.Span([html.Span(className="swatch", style={"background": c}), label],
                               className="circle-legend-item") for c, label in items], className="circle-legend")


def near_form(view: CirclesPage) -> html.Div:
    site = dropdown(id=ids.CIRCLES_NEAR_SITE, options=view.site_options, clearable=True,
                    value=view.site_options[0]["value"] if view.site_options else None,
                    placeholder="Un de vos établissements")
    return html.Div([
        html.H2("Qui, près de moi ?", className="section-title"),
        html.Div([
            _field("Depuis mon établissement", site) if view.site_options else html.Div(site, hidden=True),
            _field("ou depuis la commune", dropdown(id=ids.CIRCLES_NEAR_COMMUNE, options=[],
                                                    placeholder="Nancy, Épinal…", clearable=True)),
            dcc.Store(id=ids.CIRCLES_COMMUNES_URL, data=view.communes_url),  # the options: a payload
            _field("Thème", dropdown(id=ids.CIRCLES_NEAR_THEME, options=view.theme_options, clearable=True,
                                     placeholder="Tous les thèmes")),
            _field("Rayon (km)", dcc.Input(id=ids.CIRCLES_NEAR_RADIUS, type="number", min=1, max=200, value=50,
                                           className="form-input")),
            html.Button("Chercher", id=ids.CIRCLES_NEAR_SUBMIT, n_clicks=0, className="button"),
        ], className="form net-form"),
        html.Div(id=ids.CIRCLES_NEAR_RESULTS),
    ], className="net-form-box")


def new_circle_form(view: CirclesPage) -> html.Details:
    return html.Details([
        html.Summary("Créer un cercle", className="net-form-summary"),
        html.Div([
            _field("Nom", dcc.Input(id=ids.CIRCLES_NEW_NAME, type="text", maxLength=200, className="form-input")),
            _field("Thème", dropdown(id=ids.CIRCLES_NEW_THEME, options=view.theme_options, clearable=False)),
            _field("Territoire", dropdown(id=ids.CIRCLES_NEW_TERRITORY, options=view.territory_options,
                                          value="lorraine:", clearable=False)),
            _field("Établissement animateur", dcc.Input(id=ids.CIRCLES_NEW_FACILITATOR, type="text", maxLength=20,
                                                        className="form-input"),
                   "Identifiant (SIRET) de l'établissement qui anime le cercle."),
            _field("Description", dcc.Textarea(id=ids.CIRCLES_NEW_DESCRIPTION, maxLength=2000,
                                               className="form-input net-textarea")),
            html.Button("Créer le cercle", id=ids.CIRCLES_NEW_SUBMIT, n_clicks=0, className="button"),
        ], className="form net-form"),
        html.Div(id=ids.CIRCLES_NEW_MESSAGE),
    ], className="net-form-box")


def _table(headers: list[str], rows: list[list]) -> html.Table:
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in headers])),
                       html.Tbody([html.Tr([html.Td(v) for v in r]) for r in rows])], className="data-table")


def stats_panel(view: CircleStats) -> html.Div:
    """UIMM: participation by territory and theme, members active, unmet interest, sessions held, export."""
    def rows(frame: pd.DataFrame, columns: list[str]) -> list[list]:
        return [[fr_number(v) if isinstance(v, int | float) else v for v in r]
                for r in frame[columns].itertuples(index=False)]

    return html.Div([
        html.H2("Suivi des cercles (équipe UIMM)", className="section-title"),
        html.P(f"{fr_number(view.circles)} cercles ouverts · {fr_number(view.members)} adhésions · adhérents UIMM "
               "actifs dans au moins un cercle : " + (fr_percent(view.member_share) if view.member_share is not None
                                                      else "–"), className="net-card-facts"),
        html.Div([html.Button("Exporter CSV", id=ids.CIRCLES_EXPORT_CSV, n_clicks=0, className="button button-light"),
                  html.Button("Exporter Excel", id=ids.CIRCLES_EXPORT_XLSX, n_clicks=0,
                              className="button button-light"), dcc.Download(id=ids.CIRCLES_DOWNLOAD)],
                 className="net-actions"),
        html.Div([
            html.Div([html.H3("Thèmes demandés sans cercle proche", className="panel-title"),
                      _table(["Thème", "Département", "Demandes", "Établissements"],
                             rows(view.unmet, ["theme_label", "department_code", "requests", "sites"]))
                      if len(view.unmet) else html.P("Aucune demande sans cercle proche.", className="form-hint"),
                      html.H3("Demandes d'adhésion par thème", className="panel-title"),
                      _table(["Thème", "Demandes"], rows(view.requests_by_theme, ["theme_label", "requests"]))]),
            html.Div([html.H3("Participation par territoire et thème", className="panel-title"),
                      _table(["Département", "Thème", "Établissements membres", "Cercles"],
                             rows(view.participation, ["department_code", "theme_label", "members", "circles"])),
                      html.H3("Séances tenues par trimestre", className="panel-title"),
                      _table(["Trimestre", "Séances"], rows(view.per_quarter, ["quarter", "sessions"]))]),
        ], className="net-columns"),
    ])


def _tab(children, label: str, value: str) -> dcc.Tab:
    return dcc.Tab(children, label=label, value=value, className="view-tab", selected_className="view-tab--selected")


def circles_page(view: CirclesPage) -> Component:
    layers = basemap(tile_url=view.tile_url, tile_attribution=view.tile_attribution) + [
        dl.LayerGroup(id=ids.CIRCLES_MAP_LAYER)] + map_controls()  # markers: a callback (callbacks.circles.markers)
    map_ = dl.MapContainer(layers, id=ids.CIRCLES_MAP, center=home_center(), zoom=home_zoom() - 0.5,
                           zoomSnap=0.25, minZoom=6, maxZoom=17, attributionControl=False, className="map net-map")
    n_sessions = len(view.points.get("sessions", []))
    circles_tab = html.Div([
        new_circle_form(view) if view.can_manage else None,
        html.Div([html.Div(circles_list(view.circles), id=ids.CIRCLES_LIST, className="net-column"),
                  html.Div([html.Div(map_, className="net-map-box"), _legend(view.points), near_form(view)],
                           className="net-column")], className="net-columns"),
    ])
    lead = ("Les cercles d'excellence de la charte du Rebond industriel : des industriels d'un territoire partagent "
            "leurs bonnes pratiques autour d'un thème et se retrouvent en séance.")
    return html.Div([
        html.H1("Cercles d'excellence", className="page-title"),
        html.P(lead, className="page-lead"),
        html.P(f"{fr_number(len(view.circles))} cercles · {fr_number(n_sessions)} séances à venir"
               + (" (démonstration, fictif)" if view.is_demo else "")
               + ("" if view.signed_in else " · connectez-vous pour voir qui y participe"), className="source-badge"),
        html.P(["Les fiches bonnes pratiques écrites par les membres : ",
                dcc.Link("consulter et partager une pratique", href=PRACTICES_PATH)],
               className="circle-practices-link"),
        # A tab bar only when there is a second view (staff's follow-up): one lone tab reads as a stray button.
        dcc.Tabs(id=ids.CIRCLES_TABS, value="cercles", className="view-tabs", mobile_breakpoint=0, children=[
            _tab(circles_tab, "Cercles", "cercles"), _tab(stats_panel(view.stats), "Suivi UIMM", "suivi"),
        ]) if view.stats else circles_tab,
    ], className="page-message net-page circles-page")


# --- A circle's page ----------------------------------------------------------------------------------

def members_block(view: CirclePage) -> Component:
    item = view.circle
    if "members" not in item:
        return html.P(f"{fr_number(item['members_count'])} établissements membres. Connectez-vous avec un compte "
                      "adhérent pour voir qui participe.", className="form-hint")
    if not item["members"]:
        return html.P("Pas encore de membre.", className="form-hint")
    return html.Ul([html.Li(f"{m['name']} – {m['commune']}") for m in item["members"]], className="circle-members")


def join_block(view: CirclePage) -> Component | None:
    if not view.signed_in:
        return html.P("Connectez-vous avec un compte adhérent pour demander à rejoindre ce cercle.",
                      className="form-hint")
    mine = [html.Li(f"{o['label']} : {MEMBER_STATUS_LABELS[view.memberships[o['value']]]}")
            for o in view.site_options if o["value"] in view.memberships]
    free = [o for o in view.site_options if view.memberships.get(o["value"]) not in ("accepted", "requested")]
    form = html.Div([
        _field("Pour l'établissement", dropdown(id=ids.CIRCLE_JOIN_SITE, options=free, clearable=False,
                                                value=free[0]["value"])),
        _field("Message (facultatif)", dcc.Input(id=ids.CIRCLE_JOIN_MESSAGE, type="text", maxLength=500,
                                                 className="form-input")),
        html.Button("Demander à rejoindre", id=ids.CIRCLE_JOIN_SUBMIT, n_clicks=0, className="button"),
    ], className="form net-form") if free and view.circle["status"] == "open" else None
    return html.Div([html.Div([html.H3("Vos établissements", className="panel-title"),
                               html.Ul(mine, className="circle-members")]) if mine else None, form])


def pending_block(view: CirclePage) -> Component | None:
    if not view.can_run:
        return None
    title = html.H3("Demandes d'adhésion", className="panel-title")
    if not view.pending:
        return html.Div([title, html.P("Aucune demande d'adhésion en attente.", className="form-hint")])
    return html.Div([title, html.Ol([html.Li([
        html.Div(f"{p['name']} – {p['commune']}", className="net-card-title"),
        html.Div(p["message"], className="net-card-facts") if p["message"] else None,
        html.Div([html.Button("Accepter", id={"type": ids.CIRCLE_DECIDE, "site": p["site"], "status": "accepted"},
                              n_clicks=0, className="button button-small"),
                  html.Button("Décliner", id={"type": ids.CIRCLE_DECIDE, "site": p["site"], "status": "declined"},
                              n_clicks=0, className="button button-small button-light")], className="net-actions"),
    ], className="net-card") for p in view.pending], className="net-list")])


def _session_actions(view: CirclePage, session: dict) -> list:
    if not session["upcoming"] or session["status"] != "planned" or not view.signed_in:
        return []
    out = []
    for option in view.site_options:
        key = option["value"]
        if key in view.registered.get(session["id"], []):
            out.append(html.Button(f"Se désinscrire ({option['label'].split(' – ')[0]})", n_clicks=0,
                                   id={"type": ids.CIRCLE_UNREGISTER, "session": session["id"], "site": key},
                                   className="button button-small button-light"))
        elif view.memberships.get(key) == "accepted" and not session["full"]:
            out.append(html.Button(f"S'inscrire ({option['label'].split(' – ')[0]})", n_clicks=0,
                                   id={"type": ids.CIRCLE_REGISTER, "session": session["id"], "site": key},
                                   className="button button-small"))
    return out


def session_card(view: CirclePage, session: dict) -> html.Li:
    who = session.get("registrants")
    return html.Li([
        html.Div([html.Span(f"{when(session['starts_at'])} · {session['title']}", className="net-card-title"),
                  html.Span("Complet", className="badge circle-full") if session["full"] and
                  session["status"] == "planned" else None]),
        html.Div(" · ".join(x for x in (session["commune"], session.get("address") or "", seats_text(session)) if x),
                 className="net-card-facts"),
        html.Div("Inscrits : " + ", ".join(r["name"] for r in who), className="net-card-facts") if who else None,
        html.Div(_session_actions(view, session), className="net-actions"),
    ], className="net-card" + ("" if session["upcoming"] else " circle-held"))


def sessions_block(view: CirclePage) -> Component:
    sessions = view.circle["sessions"]
    to_come = [s for s in sessions if s["upcoming"]]
    held = [s for s in sessions if not s["upcoming"]][::-1]
    return html.Div([
        html.H3("Séances à venir", className="panel-title"),
        html.Ol([session_card(view, s) for s in to_come], className="net-list") if to_come
        else html.P("Aucune séance à venir.", className="form-hint"),
        html.H3("Séances passées", className="panel-title"),
        html.Ol([session_card(view, s) for s in held], className="net-list") if held
        else html.P("Aucune séance passée.", className="form-hint"),
    ])


def session_form(view: CirclePage) -> html.Details:
    low, high = CAPACITY_RANGE
    return html.Details([
        html.Summary("Planifier une séance", className="net-form-summary"),
        html.Div([
            _field("Intitulé", dcc.Input(id=ids.CIRCLE_SESSION_TITLE, type="text", maxLength=200,
                                         className="form-input")),
            _field("Date", dcc.DatePickerSingle(id=ids.CIRCLE_SESSION_DATE, display_format="DD/MM/YYYY",
                                                first_day_of_week=1, min_date_allowed=view.now.date().isoformat(),
                                                date=(view.now.date() + dt.timedelta(days=14)).isoformat(),
                                                placeholder="jj/mm/aaaa", className="net-date")),
            _field("Heure", dcc.Input(id=ids.CIRCLE_SESSION_TIME, type="text", value="09:00", maxLength=5,
                                      className="form-input"), "HH:MM"),
            _field("Commune", dropdown(id=ids.CIRCLE_SESSION_COMMUNE, options=[], placeholder="Commune du lieu")),
            dcc.Store(id=ids.CIRCLE_COMMUNES_URL, data=view.communes_url),  # the options: a payload
            _field("Adresse (facultatif)", dcc.Input(id=ids.CIRCLE_SESSION_ADDRESS, type="text", maxLength=300,
                                                     className="form-input")),
            _field("Capacité (places)", dcc.Input(id=ids.CIRCLE_SESSION_CAPACITY, type="number", min=low, max=high,
                                                  value=12, className="form-input")),
            html.Button("Planifier", id=ids.CIRCLE_SESSION_SUBMIT, n_clicks=0, className="button"),
        ], className="form net-form"),
    ], className="net-form-box")


def edit_form(view: CirclePage) -> html.Details:
    item = view.circle
    return html.Details([
        html.Summary("Modifier le cercle", className="net-form-summary"),
        html.Div([
            _field("Nom", dcc.Input(id=ids.CIRCLE_EDIT_NAME, type="text", maxLength=200, value=item["name"],
                                    className="form-input")),
            _field("Description", dcc.Textarea(id=ids.CIRCLE_EDIT_DESCRIPTION, maxLength=2000,
                                               value=item["description"], className="form-input net-textarea")),
            _field("Statut", dcc.RadioItems(id=ids.CIRCLE_EDIT_STATUS, value=item["status"], className="radio-stack",
                                            options=[{"label": "Ouvert", "value": "open"},
                                                     {"label": "Clos", "value": "closed"}])),
            html.Button("Enregistrer", id=ids.CIRCLE_EDIT_SUBMIT, n_clicks=0, className="button"),
        ], className="form net-form"),
    ], className="net-form-box")


def practices_block(view: CirclePage) -> list:
    """The circle's published practice sheets, newest first, each a link to the sheet."""
    circle_id = view.circle["id"]
    sheets = [html.Li([html.A(p["title"], href=f"{PRACTICES_PATH}?fiche={p['id']}&cercle={circle_id}"),
                       html.Span(f" · {p['site_name']}" if p.get("site_name") else "", className="form-hint")])
              for p in view.practices[:8]]
    return [html.H2(f"Fiches bonnes pratiques ({fr_number(len(view.practices))})", className="section-title"),
            html.Ul(sheets, className="circle-practices") if sheets
            else html.P("Aucune fiche publiée pour ce cercle.", className="form-hint"),
            dcc.Link("Toutes les fiches de ce cercle" if sheets else "Les fiches bonnes pratiques",
                     href=f"{PRACTICES_PATH}?cercle={circle_id}")]


def circle_page(view: CirclePage) -> Component:
    item = view.circle
    markers = map_markers({"sessions": [s | {"circle": item["name"]} for s in item["sessions"]
                                        if s["upcoming"] and s["status"] == "planned" and s["lat"]]})
    map_ = dl.MapContainer(basemap() + [dl.LayerGroup(markers)] + map_controls(), center=home_center(),
                           zoom=home_zoom() - 0.5, zoomSnap=0.25, minZoom=6, maxZoom=17, attributionControl=False,
                           className="map net-map", **({"viewport": {"bounds": view.bounds}} if view.bounds else {}))
    return html.Div([
        dcc.Store(id=ids.CIRCLE_ID, data=item["id"]),
        html.P(dcc.Link("← Tous les cercles", href="/cercles"), className="circle-back"),
        html.H1([item["name"], _fictif(item)], className="page-title"),
        html.P(" · ".join([item["theme_label"], item["territory_label"]]
                          + ([f"animé par {item['facilitator']['name']}"] if "facilitator" in item else [])
                          + (["clos"] if item["status"] != "open" else [])), className="source-badge"),
        html.P(item["description"], className="page-lead") if item["description"] else None,
        html.Div(id=ids.CIRCLE_MESSAGE),
        edit_form(view) if view.can_manage else None,
        html.Div([
            html.Div([
                html.H2("Séances", className="section-title"),
                session_form(view) if view.can_run and item["status"] == "open" else None,
                html.Div(sessions_block(view), id=ids.CIRCLE_SESSIONS),
            ], className="net-column"),
            html.Div([
                html.Div(map_, className="net-map-box circle-map-box"),
                html.H2(f"Membres ({fr_number(item['members_count'])})", className="section-title"),
                html.Div([members_block(view), join_block(view)], id=ids.CIRCLE_MEMBERS),
                html.Div(pending_block(view), id=ids.CIRCLE_PENDING),
                html.Div(practices_block(view), id=ids.CIRCLE_PRACTICES),
            ], className="net-column"),
        ], className="net-columns"),
    ], className="page-message net-page circle-page")


def not_found(text: str) -> Component:
    return html.Div([html.H1("Cercle introuvable", className="page-title"), html.P(text),
                     dcc.Link("← Tous les cercles", href="/cercles")], className="page-message net-page")


def late_pages() -> list:
    """A staff view of both pages (every form), for Dash's callback validation."""
    now = dt.datetime(2026, 1, 1, 9, 0)
    session = {"id": 1, "title": "", "starts_at": now, "commune": "", "capacity": 1, "registered": 0,
               "seats_left": 1, "full": False, "upcoming": True, "status": "planned", "lat": None}
    item = {"id": 0, "name": "", "theme_label": "", "territory_label": "", "description": "", "status": "open",
            "members_count": 0, "members": [], "sessions": [session], "facilitator": {"name": ""}}
    stats = CircleStats(0, 0, None, pd.DataFrame(columns=["department_code", "theme_label", "members", "circles"]),
                        pd.DataFrame(columns=["theme_label", "department_code", "requests", "sites"]),
                        pd.DataFrame(columns=["quarter", "sessions"]),
                        pd.DataFrame(columns=["theme_label", "requests"]))
    site = [{"label": "x – y", "value": "x"}]
    return [circles_page(CirclesPage(True, True, [], {}, [], [], "", site, "", "", False, now, stats)),
            circle_page(CirclePage(item, True, True, True, {}, site, [], {}, "", now))]
