"""Partenaires de proximité: who can do what I need near my site, ranked and explained."""

from __future__ import annotations

import dash_leaflet as dl
from dash import dcc, html, no_update
from dash.development.base_component import Component

from dashboard import ids
from dashboard.analytics.partner_query import PAGE_RADIUS_RANGE
from dashboard.formatting import fr_number
from dashboard.services.cross_border import BORDER_KM
from dashboard.services.partners import (
    NUMBERED_MARKERS,
    Origin,
    PartnerFailure,
    PartnerPageView,
    PartnerResults,
    PartnerSearch,
)
from layouts.basemap import basemap, home_bounds, home_center, home_zoom, map_controls
from layouts.components import dropdown
from layouts.cross_border import context_layers

SORT_CHOICES = [("score", "Savoir-faire puis distance"), ("distance", "Distance (vol d'oiseau)"),
                ("road", "Distance routière estimée")]
ORIGIN_MODES = [("site", "Un établissement"), ("commune", "Une commune"), ("point", "Un point sur la carte")]


def _field(label: str, control, hint: str = "") -> html.Div:
    return html.Div([html.Label(label, className="field-label"), control,
                     html.Div(hint, className="field-hint") if hint else None], className="field")


def _dropdown(id_, options, value, placeholder, *, multi=True, **kwargs) -> dcc.Dropdown:
    return dropdown(id=id_, options=options, value=value, multi=multi, placeholder=placeholder,
                    searchable=True, clearable=True, maxHeight=320, search_order="original",
                    className="filter-dropdown", **kwargs)


def query_panel(view: PartnerPageView) -> html.Div:
    q = view.query
    low, high = PAGE_RADIUS_RANGE
    radius = min(max(q.radius_km, low), high)
    return html.Div([
        html.Div("1. Point de départ", className="panel-title"),
        dcc.RadioItems(id=ids.PARTNER_ORIGIN_MODE, value=view.origin_mode, className="radio-stack",
                       options=[{"label": lab, "value": v} for v, lab in ORIGIN_MODES]),
        html.Div(_dropdown(ids.PARTNER_ORIGIN_SITE, view.site_options, q.site, "Nom, commune ou SIRET…",
                           multi=False), id="partner-site-box"),
        html.Div([_dropdown(ids.PARTNER_ORIGIN_COMMUNE, view.commune_options, q.commune, "Commune…", multi=False),
                  dcc.Store(id=ids.PARTNER_COMMUNES_URL, data=view.commune_options_url)],  # the options: a payload
                 id="partner-commune-box"),
        html.Div("Cliquez sur la carte pour placer le point de départ.", id="partner-point-box",
                 className="field-hint"),
        html.Div("2. Besoin", className="panel-title"),
        html.Div(_field("Ce que ce site recherche", dcc.RadioItems(
            id=ids.PARTNER_MATCH, value=q.match or "", className="radio-stack", options=list(view.match_options)),
            "Les savoir-faire ci-dessous suivent le choix ; modifiez-les librement."),
            id="partner-match-box", style=None if view.origin_mode == "site" else {"display": "none"}),
        _field("Savoir-faire recherchés", _dropdown(ids.PARTNER_CAPABILITY, view.capability_options,
                                                    list(q.capabilities), "Traitement thermique, soudure TIG…")),
        dcc.RadioItems(id=ids.PARTNER_CAPABILITY_MODE, value=q.capability_mode, inline=True,
                       className="radio-inline",
                       options=[{"label": "tous", "value": "all"}, {"label": "au moins un", "value": "any"}]),
        _field("Certifications requises", _dropdown(ids.PARTNER_CERTIFICATION, view.certification_options,
                                                    list(q.certifications), "EN 9100, IATF 16949…"),
               "Un partenaire les détient toutes."),
        _field("Certifications souhaitées", _dropdown(ids.PARTNER_CERTIFICATION_WISHED, view.certification_options,
                                                      list(q.wished_certifications), "ISO 14001, ISO 9001…"),
               "Classées en tête sans exclure les autres."),
        _field("Codes NAF", _dropdown(ids.PARTNER_NAF, view.naf_options, list(q.naf), "Division ou sous-classe")),
        _field("Effectif minimal", _dropdown(ids.PARTNER_SIZE, view.size_options, q.size_min, "Toutes tailles",
                                             multi=False)),
        dcc.Checklist(id=ids.PARTNER_MEMBER, value=["oui"] if q.members_only else [], className="radio-inline",
                      options=[{"label": "Adhérents UIMM seulement", "value": "oui"}]) if view.membership
        else dcc.Checklist(id=ids.PARTNER_MEMBER, value=[], options=[], style={"display": "none"}),
        _field("Fournisseurs transfrontaliers", dcc.RadioItems(
            id=ids.PARTNER_CROSS_BORDER, className="radio-stack",
            value={True: "1", False: "0"}.get(q.cross_border, ""),  # type: ignore[arg-type]
            options=[{"label": CROSS_BORDER_AUTO, "value": ""},
                     {"label": "Inclure les fournisseurs transfrontaliers", "value": "1"},
                     {"label": "France seulement", "value": "0"}]),
            "Luxembourg, Sarre, Wallonie… : sites à l'étranger."),
        html.Div("3. Rayon et classement", className="panel-title"),
        _field("Rayon (km, à vol d'oiseau)", dcc.Slider(
            id=ids.PARTNER_RADIUS, min=low, max=high, step=5, value=radius,
            marks={v: f"{v}" for v in (5, 25, 50, 75, 100, 150)})),
        dcc.RadioItems(id=ids.PARTNER_SORT, value=q.sort, className="radio-stack",
                       options=[{"label": lab, "value": v} for v, lab in SORT_CHOICES]),
        html.Details([
            html.Summary("Comment le classement est-il fait ?"),
            html.P("Score = part des savoir-faire demandés que le site propose, puis les certifications "
                   "souhaitées qu'il détient, puis proximité (100 = tout ce qui est demandé, sur place). "
                   "Distances à vol d'oiseau ; la distance routière (× 1,3) et le temps de trajet (70 km/h de "
                   "moyenne) sont des estimations."),
            html.P(f"Sur la carte, les {NUMBERED_MARKERS} premiers sont numérotés ; les suivants sont des points."),
        ], className="method-note"),
    ], className="filters")


def ask_panel(site_options: list[dict]) -> html.Div:
    """For a member: which of their sites asks for an introduction when the origin is not one of them."""
    return html.Div([
        html.Div(id=ids.PARTNER_ASK_MESSAGE, role="status"),
        html.Div(_field("Mise en relation au nom de", _dropdown(
            ids.PARTNER_ASK_SITE, site_options, site_options[0]["value"] if site_options else None,
            "Votre établissement", multi=False), "Sert quand le point de départ n'est pas l'un de vos "
            "établissements."), className="partner-ask-site"),
    ], className="partner-ask-panel")


def partners_page(view: PartnerPageView, *, ask_sites: list[dict] | None = None) -> html.Div:
    layers = context_layers(view.context_urls) + basemap(tile_url=view.tile_url,
                                                        tile_attribution=view.tile_attribution) + [
        dl.LayerGroup(id=ids.PARTNER_ORIGIN_LAYER),
        dl.GeoJSON(id=ids.PARTNER_RESULTS_LAYER, data=None, pointToLayer={"variable": "tissu.map.partnerToLayer"}),
    ] + map_controls(abroad=True)
    map_ = dl.MapContainer(layers, id=ids.PARTNER_MAP, center=home_center(), zoom=home_zoom(), zoomSnap=0.25,
                           zoomDelta=0.5, minZoom=6, maxZoom=17, attributionControl=False, preferCanvas=True,
                           maxBounds=home_bounds(), className="map")
    side = html.Aside([
        html.H1("Partenaires de proximité", className="page-title"),
        html.P("Qui sait faire ce dont j'ai besoin, près de mon site ? Une liste classée et expliquée, "
               "à partager ou à exporter.", className="page-lead"),
        html.Div([html.Div(n, className="notice") for n in view.notices], id=ids.PARTNER_NOTICES, className="notices"),
        query_panel(view),
    ], className="side-panel")
    results = html.Section([
        html.Div([
            html.Div([html.Div(id=ids.PARTNER_SUMMARY, className="partner-summary"),
                      html.Button("", id=ids.PARTNER_WIDEN, className="link-button", n_clicks=0,
                                  style={"display": "none"})]),
            html.Div([
                html.Button("Exporter CSV", id=ids.PARTNER_EXPORT_CSV, className="button button-light", n_clicks=0),
                html.Button("Exporter Excel", id=ids.PARTNER_EXPORT_XLSX, className="button button-light", n_clicks=0),
            ], className="table-actions"),
        ], className="partner-head"),
        html.Div(view.source_line, className="source-badge partner-source"),
        ask_panel(ask_sites) if ask_sites else None,
        html.Ol(id=ids.PARTNER_LIST, className="partner-list"),
    ], className="partner-results")
    return html.Div([
        side,
        html.Div([html.Div(map_, className="partner-map"), results], className="partner-main"),
        dcc.Store(id=ids.PARTNER_ORIGIN_POINT,
                  data={"lat": view.query.lat, "lon": view.query.lon} if view.query.lat is not None else None),
        dcc.Store(id=ids.PARTNER_QUERY),
        dcc.Store(id=ids.PARTNER_URL_SYNC),
        dcc.Download(id=ids.PARTNER_DOWNLOAD),
    ], className="partners")


def _certification_chips(codes: list[str], *, labels: dict[str, str], asked: set[str]) -> html.Div | None:
    """The partner's certifications; those the search requires or wishes for stand out."""
    if not codes:
        return None
    return html.Div([html.Span("Certifications : ", className="chips-label")] + [
        html.Span(labels.get(c, c), className="chip chip-small chip-cert" + (" chip-asked" if c in asked else ""),
                  title="Demandée dans la recherche" if c in asked else None) for c in codes],
        className="chips partner-certs")


def result_item(record: dict, *, capability_labels: dict[str, str], certification_labels: dict[str, str] | None = None,
                asked_certifications: set[str] | None = None, can_ask: bool = False) -> html.Li:
    """One ranked partner with its distances, its plain-French "pourquoi" and its certifications."""
    distance = record["distance_km"]
    abroad = (record.get("country") or "FR") != "FR"  # a site across the border: its country, no card to open
    numbered = record["rank"] <= NUMBERED_MARKERS
    return html.Li([
        html.Div([
            html.Span(str(record["rank"]), className="rank" if numbered else "rank rank-dot"),
            html.Div([
                html.A(record["name"], href=f"/?etab={record['id']}", className="partner-name",
                       title="Ouvrir la fiche sur la carte") if not abroad else
                html.Span(record["name"], className="partner-name"),
                html.Div([f"{record['commune_name']} ({record['departement']}) · {record['filiere_label'] or ''}"]
                         if not abroad else [f"{record['commune_name']} · {record['filiere_label'] or ''}",
                                             html.Span(record["country_label"], className="country-tag")],
                         className="partner-where"),
            ], className="partner-title"),
            html.Div([html.Div(f"{fr_number(distance, 1)}\u00a0km", className="partner-km"),
                      html.Div(f"≈ {fr_number(record['road_km_estimate'])}\u00a0km route · "
                               f"{fr_number(record['drive_min_estimate'])}\u00a0min", className="partner-drive",
                               title="Estimation : détour moyen × 1,3 et 70 km/h")], className="partner-distance"),
        ], className="partner-row"),
        html.Div(" · ".join(record["why"]), className="partner-why"),
        html.Div([html.Span(capability_labels.get(c, c), className="chip chip-small") for c in record["capabilities"]],
                 className="chips") if record["capabilities"] else None,
        _certification_chips(list(record.get("certifications") or []), labels=certification_labels or {},
                             asked=asked_certifications or set()),
        html.Button("Demander une mise en relation", id={"type": ids.PARTNER_ASK, "to": record["id"]}, n_clicks=0,
                    className="button button-light button-small partner-ask") if can_ask else None,
    ], className="partner-item", **{"data-id": record["id"]})


def result_points(records: list[dict]) -> dict:
    """The map layer's data: the first NUMBERED_MARKERS as numbered markers (`numbered`), the rest as points;
    the points come first so that the numbered markers are drawn over them."""
    def feature(rec: dict) -> dict:
        return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [rec["lon"], rec["lat"]]},
                "properties": {"rank": rec["rank"], "name": rec["name"], "km": fr_number(rec["distance_km"], 1),
                               "numbered": rec["rank"] <= NUMBERED_MARKERS}}
    top = [rec for rec in records if rec["rank"] <= NUMBERED_MARKERS]
    rest = [rec for rec in records if rec["rank"] > NUMBERED_MARKERS]
    return {"type": "FeatureCollection", "features": [feature(rec) for rec in rest + top]}


# --- Results: the outputs of the page's main callback ----------------------------------------------

def origin_layers(origin: Origin, radius_km: float) -> list:
    # The starting point's label is always shown: on hover it would never open, the dot being drawn on the
    # overlay pane's canvas, which lets the pointer through (assets/tissu.css), and often under the nearest pins.
    return [
        dl.Circle(center=[origin.lat, origin.lon], radius=radius_km * 1000, interactive=False,
                  color="#d9731c", weight=2, fillOpacity=0.05, dashArray="6 6"),
        dl.CircleMarker(center=[origin.lat, origin.lon], radius=9, color="#ffffff", weight=3, fillColor="#d9731c",
                        fillOpacity=1, interactive=False,
                        children=dl.Tooltip(f"Départ : {origin.label}", permanent=True, direction="bottom",
                                            offset=[0, 10], className="origin-label")),
    ]


def results_outputs(r: PartnerResults | PartnerFailure, *, asking: frozenset[str] | None = None) -> tuple:
    """Summary, ranked list, origin layers, result points, map viewport, URL parameters, widen button style and
    label (the order of callbacks.partners' outputs). `asking`: the member's sites, who may ask each result (but
    their own) for an introduction."""
    if isinstance(r, PartnerFailure):
        return html.Div(r.message, className="partner-empty"), [], [], None, no_update, r.params, \
            {"display": "none"}, ""
    result, origin, records = r.search.result, r.search.origin, r.records
    radius = fr_number(result.radius_km)
    summary: list[str | Component] = [html.Strong(f"{fr_number(result.total_in_radius)} partenaire(s)"),
               f" dans un rayon de {radius}\u00a0km autour de {origin.label}"]
    if result.total_in_radius > len(records):
        summary.append(f" · les {len(records)} premiers affichés")
    if result.next_radius_km:
        summary.append(f" · {fr_number(result.beyond_radius)} autre(s) entre {radius} et "
                       f"{fr_number(result.next_radius_km)}\u00a0km")
    widen_style, widen_label = ({}, f"Élargir à {fr_number(r.widen_km)} km") if r.widen_km else \
        ({"display": "none"}, "")
    query = r.search.query
    asked = set(query.certifications) | set(query.wished_certifications)
    items = [result_item(rec, capability_labels=r.capability_labels, certification_labels=r.certification_labels,
                         asked_certifications=asked, can_ask=bool(asking) and rec["id"] not in (asking or ()))
             for rec in records]
    if not items:
        items = [html.Li("Aucun partenaire ne répond à ce besoin dans ce rayon : élargissez le rayon ou "
                         "choisissez « au moins un » savoir-faire.", className="partner-empty")]
    summary.append(html.Div(cross_border_line(r.search), className="partner-context partner-cross-border"))
    if r.context:
        summary.append(html.Div(r.context, className="partner-context"))
    points = result_points(records)
    viewport = {"bounds": r.bounds, "transition": "flyToBounds"}
    return (html.Span(summary), items, origin_layers(origin, result.radius_km), points, viewport, r.params,
            widen_style, widen_label)


CROSS_BORDER_AUTO = f"Selon le point de départ (inclus à moins de {BORDER_KM:g} km de la frontière)"


def cross_border_line(search: PartnerSearch) -> str:
    """Whether the list includes the sites abroad, and why (the default or the user's choice), in French."""
    abroad = sum((country or "FR") != "FR" for country in search.records.get("country", []))
    default = search.query.cross_border is None
    if search.cross_border:
        near = ("départ à l'étranger" if search.origin.abroad
                else f"départ à moins de {BORDER_KM:g}\u00a0km de la frontière")
        why = f"par défaut : {near}" if default else "choisi"
        return f"Fournisseurs transfrontaliers inclus ({why}) · {abroad} à l'étranger dans la liste"
    if default:
        return f"France seulement (départ à plus de {BORDER_KM:g}\u00a0km de la frontière)"
    return "France seulement (fournisseurs transfrontaliers exclus)"


def export_notice(message: str) -> html.Div:
    return html.Div(f"Export impossible : {message}", className="partner-empty")
