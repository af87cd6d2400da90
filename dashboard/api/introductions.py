"""Introductions API: the viewer's introductions (members: their own sides; staff: all; the public: 401), a new
request, and a step along the timeline (accept, exchanges, quote, order with its value band, or sans suite with a
reason). Token or session; writes are same-origin checked (`sessions.py`), validated (400 naming the field) and
audited by the service."""

from __future__ import annotations

from dataclasses import asdict

from dashboard.analytics.network import ORIGINS, REASONS, STATUSES, VALUE_BANDS
from dashboard.api.network_common import ERR, body, jsonable, require_signed_in, row_id, write
from dashboard.api.params import ApiError, Params, json_response
from dashboard.policy import Action
from dashboard.services import DataService
from dashboard.services import network as nw
from dashboard.sessions import client_address, current_viewer

REQUEST_FIELDS = frozenset({"requester", "target", "origin", "need_id", "offer_id", "meeting_id", "message"})
MOVE_FIELDS = frozenset({"status", "reason", "value_band"})


def introduction_json(view: nw.IntroductionView) -> dict:
    """One introduction as JSON; who made each step only once the contacts are shown (it is an e-mail)."""
    item = jsonable(asdict(view))
    shown = view.contacts is not None
    item["timeline"] = [jsonable({k: v for k, v in step.items() if k != "by" or shown}) for step in view.timeline]
    return item


def _fields(raw: dict, allowed: frozenset[str]) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ApiError(400, "unknown_field", f"Champ inconnu : « {str(unknown[0])[:40]} ». Acceptés : "
                       f"{', '.join(sorted(allowed))}.", str(unknown[0])[:40])


def _optional_text(raw: dict, name: str) -> str | None:
    value = raw.get(name)
    if value is not None and not isinstance(value, str):
        raise ApiError(400, "invalid", f"{name} : texte attendu.", name)
    return value or None


def _requester(raw: dict, sirets: frozenset[str]) -> str:
    """The asking site: as given, or the viewer's only one."""
    given = _optional_text(raw, "requester")
    if given:
        return given
    if len(sirets) == 1:
        return next(iter(sirets))
    raise ApiError(400, "invalid", "requester : indiquez lequel de vos établissements demande la mise en relation.",
                   "requester")


def register(route, service: DataService) -> None:
    @route("/introductions")
    def introductions():
        Params({"status"})
        status = Params.choice("status", set(STATUSES))
        require_signed_in(Action.REQUEST_INTRODUCTION)
        items = [v for v in nw.introductions(service, current_viewer()) if not status or v.status == status]
        return json_response({"total": len(items), "items": [introduction_json(v) for v in items]})

    @route("/introductions", methods=("POST",))
    def post_introduction():
        require_signed_in(Action.REQUEST_INTRODUCTION)
        raw, viewer = body(), current_viewer()
        _fields(raw, REQUEST_FIELDS)
        new_id = write(lambda: nw.request_introduction(
            service, viewer, requester=_requester(raw, viewer.sirets), target=raw.get("target"),
            origin=raw.get("origin"), need_id=raw.get("need_id"), offer_id=raw.get("offer_id"),
            meeting_id=raw.get("meeting_id"), message=raw.get("message") or "", address=client_address()))
        return json_response({"id": new_id}, 201)

    @route("/introductions/<introduction_id>")
    def one_introduction(introduction_id: str):
        Params(set())
        require_signed_in(Action.REQUEST_INTRODUCTION)
        number = row_id(introduction_id, "introduction_id")
        found = [v for v in nw.introductions(service, current_viewer()) if v.id == number]
        if not found:
            raise ApiError(404, "not_found", f"Mise en relation introuvable : n° {number}.")
        return json_response(introduction_json(found[0]))

    @route("/introductions/<introduction_id>", methods=("PATCH",))
    def patch_introduction(introduction_id: str):
        require_signed_in(Action.REQUEST_INTRODUCTION)
        number, raw = row_id(introduction_id, "introduction_id"), body()
        _fields(raw, MOVE_FIELDS)
        status = _optional_text(raw, "status")
        if status is None:
            raise ApiError(400, "invalid", f"status : obligatoire, parmi {', '.join(STATUSES)}.", "status")
        write(lambda: nw.move_introduction(service, current_viewer(), number, status,
                                           reason=_optional_text(raw, "reason"),
                                           value_band=_optional_text(raw, "value_band"), address=client_address()))
        return json_response({"id": number, "status": status})


_JSON_ERR = {"content": {"application/json": {"schema": ERR}}}
_ID = {"name": "introduction_id", "in": "path", "required": True, "description": "Identifiant de la mise en relation.",
       "schema": {"type": "integer"}}
_SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]
_WRITE_ERRORS = {
    "400": {"description": "Corps invalide ou étape non permise (error.parameter nomme le champ)", **_JSON_ERR},
    "401": {"description": "Ni jeton ni session", **_JSON_ERR},
    "403": {"description": "Établissement d'un autre compte, ou étape réservée à l'autre partie", **_JSON_ERR},
    "404": {"description": "Mise en relation inconnue parmi les vôtres", **_JSON_ERR}}

_SITE = {"type": "string", "description": "SIRET (ou identifiant de démonstration)."}
_INTRODUCTION = {"type": "object", "properties": {
    "id": {"type": "integer"}, "requester_id": _SITE, "requester_name": {"type": "string"}, "target_id": _SITE,
    "target_name": {"type": "string"}, "origin": {"type": "string", "enum": list(ORIGINS)},
    "origin_label": {"type": "string"}, "need_id": {"type": ["integer", "null"]},
    "offer_id": {"type": ["integer", "null"]}, "meeting_id": {"type": ["integer", "null"]},
    "about": {"type": "string"}, "status": {"type": "string", "enum": list(STATUSES)},
    "status_label": {"type": "string"}, "value_band": {"type": "string", "enum": ["", *VALUE_BANDS]},
    "message": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
    "timeline": {"type": "array", "items": {"type": "object", "properties": {
        "at": {"type": "string", "format": "date-time"}, "status": {"type": "string"},
        "status_label": {"type": "string"}, "reason_label": {"type": "string"},
        "value_band_label": {"type": "string"}}}},
    "allowed": {"type": "array", "items": {"type": "string"}, "description": "Étapes que vous pouvez faire."},
    "contacts": {"type": ["array", "null"], "items": {"type": "object"}},
    "viewer_side": {"type": "string", "enum": ["requester", "target", "staff"]}}}

def _body_of(schema: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def _write_responses(status: str, description: str, properties: dict) -> dict:
    return {status: {"description": description, "content": {"application/json": {"schema": {
        "type": "object", "properties": properties}}}}, **_WRITE_ERRORS}


def _read_responses(schema: dict) -> dict:
    return {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}},
            "400": {"description": "Paramètre invalide", **_JSON_ERR},
            "401": {"description": "Ni jeton ni session", **_JSON_ERR}}


INTRODUCTION_PATHS = {
    "/api/v1/introductions": {
        "get": {"summary": "Mes mises en relation",
                "description": "Adhérents : celles de leurs établissements ; équipe : toutes. Coordonnées "
                               "(`contacts`) seulement une fois les deux parties d'accord, `null` avant. 401 pour "
                               "le public.", "security": _SECURITY,
                "parameters": [{"name": "status", "in": "query", "required": False, "description": "Un statut.",
                                "schema": {"type": "string", "enum": list(STATUSES)}}],
                "responses": _read_responses({"$ref": "#/components/schemas/Introductions"})},
        "post": {"summary": "Demander une mise en relation", "security": _SECURITY,
                 "description": "Depuis un besoin (need_id), une offre (offer_id), une recherche de partenaires ou "
                                "un rendez-vous d'événement (meeting_id), pour un de vos établissements. Une seule "
                                "demande ouverte par paire d'établissements et par origine.",
                 "requestBody": _body_of("IntroductionRequest"),
                 "responses": _write_responses("201", "Demandée", {"id": {"type": "integer"}})}},
    "/api/v1/introductions/{introduction_id}": {
        "get": {"summary": "Une de mes mises en relation", "security": _SECURITY, "parameters": [_ID],
                "responses": {**_read_responses(_INTRODUCTION),
                              "404": {"description": "Inconnue parmi les vôtres", **_JSON_ERR}}},
        "patch": {"summary": "Faire avancer une mise en relation", "security": _SECURITY, "parameters": [_ID],
                  "description": "Une étape à la fois : demandée → acceptée (l'établissement sollicité) → échanges → "
                                 "devis → commande (avec sa tranche de montant, facultative), ou sans suite avec une "
                                 "raison depuis toute étape ouverte.",
                  "requestBody": _body_of("IntroductionMove"),
                  "responses": _write_responses("200", "Enregistré", {"id": {"type": "integer"},
                                                                      "status": {"type": "string"}})}},
}

INTRODUCTION_SCHEMAS = {
    "Introductions": {"type": "object", "properties": {"total": {"type": "integer"},
                                                       "items": {"type": "array", "items": _INTRODUCTION}}},
    "IntroductionRequest": {"type": "object", "required": ["target", "origin"], "properties": {
        "requester": {**_SITE, "description": "Votre établissement (facultatif si votre compte n'en a qu'un)."},
        "target": _SITE, "origin": {"type": "string", "enum": list(ORIGINS)},
        "need_id": {"type": "integer"}, "offer_id": {"type": "integer"}, "meeting_id": {"type": "integer"},
        "message": {"type": "string", "maxLength": 1000}}},
    "IntroductionMove": {"type": "object", "required": ["status"], "properties": {
        "status": {"type": "string", "enum": list(STATUSES)},
        "reason": {"type": "string", "enum": list(REASONS), "description": "Obligatoire pour sans_suite."},
        "value_band": {"type": "string", "enum": list(VALUE_BANDS), "description": "À la commande seulement."}}},
}
