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


_MULTI = {"type": "array", "items": {"type": "string"}}
_FILTERS = [
    {**_param("departement", "Départements (54, 55, 57, 88).", _MULTI), "style": "form", "explode": True},
    {**_param("epci", "SIREN d'EPCI.", _MULTI), "style": "form", "explode": True},
    {**_param("zone_emploi", "Codes de zone d'emploi 2020.", _MULTI), "style": "form", "explode": True},
    {**_param("filiere", "Codes de filière (voir /api/v1/meta).", _MULTI), "style": "form", "explode": True},
    {**_param("division", "Divisions NAF (2 chiffres).", _MULTI), "style": "form", "explode": True},
    {**_param("naf", "Sous-classes NAF (25.62B ou 2562B).", _MULTI), "style": "form", "explode": True},
    _param("size_min", "Tranche d'effectif INSEE minimale (ex. 11 = 10 à 19 salariés).",
           {"type": "string", "enum": ["NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42",
                                       "51", "52", "53"]}),
    {**_param("capability", "Savoir-faire (codes de /api/v1/capabilities).", _MULTI), "style": "form",
     "explode": True},
    _param("capability_mode", "all : tous les savoir-faire ; any : au moins un.",
           {"type": "string", "enum": ["all", "any"], "default": "all"}),
    {**_param("certification", "Certifications (toutes exigées).", _MULTI), "style": "form", "explode": True},
    _param("member", "Adhérents UIMM : oui / non.", {"type": "string", "enum": ["oui", "non", "true", "false"]}),
    _param("q", "Mots du nom ou de la commune, sans accents ni casse.", {"type": "string", "maxLength": 100}),
]


def _get(summary: str, description: str, params: list[dict], schema: dict) -> dict:
    return {"get": {"summary": summary, "description": description, "parameters": params, "responses": {
        "200": {"description": "OK", "content": {"application/json": {"schema": schema}}}, "400": _ERROR}}}


def _extensions() -> list:
    """Topic modules (dashboard/api_*.py) that add OPENAPI_PATHS and OPENAPI_SCHEMAS, in this order."""
    from dashboard import api_coverage, api_event, api_indicators, api_skills

    return [api_coverage, api_skills, api_indicators, api_event]


def openapi_document() -> dict:
    """The whole document; every route of the blueprint appears here (a test checks)."""
    document = _core_document()
    for module in _extensions():
        document["paths"].update(module.OPENAPI_PATHS)
        document["components"]["schemas"].update(getattr(module, "OPENAPI_SCHEMAS", {}))
    return document


def _core_document() -> dict:
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
            "/api/v1/establishments": _get(
                "Établissements filtrés",
                "Les mêmes filtres que la carte (mêmes comptes). Paramètres multiples : répétés ou séparés par "
                "des virgules. Établissements fermés exclus.",
                _FILTERS + [_LIMIT, _OFFSET], {"$ref": "#/components/schemas/EstablishmentPage"}),
            "/api/v1/establishments.csv": {"get": {
                "summary": "Export CSV des établissements filtrés",
                "description": "Mêmes filtres ; CSV UTF-8 avec BOM, séparateur « ; », virgule décimale, "
                               "dates jj/mm/aaaa, en-têtes en français (limit jusqu'à 1 000 000).",
                "parameters": _FILTERS + [_param("limit", "Nombre maximal de lignes.", {"type": "integer",
                                                                                       "minimum": 1}), _OFFSET],
                "responses": {"200": {"description": "CSV", "content": {"text/csv": {}}}, "400": _ERROR}}},
            "/api/v1/partners": _get(
                "Partenaires de proximité",
                "Établissements répondant au besoin dans un rayon autour d'une origine (lat/lon, siret ou id, ou "
                "commune), classés et expliqués (`why`). Distances à vol d'oiseau (haversine, R = 6 371,0088 km) ; "
                "distance routière et temps de trajet estimés (× 1,3 ; 70 km/h). L'origine est exclue.",
                [_param("lat", "Latitude de l'origine (France métropolitaine).", {"type": "number"}),
                 _param("lon", "Longitude de l'origine.", {"type": "number"}),
                 _param("siret", "SIRET (ou identifiant de démonstration) de l'établissement d'origine.",
                        {"type": "string"}),
                 _param("id", "Synonyme de siret.", {"type": "string"}),
                 _param("commune", "Code INSEE de la commune d'origine.", {"type": "string"}),
                 {**_param("capability", "Savoir-faire recherchés.", _MULTI), "style": "form", "explode": True},
                 _param("capability_mode", "all ou any.", {"type": "string", "enum": ["all", "any"]}),
                 {**_param("certification", "Certifications exigées (toutes).", _MULTI), "style": "form",
                  "explode": True},
                 {**_param("naf", "Codes NAF (division 25, groupe 25.6, classe 25.62 ou sous-classe 25.62B).",
                           _MULTI), "style": "form", "explode": True},
                 _param("size_min", "Tranche d'effectif INSEE minimale.", {"type": "string"}),
                 _param("member", "oui : adhérents UIMM seulement.", {"type": "string"}),
                 _param("radius_km", "Rayon en km, dans ]0, 300] (40 par défaut).",
                        {"type": "number", "exclusiveMinimum": 0, "maximum": 300}),
                 _param("sort", "score (savoir-faire puis distance), distance, ou road (distance routière estimée).",
                        {"type": "string", "enum": ["score", "distance", "road"]}),
                 _param("limit", "Nombre maximal de résultats (1 à 1 000, 100 par défaut).",
                        {"type": "integer", "minimum": 1, "maximum": 1000})],
                {"$ref": "#/components/schemas/PartnerPage"}),
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
            "Establishment": {"type": "object", "properties": {
                "id": {"type": "string", "description": "SIRET, ou identifiant DEMO-… pour la démonstration"},
                "siret": {"type": ["string", "null"]}, "name": {"type": "string"},
                "naf": {"type": ["string", "null"]}, "naf_label": {"type": ["string", "null"]},
                "filiere": {"type": ["string", "null"]}, "filiere_label": {"type": ["string", "null"]},
                "size_band": {"type": ["string", "null"]}, "size_band_label": {"type": ["string", "null"]},
                "headcount_estimate": {"type": ["integer", "null"]}, "address": {"type": ["string", "null"]},
                "commune_code": {"type": "string"}, "commune_name": {"type": "string"},
                "departement": {"type": "string"}, "epci": {"type": ["string", "null"]},
                "epci_name": {"type": ["string", "null"]}, "zone_emploi": {"type": "string"},
                "zone_emploi_name": {"type": "string"}, "lat": {"type": "number"}, "lon": {"type": "number"},
                "capabilities": {"type": "array", "items": {"type": "string"}},
                "capabilities_presumed": {"type": "array", "items": {"type": "string"}},
                "certifications": {"type": "array", "items": {"type": "string"}},
                "member": {"type": "boolean"}, "created_on": {"type": ["string", "null"], "format": "date"},
                "source": {"type": "string"}, "source_date": {"type": "string", "format": "date"},
                "is_demo": {"type": "boolean"}}},
            "EstablishmentPage": {"type": "object", "properties": {
                "total": {"type": "integer"}, "limit": {"type": "integer"}, "offset": {"type": "integer"},
                "is_demo": {"type": "boolean"}, "notice": {"type": ["string", "null"]},
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Establishment"}}}},
            "PartnerPage": {"type": "object", "properties": {
                "origin": {"type": "object", "properties": {
                    "kind": {"type": "string", "enum": ["site", "commune", "point"]}, "label": {"type": "string"},
                    "lat": {"type": "number"}, "lon": {"type": "number"}, "id": {"type": ["string", "null"]}}},
                "radius_km": {"type": "number"}, "total_in_radius": {"type": "integer"},
                "beyond_radius": {"type": "integer", "description": "entre radius_km et next_radius_km"},
                "next_radius_km": {"type": ["number", "null"]}, "sort": {"type": "string"},
                "is_demo": {"type": "boolean"}, "method": {"type": "string"},
                "items": {"type": "array", "items": {"allOf": [
                    {"$ref": "#/components/schemas/Establishment"},
                    {"type": "object", "properties": {
                        "rank": {"type": "integer"}, "distance_km": {"type": "number"},
                        "road_km_estimate": {"type": "number"}, "drive_min_estimate": {"type": "number"},
                        "score": {"type": "number"}, "why": {"type": "array", "items": {"type": "string"}},
                        "matched_capabilities": {"type": "array", "items": {"type": "string"}}}}]}}}},
            "Capabilities": {"type": "object", "properties": {
                "is_demo": {"type": "boolean"},
                "families": {"type": "array", "items": {"type": "object", "properties": {
                    "code": {"type": "string"}, "label": {"type": "string"},
                    "capabilities": {"type": "array", "items": {"type": "object", "properties": {
                        "code": {"type": "string"}, "label": {"type": "string"},
                        "description": {"type": "string"}, "establishments": {"type": "integer"}}}}}}}}},
        }},
    }
