"""Practices API: the practice sheets of the circles, cut by role (the public: published sheets without contacts;
members: with contacts, and their own sheets with ?mine=1; staff: every status with ?status=)."""

from __future__ import annotations

import datetime as dt

from dashboard.analytics.practices import STATUSES
from dashboard.api.openapi import ERROR_RESPONSE
from dashboard.api.params import ApiError, Params, json_response
from dashboard.markdown_text import MarkdownTooLong, render_markdown
from dashboard.services import DataService
from dashboard.services import practices as pr
from dashboard.sessions import current_viewer

PRACTICES_NOTICE = "Fiches bonnes pratiques de démonstration (fictives)."
_HIDDEN = ("created_by", "updated_at")  # an account id and a page-only date
_TEXTS = ("problem", "actions", "results")


def _jsonable(item: dict) -> dict:
    out = {}
    for key, value in item.items():
        if key in _HIDDEN:
            continue
        out[key] = value.isoformat() if isinstance(value, dt.date | dt.datetime) else value
    return out


def _rendered(item: dict) -> dict:
    """The sanitised HTML of each Markdown text (safe to insert as markup: dashboard/markdown_text.py)."""
    out = {}
    for name in _TEXTS:
        try:
            out[name] = render_markdown(item[name])
        except MarkdownTooLong:  # only a row written around the validation could be this long
            out[name] = ""
    return out


def _sheet_id(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 9:
        raise ApiError(400, "bad_parameter", f"Identifiant invalide : {raw[:20]!r} (entier attendu).", "sheet_id")
    return int(raw)


def register(route, service: DataService) -> None:
    @route("/practices")
    def practices():
        Params({"q", "theme", "capability", "department", "circle", "status", "mine", "limit", "offset"})
        themes = set(pr.theme_labels())
        capabilities = set(service.lookups.capabilities["code"])
        departments = set(service.lookups.departments["code"])
        mine = Params.choice("mine", {"0", "1", "oui", "non"}) in ("1", "oui")
        viewer = current_viewer()
        if mine and not viewer.signed_in:
            raise ApiError(401, "unauthorized", "mine=1 : connectez-vous (session ou jeton d'API).", "mine")
        query = pr.PracticeQuery(
            text=Params.text("q", max_length=100) or "", theme=Params.choice("theme", themes),
            capability=Params.choice("capability", capabilities),
            department=Params.choice("department", departments),
            circle=Params.integer("circle", 0, minimum=1, maximum=10**9 - 1) if Params.text("circle") else None,
            status=Params.choice("status", {*STATUSES, "all"}), mine=mine)
        limit = Params.integer("limit", pr.PAGE_SIZE, minimum=1, maximum=1000)
        offset = Params.integer("offset", 0, minimum=0, maximum=10**6)
        items = pr.search(service, viewer, query)
        page = items[offset: offset + limit]
        return json_response({"total": len(items), "limit": limit, "offset": offset,
                              "items": [_jsonable(i) for i in page],
                              "notice": PRACTICES_NOTICE if any(i["is_demo"] for i in page) else None})

    @route("/practices/<sheet_id>")
    def one_practice(sheet_id: str):
        Params(set())
        viewer = current_viewer()
        number = _sheet_id(sheet_id)
        try:
            item = pr.sheet(service, number, viewer)
        except pr.PracticeNotFound as err:
            raise ApiError(404, "not_found", str(err)) from None
        return json_response({"practice": _jsonable(item), "html": _rendered(item),
                              "history": [_jsonable(s) for s in pr.history(service, number, viewer)]})


_ERR = {"$ref": "#/components/schemas/Error"}
_CODES = {"type": "array", "items": {"type": "string"}}


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


OPENAPI_PATHS = {
    "/api/v1/practices": {"get": {
        "summary": "Fiches bonnes pratiques des cercles",
        "description": "Public : fiches publiées, sans contact. Adhérents : avec le contact ; mine=1 : leurs fiches, "
                       "quel que soit leur statut. Équipe UIMM : status= pour la file de relecture (all : tout). "
                       "Recherche sans accents ni majuscules sur le titre, les textes et les thèmes.",
        "parameters": [
            _query("q", "Mots cherchés (chaque mot commence un mot de la fiche)."),
            _query("theme", "Un thème (data/taxonomy/circle_themes.csv)."),
            _query("capability", "Un savoir-faire."),
            _query("department", "Département du site de l'auteur.", {"type": "string", "enum": ["54", "55", "57",
                                                                                                   "88"]}),
            _query("circle", "Identifiant d'un cercle.", {"type": "integer", "minimum": 1}),
            _query("status", "Équipe UIMM : un statut, ou all.", {"type": "string", "enum": [*STATUSES, "all"]}),
            _query("mine", "1 : mes fiches (compte connecté).", {"type": "string", "enum": ["0", "1"]}),
            _query("limit", "Nombre de fiches (100 par défaut).", {"type": "integer", "minimum": 1, "maximum": 1000}),
            _query("offset", "Décalage.", {"type": "integer", "minimum": 0})],
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/Practices"}}}}, "400": ERROR_RESPONSE,
            "401": {"description": "mine=1 sans compte", "content": {"application/json": {"schema": _ERR}}},
            "403": {"description": "Statut réservé à l'équipe UIMM",
                    "content": {"application/json": {"schema": _ERR}}}}}},
    "/api/v1/practices/{sheet_id}": {"get": {
        "summary": "Une fiche bonne pratique",
        "description": "La fiche (sources Markdown), son rendu HTML assaini (html) et, pour ses auteurs et l'équipe, "
                       "son historique de relecture.",
        "parameters": [{"name": "sheet_id", "in": "path", "required": True, "description": "Identifiant de la fiche.",
                        "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/Practice"}}}}, "400": ERROR_RESPONSE,
            "404": {"description": "Fiche inconnue ou non publiée", "content": {"application/json": {
                "schema": _ERR}}}}}},
}

_SHEET = {"type": "object", "properties": {
    "id": {"type": "integer"}, "title": {"type": "string"},
    "problem": {"type": "string", "description": "Markdown"}, "actions": {"type": "string", "description": "Markdown"},
    "results": {"type": "string", "description": "Markdown"}, "themes": _CODES, "theme_labels": _CODES,
    "capabilities": _CODES, "capability_labels": _CODES,
    "contact": {"type": "string", "description": "Comptes connectés seulement."},
    "site_id": {"type": "string"}, "site_name": {"type": "string"}, "commune": {"type": "string"},
    "department_code": {"type": "string"}, "circle_id": {"type": ["integer", "null"]},
    "status": {"type": "string", "enum": list(STATUSES)}, "status_label": {"type": "string"},
    "created_at": {"type": "string", "format": "date-time"},
    "published_at": {"type": ["string", "null"], "format": "date-time"}, "is_demo": {"type": "boolean"},
    "mine": {"type": "boolean"}}}

OPENAPI_SCHEMAS = {
    "Practices": {"type": "object", "properties": {
        "total": {"type": "integer"}, "limit": {"type": "integer"}, "offset": {"type": "integer"},
        "items": {"type": "array", "items": _SHEET}, "notice": {"type": ["string", "null"]}}},
    "Practice": {"type": "object", "properties": {
        "practice": _SHEET,
        "html": {"type": "object", "properties": {k: {"type": "string"} for k in _TEXTS}},
        "history": {"type": "array", "items": {"type": "object", "properties": {
            "at": {"type": "string", "format": "date-time"}, "by": {"type": "string"}, "from": {"type": "string"},
            "to": {"type": "string"}, "comment": {"type": "string"}}}}}},
}
