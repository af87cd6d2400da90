"""Couverture fournisseurs: where local sourcing is possible, supplier deserts, single-source risk."""

from __future__ import annotations

import math

import dash_ag_grid as dag
import dash_leaflet as dl
from dash import dcc, html, no_update

from dashboard import ids, territory
from dashboard.figures import GRAPH_CONFIG
from dashboard.figures.coverage import coverage_matrix_figure, coverage_ranking_figure
from dashboard.formatting import fr_number, fr_percent
from dashboard.services.coverage import (
    COMMUNES_URL,
    LEVEL_CHOICES,
    WEIGHT_CHOICES,
    CapabilityError,
    CapabilityPage,
    CoverageOverview,
    CoverageView,
)
from layouts.basemap import POINTS_PANE, basemap, home_bounds, home_center, home_zoom, map_controls
from layouts.components import dropdown, kpi_card
from layouts.cross_border import context_layers

EXPORT_CHOICES = [("units", "Territoires (échelle choisie)"), ("summary", "Tous les savoir-faire"),
                  ("matrix", "Filières × savoir-faire"), ("singles", "Fournisseurs uniques")]
DISTANCE_CLASSES = [(10, "#08519c", "≤ 10 km"), (25, "#3182bd", "10 à 25 km"), (50, "#9ecae1", "25 à 50 km"),
                    (100, "#fdd0a2", "50 à 100 km"), (None, "#e6550d", "> 100 km")]


def _definitions() -> html.Details:
    return html.Details([
        html.Summary("Définitions"),
        html.Ul([
            html.Li([html.B("Taux de couverture : "), "part de la demande (établissements pondérés par leurs "
                     "emplois, ou communes pondérées par leur population) ayant au moins un fournisseur du "
                     "savoir-faire à moins de r km (à vol d'oiseau)."]),
            html.Li([html.B("Désert fournisseur : "),
                     "commune (ou territoire) sans aucun fournisseur à moins de r km."]),
            html.Li([html.B("Source unique : "), "part de la demande qui n'a qu'un seul fournisseur à moins de r km."]),
            html.Li([html.B("Distance au k-ième fournisseur : "), "médiane, sur la demande, de la distance au plus "
                     "proche (k = 1) et au 3e plus proche (k = 3)."]),
            html.Li([html.B("Points et poids : "), POINT_NOTE]),
            html.Li("Un fournisseur ne se couvre jamais lui-même."),
        ]),
    ], className="method-note", open=False)


def coverage_page(view: CoverageView) -> html.Div:
    side = html.Aside([
        html.H1("Couverture fournisseurs", className="page-title"),
        html.P("Pour chaque savoir-faire : où trouve-t-on un fournisseur à proximité, où sont les déserts, "
               "et quels savoir-faire reposent sur un seul fournisseur local ?", className="page-lead"),
        html.Div([html.Div(n, className="notice") for n in view.notices], id=ids.COVERAGE_NOTICES,
                 className="notices"),
        html.Div([
            html.Label("Savoir-faire", className="field-label"),
            dropdown(id=ids.COVERAGE_CAPABILITY, options=view.capability_options, value=view.capability,
                     clearable=False, searchable=True, maxHeight=360,
                     className="filter-dropdown"),
        ], className="field"),
        html.Div([
            html.Label("Rayon (km, à vol d'oiseau)", className="field-label"),
            dcc.Slider(id=ids.COVERAGE_RADIUS, min=5, max=150, step=5, value=view.radius_km,
                       marks={v: str(v) for v in (5, 25, 50, 100, 150)}),
        ], className="field"),
        html.Div([
            html.Label("Demande à couvrir", className="field-label"),
            dcc.RadioItems(id=ids.COVERAGE_WEIGHT, value=view.weighting, className="radio-stack",
                           options=[{"label": lab, "value": v} for v, lab in WEIGHT_CHOICES]),
        ], className="field"),
        html.Div([
            dcc.Checklist(id=ids.COVERAGE_CROSS_BORDER, value=["1"] if view.cross_border else [],
                          className="radio-stack",
                          options=[{"label": "Inclure les fournisseurs transfrontaliers", "value": "1"}]),
            html.Div("Luxembourg, Sarre, Wallonie… : ils fournissent, la demande reste celle du territoire. Coché "
                     "par défaut quand le territoire touche la frontière (moins de 50 km).", className="field-hint"),
        ], className="field"),
        html.Div([
            html.Label("Échelle du tableau", className="field-label"),
            dcc.RadioItems(id=ids.COVERAGE_LEVEL, value=view.level, className="radio-stack",
                           options=[{"label": lab, "value": v} for v, lab in LEVEL_CHOICES]),
        ], className="field"),
        _definitions(),
    ], className="side-panel")
    # Below the map, not over it: every corner of the map frame holds some of Lorraine.
    legend = html.Div([html.Div("Distance au fournisseur le plus proche", className="overlay-title")] + [
        html.Div([html.Span(className="choro-swatch", style={"background": color}), label], className="choro-row")
        for _, color, label in DISTANCE_CLASSES] + [
        html.Div([html.Span(className="choro-swatch desert-swatch"),
                  "désert (bord rouge) : aucun fournisseur dans le rayon"], className="choro-row"),
        html.Div([html.Span(className="swatch", style={"background": "#d9731c"}), "fournisseur"],
                 className="choro-row")], id=ids.COVERAGE_LEGEND, className="coverage-legend")
    # The url is set by the callback together with the first styling: dash-leaflet ignores a hideout
    # that changes while the file is still loading.
    communes = dl.GeoJSON(id=ids.COVERAGE_COMMUNES, url=None, format="geobuf",
                          style={"variable": "tissu.coverage.communeStyle"}, hideout={},
                          onEachFeature={"variable": "tissu.coverage.communeTooltip"})
    map_ = dl.MapContainer(
        context_layers(view.context_urls)
        + basemap(tile_url=view.tile_url, tile_attribution=view.tile_attribution, choropleth=communes) + [
            # Over the communes' colouring, so that their tooltips open (the communes' open around them).
            dl.Pane(dl.GeoJSON(id=ids.COVERAGE_SUPPLIERS, data=None, hideout={"pane": POINTS_PANE},
                               pointToLayer={"variable": "tissu.coverage.supplier"}), name=POINTS_PANE),
        ] + map_controls(abroad=True),
        id=ids.COVERAGE_MAP, center=home_center(), zoom=home_zoom() - 0.5, zoomSnap=0.25, minZoom=6, maxZoom=15,
        maxBounds=home_bounds(),
        attributionControl=False, preferCanvas=True, className="map")
    exports = html.Div([
        dropdown(id=ids.COVERAGE_EXPORT_CHOICE, value="units", clearable=False, searchable=False,
                 options=[{"label": lab, "value": v} for v, lab in EXPORT_CHOICES], className="export-choice"),
        html.Button("Exporter CSV", id=ids.COVERAGE_EXPORT_CSV, className="button button-light", n_clicks=0),
        html.Button("Tout exporter (Excel)", id=ids.COVERAGE_EXPORT_XLSX, className="button button-light", n_clicks=0),
    ], className="table-actions")
    grid = lambda id_: dag.AgGrid(id=id_, rowData=[], columnDefs=[],
                                  defaultColDef={"sortable": True, "resizable": True},
                                  dashGridOptions={"localeText": {"noRowsToShow": "Aucune ligne"}},
                                  style={"height": "340px", "width": "100%"}, className="ag-theme-quartz")
    main = html.Section([
        html.Div([html.Div(id=ids.COVERAGE_KPIS, className="kpi-strip"),
                  html.Div(view.source_line, className="kpi-source")], className="main-head"),
        html.Div([
            html.Div([html.Div(map_, className="coverage-map"), legend], className="coverage-map-box"),
            html.Div(dcc.Graph(id=ids.COVERAGE_RANKING, config=GRAPH_CONFIG), className="coverage-ranking"),
        ], className="coverage-row"),
        html.Div(dcc.Graph(id=ids.COVERAGE_MATRIX, config=GRAPH_CONFIG), className="coverage-card"),
        html.Div([
            html.Div([html.H2("Par territoire", className="section-title"), exports], className="table-head"),
            html.P(POINT_NOTE, className="unit-note"),
            grid(ids.COVERAGE_TABLE),
            html.H2("Fournisseurs uniques : ceux dont dépend une partie de la demande", className="section-title"),
            grid(ids.COVERAGE_SINGLES),
        ], className="coverage-card"),
    ], className="coverage-main")
    return html.Div([
        side, main,
        dcc.Store(id=ids.COVERAGE_QUERY), dcc.Store(id=ids.COVERAGE_URL_SYNC), dcc.Download(id=ids.COVERAGE_DOWNLOAD),
    ], className="coverage")


# --- Results: the outputs of the page's callbacks --------------------------------------------------

def _km(value: float) -> str:
    return "–" if value is None or math.isnan(value) else f"{fr_number(value, 0 if value >= 10 else 1)}\u00a0km"


POINT_NOTE = ("Point de demande : un établissement, ou une commune quand la demande est « Communes, pondérées par "
              "leur population ». Poids : ce que compte ce point, ses emplois estimés, 1 par site, ou les habitants "
              "de la commune, selon la demande choisie.")
_HEADER_TIPS = {
    "desert_points": "Points de demande sans fournisseur dans le rayon (établissements ou communes)",
    "demand_points": "Établissements, ou communes, dont on mesure l'accès à un fournisseur",
    "dependent_points": "Points de demande dont c'est le seul fournisseur dans le rayon",
    "dependent_weight": "Poids de ces points : emplois, sites ou habitants selon la demande choisie",
}


def _columns(spec: list[tuple[str, str, str]]) -> list[dict]:
    out = []
    for field, header, kind in spec:
        col = {"field": field, "headerName": header, "flex": 1, "minWidth": 110}
        if field in _HEADER_TIPS:
            col["headerTooltip"] = _HEADER_TIPS[field]
        if kind == "pct":
            col["valueFormatter"] = {"function": "frPercent(params.value, 1)"}  # assets/00-tissu-core.js
            col["type"] = "numericColumn"
        elif kind == "km":
            col["valueFormatter"] = {"function": "params.value == null ? '–' : frNumber(params.value, 1) + '\u00a0km'"}
            col["type"] = "numericColumn"
        elif kind == "num":
            col["type"] = "numericColumn"
        out.append(col)
    return out


UNIT_COLUMNS = [("name", "Territoire", "text"), ("rate", "Couverture", "pct"),
                ("desert_points", "Points en désert", "num"),
                ("single_source_share", "Source unique", "pct"), ("median_nearest_km", "Distance médiane", "km"),
                ("max_nearest_km", "Distance max.", "km"), ("demand_points", "Points de demande", "num")]
SINGLE_COLUMNS = [("name", "Fournisseur unique", "text"), ("commune_name", "Commune", "text"),
                  ("department_code", "Dép.", "text"), ("dependent_points", "Points qui en dépendent", "num"),
                  ("dependent_weight", "Poids dépendant", "num")]


def capability_components(page: CapabilityPage | CapabilityError) -> tuple:
    """KPIs, map hideout, suppliers, unit and single-supplier rows and columns, URL parameters, communes url
    (the order of callbacks.coverage's outputs); a French notice and no url change on a bad query."""
    if isinstance(page, CapabilityError):
        return html.Div(page.message, className="notice"), {}, None, [], [], [], [], page.params, no_update
    result, radius_km = page.result, page.radius_km
    kpis = [
        kpi_card(f"couverture à {fr_number(radius_km)}\u00a0km", fr_percent(result.rate),
                 note=f"{page.label} · {page.weight_label}"),
        kpi_card("en désert", fr_percent(result.desert_share), note="aucun fournisseur dans le rayon"),
        kpi_card("source unique", fr_percent(result.single_source_share), note="un seul fournisseur"),
        kpi_card("distance médiane", _km(result.median_nearest_km), note="au plus proche"),
        kpi_card("au 3e plus proche", _km(result.median_third_nearest_km), note="médiane"),
        kpi_card("fournisseurs", fr_number(len(result.suppliers)),
                 note=(f"dont {fr_number(page.suppliers_abroad)} à l'étranger" if page.cross_border
                       else territory.active().in_label)),
    ]
    hideout = {"km": page.commune_km, "radius": radius_km, "label": page.label,
               "classes": [[upper, color] for upper, color, _ in DISTANCE_CLASSES]}  # null: no upper bound
    suppliers = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
         "properties": {"name": r["name"], "id": r["public_id"]}} for r in page.suppliers]}
    return (kpis, hideout, suppliers, page.unit_rows, _columns(UNIT_COLUMNS), page.single_rows,
            _columns(SINGLE_COLUMNS), page.params, COMMUNES_URL)


def overview_graphs(o: CoverageOverview, *, selected: str, radius_km: float) -> tuple:
    """The ranking of every capability and the filière × capability heatmap at this radius."""
    return (coverage_ranking_figure(o.summary, selected=selected, radius_km=radius_km),
            coverage_matrix_figure(o.matrix, filiere_labels=o.filiere_labels, capability_labels=o.capability_labels,
                                   radius_km=radius_km))
