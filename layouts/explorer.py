"""The home page: the map of Lorraine with every establishment, clustered."""

from __future__ import annotations

from dataclasses import dataclass

import dash_leaflet as dl
from dash import dcc, html

from dashboard import ids
from dashboard.analytics.summary import Summary
from dashboard.formatting import fr_date, fr_number, fr_percent
from dashboard.reference import ATTRIBUTION
from layouts.components import empty_state, kpi_card, legend

LORRAINE_CENTER = [48.78, 6.15]
LORRAINE_BOUNDS = [[47.80, 4.85], [49.65, 7.70]]


@dataclass(frozen=True)
class ExplorerView:
    """Everything the page shows, prepared by the callback from the data service."""

    summary: Summary
    filiere_rows: list[tuple[str, str, str]]  # colour, label, count text
    point_store: dict
    filiere_colors: list[str]
    source_name: str
    source_date: object
    is_demo: bool
    tile_url: str = ""
    tile_attribution: str = ""


def _basemap(view: ExplorerView) -> list:
    layers = []
    if view.tile_url:
        layers.append(dl.TileLayer(url=view.tile_url, attribution=view.tile_attribution, opacity=0.6))
    layers += [
        dl.GeoJSON(id=ids.COMMUNES_LAYER, url="/geo/communes.geojson", attribution=ATTRIBUTION,
                   style={"variable": "tissu.map.communeStyle"}, hideout={"tiles": bool(view.tile_url)},
                   interactive=False),
        dl.GeoJSON(id=ids.DEPARTMENTS_LAYER, url="/geo/departements.geojson",
                   style={"variable": "tissu.map.departmentStyle"}, interactive=False),
    ]
    return layers


def explorer_page(view: ExplorerView) -> html.Div:
    s = view.summary
    kpis = html.Div([
        kpi_card("établissements actifs", fr_number(s.establishments),
                 note=f"{fr_percent(s.share_of_region)} de la Lorraine"),
        kpi_card("emplois estimés", fr_number(s.jobs), title="Somme des effectifs estimés (milieu de tranche INSEE)"),
        kpi_card("communes couvertes", fr_number(s.communes), note="sur 2 321"),
    ], id=ids.KPI_STRIP, className="kpi-strip")
    side = html.Aside([
        html.H1("Le tissu industriel lorrain", className="page-title"),
        html.P("Établissements industriels (sections NAF B à E) de Meurthe-et-Moselle, Meuse, Moselle et "
               "Vosges. Zoomez pour détailler les regroupements.", className="page-lead"),
        kpis,
        html.Div(f"Source : {view.source_name} · {fr_date(view.source_date)}", className="source-badge"),
        html.Div(legend(view.filiere_rows, title="Filières"), id=ids.LEGEND),
    ], className="side-panel")
    if s.establishments == 0:
        body = empty_state("Aucun établissement chargé",
                           "Chargez la démonstration (tissu demo) ou des données réelles (tissu import sirene).")
    else:
        body = None
    map_ = dl.MapContainer(
        _basemap(view) + [
            dl.GeoJSON(id=ids.POINTS, cluster=True, zoomToBoundsOnClick=True, spiderfyOnMaxZoom=True,
                       superClusterOptions={"radius": 70, "maxZoom": 15},
                       pointToLayer={"variable": "tissu.map.pointToLayer"},
                       clusterToLayer={"variable": "tissu.map.clusterToLayer"},
                       hideout={"colors": view.filiere_colors}),
            dl.ScaleControl(position="bottomleft", imperial=False),
            # The default control drops GeoJSON attributions: state the sources as its prefix.
            dl.AttributionControl(position="bottomright", prefix=f"{ATTRIBUTION} · Leaflet"),
        ],
        id=ids.MAP, center=LORRAINE_CENTER, zoom=8.5, zoomSnap=0.25, zoomDelta=0.5, minZoom=7,
        attributionControl=False, maxZoom=17, maxBounds=[[46.8, 3.5], [50.6, 9.0]],
        preferCanvas=True, className="map",
    )
    return html.Div([
        side,
        html.Section([map_, body], className="map-area"),
        dcc.Store(id=ids.POINT_STORE, data=view.point_store),
    ], className="explorer")
