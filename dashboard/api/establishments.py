"""GET /api/v1/establishments and .csv: the explorer's filtered establishments (same filter as the map)."""

from __future__ import annotations

import pandas as pd
from flask import json

from dashboard import exports
from dashboard.analytics.records import export_frame
from dashboard.api import map_view
from dashboard.api.criteria import query_criteria
from dashboard.api.openapi import ERROR_RESPONSE, FILTER_PARAMS, LIMIT_PARAM, OFFSET_PARAM, get_operation, query_param
from dashboard.api.params import DEMO_NOTICE, MAX_LIMIT, Params, json_response
from dashboard.policy import visible_columns
from dashboard.services import DataService, Snapshot
from dashboard.services.filtering import matching_mask
from dashboard.services.records import records_of
from dashboard.sessions import current_viewer

MAX_LIMIT_CSV = 1_000_000
ESTABLISHMENT_FIELDS = ["id", "siret", "name", "naf", "naf_label", "filiere", "filiere_label", "size_band",
                        "size_band_label", "headcount_estimate", "address", "commune_code", "commune_name",
                        "departement", "epci", "epci_name", "zone_emploi", "zone_emploi_name", "lat", "lon",
                        "capabilities", "capabilities_presumed", "certifications", "member", "created_on", "source",
                        "source_date", "is_demo"]


def register(route, service: DataService) -> None:
    look = service.lookups
    map_view.register(route, service)

    def _selected_records() -> tuple[pd.DataFrame, Snapshot]:
        """Establishments matching the query's filters (same definition as the map), paginated."""
        criteria = query_criteria(service, {"limit", "offset"})
        snap = service.snapshot()
        mask = matching_mask(service, snap, criteria)
        return snap.establishments[mask], snap

    def _records(frame: pd.DataFrame, snap: Snapshot) -> pd.DataFrame:
        """Records with only the fields this request's viewer may see."""
        records = records_of(service, snap, frame)
        return records[visible_columns(current_viewer(), records.columns)]

    @route("/establishments")
    def establishments():
        selected, snap = _selected_records()
        limit = Params.integer("limit", 100, minimum=1, maximum=MAX_LIMIT)
        offset = Params.integer("offset", 0, minimum=0, maximum=10_000_000)
        page = _records(selected.iloc[offset: offset + limit], snap)
        fields = visible_columns(current_viewer(), ESTABLISHMENT_FIELDS)
        items = json.loads(page[fields].to_json(orient="records", force_ascii=False, date_format="iso"))
        for item in items:
            for key in ("created_on", "source_date"):
                item[key] = item[key][:10] if item[key] else None
        return json_response({"total": int(len(selected)), "limit": limit, "offset": offset, "is_demo": snap.is_demo,
                      "notice": DEMO_NOTICE if snap.is_demo else None, "items": items})

    @route("/establishments.csv")
    def establishments_csv():
        selected, snap = _selected_records()
        limit = Params.integer("limit", MAX_LIMIT_CSV, minimum=1, maximum=MAX_LIMIT_CSV)
        offset = Params.integer("offset", 0, minimum=0, maximum=10_000_000)
        caps = dict(zip(look.capabilities["code"], look.capabilities["label"]))
        certs = dict(zip(look.certifications["code"], look.certifications["label"]))
        frame = export_frame(_records(selected.iloc[offset: offset + limit], snap), capability_labels=caps,
                             certification_labels=certs)
        return exports.csv_response(frame, "tissu-etablissements")


OPENAPI_PATHS = {
    **map_view.OPENAPI_PATHS,
    "/api/v1/establishments": get_operation(
        "Établissements filtrés",
        "Les mêmes filtres que la carte (mêmes comptes). Paramètres multiples : répétés ou séparés par "
        "des virgules. Établissements fermés exclus.",
        FILTER_PARAMS + [LIMIT_PARAM, OFFSET_PARAM], {"$ref": "#/components/schemas/EstablishmentPage"}),
    "/api/v1/establishments.csv": {"get": {
        "summary": "Export CSV des établissements filtrés",
        "description": "Mêmes filtres ; CSV UTF-8 avec BOM, séparateur « ; », virgule décimale, "
                       "dates jj/mm/aaaa, en-têtes en français (limit jusqu'à 1 000 000).",
        "parameters": FILTER_PARAMS + [query_param("limit", "Nombre maximal de lignes.", {"type": "integer",
                                                                               "minimum": 1}), OFFSET_PARAM],
        "responses": {"200": {"description": "CSV", "content": {"text/csv": {}}}, "400": ERROR_RESPONSE}}},
}

OPENAPI_SCHEMAS = {
    **map_view.OPENAPI_SCHEMAS,
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
}
