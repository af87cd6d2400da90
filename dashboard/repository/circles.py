"""Circles of excellence: circles, membership requests, sessions and registrations. Every write is one
transaction with its audit entry; seats and membership moves are compare-and-set, so two people acting at
once cannot take the last seat twice nor decide one request twice."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from dashboard import models as m
from dashboard.database import write_transaction
from dashboard.repository import _rows
from dashboard.repository._base import _fit, _frame, _inserted_id, _now
from dashboard.repository.audit import AuditRecord, write_audit


def circles_frame(engine: Engine) -> pd.DataFrame:
    """Every circle, by id."""
    return _frame(engine, select(*_rows.columns(m.Circle)).order_by(m.Circle.id))


def circle_by_id(engine: Engine, circle_id: int) -> dict | None:
    return _rows.one(engine, m.Circle, circle_id)


def circle_members_frame(engine: Engine, *, circle_id: int | None = None) -> pd.DataFrame:
    """Membership rows (of one circle when given), oldest request first."""
    cm = m.CircleMember
    return _rows.rows_of(engine, cm, cm.circle_id, circle_id, cm.requested_at, cm.id)


def circle_sessions_frame(engine: Engine, *, circle_id: int | None = None) -> pd.DataFrame:
    """Sessions (of one circle when given), in date order."""
    s = m.CircleSession
    return _rows.rows_of(engine, s, s.circle_id, circle_id, s.starts_at, s.id)


def circle_session_by_id(engine: Engine, session_id: int) -> dict | None:
    return _rows.one(engine, m.CircleSession, session_id)


def circle_registrations_frame(engine: Engine, *, circle_id: int | None = None) -> pd.DataFrame:
    """Registrations with their session's circle (of one circle when given)."""
    r, s = m.CircleRegistration, m.CircleSession
    statement = select(*_rows.columns(r), s.circle_id).join(s, s.id == r.session_id)
    if circle_id is not None:
        statement = statement.where(s.circle_id == circle_id)
    return _frame(engine, statement.order_by(r.session_id, r.registered_at, r.id))


def insert_circle(engine: Engine, row: dict, *, audit: AuditRecord) -> int:
    now = _now()
    values = _rows.new_row(m.Circle, row, now)
    with write_transaction(engine) as conn:
        new_id = _inserted_id(conn, insert(m.Circle).values(**values))
        write_audit(conn, replace(audit, target=f"circle:{new_id}", after=row), at=now)
    return int(new_id)


def update_circle(engine: Engine, circle_id: int, changes: dict, *, audit: AuditRecord) -> bool:
    """Change some fields of a circle; False when it does not exist."""
    return _rows.update_row(engine, m.Circle, circle_id, changes, audit, "circle")


# --- Membership -------------------------------------------------------------------------------------------

def request_membership(engine: Engine, circle_id: int, siret: str, *, user_id: int | None, message: str,
                       expected: str | None, audit: AuditRecord) -> bool:
    """Ask to join: a new row when `expected` is None, else reopen the row at status `expected` (declined,
    left). False (nothing written) when someone changed it meanwhile or asked at the same time."""
    cm = m.CircleMember
    now = _now()
    values = {"status": "requested", "requested_by": user_id, "message": message[:500], "requested_at": now,
              "decided_by": None, "decided_at": None, "updated_at": now}
    try:
        with write_transaction(engine) as conn:
            if expected is None:
                conn.execute(insert(cm).values(circle_id=circle_id, siret=siret, is_demo=False, **values))
            else:
                done = conn.execute(update(cm).where(cm.circle_id == circle_id, cm.siret == siret,
                                                     cm.status == expected).values(**values))
                if done.rowcount != 1:
                    return False
            write_audit(conn, replace(audit, target=f"circle:{circle_id}", before={"status": expected},
                                      after={"siret": siret, "status": "requested"}), at=now)
    except IntegrityError:  # the unique (circle, site): a second request raced the first
        return False
    return True


def set_membership_status(engine: Engine, circle_id: int, siret: str, *, expected: str, status: str,
                          by_user: int | None, audit: AuditRecord) -> bool:
    """Move a membership from `expected` to `status`; False (nothing written) when it is no longer `expected`.
    Leaving a circle also cancels the site's registrations to its sessions to come (and frees the seats)."""
    cm, s, r = m.CircleMember, m.CircleSession, m.CircleRegistration
    now = _now()
    with write_transaction(engine) as conn:
        done = conn.execute(update(cm).where(cm.circle_id == circle_id, cm.siret == siret, cm.status == expected)
                            .values(status=status, decided_by=by_user, decided_at=now, updated_at=now))
        if done.rowcount != 1:
            return False
        freed: list[int] = []
        if status == "left":
            to_come = select(s.id).where(s.circle_id == circle_id, s.starts_at >= dt.datetime.now())
            freed = list(conn.execute(select(r.session_id).where(r.siret == siret, r.session_id.in_(to_come)))
                         .scalars())
            for session_id in freed:
                conn.execute(delete(r).where(r.session_id == session_id, r.siret == siret))
                conn.execute(update(s).where(s.id == session_id).values(registered=s.registered - 1))
        write_audit(conn, replace(audit, target=f"circle:{circle_id}", before={"siret": siret, "status": expected},
                                  after={"siret": siret, "status": status, "freed_sessions": freed}), at=now)
    return True


# --- Sessions and seats ----------------------------------------------------------------------------------

def insert_session(engine: Engine, row: dict, *, audit: AuditRecord) -> int:
    now = _now()
    values = _fit(m.CircleSession, [{"created_at": now, "updated_at": now, "registered": 0, **row}])[0]
    with write_transaction(engine) as conn:
        new_id = _inserted_id(conn, insert(m.CircleSession).values(**values))
        write_audit(conn, replace(audit, target=f"circle_session:{new_id}", after=row), at=now)
    return int(new_id)


def update_session(engine: Engine, session_id: int, changes: dict, *, audit: AuditRecord) -> bool:
    """Change some fields of a session; a new capacity is set only if it still holds the registrations
    (compare-and-set on `registered`). False when the session is gone or the capacity no longer fits."""
    now = _now()
    s = m.CircleSession
    with write_transaction(engine) as conn:
        before = _rows.row_in(conn, s, session_id)
        if before is None:
            return False
        condition = [s.id == session_id]
        if "capacity" in changes:
            condition.append(s.registered <= changes["capacity"])
        done = conn.execute(update(s).where(*condition).values(**_fit(s, [{**changes, "updated_at": now}])[0]))
        if done.rowcount != 1:
            return False
        write_audit(conn, replace(audit, target=f"circle_session:{session_id}",
                                  before={k: before[k] for k in changes}, after=changes), at=now)
    return True


def take_seat(engine: Engine, session_id: int, siret: str, *, user_id: int | None, audit: AuditRecord) -> str:
    """Register `siret` for a session: 'ok', 'full' (no seat left: nothing written) or 'twice' (already
    registered). The seat is taken by `UPDATE … SET registered = registered + 1 WHERE registered < capacity`:
    the database serialises two such updates on the row, so the last seat goes to one of them only."""
    s, r = m.CircleSession, m.CircleRegistration
    now = _now()
    try:
        with write_transaction(engine) as conn:
            taken = conn.execute(update(s).where(s.id == session_id, s.registered < s.capacity,
                                                 s.status == "planned")
                                 .values(registered=s.registered + 1, updated_at=now))
            if taken.rowcount != 1:
                return "full"
            conn.execute(insert(r).values(session_id=session_id, siret=siret, user_id=user_id, registered_at=now,
                                          is_demo=False))
            write_audit(conn, replace(audit, target=f"circle_session:{session_id}", after={"siret": siret}), at=now)
    except IntegrityError:  # unique (session, site): the whole transaction, seat included, is rolled back
        return "twice"
    return "ok"


def release_seat(engine: Engine, session_id: int, siret: str, *, audit: AuditRecord) -> bool:
    """Unregister `siret`; False when it was not registered."""
    s, r = m.CircleSession, m.CircleRegistration
    now = _now()
    with write_transaction(engine) as conn:
        gone = conn.execute(delete(r).where(r.session_id == session_id, r.siret == siret))
        if gone.rowcount != 1:
            return False
        conn.execute(update(s).where(s.id == session_id).values(registered=s.registered - 1, updated_at=now))
        write_audit(conn, replace(audit, target=f"circle_session:{session_id}", before={"siret": siret}), at=now)
    return True


# --- The demo -------------------------------------------------------------------------------------------

def replace_demo_circles(engine: Engine, *, circles: list[dict], members: list[dict], sessions: list[dict],
                         registrations: list[dict]) -> None:
    """Replace the demo's circles (rows with is_demo, and everything attached to them) in one transaction.

    Members and sessions name their circle by position in `circles` (`circle`); registrations their session
    by position in `sessions` (`session`)."""
    with write_transaction(engine) as conn:
        demo = select(m.Circle.id).where(m.Circle.is_demo.is_(True)).scalar_subquery()
        demo_sessions = select(m.CircleSession.id).where(m.CircleSession.circle_id.in_(demo)).scalar_subquery()
        conn.execute(delete(m.CircleRegistration).where(m.CircleRegistration.session_id.in_(demo_sessions)))
        conn.execute(delete(m.CircleSession).where(m.CircleSession.circle_id.in_(demo)))
        conn.execute(delete(m.CircleMember).where(m.CircleMember.circle_id.in_(demo)))
        _rows.delete_demo(conn, m.Circle)
        circle_ids = _rows.inserted_ids(conn, m.Circle, circles)
        for row in members:
            values = {k: v for k, v in row.items() if k != "circle"} | {"circle_id": circle_ids[row["circle"]]}
            conn.execute(insert(m.CircleMember).values(**values))
        session_ids = []
        for row in _fit(m.CircleSession, sessions):
            values = {k: v for k, v in row.items() if k != "circle"} | {"circle_id": circle_ids[row["circle"]]}
            session_ids.append(_inserted_id(conn, insert(m.CircleSession).values(**values)))
        for row in registrations:
            values = {k: v for k, v in row.items() if k != "session"} | {"session_id": session_ids[row["session"]]}
            conn.execute(insert(m.CircleRegistration).values(**values))


def has_demo_circles(engine: Engine) -> bool:
    return _rows.has_demo(engine, m.Circle)
