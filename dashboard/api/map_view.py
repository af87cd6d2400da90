"""GET /api/v1/map/clusters and /api/v1/map/units: the explorer's map computed on the server.

Used by the explorer itself when the dataset has more establishments than `TISSU_CLIENT_POINTS_MAX` (the browser
then receives the clusters of its view, not every point); same filters, same counts as the map drawn in the browser.
"""

from __future__ import annotations

import math

from flask import request

from dashboard.api.criteria import query_criteria
from dashboard.api.openapi import FILTER_PARAMS, get_operation, query_param
from dashboard.api.params import ApiError, Params, json_response
from dashboard.services import DataService
from dashboard.services.map_clusters import (
    CLUSTERS_ROUTE,
    MAX_ZOOM,
    UNIT_COLUMNS,
    UNITS_ROUTE,
    map_view,
    unit_values,
)
from dashboard.sessions import current_viewer

METRICS = ("count", "jobs", "jobs_per_1000", "member_share")


def bounds_param() -> tuple[float, float, float, float]:
    """`bounds=south,west,north,east` in degrees (400 unless four finite numbers, south <= north, west <= east)."""
    raw = request.args.get("bounds", "")
    try:
        values = [float(v) for v in raw.split(",")]
    except ValueError:
        values = []
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise ApiError(400, "bad_parameter", "bounds : quatre nombres sud,ouest,nord,est en degrés.", "bounds")
    south, west, north, east = values
    if not (-90 <= south <= north <= 90 and -180 <= west <= east <= 180):
        raise ApiError(400, "bad_parameter", "bounds : sud ≤ nord (±90°) et ouest ≤ est (±180°).", "bounds")
    return south, west, north, east


def zoom_param() -> float:
    raw = request.args.get("zoom", "")
    try:
        zoom = float(raw)
    except ValueError:
        zoom = float("nan")
    if not 0 <= zoom <= MAX_ZOOM:  # also false for nan
        raise ApiError(400, "bad_parameter", f"zoom : un nombre de 0 à {MAX_ZOOM}.", "zoom")
    return zoom


def register(route, service: DataService) -> None:
    @route(CLUSTERS_ROUTE)
    def map_clusters():
        criteria = query_criteria(service, {"bounds", "zoom"})
        view = map_view(service, criteria, current_viewer(), bounds=bounds_param(), zoom=zoom_param())
        return json_response({"type": "FeatureCollection", "features": view.features, "count": view.count,
                              "total": view.total, "jobs": view.jobs, "communes": view.communes})

    @route(UNITS_ROUTE)
    def map_units():
        criteria = query_criteria(service, {"carte", "indicateur"})
        level = Params.choice("carte", set(UNIT_COLUMNS))
        if level is None:
            raise ApiError(400, "bad_parameter", f"carte : l'un de {', '.join(UNIT_COLUMNS)}.", "carte")
        metric = Params.choice("indicateur", set(METRICS)) or "count"
        return json_response({"level": level, "metric": metric,
                              "values": unit_values(service, criteria, current_viewer(), level=level, metric=metric)})


OPENAPI_PATHS = {
    f"/api/v1{CLUSTERS_ROUTE}": get_operation(
        "Groupes de la carte pour une vue",
        "Les établissements filtrés (mêmes filtres et mêmes comptes que la carte) dans la vue, regroupés par "
        "cellules de la grille de la carte au niveau de zoom donné ; au-delà du zoom 12, chaque établissement. "
        "count, jobs et communes portent sur toute la sélection, pas seulement la vue.",
        [query_param("bounds", "Vue : sud,ouest,nord,est en degrés.", {"type": "string"}, required=True),
         query_param("zoom", f"Niveau de zoom (0 à {MAX_ZOOM}).", {"type": "number"}, required=True)]
        + FILTER_PARAMS, {"$ref": "#/components/schemas/MapClusters"}),
    f"/api/v1{UNITS_ROUTE}": get_operation(
        "Valeurs de la carte colorée",
        "La valeur de l'indicateur par unité du découpage pour les établissements filtrés (member_share : "
        "comptes connectés seulement, 403 sinon).",
        [query_param("carte", "Découpage.", {"type": "string", "enum": list(UNIT_COLUMNS)}, required=True),
         query_param("indicateur", "Indicateur.", {"type": "string", "enum": list(METRICS), "default": "count"})]
        + FILTER_PARAMS, {"$ref": "#/components/schemas/MapUnits"}),
}

OPENAPI_SCHEMAS = {
    "MapClusters": {"type": "object", "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": {"type": "object", "description": (
            "Point GeoJSON : properties.cluster, point_count et bounds pour un groupe ; properties.i (rang), "
            "f (filière) et n (nom) pour un établissement")}},
        "count": {"type": "integer"}, "total": {"type": "integer"}, "jobs": {"type": "integer"},
        "communes": {"type": "integer"}}},
    "MapUnits": {"type": "object", "properties": {
        "level": {"type": "string"}, "metric": {"type": "string"},
        "values": {"type": "object", "additionalProperties": {"type": ["number", "null"]}}}},
}
