"""Read-only JSON API under /api/v1/ (a Flask blueprint; no Dash here).

Every bad parameter is answered with a 400 and a JSON error naming the parameter, never a 500.
"""

from __future__ import annotations

from typing import Callable

import pandas as pd
from flask import Blueprint, json, request
from werkzeug.exceptions import HTTPException

from dashboard import exports
from dashboard.analytics.filters import PARAMETERS, CriteriaError, filter_mask, parse_criteria, vocabulary_from
from dashboard.analytics.partner_query import PartnerParamError, parse_partner_query
from dashboard.analytics.partners import PartnerQueryError
from dashboard.analytics.records import establishment_records, export_frame
from dashboard.api_base import DEMO_NOTICE, MAX_LIMIT, ApiError, Params, error_response, json_response, paginate
from dashboard.openapi import openapi_document
from dashboard.partner_search import OriginError, search_partners
from dashboard.reference import ATTRIBUTION, DEPARTMENTS
from dashboard.service import DataService

MAX_LIMIT_CSV = 1_000_000
PARTNER_PARAMETERS = {"lat", "lon", "siret", "id", "site", "commune", "capability", "capability_mode", "naf",
                      "certification", "size_min", "member", "radius_km", "sort"}
PARTNER_METHOD = ("distance_km : grand cercle (haversine, rayon terrestre moyen 6 371,0088 km). road_km_estimate et "
                  "drive_min_estimate : estimations (détour et vitesse moyenne forfaitaires, voir docs/indicators.md). "
                  "score : part des savoir-faire demandés trouvés, puis proximité.")
ESTABLISHMENT_FIELDS = ["id", "siret", "name", "naf", "naf_label", "filiere", "filiere_label", "size_band",
                        "size_band_label", "headcount_estimate", "address", "commune_code", "commune_name",
                        "departement", "epci", "epci_name", "zone_emploi", "zone_emploi_name", "lat", "lon",
                        "capabilities", "capabilities_presumed", "certifications", "member", "created_on", "source",
                        "source_date", "is_demo"]


def _extensions() -> list[Callable]:
    """`register(route, service)` of every topic module (skills, indicators, event…), in this order."""
    from dashboard import api_coverage, api_event, api_indicators, api_skills

    return [api_coverage.register, api_skills.register, api_indicators.register, api_event.register]


def api_blueprint(service: DataService) -> Blueprint:
    api = Blueprint("api_v1", __name__, url_prefix="/api/v1")
    look = service.lookups

    def route(rule: str) -> Callable:
        def wrap(view: Callable) -> Callable:
            def guarded(*args, **kwargs):
                try:
                    return view(*args, **kwargs)
                except ApiError as err:
                    return error_response(err)
            guarded.__name__ = view.__name__
            return api.route(rule, methods=["GET"])(guarded)
        return wrap

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
        departement = Params.choice("departement", DEPARTMENTS)
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

    def _selected_records() -> tuple[pd.DataFrame, int]:
        """Establishments matching the query's filters (same definition as the map), paginated."""
        Params(set(PARAMETERS) | {"limit", "offset"})
        params = {k: request.args.getlist(k) for k in request.args if k in PARAMETERS}
        try:
            criteria, _ = parse_criteria(params, vocabulary_from(look), strict=True)
        except CriteriaError as err:
            raise ApiError(400, "bad_parameter", str(err), err.parameter) from None
        snap = service.snapshot()
        mask = filter_mask(snap.establishments, criteria, capability_links=snap.capability_links,
                           certification_links=snap.certification_links)
        return snap.establishments[mask], snap

    def _records(frame: pd.DataFrame, snap) -> pd.DataFrame:
        return establishment_records(frame, capability_links=snap.capability_links,
                                     certification_links=snap.certification_links, lookups=look)

    @route("/establishments")
    def establishments():
        selected, snap = _selected_records()
        limit = Params.integer("limit", 100, minimum=1, maximum=MAX_LIMIT)
        offset = Params.integer("offset", 0, minimum=0, maximum=10_000_000)
        page = _records(selected.iloc[offset: offset + limit], snap)
        items = json.loads(page[ESTABLISHMENT_FIELDS].to_json(orient="records", force_ascii=False, date_format="iso"))
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

    @route("/partners")
    def partners():
        Params(PARTNER_PARAMETERS | {"limit"})
        try:
            query, _ = parse_partner_query(request.args.to_dict(flat=False), vocabulary_from(look), strict=True)
        except PartnerParamError as err:
            raise ApiError(400, "bad_parameter", str(err), err.parameter) from None
        if query.origin_kind == "none":
            raise ApiError(400, "missing_origin", "Indiquez lat et lon, ou siret (ou id), ou commune.", "lat")
        if query.origin_kind == "point" and not (41.0 <= query.lat <= 51.5 and -5.5 <= query.lon <= 10.0):
            raise ApiError(400, "bad_parameter", "Coordonnées hors de France métropolitaine.", "lat")
        limit = Params.integer("limit", 100, minimum=1, maximum=1000)
        try:
            found = search_partners(service, query, limit=limit)
        except OriginError as err:
            raise ApiError(400, "unknown_origin", str(err), "siret" if err.parameter == "site" else err.parameter) \
                from None
        except PartnerQueryError as err:
            raise ApiError(400, "bad_parameter", str(err), err.field) from None
        records = found.records
        fields = ["rank", *ESTABLISHMENT_FIELDS, "distance_km", "road_km_estimate", "drive_min_estimate", "score",
                  "why", "matched_capabilities"]
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
            "sort": query.sort, "is_demo": service.snapshot().is_demo,
            "method": PARTNER_METHOD, "items": items,
        })

    for register in _extensions():
        register(route, service)

    @route("/openapi.json")
    def openapi():
        return json_response(openapi_document())

    @api.route("/<path:rest>", methods=["GET"])
    def unknown(rest: str):
        # Without this, Dash's catch-all page route would answer unknown API paths with HTML.
        return error_response(ApiError(404, "not_found", f"Aucune ressource à l'adresse /api/v1/{rest}."))

    @api.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        return error_response(ApiError(err.code or 500, err.name.lower().replace(" ", "_"), err.description or err.name))

    return api
