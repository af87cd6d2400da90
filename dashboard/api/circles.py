"""Circles API: the circles of excellence with their sessions (dates, places, seats), cut by role: the public
gets names, themes, territories and counts; signed-in accounts also who takes part."""

from __future__ import annotations

import datetime as dt

from dashboard.api.openapi import DEPARTMENT_PARAM, ERROR_RESPONSE, query_param
from dashboard.api.params import ApiError, Params, json_response
from dashboard.services import DataService
from dashboard.services import circles as svc
from dashboard.sessions import current_viewer


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _notice(items: list[dict]) -> str | None:
    return svc.CIRCLES_NOTICE if any(i.get("is_demo") for i in items) else None


def register(route, service: DataService) -> None:
    @route("/circles")
    def circles():
        Params({"theme", "departement"})
        theme = Params.choice("theme", set(svc.themes()))
        department = Params.choice("departement", set(service.lookups.departments["code"]))
        items = svc.list_circles(service, current_viewer(), theme=theme, department=department)
        return json_response({"total": len(items), "items": _jsonable(items), "notice": _notice(items)})

    @route("/circles/<circle_id>")
    def one_circle(circle_id: str):
        Params(set())
        if not circle_id.isdigit() or len(circle_id) > 9:
            raise ApiError(400, "bad_parameter", f"Identifiant invalide : {circle_id[:20]!r} (entier attendu).",
                           "circle_id")
        try:
            item = svc.circle(service, int(circle_id), current_viewer())
        except svc.CircleNotFound as err:
            raise ApiError(404, "not_found", str(err)) from None
        return json_response({"circle": _jsonable(item), "notice": _notice([item])})


_ERR = {"$ref": "#/components/schemas/Error"}
_THEMES = sorted(svc.themes())
_SESSION = {"type": "object", "properties": {
    "id": {"type": "integer"}, "title": {"type": "string"}, "starts_at": {"type": "string", "format": "date-time",
                                                                          "description": "Heure locale (Paris)."},
    "duration_min": {"type": "integer"}, "commune_code": {"type": "string"}, "commune": {"type": "string"},
    "lat": {"type": ["number", "null"]}, "lon": {"type": ["number", "null"]}, "capacity": {"type": "integer"},
    "registered": {"type": "integer"}, "seats_left": {"type": "integer"}, "full": {"type": "boolean"},
    "upcoming": {"type": "boolean"}, "status": {"type": "string", "enum": ["planned", "cancelled"]},
    "registrants": {"type": "array", "description": "Comptes connectés seulement.",
                    "items": {"type": "object", "properties": {"site": {"type": "string"},
                                                               "name": {"type": "string"}}}}}}
_CIRCLE = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "theme": {"type": "string", "enum": _THEMES},
    "theme_label": {"type": "string"},
    "territory_kind": {"type": "string", "enum": ["department", "zone", "lorraine"]},
    "territory_code": {"type": "string"}, "territory_label": {"type": "string"}, "description": {"type": "string"},
    "status": {"type": "string", "enum": ["open", "closed"]}, "members_count": {"type": "integer"},
    "is_demo": {"type": "boolean", "description": "Cercle de démonstration (fictif)."},
    "facilitator": {"type": "object", "description": "Comptes connectés seulement."},
    "members": {"type": "array", "description": "Comptes connectés seulement.", "items": {"type": "object"}},
    "sessions": {"type": "array", "items": _SESSION}}}

OPENAPI_PATHS = {
    "/api/v1/circles": {"get": {
        "summary": "Cercles d'excellence",
        "description": "Cercles ouverts (l'équipe UIMM : clos aussi), leurs séances, places et inscrits. Public : "
                       "noms, thèmes, territoires, dates et nombres, sans participants ; comptes connectés : "
                       "animateur, membres et inscrits.",
        "parameters": [query_param("theme", "Un thème (data/taxonomy/circle_themes.csv).",
                                   {"type": "string", "enum": _THEMES}),
                       {**DEPARTMENT_PARAM, "description": "Cercles dont le territoire couvre ce département."}],
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/Circles"}}}}, "400": ERROR_RESPONSE}}},
    "/api/v1/circles/{circle_id}": {"get": {
        "summary": "Un cercle et ses séances",
        "parameters": [{"name": "circle_id", "in": "path", "required": True, "description": "Identifiant du cercle.",
                        "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/CircleDetail"}}}}, "400": ERROR_RESPONSE,
            "404": {"description": "Cercle inconnu", "content": {"application/json": {"schema": _ERR}}}}}},
}

OPENAPI_SCHEMAS = {
    "Circle": _CIRCLE,
    "Circles": {"type": "object", "properties": {"total": {"type": "integer"}, "items": {"type": "array", "items": {
        "$ref": "#/components/schemas/Circle"}}, "notice": {"type": ["string", "null"]}}},
    "CircleDetail": {"type": "object", "properties": {"circle": {"$ref": "#/components/schemas/Circle"},
                                                      "notice": {"type": ["string", "null"]}}},
}
