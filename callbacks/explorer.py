"""Home page wiring: parse the URL and the browser's criteria, ask `services/explorer.py`, return layouts.

Filtering runs in the browser on the point store it fetches (a payload, not in any callback response); server
callbacks here only do what needs the full records: the card, the table's blocks of rows and the exports.
"""

from __future__ import annotations

import pandas as pd
from dash import ClientsideFunction, Input, Output, State, no_update

from dashboard import exports, ids
from dashboard.analytics.records import export_frame
from dashboard.callback_inputs import as_text
from dashboard.policy import MEMBER_ONLY_METRICS, Forbidden
from dashboard.services import DataService, explorer
from dashboard.services.cross_border import map_bounds
from dashboard.services.explorer_table import table_page
from dashboard.sessions import current_viewer
from layouts.basemap import home_center, home_zoom
from layouts.card import establishment_card
from layouts.explorer import (
    CHORO_LEVELS,
    CHORO_METRICS,
    ExplorerView,
    explorer_page,
    table_grid,
)

FILTER_INPUTS = [ids.FILTER_Q, ids.FILTER_DEPARTEMENT, ids.FILTER_EPCI, ids.FILTER_ZONE, ids.FILTER_FILIERE,
                 ids.FILTER_DIVISION, ids.FILTER_NAF, ids.FILTER_SIZE, ids.FILTER_CAPABILITY,
                 ids.FILTER_CAPABILITY_MODE, ids.FILTER_CERTIFICATION, ids.FILTER_MEMBER, ids.FILTER_TI]


def _view_params(query: dict[str, list[str]]) -> tuple[dict, list[str]]:
    """Map centre/zoom, choropleth and selected card from the URL; bad values become notices."""
    out: dict = {}
    notices: list[str] = []
    first = {k: v[0] for k, v in query.items() if v}
    try:
        if "lat" in first or "lon" in first:
            lat, lon = float(first["lat"]), float(first["lon"])
            (south, west), (north, east) = map_bounds()  # as far as the map pans (the regions across the border)
            if not (south <= lat <= north and west <= lon <= east):
                raise ValueError
            out["center"] = (lat, lon)
    except (KeyError, ValueError):
        notices.append("Position de carte invalide ignorée (lat/lon).")
    if "zoom" in first:
        try:
            zoom = float(first["zoom"])
            if not 7 <= zoom <= 17:
                raise ValueError
            out["zoom"] = zoom
        except ValueError:
            notices.append(f"Niveau de zoom invalide ignoré : « {first['zoom']} ».")
    if "carte" in first:
        if first["carte"] in dict(CHORO_LEVELS):
            out["choro_level"] = first["carte"]
        else:
            notices.append(f"Découpage de carte inconnu ignoré : « {first['carte']} ».")
    if "indicateur" in first:
        if first["indicateur"] in dict(CHORO_METRICS):
            out["choro_metric"] = first["indicateur"]
        else:
            notices.append(f"Indicateur inconnu ignoré : « {first['indicateur']} ».")
    if "etab" in first:
        out["selected"] = first["etab"][:40]
    return out, notices


def card_for(service: DataService, public_id: str | None):
    """The card of one establishment of the active dataset, or None when unknown."""
    data = explorer.card_record(service, public_id, current_viewer())
    if data is None:
        return None
    return establishment_card(data.record, capability_labels=data.capability_labels,
                              certification_labels=data.certification_labels, filiere_color=data.filiere_color)


def explorer_view(service: DataService, query: dict[str, list[str]] | None = None) -> ExplorerView:
    query = query or {}
    viewer = current_viewer()
    data = explorer.explorer_data(service, query, viewer)
    view_params, view_notices = _view_params(query)
    selected = explorer.card_record(service, view_params.get("selected"), viewer)
    if view_params.get("selected") and selected is None:
        view_notices.append(f"Établissement introuvable : « {view_params.pop('selected')} ».")
    elif selected is not None and "center" not in view_params:  # a link to a card shows its site
        view_params["center"] = (selected.lat, selected.lon)
        view_params.setdefault("zoom", 12.0)
    metric = view_params.get("choro_metric", "count")
    # A link choosing a territory without a map position opens on that territory, as choosing it would.
    bounds = None if "center" in view_params else explorer.criteria_bounds(service.lookups, data.criteria)
    return ExplorerView(
        data=data,
        notices=data.notices + view_notices,
        center=view_params.get("center", tuple(home_center())),
        zoom=view_params.get("zoom", home_zoom()),
        bounds=bounds,
        choro_level=view_params.get("choro_level", "none"),
        choro_metric=(metric if data.membership or metric not in MEMBER_ONLY_METRICS else "count"),
        selected=view_params.get("selected"),
        tile_url=service.settings.tile_url,
        tile_attribution=service.settings.tile_attribution,
        card=card_for(service, view_params.get("selected")),
    )


def render(service: DataService, query: dict[str, list[str]]):
    return explorer_page(explorer_view(service, query))


def table_block(service: DataService, request: dict | None, criteria_params: dict | None):
    """The grid's `getRowsResponse` for its `getRowsRequest` (a block of rows, sorted), and the count above it."""
    request = request if isinstance(request, dict) else {}
    try:
        page = table_page(service, criteria_params, current_viewer(), start=request.get("startRow", 0),
                          end=request.get("endRow", 100), sort_model=request.get("sortModel"))
    except Forbidden as refusal:
        return {"rowData": [], "rowCount": 0}, refusal.message
    return {"rowData": page.rows, "rowCount": page.total}, page.note


def export_file(service: DataService, criteria_params: dict | None, kind: str):
    """dcc.Download payload of exactly the filtered establishments, as CSV or XLSX (dashboard.exports)."""
    try:
        records, _ = explorer.selected_records(service, criteria_params, current_viewer())
    except Forbidden:
        return no_update
    caps, certs, _ = explorer.labels(service.lookups)
    frame = export_frame(records, capability_labels=caps, certification_labels=certs)
    stamp = pd.Timestamp.now().strftime("%Y%m%d")
    warning = {"Avertissement": pd.DataFrame(
        {"Avertissement": ["Données de démonstration (fictives) : établissements synthétiques."]})} \
        if service.snapshot().is_demo else {}
    return exports.download(frame, f"tissu-etablissements-{stamp}", kind, sheet="Établissements",
                            extra_sheets=warning)


def on_point_click(service: DataService, click: dict | None, version: list[int] | None):
    """Card of the clicked marker (clusters are ignored: clicking them zooms in)."""
    index = explorer.clicked_point(click)
    if index is None:
        return no_update, no_update, no_update
    public_id = explorer.public_id_at(service, index, version)
    if public_id is None:
        return "Les données ont changé depuis l'ouverture de la page : rechargez-la.", "card-drawer open", None
    return card_for(service, public_id), "card-drawer open", public_id


def on_border_site_click(service: DataService, click: dict | None):
    """Card of the clicked site abroad (its marker's `id` property is its public id)."""
    props = click.get("properties") if isinstance(click, dict) else None
    public_id = as_text(props.get("id")) if isinstance(props, dict) else None
    card = card_for(service, public_id)
    if card is None:
        return no_update, no_update, no_update
    return card, "card-drawer open", public_id


def on_row_click(service: DataService, rows: list[dict] | None):
    public_id = explorer.selected_row_id(rows)
    if public_id is None:
        return no_update, no_update, no_update
    return card_for(service, public_id), "card-drawer open", public_id


def late_components() -> list:
    """Components the page creates after its first render (the grid appears with the table tab)."""
    return [table_grid()]


def register(app, service: DataService) -> None:
    fn = lambda name: ClientsideFunction(namespace="tissu", function_name=name)  # noqa: E731
    payloads = lambda name: ClientsideFunction(namespace="payloads", function_name=name)  # noqa: E731
    app.clientside_callback(
        payloads("explorerStores"),
        Output(ids.POINT_STORE, "data"), Output(ids.LOOKUP_STORE, "data"), Input(ids.PAYLOAD_URLS, "data"),
    )
    app.clientside_callback(  # the table tab opened: its grid and criteria (then applyFilters keeps them current)
        payloads("openTable"),
        Output(ids.TABLE_CRITERIA, "data"), Output(ids.TABLE_OPENED, "data"),
        Input(ids.VIEW_TABS, "value"), State(ids.CRITERIA, "data"), State(ids.TABLE_CRITERIA, "data"),
    )
    app.clientside_callback(
        payloads("pickedRow"), Output(ids.TABLE_PICK, "data"), Input(ids.TABLE, "selectedRows"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        payloads("reloadTable"),
        Output(ids.TABLE_NOTE, "children", allow_duplicate=True),
        Input(ids.TABLE_CRITERIA, "data"), prevent_initial_call=True,
    )
    # A filter change is one callback, whatever it redraws (assets/tissu.js says why); nothing takes the criteria
    # as an Input, so nothing chains after it.
    app.clientside_callback(
        fn("applyFilters"),
        Output(ids.POINTS, "data"), Output(ids.KPI_ESTABLISHMENTS, "children"), Output(ids.KPI_JOBS, "children"),
        Output(ids.KPI_SHARE, "children"), Output(ids.KPI_COMMUNES, "children"), Output(ids.EMPTY_STATE, "style"),
        Output(ids.CRITERIA, "data"), Output(ids.FILTER_TOGGLE, "children"), Output(ids.MAP, "viewport"),
        Output(ids.CHORO_LAYER, "url"), Output(ids.CHORO_LAYER, "hideout"), Output(ids.CHORO_LEGEND, "children"),
        Output(ids.TABLE_CRITERIA, "data", allow_duplicate=True),
        *[Input(i, "value") for i in FILTER_INPUTS],
        Input(ids.POINT_STORE, "data"), State(ids.LOOKUP_STORE, "data"),
        State(ids.MAP, "bounds"), State(ids.MAP, "center"), State(ids.MAP, "zoom"), State(ids.POINTS, "hideout"),
        State(ids.CHORO_LEVEL, "value"), State(ids.CHORO_METRIC, "value"), State(ids.SELECTED, "data"),
        State(ids.VIEW_TABS, "value"), State(ids.TABLE_CRITERIA, "data"),
        prevent_initial_call="initial_duplicate",  # it runs on loading: the first clusters
    )
    app.clientside_callback(
        fn("clusterView"),
        Output(ids.POINTS, "data", allow_duplicate=True),
        Input(ids.MAP, "bounds"), Input(ids.MAP, "zoom"), State(ids.MAP, "center"),
        State(ids.POINT_STORE, "data"), State(ids.POINTS, "hideout"), State(ids.CRITERIA, "data"),
        State(ids.CHORO_LEVEL, "value"), State(ids.CHORO_METRIC, "value"), State(ids.SELECTED, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        fn("choropleth"),
        Output(ids.CHORO_LAYER, "url", allow_duplicate=True), Output(ids.CHORO_LAYER, "hideout", allow_duplicate=True),
        Output(ids.CHORO_LEGEND, "children", allow_duplicate=True),
        Input(ids.CHORO_LEVEL, "value"), Input(ids.CHORO_METRIC, "value"), State(ids.CRITERIA, "data"),
        State(ids.POINT_STORE, "data"), State(ids.LOOKUP_STORE, "data"), prevent_initial_call=True,
    )
    app.clientside_callback(
        fn("syncUrl"),
        Output(ids.URL_SYNC, "data"),
        Input(ids.CHORO_LEVEL, "value"), Input(ids.CHORO_METRIC, "value"), Input(ids.SELECTED, "data"),
        State(ids.CRITERIA, "data"), State(ids.MAP, "center"), State(ids.MAP, "zoom"),
    )
    app.clientside_callback(
        fn("resetFilters"),
        *[Output(i, "value", allow_duplicate=True) for i in FILTER_INPUTS],
        Input(ids.RESET, "n_clicks"), prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("tissuLayout", "toggleFilters"),
        Output(ids.SIDE_PANEL, "className"), Output(ids.FILTER_TOGGLE, "aria-expanded"),
        Input(ids.FILTER_TOGGLE, "n_clicks"), prevent_initial_call=True,
    )
    app.clientside_callback(
        fn("switchView"),
        Output(ids.MAP_AREA, "style"), Output(ids.TABLE_AREA, "style"), Output(ids.MAP, "invalidateSize"),
        Input(ids.VIEW_TABS, "value"),
    )
    app.callback(
        Output(ids.CARD_BODY, "children"), Output(ids.CARD, "className"), Output(ids.SELECTED, "data"),
        Input(ids.POINTS, "clickData"), State(ids.DATA_VERSION, "data"), prevent_initial_call=True,
    )(lambda click, version: on_point_click(service, click, version))
    app.callback(
        Output(ids.CARD_BODY, "children", allow_duplicate=True), Output(ids.CARD, "className", allow_duplicate=True),
        Output(ids.SELECTED, "data", allow_duplicate=True),
        Input(ids.TABLE_PICK, "data"), prevent_initial_call=True,
    )(lambda pick: on_row_click(service, [pick] if pick else None))
    app.callback(
        Output(ids.CARD_BODY, "children", allow_duplicate=True), Output(ids.CARD, "className", allow_duplicate=True),
        Output(ids.SELECTED, "data", allow_duplicate=True),
        Input(ids.BORDER_SITES, "clickData"), prevent_initial_call=True,
    )(lambda click: on_border_site_click(service, click))
    app.callback(
        Output(ids.CARD, "className", allow_duplicate=True), Output(ids.SELECTED, "data", allow_duplicate=True),
        Input(ids.CARD_CLOSE, "n_clicks"), prevent_initial_call=True,
    )(lambda _: ("card-drawer", None))
    app.callback(
        Output(ids.TABLE_BODY, "children"), Input(ids.TABLE_OPENED, "data"), prevent_initial_call=True,
    )(lambda opened: table_grid() if opened else no_update)
    app.callback(
        Output(ids.TABLE, "getRowsResponse"), Output(ids.TABLE_NOTE, "children"),
        Input(ids.TABLE, "getRowsRequest"), State(ids.TABLE_CRITERIA, "data"), prevent_initial_call=True,
    )(lambda request, criteria: table_block(service, request, criteria))
    app.callback(
        Output(ids.DOWNLOAD, "data"),
        Input(ids.EXPORT_CSV, "n_clicks"), Input(ids.EXPORT_XLSX, "n_clicks"), State(ids.CRITERIA, "data"),
        prevent_initial_call=True,
    )(lambda _csv, _xlsx, criteria: export_file(service, criteria, _trigger_kind()))


def _trigger_kind() -> str:
    from dash import ctx

    return "csv" if ctx.triggered_id == ids.EXPORT_CSV else "xlsx"

