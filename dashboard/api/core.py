"""GET /api/v1/meta, /communes and /capabilities: the active dataset, the geography, the taxonomy."""

from __future__ import annotations

import pandas as pd

from dashboard import territory
from dashboard.api.openapi import DEPARTMENT_PARAM, LIMIT_PARAM, OFFSET_PARAM, get_operation, query_param
from dashboard.api.params import DEMO_NOTICE, MAX_LIMIT, Params, json_response, paginate
from dashboard.reference import ATTRIBUTION, departments
from dashboard.services import DataService


def register(route, service: DataService) -> None:
    look = service.lookups

    @route("/meta")
    def meta():
        Params(set())
        snap = service.snapshot()
        ds = snap.dataset
        return json_response({
            "name": "tissu",
            "is_demo": snap.is_demo,
            "notice": DEMO_NOTICE if snap.is_demo else None,
            "dataset": None if ds is None else {
                "name": ds.name, "label": ds.label, "is_demo": ds.is_demo, "source": ds.source_name,
                "source_date": ds.source_date.isoformat(), "loaded_at": ds.loaded_at.isoformat(),
                "parameters": ds.parameters,
            },
            "sources": ([
                {"name": ds.source_name, "covers": "établissements, savoir-faire, certifications",
                 "date": ds.source_date.isoformat(), "synthetic": snap.is_demo}] if ds else []) + [
                {"name": "IGN – ADMIN EXPRESS COG 2018, via france-geojson", "covers": "contours des communes",
                 "date": "2018-01-01", "licence": "Licence Ouverte / Etalab", "synthetic": False},
                {"name": "INSEE – Code officiel géographique 2026", "covers": "communes, EPCI, populations",
                 "date": "2026-01-01", "licence": "Licence Ouverte / Etalab", "synthetic": False},
                {"name": "INSEE – Zonage en zones d'emploi 2020", "covers": "zones d'emploi",
                 "date": "2023-01-01", "licence": "Licence Ouverte / Etalab", "synthetic": False},
                {"name": "INSEE – NAF rév. 2", "covers": "activités", "date": "2008-01-01",
                 "licence": "Licence Ouverte / Etalab", "synthetic": False},
            ],
            "attribution": ATTRIBUTION,
            "territory": {"setting": territory.active().spec, "label": territory.active().label,
                          "departements": list(departments())},
            "counts": {
                "establishments_active": int(len(snap.establishments)),
                "establishments_closed": int(snap.closed_count),
                "communes": int(len(look.communes)),
                "epci": int(len(look.epci)),
                "zones_emploi": int(len(look.zones)),
                "departements": int(len(look.departments)),
                "capabilities": int(len(look.capabilities)),
                "certifications": int(len(look.certifications)),
            },
        })

    @route("/communes")
    def communes():
        Params({"departement", "epci", "zone_emploi", "q", "limit", "offset"})
        frame = look.communes
        departement = Params.choice("departement", departments())
        epci = Params.choice("epci", set(look.epci["code"]))
        zone = Params.choice("zone_emploi", set(look.zones["code"]))
        query = Params.text("q")
        limit = Params.integer("limit", 5000, minimum=1, maximum=MAX_LIMIT)
        offset = Params.integer("offset", 0, minimum=0, maximum=10_000_000)
        if departement:
            frame = frame[frame["department_code"] == departement]
        if epci:
            frame = frame[frame["epci_code"] == epci]
        if zone:
            frame = frame[frame["zone_code"] == zone]
        if query:
            from dashboard.analytics.text import matches

            frame = frame[matches(frame["name"], query)]
        out = frame.rename(columns={"department_code": "departement", "epci_code": "epci",
                                    "zone_code": "zone_emploi"})
        out = out[["code", "name", "population", "departement", "epci", "zone_emploi", "lat", "lon"]]
        return json_response(paginate(out, limit, offset))

    @route("/capabilities")
    def capabilities():
        Params({"family"})
        family = Params.choice("family", set(look.capabilities["family_code"]))
        caps = look.capabilities
        if family:
            caps = caps[caps["family_code"] == family]
        links = service.snapshot().capability_links
        counts = links["capability_code"].value_counts() if len(links) else pd.Series(dtype=int)
        families = []
        for (code, label), group in caps.groupby(["family_code", "family_label"], sort=False):
            families.append({"code": code, "label": label, "capabilities": [
                {"code": r["code"], "label": r["label"], "description": r["description"],
                 "establishments": int(counts.get(r["code"], 0))} for r in group.to_dict("records")]})
        return json_response({"is_demo": service.snapshot().is_demo, "families": families})


OPENAPI_PATHS = {
    "/api/v1/meta": get_operation("Jeu de données actif", "Nom, sources avec leurs dates, effectifs, is_demo.", [],
                         {"$ref": "#/components/schemas/Meta"}),
    "/api/v1/communes": get_operation(
        "Communes du territoire", "Les communes 2026 du territoire (TISSU_TERRITORY ; par défaut les 2 321 "
                                  "communes de Lorraine, départements 54, 55, 57 et 88).",
        [DEPARTMENT_PARAM, query_param("epci", "SIREN de l'EPCI.", {"type": "string"}),
         query_param("zone_emploi", "Code de zone d'emploi 2020.", {"type": "string"}),
         query_param("q", "Recherche sans accents ni casse dans le nom.", {"type": "string", "maxLength": 100}),
         LIMIT_PARAM, OFFSET_PARAM],
        {"$ref": "#/components/schemas/CommunePage"}),
    "/api/v1/capabilities": get_operation(
        "Savoir-faire", "Taxonomie des savoir-faire par famille, avec le nombre d'établissements.",
        [query_param("family", "Code de famille.", {"type": "string"})],
        {"$ref": "#/components/schemas/Capabilities"}),
}

OPENAPI_SCHEMAS = {
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
}
