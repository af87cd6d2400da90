"""Skills API: BMO recruitment needs by trade and territory (`/api/v1/skills`) and the trades (`/api/v1/trades`)."""

from __future__ import annotations

import math

from dashboard.analytics import skills as sk
from dashboard.api.params import DEMO_NOTICE, ApiError, Params, json_response
from dashboard.reference import departments
from dashboard.services.skills import skills_data

SKILLS_METHOD = ("difficulty_rate = difficult / projects sur les cellules où les deux sont connus "
                 "(part entre 0 et 1) ; "
                 f"tension si difficulty_rate > {sk.TENSION_THRESHOLD:g}. null = secret statistique (jamais 0).")


def _number(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _int(value):
    value = _number(value)
    return None if value is None else int(value)


def register(route, service) -> None:
    @route("/skills")
    def skills():
        Params({"trade", "territory", "departement", "year"})
        data = skills_data(service)
        trade = Params.choice("trade", set(data.trades["code"]))
        territory = Params.choice("territory", set(data.areas["code"]))
        departement = Params.choice("departement", set(departments()))
        years = data.years
        if not years:
            raise ApiError(404, "no_data", "Aucune donnée BMO chargée : lancez `tissu demo` ou `tissu import bmo`.")
        year = Params.integer("year", years[-1], minimum=min(years), maximum=max(years))
        if year not in years:
            raise ApiError(400, "bad_parameter", f"year={year} absente. Années : {', '.join(map(str, years))}.",
                           "year")
        needs = sk.filter_needs(data.needs, data.trades, data.areas, departement=departement, territory=territory,
                                year=year, trade=trade)
        trades = data.trades.set_index("code")
        areas = data.areas.set_index("code")
        items = []
        for row in needs.to_dict("records"):
            rate = sk.difficulty_rate([row["projects"]], [row["difficult"]])
            items.append({
                "year": int(row["year"]), "trade": row["trade_code"],
                "trade_label": trades.at[row["trade_code"], "label"],
                "territory": row["area_code"], "territory_name": areas.at[row["area_code"], "name"],
                "departement": areas.at[row["area_code"], "department_code"],
                "cross_region": bool(areas.at[row["area_code"], "cross_region"]),
                "projects": _int(row["projects"]), "difficult": _int(row["difficult"]),
                "seasonal": _int(row["seasonal"]),
                "difficulty_rate": None if math.isnan(rate) else round(rate, 4),
                "tension": sk.is_tension(rate),
                "secret": any(_number(row[c]) is None for c in ("projects", "difficult", "seasonal")),
            })
        total = sk.summarize_needs(needs.assign(_all=1), by=["_all"])
        summary = total.iloc[0] if len(total) else None
        return json_response({
            "year": year, "years": years, "is_demo": data.is_demo, "notice": DEMO_NOTICE if data.is_demo else None,
            "source": data.source_name, "source_date": data.source_date.isoformat() if data.source_date else None,
            "method": SKILLS_METHOD, "tension_threshold": sk.TENSION_THRESHOLD,
            "cross_region_note": sk.CROSS_REGION_NOTE if data.has_cross_region else None,
            "total": {"cells": len(items),
                      "projects": _int(summary["projects"]) if summary is not None else None,
                      "secret_cells": int(summary["secret_cells"]) if summary is not None else 0,
                      "difficulty_rate": (round(float(summary["difficulty_rate"]), 4)
                                          if summary is not None and not math.isnan(summary["difficulty_rate"])
                                          else None)},
            "items": items,
        })

    @route("/trades")
    def trades():
        Params({"family", "industrial"})
        data = skills_data(service)
        family = Params.choice("family", set(data.trades["family_code"]))
        industrial = Params.choice("industrial", {"oui", "non", "true", "false"})
        frame = data.trades
        if family:
            frame = frame[frame["family_code"] == family]
        if industrial:
            frame = frame[frame["is_industrial"] == (industrial in ("oui", "true"))]
        employers = data.employers.groupby("trade_code").size()
        items = [{"code": r["code"], "label": r["label"], "family": r["family_code"],
                  "family_label": r["family_label"], "industrial": bool(r["is_industrial"]),
                  "local_employers": int(employers.get(r["code"], 0))} for r in frame.to_dict("records")]
        return json_response({"is_demo": data.is_demo, "notice": DEMO_NOTICE if data.is_demo else None,
                              "source": data.source_name, "total": len(items), "items": items})


def _param(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


_ERROR = {"description": "Paramètre invalide (JSON: error.code, error.message, error.parameter).",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
OPENAPI_PATHS = {
    "/api/v1/skills": {"get": {
        "summary": "Besoins en main-d'œuvre (BMO) par métier et territoire",
        "description": "Projets de recrutement (met), difficiles (xmet), saisonniers (smet) d'une année. "
                       "null = secret statistique. " + SKILLS_METHOD,
        "parameters": [
            _param("trade", "Code métier (voir /api/v1/trades).", {"type": "string"}),
            _param("territory", "Code du bassin d'emploi BMO.", {"type": "string"}),
            _param("departement", "Département du bassin.", {"type": "string", "enum": list(departments())}),
            _param("year", "Année de l'enquête (défaut : la plus récente).", {"type": "integer"}),
        ],
        "responses": {"200": {"description": "OK", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/SkillsResponse"}}}}, "400": _ERROR}}},
    "/api/v1/trades": {"get": {
        "summary": "Métiers de l'enquête BMO",
        "description": "Code, libellé, famille, métier industriel ou non, nombre d'employeurs locaux (correspondance "
                       "documentée métier → NAF / savoir-faire).",
        "parameters": [_param("family", "Code de famille de métiers (A, C, I, O, S, T, V, Z).", {"type": "string"}),
                       _param("industrial", "Métiers industriels seulement : oui / non.",
                              {"type": "string", "enum": ["oui", "non", "true", "false"]})],
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}},
                      "400": _ERROR}}},
}
OPENAPI_SCHEMAS = {
    "SkillsResponse": {"type": "object", "properties": {
        "year": {"type": "integer"}, "years": {"type": "array", "items": {"type": "integer"}},
        "is_demo": {"type": "boolean"}, "source": {"type": "string"}, "source_date": {"type": "string"},
        "tension_threshold": {"type": "number"},
        "cross_region_note": {"type": ["string", "null"],
                              "description": "Présent quand un bassin transrégional (pôle hors de Lorraine) figure."},
        "items": {"type": "array", "items": {"type": "object", "properties": {
            "trade": {"type": "string"}, "territory": {"type": "string"},
            "territory_name": {"type": "string", "description": "suffixé « – bassin transrégional » au besoin"},
            "cross_region": {"type": "boolean", "description": "bassin dont le pôle est hors de Lorraine"},
            "projects": {"type": ["integer", "null"]}, "difficult": {"type": ["integer", "null"]},
            "seasonal": {"type": ["integer", "null"]}, "difficulty_rate": {"type": ["number", "null"]},
            "tension": {"type": "boolean"}, "secret": {"type": "boolean"}}}}}},
}
