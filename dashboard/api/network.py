"""Network API: needs, offers and counts (cut by role), and a member's own needs and offers created, changed
and closed with their API token (JSON bodies, validated: 400 with the field, 403 when the policy refuses); the
introductions' routes come from `api/introductions.py` and are documented with these."""

from __future__ import annotations

from dashboard.api.introductions import INTRODUCTION_PATHS, INTRODUCTION_SCHEMAS
from dashboard.api.introductions import register as register_introductions
from dashboard.api.network_common import ERR, body, jsonable, require_signed_in, row_id, write
from dashboard.api.openapi import ERROR_RESPONSE
from dashboard.api.params import Params, json_response
from dashboard.policy import Action, Forbidden, can
from dashboard.services import DataService
from dashboard.services import network as nw
from dashboard.sessions import client_address, current_viewer

NETWORK_NOTICE = "Besoins, offres et mises en relation de démonstration (fictifs)."


def register(route, service: DataService) -> None:
    @route("/needs")
    def needs():
        Params({"capability", "mine"})
        capability = Params.text("capability", max_length=40)
        mine = Params.choice("mine", {"oui", "non"}) == "oui"
        viewer = current_viewer()
        items = nw.my_needs(service, viewer) if mine else nw.listed_needs(service, viewer)
        if capability:
            items = [i for i in items if capability in i["capabilities"]]
        return _listing(items)

    def one(fetch, raw: str, name: str):
        """The viewer and the need or offer of id `raw` they may see (404 otherwise)."""
        Params(set())
        viewer = current_viewer()
        return viewer, write(lambda: fetch(service, row_id(raw, name), viewer))

    @route("/needs/<need_id>")
    def one_need(need_id: str):
        viewer, item = one(nw.need, need_id, "need_id")
        answer: dict = {"need": jsonable(item)}
        if can(viewer, Action.SEE_NETWORK_NAMES):
            found = nw.need_matches(service, item, viewer)
            answer["suppliers"] = [{"id": r["id"], "name": r["name"], "commune": r["commune_name"],
                                  "distance_km": round(float(r["distance_km"]), 1), "score": float(r["score"]),
                                  "why": list(r["why"])} for r in found.records.to_dict("records")]
        return json_response(answer)

    @route("/offers")
    def offers():
        Params({"kind"})
        kind = Params.choice("kind", {"capacity", "byproduct"})
        viewer = current_viewer()
        if not can(viewer, Action.SEE_NETWORK_NAMES):
            raise Forbidden(Action.SEE_NETWORK_NAMES, "Les offres ne sont visibles que des comptes adhérents "
                            "(le public en voit le nombre : /api/v1/network/summary).")
        items = [i for i in nw.listed_offers(service, viewer) if not kind or i["kind"] == kind]
        return _listing(items)

    @route("/offers/<offer_id>")
    def one_offer(offer_id: str):
        viewer, item = one(nw.offer, offer_id, "offer_id")
        needs = nw.needs_for_offer(service, item, viewer)
        return json_response({"offer": jsonable(item), "needs": [
            {"id": n["id"], "title": n.get("title", ""), "distance_km": round(float(n["distance_km"]), 1)}
            for n in needs]})

    @route("/network/summary")
    def network_summary():
        Params(set())
        return json_response(nw.summary(service, current_viewer()))

    _writes(route, "needs", "need_id", Action.POST_NEED, lambda v, raw: nw.create_need(
        service, v, raw, address=client_address()), lambda v, number, raw: nw.update_need(
        service, v, number, raw, address=client_address()))
    _writes(route, "offers", "offer_id", Action.POST_OFFER, lambda v, raw: nw.create_offer(
        service, v, raw, address=client_address()), lambda v, number, raw: nw.update_offer(
        service, v, number, raw, address=client_address()))
    register_introductions(route, service)


def _listing(items: list[dict]):
    """A list of needs or offers as JSON, with the demo's notice when any is fictitious."""
    return json_response({"total": len(items), "items": [jsonable(i) for i in items],
                          "notice": NETWORK_NOTICE if any(i.get("is_demo") for i in items) else None})


def _writes(route, plural: str, id_name: str, action: Action, create, change) -> None:
    """POST /<plural> (create, 201) and PATCH /<plural>/<id> (change or close one's own), needs and offers alike."""
    def post():
        require_signed_in(action)
        return json_response({"id": write(lambda: create(current_viewer(), body()))}, 201)

    def patch(**path: str):
        require_signed_in(action)
        number = row_id(path[id_name], id_name)
        write(lambda: change(current_viewer(), number, body()))
        return json_response({"id": number})

    post.__name__, patch.__name__ = f"post_{plural}", f"patch_{plural}"  # Flask names endpoints after them
    route(f"/{plural}", methods=("POST",))(post)
    route(f"/{plural}/<{id_name}>", methods=("PATCH",))(patch)


def _json_body(schema: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def _write_responses(status: str) -> dict:
    return {status: {"description": "Enregistré", "content": {"application/json": {"schema": {
        "type": "object", "properties": {"id": {"type": "integer"}}}}}},
        "400": {"description": "Corps invalide (error.parameter nomme le champ)",
                "content": {"application/json": {"schema": ERR}}},
        "401": {"description": "Jeton manquant", "content": {"application/json": {"schema": ERR}}},
        "403": {"description": "Établissement d'un autre compte", "content": {"application/json": {"schema": ERR}}},
        "404": {"description": "Inconnu parmi les vôtres", "content": {"application/json": {"schema": ERR}}}}


_TOKEN: list[dict[str, list[str]]] = [{"bearerAuth": []}]
_ID = {"name": "need_id", "in": "path", "required": True, "description": "Identifiant du besoin.",
       "schema": {"type": "integer"}}
_OFFER_ID = {**_ID, "name": "offer_id", "description": "Identifiant de l'offre."}


def _ok(schema: str) -> dict:
    return {"200": {"description": "OK", "content": {"application/json": {"schema": {
        "$ref": f"#/components/schemas/{schema}"}}}}, "400": ERROR_RESPONSE}


OPENAPI_PATHS = {
    "/api/v1/needs": {
        "get": {"summary": "Besoins ouverts du réseau",
                "description": "Besoins dont la date limite n'est pas passée. Public : besoins publics anonymisés "
                               "(savoir-faire, territoire, date limite) ; adhérents et équipe : en entier.",
                "parameters": [
                    {"name": "capability", "in": "query", "required": False, "description": "Un savoir-faire.",
                     "schema": {"type": "string"}},
                    {"name": "mine", "in": "query", "required": False,
                     "description": "oui : mes besoins (ouverts, clos ou échus).",
                     "schema": {"type": "string", "enum": ["oui", "non"]}}],
                "responses": _ok("NetworkNeeds")},
        "post": {"summary": "Publier un besoin", "security": _TOKEN, "requestBody": _json_body("NeedInput"),
                 "description": "Pour un établissement de votre compte (l'équipe : pour tout adhérent).",
                 "responses": _write_responses("201")}},
    "/api/v1/needs/{need_id}": {
        "get": {"summary": "Un besoin et ses fournisseurs",
                "description": "Les fournisseurs (comptes connectés) sont classés par le moteur de partenaires, "
                               "avec le même score et le même « pourquoi ».",
                "parameters": [_ID], "responses": {**_ok("NetworkNeed"), "404": {
                    "description": "Besoin inconnu", "content": {"application/json": {"schema": ERR}}}}},
        "patch": {"summary": "Modifier ou clore un de mes besoins", "security": _TOKEN, "parameters": [_ID],
                  "description": "Champs à changer seulement ; {\"status\": \"closed\"} le clôt.",
                  "requestBody": _json_body("NeedInput"), "responses": _write_responses("200")}},
    "/api/v1/offers": {
        "get": {"summary": "Offres du réseau (comptes connectés)",
                "description": "Capacités disponibles et coproduits encore disponibles. 403 pour le public.",
                "parameters": [{"name": "kind", "in": "query", "required": False, "description": "Type d'offre.",
                                "schema": {"type": "string", "enum": ["capacity", "byproduct"]}}],
                "responses": {**_ok("NetworkOffers"), "403": {
                    "description": "Réservé aux comptes", "content": {"application/json": {"schema": ERR}}}}},
        "post": {"summary": "Publier une offre", "security": _TOKEN, "requestBody": _json_body("OfferInput"),
                 "description": "Capacité disponible ou coproduit, pour un établissement de votre compte.",
                 "responses": _write_responses("201")}},
    "/api/v1/offers/{offer_id}": {
        "get": {"summary": "Une offre et les besoins qu'elle sert (comptes connectés)",
                "description": "Besoins ouverts qui demandent ce savoir-faire et dont le rayon atteint l'offre.",
                "parameters": [_OFFER_ID], "responses": {**_ok("NetworkOffer"), "404": {
                    "description": "Offre inconnue", "content": {"application/json": {"schema": ERR}}}}},
        "patch": {"summary": "Modifier ou clore une de mes offres", "security": _TOKEN, "parameters": [_OFFER_ID],
                  "requestBody": _json_body("OfferInput"), "responses": _write_responses("200")}},
    "/api/v1/network/summary": {"get": {
        "summary": "Le réseau en chiffres", "description": "Besoins et offres ouverts, mises en relation par statut.",
        "parameters": [], "responses": _ok("NetworkSummary")}},
}

_CODES = {"type": "array", "items": {"type": "string"}}
_DATE = {"type": "string", "format": "date"}
_NEED = {"type": "object", "properties": {
    "id": {"type": "integer"}, "title": {"type": "string"}, "description": {"type": "string"},
    "buyer_id": {"type": "string"}, "buyer_name": {"type": "string"}, "commune": {"type": "string"},
    "territory": {"type": "string"}, "department_code": {"type": "string"}, "capabilities": _CODES,
    "capability_labels": _CODES, "certifications_required": _CODES, "certifications_wished": _CODES,
    "quantity": {"type": "string"}, "radius_km": {"type": "number"}, "deadline": _DATE,
    "visibility": {"type": "string", "enum": ["members", "public"]},
    "status": {"type": "string", "enum": ["open", "closed"]}, "is_demo": {"type": "boolean"}}}
_OFFER = {"type": "object", "properties": {
    "id": {"type": "integer"}, "kind": {"type": "string", "enum": ["capacity", "byproduct"]},
    "title": {"type": "string"}, "owner_id": {"type": "string"}, "owner_name": {"type": "string"},
    "capability": {"type": ["string", "null"]}, "material": {"type": "string"}, "quantity": {"type": "string"},
    "available_from": {"type": ["string", "null"], "format": "date"}, "available_until": _DATE,
    "status": {"type": "string"}, "is_demo": {"type": "boolean"}}}

OPENAPI_SCHEMAS = {
    "NetworkNeed": {"type": "object", "properties": {"need": _NEED, "suppliers": {"type": "array", "items": {
        "type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                                         "distance_km": {"type": "number"}, "score": {"type": "number"},
                                         "why": _CODES}}}}},
    "NetworkNeeds": {"type": "object", "properties": {"total": {"type": "integer"},
                                                      "items": {"type": "array", "items": _NEED}}},
    "NetworkOffer": {"type": "object", "properties": {"offer": _OFFER, "needs": {"type": "array", "items": {
        "type": "object", "properties": {"id": {"type": "integer"}, "title": {"type": "string"},
                                         "distance_km": {"type": "number"}}}}}},
    "NetworkOffers": {"type": "object", "properties": {"total": {"type": "integer"},
                                                       "items": {"type": "array", "items": _OFFER}}},
    "NetworkSummary": {"type": "object", "properties": {
        "open_needs": {"type": "integer"}, "public_needs": {"type": "integer"}, "open_offers": {"type": "integer"},
        "capacity_offers": {"type": "integer"}, "byproduct_offers": {"type": "integer"},
        "introductions": {"type": "object", "additionalProperties": {"type": "integer"}},
        "needs_by_capability": {"type": "array", "items": {"type": "object"}}}},
    "NeedInput": {"type": "object", "required": ["site", "title", "capabilities", "deadline"], "properties": {
        "site": {"type": "string", "description": "SIRET (ou identifiant de démonstration) d'un de vos sites."},
        "title": {"type": "string", "maxLength": 200}, "description": {"type": "string", "maxLength": 2000},
        "capabilities": _CODES, "certifications_required": _CODES, "certifications_wished": _CODES,
        "quantity": {"type": "string", "maxLength": 200},
        "radius_km": {"type": "number", "minimum": 1, "maximum": 300, "default": 50}, "deadline": _DATE,
        "visibility": {"type": "string", "enum": ["members", "public"], "default": "members"},
        "status": {"type": "string", "enum": ["open", "closed"]}}},
    "OfferInput": {"type": "object", "required": ["site", "kind", "title", "available_until"], "properties": {
        "site": {"type": "string"}, "kind": {"type": "string", "enum": ["capacity", "byproduct"]},
        "title": {"type": "string", "maxLength": 200}, "description": {"type": "string", "maxLength": 2000},
        "capability": {"type": "string", "description": "Capacité : le savoir-faire disponible."},
        "material": {"type": "string", "description": "Coproduit : la matière."},
        "quantity": {"type": "string", "description": "« 35 h par semaine », « 12 t par mois »."},
        "available_from": _DATE, "available_until": _DATE, "status": {"type": "string", "enum": ["open", "closed"]}}},
}

OPENAPI_PATHS.update(INTRODUCTION_PATHS)
OPENAPI_SCHEMAS.update(INTRODUCTION_SCHEMAS)
