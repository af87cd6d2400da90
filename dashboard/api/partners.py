"""GET /api/v1/partners: nearby partners of an origin, ranked and explained (the partners engine)."""

from __future__ import annotations

from flask import json, request

from dashboard.analytics.partner_query import PartnerParamError, parse_partner_query
from dashboard.analytics.partners import PartnerQueryError
from dashboard.api.establishments import ESTABLISHMENT_FIELDS
from dashboard.api.openapi import MULTI, get_operation, query_param
from dashboard.api.params import ApiError, Params, json_response
from dashboard.services import DataService
from dashboard.services.partners import OriginError, partner_vocabulary, search_partners
from dashboard.sessions import current_viewer

PARTNER_PARAMETERS = {"lat", "lon", "siret", "id", "site", "commune", "capability", "capability_mode", "naf",
                      "certification", "wished_certification", "match", "size_min", "member", "radius_km", "sort",
                      "cross_border"}
PARTNER_METHOD = ("distance_km : grand cercle (haversine, rayon terrestre moyen 6 371,0088 km). road_km_estimate et "
                  "drive_min_estimate : estimations (détour et vitesse moyenne forfaitaires, voir docs/indicators.md). "
                  "score : part des savoir-faire demandés trouvés, puis certifications souhaitées détenues, puis "
                  "proximité.")


def register(route, service: DataService) -> None:
    @route("/partners")
    def partners():
        Params(PARTNER_PARAMETERS | {"limit"})
        try:
            query, _ = parse_partner_query(request.args.to_dict(flat=False), partner_vocabulary(service), strict=True)
        except PartnerParamError as err:
            raise ApiError(400, "bad_parameter", str(err), err.parameter) from None
        if query.origin_kind == "none":
            raise ApiError(400, "missing_origin", "Indiquez lat et lon, ou siret (ou id), ou commune.", "lat")
        if query.match and query.origin_kind != "site":
            raise ApiError(400, "bad_parameter", "match part d'un établissement : indiquez siret (ou id).", "match")
        if query.origin_kind == "point" and not (41.0 <= query.lat <= 51.5 and -5.5 <= query.lon <= 10.0):
            raise ApiError(400, "bad_parameter", "Coordonnées hors de France métropolitaine.", "lat")
        limit = Params.integer("limit", 100, minimum=1, maximum=1000)
        try:
            found = search_partners(service, query, viewer=current_viewer(), limit=limit)
        except OriginError as err:
            raise ApiError(400, "unknown_origin", str(err), "siret" if err.parameter == "site" else err.parameter) \
                from None
        except PartnerQueryError as err:
            raise ApiError(400, "bad_parameter", str(err), err.field) from None
        records = found.records
        fields = ["rank", *[f for f in ESTABLISHMENT_FIELDS if f in records.columns], "distance_km",
                  "road_km_estimate", "drive_min_estimate", "score", "why", "matched_capabilities", "country",
                  "country_label"]
        items = json.loads(records[fields].to_json(orient="records", force_ascii=False, date_format="iso",
                                                   double_precision=3))
        for item in items:
            for key in ("created_on", "source_date"):
                item[key] = item[key][:10] if item[key] else None
        origin = found.origin
        return json_response({
            "origin": {"kind": origin.kind, "label": origin.label, "lat": origin.lat, "lon": origin.lon,
                       "id": origin.public_id},
            "radius_km": found.result.radius_km, "total_in_radius": found.result.total_in_radius,
            "beyond_radius": found.result.beyond_radius, "next_radius_km": found.result.next_radius_km,
            "sort": query.sort, "match": found.query.match, "capabilities": list(found.query.capabilities),
            "capability_mode": found.query.capability_mode,
            "certifications": list(found.query.certifications),
            "wished_certifications": list(found.query.wished_certifications),
            "cross_border": found.cross_border, "cross_border_default": found.cross_border_default,
            "is_demo": service.snapshot().is_demo,
            "method": PARTNER_METHOD, "items": items,
        })


OPENAPI_PATHS = {
    "/api/v1/partners": get_operation(
        "Partenaires de proximité",
        "Établissements répondant au besoin dans un rayon autour d'une origine (lat/lon, siret ou id, ou "
        "commune), classés et expliqués (`why`). Distances à vol d'oiseau (haversine, R = 6 371,0088 km) ; "
        "distance routière et temps de trajet estimés (× 1,3 ; 70 km/h). L'origine est exclue.",
        [query_param("lat", "Latitude de l'origine (France métropolitaine).", {"type": "number"}),
         query_param("lon", "Longitude de l'origine.", {"type": "number"}),
         query_param("siret", "SIRET (ou identifiant de démonstration ; pour un site à l'étranger, son identifiant "
                     "ou son n° d'immatriculation) de l'établissement d'origine.",
                {"type": "string"}),
         query_param("id", "Synonyme de siret.", {"type": "string"}),
         query_param("commune", "Code INSEE de la commune d'origine.", {"type": "string"}),
         {**query_param("capability", "Savoir-faire recherchés.", MULTI), "style": "form", "explode": True},
         query_param("capability_mode", "all ou any.", {"type": "string", "enum": ["all", "any"]}),
         {**query_param("certification", "Certifications requises : un partenaire les détient toutes (filtre).",
                        MULTI), "style": "form", "explode": True},
         {**query_param("wished_certification",
                        "Certifications souhaitées : n'excluent personne ; à savoir-faire égaux, les partenaires qui "
                        "en détiennent davantage sont classés devant (tri score). Code inconnu : 400.", MULTI),
          "style": "form", "explode": True},
         query_param("match", "Avec siret (ou id) : les savoir-faire viennent de l'établissement d'origine quand "
                     "capability est absent. peers : ses propres savoir-faire (pairs) ; complementary : ceux des "
                     "mêmes familles qu'il n'a pas (fournisseurs complémentaires). Au moins un (any).",
                     {"type": "string", "enum": ["peers", "complementary"]}),
         {**query_param("naf", "Codes NAF (division 25, groupe 25.6, classe 25.62 ou sous-classe 25.62B).",
                   MULTI), "style": "form", "explode": True},
         query_param("size_min", "Tranche d'effectif INSEE minimale.", {"type": "string"}),
         query_param("member", "oui : adhérents UIMM seulement (comptes connectés ; 403 sinon).",
                     {"type": "string"}),
         query_param("radius_km", "Rayon en km, dans ]0, 300] (40 par défaut).",
                {"type": "number", "exclusiveMinimum": 0, "maximum": 300}),
         query_param("sort", "score (savoir-faire puis distance), distance, ou road (distance routière estimée).",
                {"type": "string", "enum": ["score", "distance", "road"]}),
         query_param("cross_border", "Inclure les fournisseurs transfrontaliers (sites à l'étranger : Luxembourg, "
                     "Sarre, Wallonie…) : 1 ou 0 (oui ou non). Par défaut : 1 quand l'origine est à moins de 50 km "
                     "d'une région NUTS-3 étrangère, 0 sinon. Autre valeur : 400.",
                     {"type": "string", "enum": ["1", "0", "oui", "non", "true", "false"]}),
         query_param("limit", "Nombre maximal de résultats (1 à 1 000, 100 par défaut).",
                {"type": "integer", "minimum": 1, "maximum": 1000})],
        {"$ref": "#/components/schemas/PartnerPage"}),
}

OPENAPI_SCHEMAS = {
    "PartnerPage": {"type": "object", "properties": {
        "origin": {"type": "object", "properties": {
            "kind": {"type": "string", "enum": ["site", "commune", "point"]}, "label": {"type": "string"},
            "lat": {"type": "number"}, "lon": {"type": "number"}, "id": {"type": ["string", "null"]}}},
        "radius_km": {"type": "number"}, "total_in_radius": {"type": "integer"},
        "beyond_radius": {"type": "integer", "description": "entre radius_km et next_radius_km"},
        "next_radius_km": {"type": ["number", "null"]}, "sort": {"type": "string"},
        "match": {"type": ["string", "null"], "enum": ["peers", "complementary", None]},
        "capabilities": {"type": "array", "items": {"type": "string"},
                         "description": "savoir-faire recherchés (ceux du contexte quand match est donné seul)"},
        "capability_mode": {"type": "string", "enum": ["all", "any"]},
        "certifications": {"type": "array", "items": {"type": "string"}},
        "wished_certifications": {"type": "array", "items": {"type": "string"}},
        "is_demo": {"type": "boolean"}, "method": {"type": "string"},
        "cross_border": {"type": "boolean", "description": "sites à l'étranger inclus"},
        "cross_border_default": {"type": "boolean", "description": "la valeur par défaut pour cette origine"},
        "items": {"type": "array", "items": {"allOf": [
            {"$ref": "#/components/schemas/Establishment"},
            {"type": "object", "properties": {
                "rank": {"type": "integer"}, "distance_km": {"type": "number"},
                "road_km_estimate": {"type": "number"}, "drive_min_estimate": {"type": "number"},
                "score": {"type": "number"}, "why": {"type": "array", "items": {"type": "string"}},
                "matched_capabilities": {"type": "array", "items": {"type": "string"}},
                "country": {"type": "string", "description": "ISO 3166-1 alpha-2 (FR en France)"},
                "country_label": {"type": "string", "description": "« France », « Luxembourg », « Allemagne "
                                                                   "(Sarre) »…"}}}]}}}},
}
