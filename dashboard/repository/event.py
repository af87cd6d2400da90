"""The B2B event: participants, their needs and offers, requests and scheduled meetings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select, update

from dashboard import models as m
from dashboard.database import write_transaction
from dashboard.repository._base import (
    _chunks,
    _fit,
    _frame,
    _inserted_id,
)
from dashboard.repository.audit import AuditRecord, write_audit


def events_frame(engine: Engine) -> pd.DataFrame:
    """Every event, newest first."""
    return _frame(engine, select(*m.Event.__table__.columns).order_by(m.Event.id.desc()))


def _delete_event_rows(conn, event_id: int) -> None:
    p = m.Participant
    ids = select(p.id).where(p.event_id == event_id).scalar_subquery()
    conn.execute(delete(m.Meeting).where(m.Meeting.event_id == event_id))
    conn.execute(delete(m.MeetingRequest).where(m.MeetingRequest.requester_id.in_(ids)))
    conn.execute(delete(m.ParticipantCapability).where(m.ParticipantCapability.participant_id.in_(ids)))
    conn.execute(delete(p).where(p.event_id == event_id))


def replace_event(engine: Engine, *, event: dict, participants: list[dict], capabilities: list[dict],
                  requests: list[dict], meetings: Sequence[dict] = ()) -> int:
    """Write an event (replacing the one of the same name) in one transaction; returns its id.

    Participants carry a `key` (any hashable) that capabilities (`participant`), requests
    (`requester`, `target`) and meetings (`exhibitor`, `visitor`) refer to; ids are assigned here.
    """
    with write_transaction(engine) as conn:
        old = conn.scalar(select(m.Event.id).where(m.Event.name == event["name"]))
        if old is not None:
            _delete_event_rows(conn, old)
            conn.execute(delete(m.Event).where(m.Event.id == old))
        event_id = _inserted_id(conn, insert(m.Event).values(**_fit(m.Event, [event])[0]))
        # Ids come from the database (RETURNING, in row order): explicit ids would leave PostgreSQL's
        # sequence behind, and the next insert would collide.
        rows = _fit(m.Participant, [{k: v for k, v in row.items() if k != "key"} | {"event_id": event_id}
                                    for row in participants])
        pid: dict = {}
        for start in range(0, len(rows), 2000):
            ids = conn.scalars(insert(m.Participant).returning(m.Participant.id, sort_by_parameter_order=True),
                               rows[start:start + 2000]).all()
            pid.update(zip((row["key"] for row in participants[start:start + 2000]), ids))
        links = [{"participant_id": pid[c["participant"]], "capability_code": c["capability_code"], "kind": c["kind"]}
                 for c in capabilities]
        for chunk in _chunks(links, 5000):
            conn.execute(insert(m.ParticipantCapability), chunk)
        asked = [{"requester_id": pid[r["requester"]], "target_id": pid[r["target"]]} for r in requests]
        for chunk in _chunks(asked, 5000):
            conn.execute(insert(m.MeetingRequest), chunk)
        placed = [{k: v for k, v in row.items() if k not in ("exhibitor", "visitor")}
                  | {"event_id": event_id, "exhibitor_id": pid[row["exhibitor"]], "visitor_id": pid[row["visitor"]]}
                  for row in meetings]
        for chunk in _chunks(placed, 5000):
            conn.execute(insert(m.Meeting), chunk)
    return int(event_id)


def event_participants(engine: Engine, event_id: int) -> pd.DataFrame:
    """Participants with their commune, department, linked establishment (public id) and its filière."""
    p, c, e, n = m.Participant, m.Commune, m.Establishment, m.NafSubclass
    return _frame(engine, select(
        p.id, p.role, p.name, p.siret, p.establishment_id, e.public_id.label("establishment_public_id"),
        n.filiere_code, p.commune_code, c.name.label("commune_name"), c.department_code, p.lat, p.lon, p.stand,
        p.availability, p.max_meetings)
        .outerjoin(c, c.code == p.commune_code).outerjoin(e, e.id == p.establishment_id)
        .outerjoin(n, n.code == e.naf_code).where(p.event_id == event_id).order_by(p.id))


def event_capabilities(engine: Engine, event_id: int) -> pd.DataFrame:
    """(participant_id, capability_code, kind) of an event's participants."""
    link, p = m.ParticipantCapability, m.Participant
    return _frame(engine, select(link.participant_id, link.capability_code, link.kind)
                  .join(p, p.id == link.participant_id).where(p.event_id == event_id)
                  .order_by(link.participant_id, link.kind, link.capability_code))


def event_certifications(engine: Engine, event_id: int) -> pd.DataFrame:
    """(participant_id, certification_code) from the establishments the participants are linked to."""
    p, link = m.Participant, m.EstablishmentCertification
    return _frame(engine, select(p.id.label("participant_id"), link.certification_code)
                  .join(link, link.establishment_id == p.establishment_id).where(p.event_id == event_id)
                  .order_by(p.id, link.certification_code))


def event_requests(engine: Engine, event_id: int) -> pd.DataFrame:
    """(requester_id, target_id) of an event."""
    r, p = m.MeetingRequest, m.Participant
    return _frame(engine, select(r.requester_id, r.target_id).join(p, p.id == r.requester_id)
                  .where(p.event_id == event_id).order_by(r.requester_id, r.target_id))


def event_meetings(engine: Engine, event_id: int, *, participant_id: int | None = None) -> pd.DataFrame:
    """Meetings of an event (optionally of one participant), by slot."""
    mt = m.Meeting
    statement = select(mt.id, mt.exhibitor_id, mt.visitor_id, mt.slot, mt.starts_at, mt.stand, mt.origin, mt.score,
                       mt.why, mt.status).where(mt.event_id == event_id)
    if participant_id is not None:
        statement = statement.where((mt.exhibitor_id == participant_id) | (mt.visitor_id == participant_id))
    return _frame(engine, statement.order_by(mt.slot, mt.exhibitor_id))


def event_meeting_counts(engine: Engine, event_id: int) -> dict[str, int]:
    """Meetings of an event by status."""
    mt = m.Meeting
    with engine.connect() as conn:
        rows = conn.execute(select(mt.status, func.count()).where(mt.event_id == event_id).group_by(mt.status)).all()
    return {status: int(n) for status, n in rows}


def write_meetings(engine: Engine, event_id: int, meetings: list[dict], *, keep_ids: list[int] | None = None,
                   audit: AuditRecord | None = None) -> None:
    """Replace an event's meetings by `meetings`, except those whose id is in `keep_ids` (one transaction, with
    its audit entry when given)."""
    mt = m.Meeting
    with write_transaction(engine) as conn:
        if audit is not None:
            write_audit(conn, audit)
        statement = delete(mt).where(mt.event_id == event_id)
        if keep_ids:
            statement = statement.where(mt.id.not_in(keep_ids))
        conn.execute(statement)
        rows = [{**row, "event_id": event_id} for row in meetings]
        for chunk in _chunks(rows, 5000):
            conn.execute(insert(mt), chunk)


def set_meeting_status(engine: Engine, event_id: int, meeting_id: int, status: str, *,
                       audit: AuditRecord | None = None) -> bool:
    """Mark a meeting scheduled, held or cancelled; False when the meeting does not exist. The audit entry
    (when given) records the status before and after, in the same transaction."""
    mt = m.Meeting
    with write_transaction(engine) as conn:
        before = conn.execute(select(mt.status).where(mt.event_id == event_id, mt.id == meeting_id)).scalar()
        if before is None:
            return False
        conn.execute(update(mt).where(mt.event_id == event_id, mt.id == meeting_id).values(status=status))
        if audit is not None:
            write_audit(conn, replace(audit, target=f"meeting:{meeting_id}", before={"status": before},
                                      after={"status": status}))
    return True


def meeting_slot(engine: Engine, event_id: int, meeting_id: int) -> int | None:
    """The slot of one meeting of an event (None when it does not exist)."""
    mt = m.Meeting
    with engine.connect() as conn:
        slot = conn.execute(select(mt.slot).where(mt.event_id == event_id, mt.id == meeting_id)).scalar()
    return None if slot is None else int(slot)


def establishments_for_event(engine: Engine, dataset_id: int) -> pd.DataFrame:
    """(id, public_id, siret, name, commune_code, lat, lon) of a dataset's active establishments (SIRET linking)."""
    e = m.Establishment
    return _frame(engine, select(e.id, e.public_id, e.siret, e.name, e.commune_code, e.lat, e.lon)
                  .where(e.dataset_id == dataset_id, e.state == "A", e.commune_code.is_not(None)).order_by(e.id))


def set_meeting_statuses(engine: Engine, event_id: int, statuses: dict[int, str]) -> None:
    """Set the status of many meetings in one transaction."""
    mt = m.Meeting
    with write_transaction(engine) as conn:
        for status in sorted(set(statuses.values())):
            ids = [i for i, s in statuses.items() if s == status]
            for chunk in _chunks(ids):
                conn.execute(update(mt).where(mt.event_id == event_id, mt.id.in_(chunk)).values(status=status))
