"""The OpenAPI 3.1 description of /api/v1 (served at /api/v1/openapi.json)."""

from __future__ import annotations

from dashboard import __version__


def _param(name: str, description: str, schema: dict, *, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


_ERROR = {"description": "Paramètre invalide (JSON: error.code, error.message, error.parameter).",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_LIMIT = _param("limit", "Nombre maximal d'éléments (1 à 10 000).", {"type": "integer", "minimum": 1, "maximum": 10000})
_OFFSET = _param("offset", "Décalage pour la pagination.", {"type": "integer", "minimum": 0})
_DEPT = _param("departement", "Code du département.", {"type": "string", "enum": ["54", "55", "57", "88"]})


def _get(summary: str, description: str, params: list[dict], schema: dict) -> dict:
    return {"get": {"summary": summary, "description": description, "parameters": params, "responses": {
        "200": {"description": "OK", "content": {"application/json": {"schema": schema}}}, "400": _ERROR}}}


def openapi_document() -> dict:
    """The whole document; every route of the blueprint appears here (a test checks)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "tissu API",
            "version": __version__,
            "description": "API en lecture seule du tissu industriel lorrain. Quand `is_demo` est vrai, les "
                           "établissements, savoir-faire et indicateurs sont des données de démonstration fictives.",
        },
        "paths": {
            "/api/v1/meta": _get("Jeu de données actif", "Nom, sources avec leurs dates, effectifs, is_demo.", [],
                                 {"$ref": "#/components/schemas/Meta"}),
            "/api/v1/communes": _get(
                "Communes de Lorraine", "Les 2 321 communes 2026 des départements 54, 55, 57 et 88.",
                [_DEPT, _param("epci", "SIREN de l'EPCI.", {"type": "string"}),
                 _param("zone_emploi", "Code de zone d'emploi 2020.", {"type": "string"}),
                 _param("q", "Recherche sans accents ni casse dans le nom.", {"type": "string", "maxLength": 100}),
                 _LIMIT, _OFFSET],
                {"$ref": "#/components/schemas/CommunePage"}),
            "/api/v1/capabilities": _get(
                "Savoir-faire", "Taxonomie des savoir-faire par famille, avec le nombre d'établissements.",
                [_param("family", "Code de famille.", {"type": "string"})],
                {"$ref": "#/components/schemas/Capabilities"}),
            "/api/v1/openapi.json": {"get": {"summary": "Ce document", "responses": {"200": {"description": "OK"}}}},
        },
        "components": {"schemas": {
            "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
                "code": {"type": "string"}, "message": {"type": "string"}, "parameter": {"type": "string"}},
                "required": ["code", "message"]}}},
            "Meta": {"type": "object", "properties": {
                "is_demo": {"type": "boolean"}, "notice": {"type": ["string", "null"]},
                "dataset": {"type": ["object", "null"]}, "sources": {"type": "array"},
                "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                "attribution": {"type": "string"}}},
            "Commune": {"type": "object", "properties": {
                "code": {"type": "string"}, "name": {"type": "string"}, "population": {"type": "integer"},
                "departement": {"type": "string"}, "epci": {"type": ["string", "null"]},
                "zone_emploi": {"type": "string"}, "lat": {"type": "number"}, "lon": {"type": "number"}}},
            "CommunePage": {"type": "object", "properties": {
                "total": {"type": "integer"}, "limit": {"type": "integer"}, "offset": {"type": "integer"},
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Commune"}}}},
            "Capabilities": {"type": "object", "properties": {
                "is_demo": {"type": "boolean"},
                "families": {"type": "array", "items": {"type": "object", "properties": {
                    "code": {"type": "string"}, "label": {"type": "string"},
                    "capabilities": {"type": "array", "items": {"type": "object", "properties": {
                        "code": {"type": "string"}, "label": {"type": "string"},
                        "description": {"type": "string"}, "establishments": {"type": "integer"}}}}}}}}},
        }},
    }
