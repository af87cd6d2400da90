"""The event's programme: read an event, match and schedule it, agendas, exports and live counts (issue 9).

Glue between the repository (the event tables) and the pure engines
(`analytics.matchmaking`, `analytics.scheduling`). No Dash here: the CLI, the demo, the API and the
pages all call these functions.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from dashboard import repository
from dashboard.analytics.matchmaking import match_candidates
from dashboard.analytics.scheduling import (
    ORIGIN_LABELS,
    STATUS_LABELS,
    EventGrid,
    ScheduleResult,
    schedule_meetings,
    validate_schedule,
)


class EventError(ValueError):
    """No event, an unknown participant or meeting: the message is French and meant for the user."""


@dataclass(frozen=True)
class EventInfo:
    id: int
    name: str
    venue: str
    starts_on: dt.date
    meeting_target: int
    is_demo: bool
    grid: EventGrid


def _info(row) -> EventInfo:
    return EventInfo(
        id=int(row["id"]), name=str(row["name"]), venue=str(row["venue"]), starts_on=row["starts_on"],
        meeting_target=int(row["meeting_target"]), is_demo=bool(row["is_demo"]),
        grid=EventGrid(starts_on=row["starts_on"], days=int(row["days"]), day_start_minute=int(row["day_start_minute"]),
                       day_end_minute=int(row["day_end_minute"]), slot_minutes=int(row["slot_minutes"])))


def current_event(engine: Engine) -> EventInfo | None:
    """The newest imported event, else the newest demo event, else None."""
    events = repository.events_frame(engine)
    if not len(events):
        return None
    real = events[~events["is_demo"].astype(bool)]
    return _info((real if len(real) else events).iloc[0])


def event_by_id(engine: Engine, event_id: int) -> EventInfo:
    events = repository.events_frame(engine)
    found = events[events["id"] == int(event_id)]
    if not len(found):
        raise EventError(f"Événement n° {event_id} introuvable.")
    return _info(found.iloc[0])


def require_event(engine: Engine) -> EventInfo:
    event = current_event(engine)
    if event is None:
        raise EventError("Aucun événement chargé : importez les participants (tissu import event FICHIER).")
    return event


def _labels(engine: Engine) -> tuple[dict[str, str], dict[str, str]]:
    caps = repository.capabilities_frame(engine)
    certs = repository.certifications_frame(engine)
    return dict(zip(caps["code"], caps["label"])), dict(zip(certs["code"], certs["label"]))


def event_candidates(engine: Engine, event_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(participants, candidate meetings) of an event, scored and explained."""
    participants = repository.event_participants(engine, event_id)
    cap_labels, cert_labels = _labels(engine)
    candidates = match_candidates(
        participants, repository.event_capabilities(engine, event_id), repository.event_requests(engine, event_id),
        certifications=repository.event_certifications(engine, event_id), capability_labels=cap_labels,
        certification_labels=cert_labels)
    return participants, candidates


@dataclass(frozen=True)
class ScheduleSummary:
    candidates: int
    requested: int  # mutual + one-sided requests among the candidates
    placed: int  # meetings written (new ones)
    placed_requested: int
    kept: int  # meetings left where they were
    total_score: float
    seconds: float
    violations: int  # always 0: the schedule is validated before it is written


def schedule_event(engine: Engine, event: EventInfo, *, keep_scheduled: bool = False) -> ScheduleSummary:
    """(Re)build the schedule and write it. Held meetings never move; with `keep_scheduled` (after cancellations)
    scheduled ones stay too and only freed capacity is refilled. Cancelled pairs are not proposed again.
    """
    started = time.perf_counter()
    participants, candidates = event_candidates(engine, event.id)
    existing = repository.event_meetings(engine, event.id)
    keep_status = {"held", "scheduled"} if keep_scheduled else {"held"}
    kept = existing[existing["status"].isin(keep_status)]
    cancelled = existing[existing["status"] == "cancelled"]
    excluded = list(zip(cancelled["exhibitor_id"], cancelled["visitor_id"]))
    result: ScheduleResult = schedule_meetings(participants, candidates, event.grid, kept=kept, excluded_pairs=excluded)
    new = result.meetings
    violations = validate_schedule(pd.concat([kept[new.columns.intersection(kept.columns)], new]), participants,
                                   event.grid)
    if violations:  # a bug, never the user's fault: refuse to write an infeasible schedule
        raise RuntimeError(f"infeasible schedule: {violations[0].detail}")
    rows = [{"exhibitor_id": int(r["exhibitor_id"]), "visitor_id": int(r["visitor_id"]), "slot": int(r["slot"]),
             "starts_at": event.grid.starts_at(int(r["slot"])), "stand": r["stand"], "origin": r["origin"],
             "score": float(r["score"]), "why": r["why"], "status": "scheduled"} for r in new.to_dict("records")]
    keep_ids = [int(i) for i in kept["id"]] + [int(i) for i in cancelled["id"]]  # cancellations stay on record
    repository.write_meetings(engine, event.id, rows, keep_ids=keep_ids)
    requested = candidates["origin"].isin(["mutual", "request"])
    return ScheduleSummary(
        candidates=len(candidates), requested=int(requested.sum()), placed=len(new),
        placed_requested=int(new["origin"].isin(["mutual", "request"]).sum()), kept=len(kept),
        total_score=float(new["score"].sum() + kept["score"].sum()), seconds=time.perf_counter() - started,
        violations=0)


def set_status(engine: Engine, event: EventInfo, meeting_id: int, status: str) -> None:
    """Mark a meeting held, cancelled or scheduled again (EventError when it does not exist)."""
    if status not in ("scheduled", "held", "cancelled"):
        raise EventError(f"Statut inconnu : {status}.")
    if not repository.set_meeting_status(engine, event.id, int(meeting_id), status):
        raise EventError(f"Rendez-vous n° {meeting_id} introuvable.")


def named_meetings(engine: Engine, event: EventInfo, participants: pd.DataFrame | None = None,
                   *, participant_id: int | None = None) -> pd.DataFrame:
    """Meetings with both sides' names, communes and the slot's day, time and half-day."""
    people = participants if participants is not None else repository.event_participants(engine, event.id)
    meetings = repository.event_meetings(engine, event.id, participant_id=participant_id)
    names = people.set_index("id")
    for side in ("exhibitor", "visitor"):
        key = meetings[f"{side}_id"]
        meetings[f"{side}_name"] = key.map(names["name"])
        meetings[f"{side}_commune"] = key.map(names["commune_name"])
        meetings[f"{side}_department"] = key.map(names["department_code"])
        meetings[f"{side}_filiere"] = key.map(names["filiere_code"])
    meetings["day"] = [event.grid.half_day_of(s)[:2] for s in meetings["slot"]]
    meetings["time"] = [event.grid.starts_at(s).strftime("%H:%M") for s in meetings["slot"]]
    return meetings


def agenda(engine: Engine, event: EventInfo, participant_id: int) -> tuple[dict, pd.DataFrame]:
    """A participant (as a dict) and its meetings with the other side's name, by slot (EventError when unknown)."""
    people = repository.event_participants(engine, event.id)
    found = people[people["id"] == int(participant_id)]
    if not len(found):
        raise EventError(f"Participant n° {participant_id} inconnu pour {event.name}.")
    person = found.iloc[0].to_dict()
    meetings = named_meetings(engine, event, people, participant_id=int(participant_id))
    mine_is_exhibitor = person["role"] == "exposant"
    meetings["with_id"] = meetings["visitor_id" if mine_is_exhibitor else "exhibitor_id"]
    meetings["with_name"] = meetings["visitor_name" if mine_is_exhibitor else "exhibitor_name"]
    meetings["with_commune"] = meetings["visitor_commune" if mine_is_exhibitor else "exhibitor_commune"]
    return person, meetings


EXPORT_COLUMNS = {"id": "rdv_id", "date": "date", "time": "heure", "stand": "stand", "exhibitor_id": "exposant_id",
                  "exhibitor_name": "exposant", "visitor_id": "visiteur_id", "visitor_name": "visiteur",
                  "origin": "origine", "score": "score", "why": "pourquoi", "status": "statut"}


EXPORT_LABELS = {"origine": ORIGIN_LABELS, "statut": STATUS_LABELS}  # French words for the coded columns


def export_frame(engine: Engine, event: EventInfo) -> pd.DataFrame:
    """Every meeting for the event platform: French headers, the day's date, 24 h time (codes: EXPORT_LABELS)."""
    meetings = named_meetings(engine, event)
    meetings["date"] = [event.grid.starts_at(s).date() for s in meetings["slot"]]
    return meetings[list(EXPORT_COLUMNS)].rename(columns=EXPORT_COLUMNS)


def wall_counts(engine: Engine, event: EventInfo, *, filiere_labels: dict[str, str] | None = None,
                department_names: dict[str, str] | None = None) -> dict:
    """Live counts: scheduled, held, cancelled, target; active meetings by the visitor's department and filière."""
    meetings = named_meetings(engine, event)
    active = meetings[meetings["status"] != "cancelled"]
    by_dept = active["visitor_department"].fillna("hors Lorraine").value_counts()
    by_filiere = active["visitor_filiere"].fillna("non renseignée").value_counts()
    department_names = department_names or {}
    filiere_labels = filiere_labels or {}
    counts = meetings["status"].value_counts()
    return {
        "scheduled": int(counts.get("scheduled", 0)),
        "held": int(counts.get("held", 0)),
        "cancelled": int(counts.get("cancelled", 0)),
        "active": int(len(active)),
        "target": event.meeting_target,
        # value_counts keys are the (string) codes; str() tells the type checker so.
        "by_department": [(department_names.get(str(k), str(k)), int(v)) for k, v in by_dept.items()],
        "by_filiere": [(filiere_labels.get(str(k), str(k)), int(v)) for k, v in by_filiere.items()],
    }
