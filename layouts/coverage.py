"""Couverture fournisseurs: where local sourcing is possible, supplier deserts, single-source risk."""

from __future__ import annotations

from dataclasses import dataclass

import dash_ag_grid as dag
import dash_leaflet as dl
from dash import dcc, html

from dashboard import ids
from dashboard.figures import GRAPH_CONFIG
from layouts.basemap import basemap, map_controls
from layouts.explorer import DROPDOWN_LABELS

WEIGHT_CHOICES = [("jobs", "Établissements, pondérés par leurs emplois"), ("count", "Établissements (un par site)"),
                  ("population", "Communes, pondérées par leur population")]
LEVEL_CHOICES = [("commune", "Communes"), ("epci", "EPCI"), ("zone_emploi", "Zones d'emploi"),
                 ("departement", "Départements")]
EXPORT_CHOICES = [("units", "Territoires (échelle choisie)"), ("summary", "Tous les savoir-faire"),
                  ("matrix", "Filières × savoir-faire"), ("singles", "Fournisseurs uniques")]
DISTANCE_CLASSES = [(10, "#08519c", "≤ 10 km"), (25, "#3182bd", "10 à 25 km"), (50, "#9ecae1", "25 à 50 km"),
                    (100, "#fdd0a2", "50 à 100 km"), (None, "#e6550d", "> 100 km")]


@dataclass(frozen=True)
class CoverageView:
    capability: str
    radius_km: float
    weighting: str
    level: str
    notices: list[str]
    capability_options: list[dict]
    source_line: str
    tile_url: str = ""
    tile_attribution: str = ""


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
            dcc.Dropdown(id=ids.COVERAGE_CAPABILITY, options=view.capability_options, value=view.capability,
                         clearable=False, searchable=True, maxHeight=360, labels=DROPDOWN_LABELS,
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
            html.Label("Échelle du tableau", className="field-label"),
            dcc.RadioItems(id=ids.COVERAGE_LEVEL, value=view.level, className="radio-stack",
                           options=[{"label": lab, "value": v} for v, lab in LEVEL_CHOICES]),
        ], className="field"),
        _definitions(),
    ], className="side-panel")
    legend = html.Div([html.Div("Distance au fournisseur le plus proche", className="overlay-title")] + [
        html.Div([html.Span(className="choro-swatch", style={"background": color}), label], className="choro-row")
        for _, color, label in DISTANCE_CLASSES] + [
        html.Div([html.Span(className="choro-swatch desert-swatch"),
                  "désert (bord rouge) : aucun fournisseur dans le rayon"], className="choro-row"),
        html.Div([html.Span(className="swatch", style={"background": "#d9731c"}), "fournisseur"],
                 className="choro-row")], id=ids.COVERAGE_LEGEND, className="map-overlay coverage-legend")
    # The url is set by the callback together with the first styling: dash-leaflet ignores a hideout
    # that changes while the file is still loading.
    communes = dl.GeoJSON(id=ids.COVERAGE_COMMUNES, url=None, format="geobuf",
                          style={"variable": "tissu.coverage.communeStyle"}, hideout={},
                          onEachFeature={"variable": "tissu.coverage.communeTooltip"})
    map_ = dl.MapContainer(
        basemap(tile_url=view.tile_url, tile_attribution=view.tile_attribution, choropleth=communes) + [
            dl.GeoJSON(id=ids.COVERAGE_SUPPLIERS, data=None, pointToLayer={"variable": "tissu.coverage.supplier"}),
        ] + map_controls(),
        id=ids.COVERAGE_MAP, center=[48.78, 6.15], zoom=8, zoomSnap=0.25, minZoom=6, maxZoom=15,
        attributionControl=False, preferCanvas=True, className="map")
    exports = html.Div([
        dcc.Dropdown(id=ids.COVERAGE_EXPORT_CHOICE, value="units", clearable=False, searchable=False,
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
            html.Div([map_, legend], className="coverage-map"),
            html.Div(dcc.Graph(id=ids.COVERAGE_RANKING, config=GRAPH_CONFIG), className="coverage-ranking"),
        ], className="coverage-row"),
        html.Div(dcc.Graph(id=ids.COVERAGE_MATRIX, config=GRAPH_CONFIG), className="coverage-card"),
        html.Div([
            html.Div([html.H2("Par territoire", className="section-title"), exports], className="table-head"),
            grid(ids.COVERAGE_TABLE),
            html.H2("Fournisseurs uniques : ceux dont dépend une partie de la demande", className="section-title"),
            grid(ids.COVERAGE_SINGLES),
        ], className="coverage-card"),
    ], className="coverage-main")
    return html.Div([
        side, main,
        dcc.Store(id=ids.COVERAGE_QUERY), dcc.Store(id=ids.COVERAGE_URL_SYNC), dcc.Download(id=ids.COVERAGE_DOWNLOAD),
    ], className="coverage")
