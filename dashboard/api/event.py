"""Event API: the meetings of the current event (JSON and CSV) and one participant's agenda."""

from __future__ import annotations

from flask import json

from dashboard import exports
from dashboard.analytics.scheduling import ORIGINS, STATUSES
from dashboard.api.params import ApiError, Params, json_response
from dashboard.policy import Action, require
from dashboard.services import DataService
from dashboard.services import event as ev
from dashboard.sessions import current_viewer

MEETING_FIELDS = ["id", "slot", "starts_at", "day", "time", "stand", "exhibitor_id", "exhibitor_name", "visitor_id",
                  "visitor_name", "origin", "score", "why", "status"]
EVENT_NOTICE = "Événement de démonstration (fictif) : participants tirés des établissements fictifs."


def _event(service: DataService) -> ev.EventInfo:
    event = ev.current_event(service.engine)
    if event is None:
        raise ApiError(404, "no_event", "Aucun événement chargé (tissu import event FICHIER).")
    return event


def _event_json(event: ev.EventInfo) -> dict:
    g = event.grid
    return {"id": event.id, "name": event.name, "venue": event.venue, "starts_on": event.starts_on.isoformat(),
            "days": g.days, "slot_minutes": g.slot_minutes, "slots": g.n_slots, "meeting_target": event.meeting_target,
            "is_demo": event.is_demo, "notice": EVENT_NOTICE if event.is_demo else None}


def _items(frame) -> list[dict]:
    out = frame[MEETING_FIELDS].copy()
    out["starts_at"] = [t.isoformat(timespec="minutes") for t in out["starts_at"]]
    return json.loads(out.to_json(orient="records", force_ascii=False, double_precision=1))


def register(route, service: DataService) -> None:
    @route("/event/meetings")
    def event_meetings():
        Params({"participant", "status", "origin", "day", "limit", "offset"})
        event = _event(service)
        participant = Params.integer("participant", 0, minimum=1, maximum=2**31 - 1) \
            if Params.text("participant") else None
        status = Params.choice("status", set(STATUSES))
        origin = Params.choice("origin", set(ORIGINS))
        day = Params.integer("day", 0, minimum=1, maximum=event.grid.days) if Params.text("day") else None
        limit = Params.integer("limit", 1000, minimum=1, maximum=10_000)
        offset = Params.integer("offset", 0, minimum=0, maximum=10_000_000)
        frame = ev.named_meetings(service.engine, event, participant_id=participant)
        if status:
            frame = frame[frame["status"] == status]
        if origin:
            frame = frame[frame["origin"] == origin]
        if day:
            frame = frame[frame["day"] == f"J{day}"]
        return json_response({"event": _event_json(event), "total": int(len(frame)), "limit": limit,
                              "offset": offset, "items": _items(frame.iloc[offset: offset + limit])})

    @route("/event/meetings.csv")
    def event_meetings_csv():
        Params(set())
        require(current_viewer(), Action.RUN_EVENT)  # the whole list of who meets whom: staff only
        frame = ev.export_frame(service.engine, _event(service))
        return exports.csv_response(frame, "tissu-rendez-vous", labels=ev.EXPORT_LABELS)

    @route("/event/participants/<participant_id>/agenda")
    def event_agenda(participant_id: str):
        Params(set())
        pid = participant_id
        if not pid.isdigit() or len(pid) > 10:
            raise ApiError(400, "bad_parameter", f"Identifiant de participant invalide : {pid!r} (entier attendu).",
                           "participant_id")
        event = _event(service)
        try:
            person, meetings = ev.agenda(service.engine, event, int(pid))
        except ev.EventError as err:
            raise ApiError(404, "unknown_participant", str(err), "participant_id") from None
        items = _items(meetings)
        for item, with_id, with_name in zip(items, meetings["with_id"], meetings["with_name"]):
            item["with_id"], item["with_name"] = int(with_id), with_name
        return json_response({
            "event": _event_json(event),
            "participant": {"id": int(person["id"]), "role": person["role"], "name": person["name"],
                            "commune": person["commune_name"], "stand": person["stand"],
                            "availability": person["availability"] or "", "max_meetings": int(person["max_meetings"])},
            "items": items,
        })


_ERR = {"$ref": "#/components/schemas/Error"}


def _resp(schema: dict, *, not_found: bool = False) -> dict:
    out = {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}},
           "400": {"description": "Paramètre invalide", "content": {"application/json": {"schema": _ERR}}}}
    if not_found:
        out["404"] = {"description": "Participant ou événement inconnu", "content": {"application/json":
                                                                                     {"schema": _ERR}}}
    return out


def _q(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


OPENAPI_PATHS = {
    "/api/v1/event/meetings": {"get": {
        "summary": "Rendez-vous de l'événement courant",
        "description": "Rendez-vous d'affaires planifiés (exposant sur son stand, visiteur), avec le score (0–100) "
                       "et le « pourquoi » en clair.",
        "parameters": [
            _q("participant", "Identifiant d'un participant (ses rendez-vous seulement).", {"type": "integer"}),
            _q("status", "Statut.", {"type": "string", "enum": list(STATUSES)}),
            _q("origin", "Origine : demande mutuelle, demande, recommandation.",
               {"type": "string", "enum": list(ORIGINS)}),
            _q("day", "Jour de l'événement (1, 2…).", {"type": "integer", "minimum": 1}),
            _q("limit", "Nombre maximal d'éléments (1 à 10 000).", {"type": "integer", "minimum": 1, "maximum": 10000}),
            _q("offset", "Décalage pour la pagination.", {"type": "integer", "minimum": 0}),
        ],
        "responses": _resp({"$ref": "#/components/schemas/EventMeetings"}, not_found=True)}},
    "/api/v1/event/meetings.csv": {"get": {
        "summary": "Rendez-vous au format CSV (plateforme de l'événement)",
        "description": "CSV UTF-8 (BOM), séparateur « ; », virgule décimale, dates jj/mm/aaaa, "
                       "en-têtes, statut et origine en français.",
        "parameters": [],
        "responses": {"200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}},
                      "404": {"description": "Aucun événement", "content": {"application/json": {"schema": _ERR}}}}}},
    "/api/v1/event/participants/{participant_id}/agenda": {"get": {
        "summary": "Agenda d'un participant",
        "description": "Les rendez-vous d'un exposant ou d'un visiteur, par créneau. "
                       "404 si le participant est inconnu.",
        "parameters": [{"name": "participant_id", "in": "path", "required": True,
                        "description": "Identifiant du participant.",
                        "schema": {"type": "integer"}}],
        "responses": _resp({"$ref": "#/components/schemas/EventAgenda"}, not_found=True)}},
}

_MEETING = {"type": "object", "properties": {
    "id": {"type": "integer"}, "slot": {"type": "integer"}, "starts_at": {"type": "string"},
    "day": {"type": "string"}, "time": {"type": "string"}, "stand": {"type": "string"},
    "exhibitor_id": {"type": "integer"}, "exhibitor_name": {"type": "string"}, "visitor_id": {"type": "integer"},
    "visitor_name": {"type": "string"}, "origin": {"type": "string", "enum": list(ORIGINS)},
    "score": {"type": "number"}, "why": {"type": "string"}, "status": {"type": "string", "enum": list(STATUSES)}}}
_EVENT = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "venue": {"type": "string"},
    "starts_on": {"type": "string", "format": "date"}, "days": {"type": "integer"},
    "slot_minutes": {"type": "integer"}, "slots": {"type": "integer"}, "meeting_target": {"type": "integer"},
    "is_demo": {"type": "boolean"}, "notice": {"type": ["string", "null"]}}}

OPENAPI_SCHEMAS = {
    "EventMeeting": _MEETING,
    "EventMeetings": {"type": "object", "properties": {
        "event": _EVENT, "total": {"type": "integer"}, "limit": {"type": "integer"}, "offset": {"type": "integer"},
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/EventMeeting"}}}},
    "EventAgenda": {"type": "object", "properties": {
        "event": _EVENT,
        "participant": {"type": "object", "properties": {
            "id": {"type": "integer"}, "role": {"type": "string", "enum": ["exposant", "visiteur"]},
            "name": {"type": "string"}, "commune": {"type": ["string", "null"]}, "stand": {"type": ["string", "null"]},
            "availability": {"type": "string"}, "max_meetings": {"type": "integer"}}},
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/EventMeeting"}}}},
}
