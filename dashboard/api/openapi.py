"""The OpenAPI 3.1 description of /api/v1 (served at /api/v1/openapi.json), built from the API modules.

Topic modules describe their own paths with `query_param` and `get_operation` (shared here)."""

from __future__ import annotations

from dashboard import __version__


def query_param(name: str, description: str, schema: dict, *, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


ERROR_RESPONSE = {"description": "Paramètre invalide (JSON: error.code, error.message, error.parameter).",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
LIMIT_PARAM = query_param("limit", "Nombre maximal d'éléments (1 à 10 000).",
                          {"type": "integer", "minimum": 1, "maximum": 10000})
OFFSET_PARAM = query_param("offset", "Décalage pour la pagination.", {"type": "integer", "minimum": 0})
DEPARTMENT_PARAM = query_param("departement", "Code du département.",
                               {"type": "string", "enum": ["54", "55", "57", "88"]})


MULTI = {"type": "array", "items": {"type": "string"}}
FILTER_PARAMS = [
    {**query_param("departement", "Départements (54, 55, 57, 88).", MULTI), "style": "form", "explode": True},
    {**query_param("epci", "SIREN d'EPCI.", MULTI), "style": "form", "explode": True},
    {**query_param("zone_emploi", "Codes de zone d'emploi 2020.", MULTI), "style": "form", "explode": True},
    {**query_param("filiere", "Codes de filière (voir /api/v1/meta).", MULTI), "style": "form", "explode": True},
    {**query_param("division", "Divisions NAF (2 chiffres).", MULTI), "style": "form", "explode": True},
    {**query_param("naf", "Sous-classes NAF (25.62B ou 2562B).", MULTI), "style": "form", "explode": True},
    query_param("size_min", "Tranche d'effectif INSEE minimale (ex. 11 = 10 à 19 salariés).",
           {"type": "string", "enum": ["NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42",
                                       "51", "52", "53"]}),
    {**query_param("capability", "Savoir-faire (codes de /api/v1/capabilities).", MULTI), "style": "form",
     "explode": True},
    query_param("capability_mode", "all : tous les savoir-faire ; any : au moins un.",
           {"type": "string", "enum": ["all", "any"], "default": "all"}),
    {**query_param("certification", "Certifications (toutes exigées).", MULTI), "style": "form", "explode": True},
    query_param("member", "Adhérents UIMM : oui / non (comptes connectés seulement : 403 sinon).",
                {"type": "string", "enum": ["oui", "non", "true", "false"]}),
    query_param("q", "Mots du nom ou de la commune, sans accents ni casse.", {"type": "string", "maxLength": 100}),
    {**query_param("territoire_industrie", "Territoires d'industrie (codes ANCT id_ti) : établissements de "
                   "leurs communes, l'un ou l'autre. Disponible une fois la liste importée "
                   "(tissu import territoires-industrie) ; un code inconnu donne 400.", MULTI),
     "style": "form", "explode": True},
]


def get_operation(summary: str, description: str, params: list[dict], schema: dict) -> dict:
    return {"get": {"summary": summary, "description": description, "parameters": params, "responses": {
        "200": {"description": "OK", "content": {"application/json": {"schema": schema}}}, "400": ERROR_RESPONSE}}}


def openapi_document(api_modules) -> dict:
    """The whole document from the API modules of the page registry; every route appears (a test checks)."""
    document: dict = {
        "openapi": "3.1.0",
        "info": {
            "title": "tissu API",
            "version": __version__,
            "description": "API du tissu industriel lorrain, en lecture, sauf les besoins et offres du réseau "
                           "que les adhérents publient avec leur jeton. Quand `is_demo` est vrai, les "
                           "établissements, savoir-faire et indicateurs sont des données de démonstration fictives.",
        },
        "paths": {},
        "components": {"securitySchemes": {"bearerAuth": {
            "type": "http", "scheme": "bearer", "description": "Jeton personnel (page Mon compte) : tissu_…"}},
            "schemas": {
            "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
                "code": {"type": "string"}, "message": {"type": "string"}, "parameter": {"type": "string"}},
                "required": ["code", "message"]}}},
        }},
    }
    for module in api_modules:
        document["paths"].update(module.OPENAPI_PATHS)
        document["components"]["schemas"].update(getattr(module, "OPENAPI_SCHEMAS", {}))
    document["paths"]["/api/v1/openapi.json"] = {
        "get": {"summary": "Ce document", "responses": {"200": {"description": "OK"}}}}
    return document
