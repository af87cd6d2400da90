"""GET /api/v1/coverage and /api/v1/coverage/summary: local supplier coverage (issue 5)."""

from __future__ import annotations

import math

import pandas as pd
from flask import request

from dashboard.analytics.coverage import LEVELS, CoverageQueryError
from dashboard.api.params import ApiError, Params, json_response, json_text, json_text_response
from dashboard.borders import HOME_COUNTRY, country_label
from dashboard.services import DataService
from dashboard.services import coverage as cs
from dashboard.services.cross_border import CrossBorderParamError, parse_cross_border

DEFINITION = ("rate : part de la demande (poids `weight`) ayant au moins un fournisseur du savoir-faire à moins de "
              "radius_km km (grand cercle) ; un fournisseur ne se couvre pas lui-même. desert : aucun fournisseur "
              "dans le rayon. single_source_share : exactement un fournisseur. Voir docs/indicators.md.")


def _radius() -> float:
    raw = Params.text("radius_km") or "50"
    try:
        value = float(raw)
    except ValueError:
        raise ApiError(400, "bad_parameter", f"radius_km doit être un nombre ({raw!r} reçu).", "radius_km") from None
    if not 0 < value <= 300:
        raise ApiError(400, "bad_parameter", "radius_km doit être dans ]0, 300].", "radius_km")
    return value


def _number(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(float(value), 4)


def _numbers(column: pd.Series) -> list[float | None]:
    """_number of every value of a float column (built-in round, as _number: the same digits)."""
    return [None if v != v else round(v, 4) for v in column.to_numpy(float).tolist()]  # v != v: NaN


def _cross_border(service: DataService) -> bool:
    """`cross_border` (1/0, oui/non; default: on when the territory lies near the border), else a 400."""
    try:
        return cs.cross_border_choice(service, parse_cross_border(request.args.getlist("cross_border")))
    except CrossBorderParamError as err:
        raise ApiError(400, "bad_parameter", str(err), err.parameter) from None


def _coverage_body(service: DataService, *, capability: str, radius: float, level: str, weighting: str,
                   cross_border: bool = False) -> str:
    """The JSON text of GET /coverage for these parameters (raises CoverageQueryError)."""
    result = cs.capability_coverage(service, capability=capability, radius_km=radius, weighting=weighting,
                                    cross_border=cross_border)
    units = cs.by_unit(service, capability=capability, radius_km=radius, weighting=weighting, level=level,
                       cross_border=cross_border)
    names = units["name"].tolist()
    columns = zip(units["code"].tolist(), names, _numbers(units["rate"]), units["is_desert"].tolist(),
                  units["demand_points"].tolist(), _numbers(units["single_source_share"]),
                  _numbers(units["median_nearest_km"]), _numbers(units["max_nearest_km"]))
    singles = result.single_suppliers
    return json_text({
        "capability": capability, "radius_km": radius, "level": level, "weight": weighting,
        "cross_border": cross_border, "suppliers_abroad": int((result.suppliers.get("country", pd.Series(
            dtype=object)).fillna(HOME_COUNTRY) != HOME_COUNTRY).sum()),
        "demand": result.demand, "is_demo": service.snapshot().is_demo, "definition": DEFINITION,
        "rate": _number(result.rate), "desert_share": _number(result.desert_share),
        "single_source_share": _number(result.single_source_share),
        "median_nearest_km": _number(result.median_nearest_km),
        "median_third_nearest_km": _number(result.median_third_nearest_km),
        "suppliers": int(len(result.suppliers)),
        "deserts": [{"code": code, "name": name} for code, name, desert in
                    zip(units["code"].tolist(), names, units["is_desert"].tolist()) if desert],
        "units": [{"code": code, "name": name, "rate": rate, "is_desert": desert, "demand_points": points,
                   "single_source_share": single, "median_nearest_km": median, "max_nearest_km": worst}
                  for code, name, rate, desert, points, single, median, worst in columns],
        "single_suppliers": [{"id": public_id, "name": name, "commune_code": commune, "country": country,
                              "dependent_points": count}
                             for public_id, name, commune, country, count in zip(
                                 singles["public_id"].tolist(), singles["name"].tolist(),
                                 singles["commune_code"].tolist(), _countries(singles),
                                 singles["dependent_points"].tolist())],
    })


def _countries(frame: pd.DataFrame) -> list[str]:
    """The French country label of each supplier ("France" for the territory's own)."""
    if "country_label" not in frame.columns:
        return [country_label(HOME_COUNTRY)] * len(frame)
    return frame["country_label"].fillna(country_label(HOME_COUNTRY)).tolist()


def register(route, service: DataService) -> None:
    look = service.lookups

    @route("/coverage")
    def coverage():
        Params({"capability", "radius_km", "level", "weight", "cross_border"})
        capability = Params.text("capability")
        if capability is None:
            raise ApiError(400, "missing_parameter", "capability est obligatoire (voir /api/v1/capabilities).",
                           "capability")
        Params.choice("capability", set(look.capabilities["code"]))
        radius = _radius()
        level = Params.choice("level", set(LEVELS)) or "commune"
        weighting = Params.choice("weight", set(cs.WEIGHTINGS)) or "jobs"
        cross_border = _cross_border(service)
        # The encoded body, once per data version and parameters (user-keyed, like the tables it reads).
        try:
            body = service.snapshot().lru(("api-coverage", capability, radius, weighting, level, cross_border),
                                          lambda: _coverage_body(service, capability=capability, radius=radius,
                                                                 level=level, weighting=weighting,
                                                                 cross_border=cross_border))
        except CoverageQueryError as err:
            raise ApiError(400, "bad_parameter", str(err), err.field) from None
        return json_text_response(body)

    @route("/coverage/summary")
    def coverage_summary():
        Params({"radius_km", "weight", "cross_border"})
        radius = _radius()
        weighting = Params.choice("weight", set(cs.WEIGHTINGS)) or "jobs"
        cross_border = _cross_border(service)
        table = cs.summary(service, radius_km=radius, weighting=weighting, cross_border=cross_border)
        return json_response({
            "radius_km": radius, "weight": weighting, "cross_border": cross_border,
            "is_demo": service.snapshot().is_demo, "definition": DEFINITION,
            "items": [{"capability": r["capability_code"], "label": r["capability_label"],
                       "suppliers": int(r["suppliers"]),
                       "rate": _number(r["rate"]), "single_source_share": _number(r["single_source_share"]),
                       "median_nearest_km": _number(r["median_nearest_km"]),
                       "median_third_nearest_km": _number(r["median_third_nearest_km"]),
                       "single_suppliers": int(r["single_suppliers"])}
                      for r in table.sort_values("rate").to_dict("records")],
        })


def _param(name, description, schema, required=False):
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


_ERROR = {"description": "Paramètre invalide.",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_RADIUS = _param("radius_km", "Rayon en km dans ]0, 300] (50 par défaut).", {"type": "number"})
_WEIGHT = _param("weight", "jobs : établissements pondérés par leurs emplois ; count : un par établissement ; "
                           "population : communes pondérées par leur population.",
                 {"type": "string", "enum": ["jobs", "count", "population"]})
CROSS_BORDER = _param("cross_border", "Inclure les fournisseurs transfrontaliers (sites à l'étranger : Luxembourg, "
                      "Sarre, Wallonie…) : 1 ou 0. Par défaut : 1 quand le territoire est à moins de 50 km d'une "
                      "région NUTS étrangère. La demande reste celle du territoire.",
                      {"type": "string", "enum": ["1", "0", "oui", "non", "true", "false"]})

OPENAPI_PATHS = {
    "/api/v1/coverage": {"get": {
        "summary": "Couverture fournisseurs d'un savoir-faire",
        "description": DEFINITION,
        "parameters": [_param("capability", "Code du savoir-faire.", {"type": "string"}, required=True), _RADIUS,
                       _param("level", "Échelle des unités.",
                              {"type": "string", "enum": ["commune", "epci", "zone_emploi", "departement"]}),
                       _WEIGHT, CROSS_BORDER],
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/Coverage"}}}}, "400": _ERROR}}},
    "/api/v1/coverage/summary": {"get": {
        "summary": "Couverture de tous les savoir-faire",
        "description": "Pour un rayon : taux de couverture, part en source unique, distances médianes au plus "
                       "proche et au 3e plus proche fournisseur, du plus faible au plus fort.",
        "parameters": [_RADIUS, _WEIGHT, CROSS_BORDER],
        "responses": {"200": {"description": "OK"}, "400": _ERROR}}},
}
OPENAPI_SCHEMAS = {
    "Coverage": {"type": "object", "properties": {
        "capability": {"type": "string"}, "radius_km": {"type": "number"}, "level": {"type": "string"},
        "rate": {"type": ["number", "null"]}, "desert_share": {"type": ["number", "null"]},
        "single_source_share": {"type": ["number", "null"]}, "median_nearest_km": {"type": ["number", "null"]},
        "median_third_nearest_km": {"type": ["number", "null"]}, "suppliers": {"type": "integer"},
        "cross_border": {"type": "boolean"}, "suppliers_abroad": {"type": "integer"},
        "deserts": {"type": "array"}, "units": {"type": "array"}, "single_suppliers": {"type": "array"}}},
}
