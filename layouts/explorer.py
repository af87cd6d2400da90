"""The home page: filters, the map of Lorraine (clusters and choropleths), KPIs, card and table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import dash_ag_grid as dag
import dash_leaflet as dl
from dash import dcc, html

from dashboard import ids, territory
from dashboard.analytics.filters import Criteria
from dashboard.formatting import fr_date, fr_number
from dashboard.policy import MEMBER_ONLY_METRICS
from dashboard.services.explorer import ExplorerData
from dashboard.services.explorer_table import BLOCK_ROWS
from dashboard.services.map_clusters import CLUSTERS  # the grid, shared with the server-side clusters
from layouts.basemap import basemap, home_bounds, home_center, home_zoom, map_controls
from layouts.components import aria, dropdown
from layouts.cross_border import context_layers, context_legend

LORRAINE_CENTER = (48.78, 6.15)  # the default territory's view (dashboard/territory.py); others: home_view()
DEFAULT_ZOOM = 8.5

CHORO_LEVELS = [("none", "Aucune"), ("communes", "Communes"), ("epci", "EPCI"), ("zones_emploi", "Zones d'emploi"),
                ("departements", "Départements")]
CHORO_METRICS = [("count", "Nombre d'établissements"), ("jobs", "Emplois industriels estimés"),
                 ("jobs_per_1000", "Emplois industriels pour 1 000 habitants"),
                 ("member_share", "Part d'adhérents UIMM")]
MEMBER_CHOICES = [("", "Tous"), ("oui", "Adhérents"), ("non", "Non adhérents")]


@dataclass(frozen=True)
class ExplorerView:
    """The service's data for the URL plus the map view, the notices and the open card."""

    data: ExplorerData
    notices: list[str]
    center: tuple[float, float] = field(default_factory=lambda: tuple(home_center()))  # type: ignore[assignment]
    zoom: float = field(default_factory=home_zoom)
    bounds: list[list[float]] | None = None  # when set, the map opens fitted to it (a chosen territory)
    choro_level: str = "none"
    choro_metric: str = "count"
    selected: str | None = None
    tile_url: str = ""
    tile_attribution: str = ""
    card: Any = None  # the card's component tree, or None

    @property
    def criteria(self) -> Criteria:
        return self.data.criteria

    @property
    def data_version(self) -> list[int]:
        return self.data.data_version


def _dropdown(id_: str, options: list[dict], value, placeholder: str, *, multi: bool = True) -> dcc.Dropdown:
    return dropdown(id=id_, options=options, value=value, multi=multi, placeholder=placeholder,
                    searchable=True, clearable=True, maxHeight=320,
                    className="filter-dropdown")


def _field(label: str, control, *, hint: str = "") -> html.Div:
    return html.Div([html.Label(label, className="field-label"), control,
                     html.Div(hint, className="field-hint") if hint else None], className="field")


def filter_panel(view: ExplorerView) -> html.Div:
    c, o = view.criteria, view.data.options
    member = "" if c.member is None else ("oui" if c.member else "non")
    return html.Div([
        html.Div([
            html.Div("Filtres", className="panel-title"),
            html.Button("Réinitialiser", id=ids.RESET, className="link-button", n_clicks=0),
        ], className="panel-head"),
        html.Div([html.Div(n, className="notice") for n in view.notices], id=ids.URL_NOTICES,
                 className="notices"),
        _field("Recherche", dcc.Input(id=ids.FILTER_Q, type="search", value=c.q, debounce=0.25,
                                      placeholder="Nom ou commune (ex. saint die)", className="text-input")),
        _field("Savoir-faire", _dropdown(ids.FILTER_CAPABILITY, o.capabilities, list(c.capabilities),
                                         "Usinage, soudure, traitement…")),
        dcc.RadioItems(id=ids.FILTER_CAPABILITY_MODE, value=c.capability_mode, inline=True, className="radio-inline",
                       options=[{"label": "tous ces savoir-faire", "value": "all"},
                                {"label": "au moins un", "value": "any"}]),
        _field("Département", _dropdown(ids.FILTER_DEPARTEMENT, o.departements, list(c.departements),
                                        territory.active().departments_placeholder)),
        _field("EPCI", _dropdown(ids.FILTER_EPCI, o.epci, list(c.epci), "Toutes les intercommunalités")),
        _field("Zone d'emploi", _dropdown(ids.FILTER_ZONE, o.zones, list(c.zones), "Toutes les zones")),
        _field("Filière", _dropdown(ids.FILTER_FILIERE, o.filieres, list(c.filieres), "Toutes les filières")),
        _field("Division NAF", _dropdown(ids.FILTER_DIVISION, o.divisions, list(c.divisions), "Toutes")),
        _field("Code NAF (sous-classe)", _dropdown(ids.FILTER_NAF, o.naf, list(c.naf), "ex. 25.62B")),
        _field("Effectif minimal", _dropdown(ids.FILTER_SIZE, o.sizes, c.size_min, "Toutes tailles", multi=False),
               hint="Tranches INSEE d'effectif salarié"),
        _field("Certification", _dropdown(ids.FILTER_CERTIFICATION, o.certifications, list(c.certifications),
                                          "ISO 9001, EN 9100…"), hint="Établissements ayant toutes celles choisies"),
        _territory_filter(o.territoires, list(c.territoires), o.territoires_hint),
        _member_filter(view.data.membership, member),
    ], id=ids.FILTER_PANEL, className="filters")


def _territory_filter(options: list[dict], value: list[str], hint: str):
    """The Territoire d'industrie filter once the ANCT list is imported; before, the way to get it (and the empty
    control the filter callbacks read)."""
    if not options:
        return html.Div([html.Div("Territoire d'industrie", className="field-label"),
                         dropdown(id=ids.FILTER_TI, options=[], value=[], multi=True, style={"display": "none"}),
                         html.Div(hint, className="field-hint")], className="field")
    return _field("Territoire d'industrie", _dropdown(ids.FILTER_TI, options, value, "Tous les territoires"),
                  hint="Établissements des communes du territoire (liste ANCT)")


def _member_filter(allowed: bool, value: str):
    """The member filter for viewers who may see membership; others get none (their point store has no flags),
    only the empty control the filter callbacks read."""
    if not allowed:
        return dcc.RadioItems(id=ids.FILTER_MEMBER, value="", options=[], style={"display": "none"})
    return _field("Adhérent UIMM", dcc.RadioItems(id=ids.FILTER_MEMBER, value=value, inline=True,
                                                  className="radio-inline",
                                                  options=[{"label": lab, "value": v} for v, lab in MEMBER_CHOICES]))


def _kpi(id_: str, label: str, note: str = "") -> html.Div:
    return html.Div([html.Div("–", id=id_, className="kpi-value"), html.Div(label, className="kpi-label"),
                     html.Div(note, className="kpi-note") if note else None], className="kpi")


def kpi_strip(view: ExplorerView) -> html.Div:
    source = f"{view.data.source_name} · {fr_date(view.data.source_date)}"
    return html.Div([
        _kpi(ids.KPI_ESTABLISHMENTS, "établissements actifs"),
        _kpi(ids.KPI_JOBS, "emplois estimés", "milieu de tranche INSEE"),
        _kpi(ids.KPI_SHARE, territory.active().of_label, "part des établissements"),
        _kpi(ids.KPI_COMMUNES, "communes couvertes", f"sur {fr_number(territory.active().commune_count())}"),
        html.Div([html.Span("Source : ", className="muted"), source], className="kpi-source",
                 title="Chaque indicateur est calculé sur ce jeu de données"),
    ], id=ids.KPI_STRIP, className="kpi-strip")


def _map(view: ExplorerView) -> dl.MapContainer:
    choropleth = dl.GeoJSON(id=ids.CHORO_LAYER, data=None, format="geobuf", style={"variable": "tissu.map.choroStyle"},
                            onEachFeature={"variable": "tissu.map.choroTooltip"}, hideout={"level": "none"},
                            hoverStyle={"arrow": {"weight": 2.5, "color": "#1d2733"}})
    # Clustered in the browser (assets/clusters.js, indexed once per point store): `data` holds only the clusters
    # and single points in view, so a filter change does not rebuild an index of every point.
    points = dl.GeoJSON(id=ids.POINTS, data=None, pointToLayer={"variable": "tissu.map.pointToLayer"},
                        hideout={"colors": view.data.filiere_colors, "cluster": CLUSTERS})
    # Across the border (issue 18): NUTS-3 regions, sites abroad (a click opens a site's card).
    layers = (context_layers(view.data.context_urls, sites_id=ids.BORDER_SITES)
              + basemap(tile_url=view.tile_url, tile_attribution=view.tile_attribution, communes_id=ids.COMMUNES_LAYER,
                        borders_id=ids.DEPARTMENTS_LAYER, choropleth=choropleth) + [points] + map_controls(abroad=True))
    home = home_zoom()
    # A chosen territory is fitted once the map knows its size (dash-leaflet applies `viewport` on mounting).
    fitted = {"viewport": {"bounds": view.bounds}} if view.bounds else {}
    return dl.MapContainer(layers, id=ids.MAP, center=list(view.center), zoom=view.zoom, zoomSnap=0.25,
                           zoomDelta=0.5, minZoom=min(7, home - 1), maxZoom=17, maxBounds=home_bounds(),
                           attributionControl=False, preferCanvas=True, className="map", **fitted)


def map_overlays(view: ExplorerView) -> tuple[list, html.Div]:
    """The map's overlays (choropleth control, legend, empty state) and the card, which floats over both views."""
    choro = html.Div([
        html.Div("Colorer la carte par", className="overlay-title"),
        dropdown(id=ids.CHORO_LEVEL, value=view.choro_level, clearable=False, searchable=False,
                 options=[{"label": lab, "value": v} for v, lab in CHORO_LEVELS], className="overlay-dropdown"),
        dropdown(id=ids.CHORO_METRIC, value=view.choro_metric, clearable=False, searchable=False,
                 options=[{"label": lab, "value": v} for v, lab in CHORO_METRICS
                          if view.data.membership or v not in MEMBER_ONLY_METRICS], className="overlay-dropdown"),
        html.Div(id=ids.CHORO_LEGEND, className="choro-legend"),
    ], className="map-overlay choro-panel")
    legend = html.Details([
        html.Summary("Légende des filières"),
        html.Ul([html.Li([html.Span(className="swatch", style={"background": color}), label])
                 for color, label in view.data.filiere_legend] + context_legend(view.data.context_urls),
                className="legend-list"),
    ], id=ids.LEGEND, open=False, className="map-overlay filiere-legend")
    empty = html.Div([
        html.Div("Aucun établissement ne correspond à ces filtres", className="empty-title"),
        html.P("Élargissez la recherche : retirez un savoir-faire ou une certification, ou choisissez "
               "« au moins un » savoir-faire."),
    ], id=ids.EMPTY_STATE, className="empty-state", style={"display": "none"})
    card = html.Div([
        html.Button("×", id=ids.CARD_CLOSE, className="card-close", title="Fermer la fiche", n_clicks=0),
        html.Div(view.card, id=ids.CARD_BODY),
    ], id=ids.CARD, className="card-drawer" + (" open" if view.card else ""))
    return [choro, legend, empty], card


TABLE_COLUMNS = [
    ("name", "Nom", 260), ("commune_name", "Commune", 170), ("departement", "Dép.", 70),
    ("filiere_label", "Filière", 210), ("naf", "NAF", 90), ("size_band_label", "Tranche d'effectif", 160),
    ("headcount_estimate", "Effectif estimé", 120), ("capabilities_text", "Savoir-faire", 320),
    ("certifications_text", "Certifications", 200), ("member_text", "Adhérent UIMM", 120), ("id", "Identifiant", 150),
]


def table_grid() -> dag.AgGrid:
    """The grid, created when the table tab is first shown (its scripts load only then).

    Infinite row model: the grid asks the server for the block of rows it shows, sorted by the server
    (`services/explorer_table.py`), so a selection of any size costs one block per request."""
    return dag.AgGrid(
        id=ids.TABLE,
        columnDefs=[{"field": f, "headerName": h, "width": w, "sortable": True, "resizable": True,
                     **({"type": "numericColumn"} if f == "headcount_estimate" else {})} for f, h, w in TABLE_COLUMNS],
        rowModelType="infinite",
        getRowId="params.data.id",
        defaultColDef={"filter": False},
        dashGridOptions={"animateRows": False, "cacheBlockSize": BLOCK_ROWS, "maxBlocksInCache": 20,
                         "localeText": {"noRowsToShow": "Aucun établissement", "loadingOoo": "Chargement…"},
                         "rowSelection": {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True}},
        style={"height": "100%", "width": "100%"},
        className="ag-theme-quartz",
    )


def table_panel() -> html.Div:
    return html.Div([
        html.Div([
            html.Div(id=ids.TABLE_NOTE, className="table-note"),
            html.Div([
                html.Button("Exporter CSV", id=ids.EXPORT_CSV, className="button button-light", n_clicks=0),
                html.Button("Exporter Excel", id=ids.EXPORT_XLSX, className="button button-light", n_clicks=0),
            ], className="table-actions"),
        ], className="table-head"),
        html.Div(id=ids.TABLE_BODY, className="table-body"),
    ], className="table-panel")


def _of_territory() -> str:
    active = territory.active()
    return "de Lorraine" if active.is_default else active.of_label


def _page_title() -> str:
    active = territory.active()
    return "Le tissu industriel lorrain" if active.is_default else f"Le tissu industriel {active.of_label}"


def explorer_page(view: ExplorerView) -> html.Div:
    side = html.Aside([
        html.H1(_page_title(), className="page-title"),
        html.P(f"Trouvez les établissements industriels {_of_territory()} par savoir-faire, territoire et taille. "
               "Cliquez sur un point pour sa fiche ; le lien de la page garde vos filtres.", className="page-lead"),
        # Phones only (assets/tissu.css): the filters fold behind this button, the map follows them.
        html.Button("Filtres", id=ids.FILTER_TOGGLE, className="filter-toggle button button-light", n_clicks=0,
                    **aria(expanded="false", controls=ids.FILTER_PANEL)),
        filter_panel(view),
    ], id=ids.SIDE_PANEL, className="side-panel")
    overlays, card = map_overlays(view)
    tabs = dcc.Tabs(id=ids.VIEW_TABS, value="carte", className="view-tabs", mobile_breakpoint=0, children=[
        dcc.Tab(label="Carte", value="carte", className="view-tab", selected_className="view-tab--selected"),
        dcc.Tab(label="Tableau", value="tableau", className="view-tab", selected_className="view-tab--selected"),
    ])
    return html.Div([
        side,
        html.Section([
            html.Div([kpi_strip(view), tabs], className="main-head"),
            # The card floats over whichever view is shown: a row clicked in the table opens it there.
            html.Div([
                html.Div([_map(view), *overlays], className="map-area", id=ids.MAP_AREA),
                html.Div(table_panel(), className="table-area", id=ids.TABLE_AREA, style={"display": "none"}),
                card,
            ], className="view-body"),
        ], className="main-column"),
        # The point and lookup stores are filled in the browser from these URLs (payloads, fetched once).
        dcc.Store(id=ids.PAYLOAD_URLS, data=view.data.payload_urls),
        dcc.Store(id=ids.POINT_STORE),
        dcc.Store(id=ids.LOOKUP_STORE),
        dcc.Store(id=ids.DATA_VERSION, data=view.data_version),
        dcc.Store(id=ids.CRITERIA),
        dcc.Store(id=ids.TABLE_CRITERIA),
        dcc.Store(id=ids.TABLE_OPENED, data=False),
        dcc.Store(id=ids.TABLE_PICK),
        dcc.Store(id=ids.SELECTED, data=view.selected),
        dcc.Store(id=ids.URL_SYNC),
        dcc.Download(id=ids.DOWNLOAD),
    ], className="explorer")
