"""The event's programme: read an event, match and schedule it, agendas, exports and live counts (issue 9).

Glue between the repository (the event tables) and the pure engines
(`analytics.matchmaking`, `analytics.scheduling`). No Dash here: the CLI, the demo, the API and the
pages all call these functions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from dashboard import repository, territory
from dashboard.analytics import skills as sk
from dashboard.analytics.matchmaking import match_candidates
from dashboard.analytics.scheduling import (
    ORIGIN_LABELS,
    STATUS_LABELS,
    EventGrid,
    ScheduleResult,
    schedule_meetings,
    validate_schedule,
)
from dashboard.analytics.text import normalize
from dashboard.database import DatabaseUnavailable, describe_failure
from dashboard.formatting import OPTION_TEXT_MAX, fr_number, short_text
from dashboard.policy import Action, Viewer, can
from dashboard.reference import departments, load_polygons
from dashboard.repository import AuditRecord
from dashboard.services import DataService, network_outcomes
from dashboard.services import coverage as coverage_service
from dashboard.services import skills as skills_service
from dashboard.services.payloads import EncodedPayload, PayloadBuilder, encode_payload

log = logging.getLogger(__name__)
KIOSK_MAX_DEPARTMENTS = 6  # map slides of the kiosk: the territory's first departments


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


def schedule_event(engine: Engine, event: EventInfo, *, keep_scheduled: bool = False,
                   audit: AuditRecord | None = None, now: dt.datetime | None = None) -> ScheduleSummary:
    """(Re)build the schedule and write it. Held meetings never move; with `keep_scheduled` (after cancellations)
    scheduled ones stay too and only freed capacity is refilled: each exhibitor's freed slots first, never a
    slot that has begun by `now` (default: the current time). Cancelled pairs are not proposed again.
    """
    started = time.perf_counter()
    participants, candidates = event_candidates(engine, event.id)
    existing = repository.event_meetings(engine, event.id)
    keep_status = {"held", "scheduled"} if keep_scheduled else {"held"}
    kept = existing[existing["status"].isin(keep_status)]
    cancelled = existing[existing["status"] == "cancelled"]
    excluded = list(zip(cancelled["exhibitor_id"], cancelled["visitor_id"]))
    fill_first: dict[int, int] = {}
    open_from = 0
    if keep_scheduled:
        busy = set(zip(kept["exhibitor_id"].astype(int), kept["slot"].astype(int)))
        for e, slot in zip(cancelled["exhibitor_id"].astype(int), cancelled["slot"].astype(int)):
            if (e, slot) not in busy:
                fill_first[e] = fill_first.get(e, 0) | (1 << slot)
        open_from = event.grid.first_open_slot(now or dt.datetime.now())
    result: ScheduleResult = schedule_meetings(participants, candidates, event.grid, kept=kept, excluded_pairs=excluded,
                                               fill_first=fill_first, open_from=open_from)
    new = result.meetings
    violations = validate_schedule(pd.concat([kept[new.columns.intersection(kept.columns)], new]), participants,
                                   event.grid)
    if violations:  # a bug, never the user's fault: refuse to write an infeasible schedule
        raise RuntimeError(f"infeasible schedule: {violations[0].detail}")
    rows = [{"exhibitor_id": int(r["exhibitor_id"]), "visitor_id": int(r["visitor_id"]), "slot": int(r["slot"]),
             "starts_at": event.grid.starts_at(int(r["slot"])), "stand": r["stand"], "origin": r["origin"],
             "score": float(r["score"]), "why": r["why"], "status": "scheduled"} for r in new.to_dict("records")]
    keep_ids = [int(i) for i in kept["id"]] + [int(i) for i in cancelled["id"]]  # cancellations stay on record
    requested = candidates["origin"].isin(["mutual", "request"])
    if audit is not None:
        audit = replace(audit, target=f"event:{event.id}", before={"meetings": len(existing), "kept": len(kept)},
                        after={"meetings": len(kept) + len(cancelled) + len(new), "new": len(new)})
    repository.write_meetings(engine, event.id, rows, keep_ids=keep_ids, audit=audit)
    return ScheduleSummary(
        candidates=len(candidates), requested=int(requested.sum()), placed=len(new),
        placed_requested=int(new["origin"].isin(["mutual", "request"]).sum()), kept=len(kept),
        total_score=float(new["score"].sum() + kept["score"].sum()), seconds=time.perf_counter() - started,
        violations=0)


def set_status(engine: Engine, event: EventInfo, meeting_id: int, status: str, *,
               audit: AuditRecord | None = None, now: dt.datetime | None = None) -> None:
    """Mark a meeting held, cancelled or scheduled again (EventError when it does not exist, or when it is
    marked held before its slot has ended by `now`, default the current local time)."""
    if status not in ("scheduled", "held", "cancelled"):
        raise EventError(f"Statut inconnu : {status}.")
    slot = repository.meeting_slot(engine, event.id, int(meeting_id)) if 0 < int(meeting_id) < 2**31 else None
    if slot is None:
        raise EventError(f"Rendez-vous n° {meeting_id} introuvable.")
    ends = event.grid.ends_at(slot)
    if status == "held" and ends > (now or dt.datetime.now()):
        starts = event.grid.starts_at(slot)
        raise EventError(f"Rendez-vous n° {int(meeting_id)} : il ne peut pas être marqué tenu avant sa fin "
                         f"(le {starts:%d/%m/%Y}, de {starts:%H:%M} à {ends:%H:%M}).")
    if not repository.set_meeting_status(engine, event.id, int(meeting_id), status, audit=audit):
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
    by_dept = active["visitor_department"].fillna(f"hors {territory.active().label}").value_counts()
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


# --- The event pages' read model: overview, admin actions, agendas, kiosk ----------------------------
# These take the DataService (lookups, snapshot) where the functions above take an engine (CLI, API).

@dataclass(frozen=True)
class EventOverview:
    event: EventInfo
    wall: dict  # wall_counts
    participants_url: str  # the payload of the agenda picker's options (one per participant)
    can_run: bool = False  # whether the viewer may mark meetings and re-schedule (the policy)


PARTICIPANTS_PAYLOAD = "event_participants"
_OPTION_COLUMNS = ["id", "name", "role", "stand", "commune_name"]


def page_wall_counts(service: DataService, event: EventInfo) -> dict:
    """wall_counts with the filières' and departments' French names."""
    look = service.lookups
    return wall_counts(service.engine, event, filiere_labels=dict(zip(look.filieres["code"], look.filieres["label"])),
                       department_names=dict(zip(look.departments["code"], look.departments["name"])))


def current_wall(service: DataService) -> dict | None:
    """The live wall's counts of the current event (None without an event)."""
    event = current_event(service.engine)
    return page_wall_counts(service, event) if event else None


def _participant_search(text: str) -> str:
    """The text and its normalised form (the browser filters this list: 'lefevre' finds Lefèvre), bounded."""
    shown = short_text(text, OPTION_TEXT_MAX)
    return f"{shown} {short_text(normalize(text), OPTION_TEXT_MAX)}"


def _participant_options(people: pd.DataFrame) -> list[dict]:
    return [{"label": f"{short_text(n)} – {'stand ' + s if r == 'exposant' else (c or 'visiteur')}", "value": int(i),
             "search": _participant_search(f"{n} {c or ''} {s or ''}")}
            for i, n, r, s, c in zip(people["id"], people["name"], people["role"], people["stand"],
                                     people["commune_name"])]


def participants_payload(service: DataService, event: EventInfo | None = None) -> EncodedPayload:
    """The agenda picker's options of the current event (~300 KB at 2,000 participants), as a payload.

    Participants live outside the dataset's versions (an event import replaces them, ids may be reused), so the
    payload is keyed by a hash of the columns the options show: one query per call, encoded once per content."""
    event = event or current_event(service.engine)
    people = repository.event_participants(service.engine, event.id) if event else pd.DataFrame(
        columns=_OPTION_COLUMNS)
    digest = hashlib.sha1(pd.util.hash_pandas_object(people[_OPTION_COLUMNS], index=False).to_numpy().tobytes())
    return service.snapshot().lru((PARTICIPANTS_PAYLOAD, digest.hexdigest()),
                                  lambda: encode_payload(PARTICIPANTS_PAYLOAD, _participant_options(people)))


# The event page's payloads, served at /data/<name>-<etag>.json (declared in the page registry).
PAYLOADS: dict[str, PayloadBuilder] = {PARTICIPANTS_PAYLOAD: participants_payload}


def overview(service: DataService, viewer: Viewer) -> EventOverview | None:
    """The current event with its wall and the URL of the participant picker's options (None without an event)."""
    event = current_event(service.engine)
    if event is None:
        return None
    return EventOverview(event, page_wall_counts(service, event), participants_payload(service, event).url,
                         can_run=can(viewer, Action.RUN_EVENT))


ADMIN_ACTIONS = ("held", "cancelled", "reschedule")
REFUSAL_RUN_EVENT = "Seule l'équipe UIMM peut modifier les rendez-vous : connectez-vous avec un compte de l'équipe."


def admin_action(service: DataService, action: str | None, meeting_id, viewer: Viewer, *, address: str = "") -> str:
    """Mark a meeting held / cancelled, or reschedule keeping every meeting that stays; returns a French message.
    Staff only (the policy); each change is audited in its own transaction. A write the database refuses (its
    file deleted under the running server, a full disk…) is said so, never confirmed."""
    try:
        return _admin_action(service, action, meeting_id, viewer, address=address)
    except DatabaseUnavailable as err:
        log.error("event change refused: %s", err)
        return ("Modification non enregistrée : la base de données est indisponible (fichier supprimé ou "
                "remplacé). Prévenez l'administrateur de tissu.")
    except DBAPIError as err:
        log.error("event change failed: %s", describe_failure(err))
        return ("Modification non enregistrée : la base de données a refusé l'écriture (disque plein, fichier en "
                "lecture seule…). Prévenez l'administrateur de tissu.")


def _admin_action(service: DataService, action: str | None, meeting_id, viewer: Viewer, *, address: str) -> str:
    if action not in ADMIN_ACTIONS:
        return ""
    if not can(viewer, Action.RUN_EVENT):
        return REFUSAL_RUN_EVENT
    event = current_event(service.engine)
    if event is None:
        return "Aucun événement chargé."
    audit = AuditRecord(viewer.user_id, viewer.label, f"meeting.{action}" if action != "reschedule"
                        else "event.reschedule", "", address=address)
    if action == "reschedule":
        summary = schedule_event(service.engine, event, keep_scheduled=True, audit=audit)
        return (f"Replanification : {fr_number(summary.placed)} nouveaux rendez-vous, "
                f"{fr_number(summary.kept)} maintenus sans changement.")
    if action in ("held", "cancelled"):
        if not meeting_id:
            return "Indiquez le n° du rendez-vous."
        try:
            set_status(service.engine, event, int(meeting_id), action, audit=audit, now=service.clock())
        except (EventError, ValueError, TypeError, OverflowError) as err:
            if not isinstance(err, EventError):
                return "Le n° du rendez-vous est un nombre entier."
            return str(err)
        return f"Rendez-vous n° {int(meeting_id)} : {STATUS_LABELS[action]}."
    return ""


def card_url(base_url: str, public_id: str) -> str:
    """The explorer card of an establishment, as an absolute URL (what a phone opens from a QR code)."""
    return f"{base_url}?etab={public_id}"


@dataclass(frozen=True)
class AgendaData:
    event: EventInfo
    person: dict
    days: list[tuple[int, dt.date, list[dict]]]  # (day number, date, meetings with origin_label and status_label)
    card_url: str | None  # exhibitors: their explorer card


@dataclass(frozen=True)
class AgendaMissing:
    message: str  # French: no participant chosen, an invalid or unknown one


def agenda_data(service: DataService, event: EventInfo, participant_id: int, *, base_url: str) -> AgendaData:
    """A participant's meetings by day (EventError when the participant is unknown)."""
    person, meetings = agenda(service.engine, event, participant_id)
    days = []
    for day, group in meetings.groupby("day", sort=True):
        date = event.grid.starts_at(int(group["slot"].iloc[0])).date()
        rows = group.assign(origin_label=group["origin"].map(ORIGIN_LABELS),
                            status_label=group["status"].map(STATUS_LABELS)).to_dict("records")
        days.append((int(str(day)[1:]), date, rows))
    public_id = person.get("establishment_public_id")
    url = card_url(base_url, public_id) if person["role"] == "exposant" and isinstance(public_id, str) and public_id \
        else None
    return AgendaData(event, person, days, url)


def agenda_for_query(service: DataService, query: dict[str, list[str]], *,
                     base_url: str) -> AgendaData | AgendaMissing | None:
    """The agenda of `?participant=` (None without an event; AgendaMissing with why when there is none to show)."""
    event = current_event(service.engine)
    if event is None:
        return None
    raw = (query.get("participant") or [""])[0]
    if not raw.isdigit():
        return AgendaMissing("Choisissez un participant." if not raw else
                             f"Participant « {raw} » invalide : choisissez-en un.")
    try:
        return agenda_data(service, event, int(raw), base_url=base_url)
    except EventError as err:
        return AgendaMissing(str(err))


# --- Kiosk ---------------------------------------------------------------------------------------------

DEFAULT_SLIDE_SECONDS = 8.0
SLIDE_SECONDS_RANGE = (1.0, 120.0)
KIOSK_TENSION_ROWS = 6
TREND_YEARS = range(2016, 2026)


def slide_seconds(query: dict[str, list[str]]) -> float:
    """Seconds per slide from `?duree=` (clamped to 1–120 s; default 8 s)."""
    raw = (query.get("duree") or [""])[0].replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        return DEFAULT_SLIDE_SECONDS
    return min(max(value, SLIDE_SECONDS_RANGE[0]), SLIDE_SECONDS_RANGE[1]) if value == value else DEFAULT_SLIDE_SECONDS


@dataclass(frozen=True)
class MeetingCounter:
    active: int  # scheduled or held
    target: int
    held: int


@dataclass(frozen=True)
class KioskData:
    """What the kiosk's slides show; an optional slide is None when it has nothing to show."""

    territory: list[tuple[float, str]]  # (number, what it counts)
    departments: list[dict]  # one map slide each: code, name, caption, bounds [[s, w], [n, e]], points [[lat, lon]]
    top_capabilities: list[tuple[str, int]]  # (label, sites)
    deserts: list[tuple[str, int]] | None  # (capability, % of the population without a supplier within 25 km)
    tensions: list[tuple[str, int]] | None  # (industrial trade, % of recruitment projects judged difficult)
    tensions_year: int | None
    trend: list[tuple[int, int, int]] | None  # (year, openings, closures)
    event_name: str | None
    counter: MeetingCounter | None
    exhibitors: list[dict] | None  # name, stand, commune_name, card_url
    is_demo: bool
    open_needs: list[dict] | None = None  # the network's open needs by capability: label, needs, deadline
    needs_demo: bool = False  # those needs are the demo's (fictitious)


def meeting_counter(service: DataService) -> MeetingCounter | None:
    event = current_event(service.engine)
    if event is None:
        return None
    counts = repository.event_meeting_counts(service.engine, event.id)
    return MeetingCounter(counts.get("scheduled", 0) + counts.get("held", 0), event.meeting_target,
                          counts.get("held", 0))


def _territory(service: DataService) -> list[tuple[float, str]]:
    snap = service.snapshot()
    est = snap.establishments
    return [
        (len(est), "établissements industriels actifs"),
        (float(est["headcount_estimate"].fillna(0).sum()), "emplois estimés"),
        (est["commune_code"].nunique(), "communes industrielles"),
        (int(est["is_member"].fillna(False).astype(bool).sum()), "adhérents UIMM"),
        (len(service.lookups.capabilities), "savoir-faire répertoriés"),
        (len(snap.certification_links), "certifications déclarées"),
    ]


def _departments(service: DataService) -> list[dict]:
    """Each department framed to its own outline, with its establishments as points."""
    est = service.snapshot().establishments
    names = dict(zip(service.lookups.departments["code"], service.lookups.departments["name"]))
    outlines = load_polygons("departements")
    out = []
    for code in departments()[:KIOSK_MAX_DEPARTMENTS]:  # one map slide each
        mine = est[est["department_code"] == code].dropna(subset=["lat", "lon"])
        west, south, east, north = (outlines.loc[code].geometry.bounds if code in outlines.index else
                                    (mine["lon"].min(), mine["lat"].min(), mine["lon"].max(), mine["lat"].max()))
        if pd.isna(west):  # neither an outline nor a located site: nothing to frame
            continue
        jobs = float(mine["headcount_estimate"].fillna(0).sum())
        out.append({"code": code, "name": names.get(code, code),
                    "caption": f"{fr_number(len(mine))} établissements · {fr_number(jobs)} emplois estimés",
                    "bounds": [[float(south), float(west)], [float(north), float(east)]],
                    "points": [[round(float(a), 4), round(float(b), 4)] for a, b in zip(mine["lat"], mine["lon"])]})
    return out


def _top_capabilities(service: DataService) -> list[tuple[str, int]]:
    links = service.snapshot().capability_links
    labels = dict(zip(service.lookups.capabilities["code"], service.lookups.capabilities["label"]))
    return [(labels.get(c, c), int(n)) for c, n in links["capability_code"].value_counts().head(8).items()]


def _deserts(service: DataService) -> list[tuple[str, int]] | None:
    """Capabilities with the lowest 25 km coverage of the population (None when the engine is unusable)."""
    try:
        table = coverage_service.summary(service, radius_km=25.0, weighting="population")
    except Exception:  # noqa: BLE001 - optional slide: any failure of another topic's engine skips it
        log.warning("kiosk: coverage engine unavailable, supplier-desert slide skipped", exc_info=True)
        return None
    table = table.dropna(subset=["rate"]).sort_values("rate").head(6)
    return [(r["capability_label"], round(100 * r["desert_share"])) for r in table.to_dict("records")] or None


def _tensions(service: DataService) -> tuple[list[tuple[str, int]] | None, int | None]:
    """The latest year's most difficult industrial trades, ranked as `/competences` ranks them (difficulty rate)."""
    data = skills_service.skills_data(service)
    if not data.years:
        return None, None
    year = data.years[-1]
    needs = sk.filter_needs(data.needs, data.trades, data.areas, industrial_only=True, year=year)
    ranked = sk.critical_trades(needs, data.trades).dropna(subset=["difficulty_rate"]).head(KIOSK_TENSION_ROWS)
    rows = [(r["label"], round(100 * r["difficulty_rate"])) for r in ranked.to_dict("records")]
    return (rows or None), year


def _trend(service: DataService) -> list[tuple[int, int, int]] | None:
    snap = service.snapshot()
    if snap.dataset is None:
        return None
    sites = (snap.establishments, snap.closed_establishments.reindex(columns=["created_on", "closed_on"]))
    opened = pd.concat([pd.to_datetime(f["created_on"], errors="coerce").dt.year for f in sites]).value_counts()
    closed = pd.to_datetime(sites[1]["closed_on"], errors="coerce").dt.year.value_counts()
    rows = [(y, int(opened.get(y, 0)), int(closed.get(y, 0))) for y in TREND_YEARS]
    return [r for r in rows if r[1] or r[2]] or None


def _exhibitors(service: DataService, event: EventInfo | None, base_url: str) -> list[dict] | None:
    """Four exhibitors with an explorer card, a different four each day."""
    if event is None:
        return None
    people = repository.event_participants(service.engine, event.id)
    shown = people[(people["role"] == "exposant") & people["establishment_public_id"].notna()]
    if not len(shown):
        return None
    day_index = (dt.date.today().toordinal()) % max(len(shown) // 4, 1)
    picked = shown.iloc[day_index * 4: day_index * 4 + 4]
    return [{"name": r["name"], "stand": r["stand"], "commune_name": r["commune_name"],
             "card_url": card_url(base_url, r["establishment_public_id"])} for r in picked.to_dict("records")]


def kiosk_data(service: DataService, *, base_url: str) -> KioskData:
    event = current_event(service.engine)
    needs, needs_demo = network_outcomes.kiosk_needs(service)
    tensions, tensions_year = _tensions(service)
    return KioskData(
        territory=_territory(service), departments=_departments(service),
        top_capabilities=_top_capabilities(service), deserts=_deserts(service), tensions=tensions,
        tensions_year=tensions_year, trend=_trend(service),
        event_name=event.name if event else None, counter=meeting_counter(service),
        exhibitors=_exhibitors(service, event, base_url),
        is_demo=service.snapshot().is_demo or bool(event and event.is_demo),
        open_needs=needs or None, needs_demo=needs_demo)
