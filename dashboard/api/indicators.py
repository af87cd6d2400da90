"""GET /api/v1/indicators and /api/v1/indicators/catalog: the reindustrialisation series, with sources."""

from __future__ import annotations

import math

from dashboard.analytics import indicators as ind
from dashboard.api.params import DEMO_NOTICE, ApiError, Params, json_response
from dashboard.services import DataService
from dashboard.services.indicators import indicator_data

PARAMETERS = {"code", "level", "territory", "from", "to", "filiere"}


def _period_bound(name: str):
    raw = Params.text(name, max_length=10)
    if raw is None:
        return None
    try:
        return ind.period_start(raw)
    except ValueError:
        raise ApiError(400, "bad_parameter", f"{name}={raw!r} : période attendue AAAA, AAAA-Tn (AAAA-Qn) ou AAAA-MM.",
                       name) from None


def register(route, service: DataService) -> None:
    @route("/indicators/catalog")
    def indicators_catalog():
        Params(set())
        data = indicator_data(service)
        items = []
        for row in data.catalog.to_dict("records"):
            better = row["higher_is_better"]
            unknown = better is None or (isinstance(better, float) and math.isnan(better))
            items.append({"code": row["code"], "label": row["label"], "definition": row["definition"],
                          "unit": row["unit"], "source": row["source"],
                          "higher_is_better": None if unknown else bool(better),
                          "computed": row["code"] in ind.DERIVED_CODES})
        return json_response({"items": items, "levels": list(ind.LEVELS)})

    @route("/indicators")
    def indicators():
        Params(PARAMETERS)
        data = indicator_data(service)
        code = Params.text("code", max_length=40)
        if code is None:
            raise ApiError(400, "missing_parameter", "Indiquez code (voir /api/v1/indicators/catalog).", "code")
        if code not in set(data.catalog["code"]):
            raise ApiError(400, "bad_parameter", f"code={code!r} inconnu (voir /api/v1/indicators/catalog).", "code")
        level = Params.choice("level", ind.LEVELS) or "region"
        territory = Params.text("territory", max_length=20)
        defaults = {"region": ind.REGION_CODE, "pays": ind.NATION_CODE}
        if territory is None:
            if level not in defaults:
                raise ApiError(400, "missing_parameter", f"Indiquez territory pour level={level}.", "territory")
            territory = defaults[level]
        if level not in ("region", "pays") and (level, territory) not in data.names:
            raise ApiError(400, "bad_parameter", f"territory={territory!r} inconnu au niveau {level}.", "territory")
        filieres = tuple(v for v in (Params.text("filiere") or "").split(",") if v)
        unknown = set(filieres) - set(service.lookups.filieres["code"])
        if unknown:
            raise ApiError(400, "bad_parameter", f"filiere inconnue : {sorted(unknown)[0]}.", "filiere")
        start, end = _period_bound("from"), _period_bound("to")
        if start and end and start > end:
            raise ApiError(400, "bad_parameter", "from doit précéder to.", "from")
        years = range(2006, data.last_year + 1)
        series = data.series(code, data.scope(level, [territory]), filieres=filieres, years=years)
        frame = series.frame
        if start:
            frame = frame[frame["period_start"].dt.date >= start]
        if end:
            frame = frame[frame["period_start"].dt.date <= end]
        row = data.catalog_row(code) or {}
        items = [{"period": r["period"], "period_start": r["period_start"].date().isoformat(),
                  "value": None if r["value"] is None or math.isnan(r["value"]) else float(r["value"])}
                 for r in frame.to_dict("records")]
        return json_response({
            "code": code, "label": row.get("label"), "unit": row.get("unit"), "level": level, "territory": territory,
            "territory_name": data.territory_name(level, territory), "source": series.source,
            "source_date": series.source_date.isoformat() if series.source_date else None,
            "is_demo": series.is_demo, "notice": DEMO_NOTICE if series.is_demo else None, "items": items})


_P = lambda name, text, schema=None: {"name": name, "in": "query", "required": False, "description": text,  # noqa: E731
                                      "schema": schema or {"type": "string"}}
_ERR = {"description": "Paramètre invalide", "content": {"application/json": {"schema": {
    "$ref": "#/components/schemas/Error"}}}}
OPENAPI_PATHS = {
    "/api/v1/indicators": {"get": {
        "summary": "Série d'un indicateur de réindustrialisation",
        "description": "Une série (période, valeur) pour un territoire, avec sa source, sa date et is_demo. Les "
                       "indicateurs Sirene (ouvertures, fermetures, solde, établissements) et projets sont calculés "
                       "à la volée ; les autres viennent des imports (URSSAF, fichier d'indicateurs) ou de la démo.",
        "parameters": [
            {**_P("code", "Code de l'indicateur (obligatoire), voir /api/v1/indicators/catalog."), "required": True},
            _P("level", "region (défaut, Lorraine 41), departement, epci, zone_emploi, commune, territoire_industrie, "
                        "pays.", {"type": "string", "enum": list(ind.LEVELS)}),
            _P("territory", "Code du territoire (obligatoire sauf region et pays)."),
            _P("from", "Première période incluse : AAAA, AAAA-Qn ou AAAA-MM."),
            _P("to", "Dernière période incluse."),
            _P("filiere", "Filières (séparées par des virgules) : indicateurs Sirene et projets seulement."),
        ],
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/IndicatorSeries"}}}}, "400": _ERR}}},
    "/api/v1/indicators/catalog": {"get": {
        "summary": "Catalogue des indicateurs",
        "description": "Code, libellé, définition, unité, sens favorable (higher_is_better), source, calculé ou non.",
        "parameters": [],
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/IndicatorCatalog"}}}}, "400": _ERR}}},
}
OPENAPI_SCHEMAS = {
    "IndicatorSeries": {"type": "object", "properties": {
        "code": {"type": "string"}, "label": {"type": "string"}, "unit": {"type": "string"},
        "level": {"type": "string"}, "territory": {"type": "string"}, "territory_name": {"type": "string"},
        "source": {"type": "string"}, "source_date": {"type": ["string", "null"], "format": "date"},
        "is_demo": {"type": "boolean"}, "notice": {"type": ["string", "null"]},
        "items": {"type": "array", "items": {"type": "object", "properties": {
            "period": {"type": "string"}, "period_start": {"type": "string", "format": "date"},
            "value": {"type": ["number", "null"]}}}}}},
    "IndicatorCatalog": {"type": "object", "properties": {
        "levels": {"type": "array", "items": {"type": "string"}},
        "items": {"type": "array", "items": {"type": "object", "properties": {
            "code": {"type": "string"}, "label": {"type": "string"}, "definition": {"type": "string"},
            "unit": {"type": "string"}, "source": {"type": "string"},
            "higher_is_better": {"type": ["boolean", "null"]}, "computed": {"type": "boolean"}}}}}},
}
