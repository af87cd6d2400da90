"""Coverage page adapters: capability/radius/weighting -> KPIs, distance map, ranking, heatmap, tables."""

from __future__ import annotations

import math

import pandas as pd
from dash import ClientsideFunction, Input, Output, State, ctx, html, no_update

from dashboard import exports, ids
from dashboard.services import coverage as cs
from dashboard.analytics.coverage import CoverageQueryError
from dashboard.figures.coverage import coverage_matrix_figure, coverage_ranking_figure
from dashboard.formatting import fr_date, fr_number, fr_percent
from dashboard.services import DataService
from layouts.components import capability_options, kpi_card
from layouts.coverage import (DISTANCE_CLASSES, LEVEL_CHOICES, WEIGHT_CHOICES, CoverageView,
                              coverage_page)

DEFAULT_CAPABILITY = "traitement_thermique"
COMMUNES_URL = "/geo/communes.pbf"
DEFAULT_RADIUS = 50.0


def coverage_view(service: DataService, query: dict[str, list[str]]) -> CoverageView:
    """The page state from the URL; bad values fall back to defaults with a notice."""
    look = service.lookups
    first = {k: v[0] for k, v in query.items() if v}
    notices = []
    capability = first.get("capability", DEFAULT_CAPABILITY)
    if capability not in set(look.capabilities["code"]):
        notices.append(f"Savoir-faire inconnu ignoré : « {capability} ».")
        capability = DEFAULT_CAPABILITY
    radius = DEFAULT_RADIUS
    if "radius_km" in first:
        try:
            radius = float(first["radius_km"])
            if not 5 <= radius <= 150:
                raise ValueError
        except ValueError:
            notices.append(f"Rayon invalide ignoré : « {first['radius_km']} » (5 à 150 km).")
            radius = DEFAULT_RADIUS
    weighting = first.get("weight", "jobs")
    if weighting not in dict(WEIGHT_CHOICES):
        notices.append(f"Pondération inconnue ignorée : « {weighting} ».")
        weighting = "jobs"
    level = first.get("level", "epci")
    if level not in dict(LEVEL_CHOICES):
        notices.append(f"Échelle inconnue ignorée : « {level} ».")
        level = "epci"
    ds = service.snapshot().dataset
    return CoverageView(
        capability=capability, radius_km=radius, weighting=weighting, level=level, notices=notices,
        capability_options=capability_options(look.capabilities),
        source_line=f"Source : {ds.source_name} · {fr_date(ds.source_date)}" if ds else "Aucune donnée chargée",
        tile_url=service.settings.tile_url, tile_attribution=service.settings.tile_attribution)


def render(service: DataService, query: dict[str, list[str]]):
    return coverage_page(coverage_view(service, query))


def _km(value: float) -> str:
    return "–" if value is None or math.isnan(value) else f"{fr_number(value, 0 if value >= 10 else 1)}\u00a0km"


def _columns(spec: list[tuple[str, str, str]]) -> list[dict]:
    out = []
    for field, header, kind in spec:
        col = {"field": field, "headerName": header, "flex": 1, "minWidth": 110}
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


UNIT_COLUMNS = [("name", "Territoire", "text"), ("rate", "Couverture", "pct"), ("desert_points", "Points en désert", "num"),
                ("single_source_share", "Source unique", "pct"), ("median_nearest_km", "Distance médiane", "km"),
                ("max_nearest_km", "Distance max.", "km"), ("demand_points", "Points de demande", "num")]
SINGLE_COLUMNS = [("name", "Fournisseur unique", "text"), ("commune_name", "Commune", "text"),
                  ("department_code", "Dép.", "text"), ("dependent_points", "Points qui en dépendent", "num"),
                  ("dependent_weight", "Poids dépendant", "num")]


def capability_outputs(service: DataService, capability: str, radius_km: float, weighting: str, level: str):
    """KPIs, map styling, suppliers, the per-unit and single-supplier tables, and the link parameters."""
    params = {"capability": capability, "radius_km": f"{radius_km:g}", "weight": weighting, "level": level}
    try:
        result = cs.capability_coverage(service, capability=capability, radius_km=radius_km, weighting=weighting)
        communes = cs.commune_distances(service, capability=capability, radius_km=radius_km)
    except CoverageQueryError as err:
        return html.Div(str(err), className="notice"), {}, None, [], [], [], [], params, no_update
    label = dict(zip(service.lookups.capabilities["code"], service.lookups.capabilities["label"]))[capability]
    weight_label = dict(WEIGHT_CHOICES)[weighting].lower()
    kpis = [
        kpi_card(f"couverture à {fr_number(radius_km)}\u00a0km", fr_percent(result.rate),
                 note=f"{label} · {weight_label}"),
        kpi_card("en désert", fr_percent(result.desert_share), note="aucun fournisseur dans le rayon"),
        kpi_card("source unique", fr_percent(result.single_source_share), note="un seul fournisseur"),
        kpi_card("distance médiane", _km(result.median_nearest_km), note="au plus proche"),
        kpi_card("au 3e plus proche", _km(result.median_third_nearest_km), note="médiane"),
        kpi_card("fournisseurs", fr_number(len(result.suppliers)), note="en Lorraine"),
    ]
    points = communes.points
    hideout = {"km": dict(zip(points["code"], points["nearest_km"].where(points["nearest_km"].notna(), None))),
               "radius": radius_km, "label": label,
               "classes": [[upper, color] for upper, color, _ in DISTANCE_CLASSES]}  # null: no upper bound
    suppliers = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
         "properties": {"name": r["name"], "id": r["public_id"]}} for r in result.suppliers.to_dict("records")]}
    units = cs.by_unit(service, capability=capability, radius_km=radius_km, weighting=weighting, level=level)
    communes_names = dict(zip(service.lookups.communes["code"], service.lookups.communes["name"]))
    singles = result.single_suppliers.assign(commune_name=lambda f: f["commune_code"].map(communes_names))
    unit_rows = units.sort_values(["rate", "name"]).replace({float("nan"): None}).to_dict("records")
    single_rows = singles.replace({float("nan"): None}).to_dict("records")
    return (kpis, hideout, suppliers, unit_rows, _columns(UNIT_COLUMNS), single_rows, _columns(SINGLE_COLUMNS),
            params, COMMUNES_URL)


def overview_figures(service: DataService, capability: str, radius_km: float, weighting: str):
    """The ranking of every capability and the filière × capability heatmap at this radius."""
    look = service.lookups
    summary = cs.summary(service, radius_km=radius_km, weighting=weighting)
    matrix = cs.matrix(service, radius_km=radius_km, weighting=weighting)
    ranking = coverage_ranking_figure(summary, selected=capability, radius_km=radius_km)
    heatmap = coverage_matrix_figure(matrix, filiere_labels=dict(zip(look.filieres["code"], look.filieres["label"])),
                                     capability_labels=dict(zip(look.capabilities["code"], look.capabilities["label"])),
                                     radius_km=radius_km)
    return ranking, heatmap


def capability_from_click(click: dict | None):
    try:
        return click["points"][0]["customdata"][0]
    except (TypeError, KeyError, IndexError):
        return no_update


def export_tables(service: DataService, params: dict | None, choice: str, kind: str) -> dict:
    """CSV of the chosen table, or every table as sheets of one workbook (French headers)."""
    params = params or {}
    capability, radius = params.get("capability", DEFAULT_CAPABILITY), float(params.get("radius_km", DEFAULT_RADIUS))
    weighting, level = params.get("weight", "jobs"), params.get("level", "epci")
    look = service.lookups
    cap_labels = dict(zip(look.capabilities["code"], look.capabilities["label"]))
    result = cs.capability_coverage(service, capability=capability, radius_km=radius, weighting=weighting)
    units = cs.by_unit(service, capability=capability, radius_km=radius, weighting=weighting, level=level)
    units = units[["code", "name", "rate", "covered_points", "desert_points", "single_source_share",
                   "median_nearest_km", "max_nearest_km", "demand_points", "weight"]]
    units.columns = ["Code", "Territoire", "Couverture", "Points couverts", "Points en désert", "Source unique",
                     "Distance médiane (km)", "Distance max. (km)", "Points de demande", "Poids de la demande"]
    summary = cs.summary(service, radius_km=radius, weighting=weighting).drop(columns=["capability_code"])
    summary.columns = ["Savoir-faire", "Rayon (km)", "Fournisseurs", "Couverture", "Source unique", "En désert",
                       "Distance médiane au plus proche (km)", "Distance médiane au 3e (km)", "Fournisseurs uniques"]
    matrix = cs.matrix(service, radius_km=radius, weighting=weighting).rename(columns=cap_labels)
    matrix.index = matrix.index.map(dict(zip(look.filieres["code"], look.filieres["label"])))
    matrix.index.name = "Filière"
    singles = result.single_suppliers[["public_id", "name", "commune_code", "department_code", "dependent_points",
                                       "dependent_weight"]]
    singles.columns = ["Identifiant", "Fournisseur unique", "Code commune", "Département", "Points qui en dépendent",
                       "Poids dépendant"]
    tables = {"units": ("Territoires", units), "summary": ("Tous les savoir-faire", summary),
              "matrix": ("Filières × savoir-faire", matrix.reset_index()), "singles": ("Fournisseurs uniques", singles)}
    stamp = f"{capability}-{radius:g}km"
    if kind == "csv":
        _, frame = tables.get(choice, tables["units"])
        return exports.download(frame, f"tissu-couverture-{choice}-{stamp}", "csv")
    parameters = pd.DataFrame({"Paramètre": ["Savoir-faire", "Rayon", "Demande", "Source"],
                               "Valeur": [cap_labels.get(capability, capability), f"{radius:g} km",
                                          dict(WEIGHT_CHOICES)[weighting], service.snapshot().dataset.source_name]})
    (first_name, first), *others = tables.values()
    return exports.download(first, f"tissu-couverture-{stamp}", "xlsx", sheet=first_name,
                            extra_sheets={**dict(others), "Paramètres": parameters})


def register(app, service: DataService) -> None:
    inputs = [Input(ids.COVERAGE_CAPABILITY, "value"), Input(ids.COVERAGE_RADIUS, "value"),
              Input(ids.COVERAGE_WEIGHT, "value")]
    app.callback(
        Output(ids.COVERAGE_KPIS, "children"), Output(ids.COVERAGE_COMMUNES, "hideout"),
        Output(ids.COVERAGE_SUPPLIERS, "data"), Output(ids.COVERAGE_TABLE, "rowData"),
        Output(ids.COVERAGE_TABLE, "columnDefs"), Output(ids.COVERAGE_SINGLES, "rowData"),
        Output(ids.COVERAGE_SINGLES, "columnDefs"), Output(ids.COVERAGE_QUERY, "data"),
        Output(ids.COVERAGE_COMMUNES, "url"), *inputs, Input(ids.COVERAGE_LEVEL, "value"),
    )(lambda cap, radius, weighting, level: capability_outputs(service, cap, float(radius), weighting, level))
    app.callback(
        Output(ids.COVERAGE_RANKING, "figure"), Output(ids.COVERAGE_MATRIX, "figure"), *inputs,
    )(lambda cap, radius, weighting: overview_figures(service, cap, float(radius), weighting))
    app.callback(
        Output(ids.COVERAGE_CAPABILITY, "value"), Input(ids.COVERAGE_RANKING, "clickData"), prevent_initial_call=True,
    )(capability_from_click)
    app.clientside_callback(
        ClientsideFunction(namespace="tissu", function_name="syncQueryUrl"),
        Output(ids.COVERAGE_URL_SYNC, "data"), Input(ids.COVERAGE_QUERY, "data"),
    )
    app.callback(
        Output(ids.COVERAGE_DOWNLOAD, "data"),
        Input(ids.COVERAGE_EXPORT_CSV, "n_clicks"), Input(ids.COVERAGE_EXPORT_XLSX, "n_clicks"),
        State(ids.COVERAGE_QUERY, "data"), State(ids.COVERAGE_EXPORT_CHOICE, "value"), prevent_initial_call=True,
    )(lambda _c, _x, params, choice: export_tables(service, params, choice,
                                                   "csv" if ctx.triggered_id == ids.COVERAGE_EXPORT_CSV else "xlsx"))
