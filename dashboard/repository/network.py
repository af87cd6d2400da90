"""The network: posted needs and offers, introductions and their status timeline. Every write is one
transaction with its audit entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select, update

from dashboard import models as m
from dashboard.database import write_transaction
from dashboard.repository import _rows
from dashboard.repository._base import _chunks, _frame, _inserted_id, _now
from dashboard.repository.audit import AuditRecord, write_audit


def _owned_frame(engine: Engine, model, owner, sirets: Iterable[str] | None) -> pd.DataFrame:
    statement = select(*_rows.columns(model))
    if sirets is not None:
        statement = statement.where(owner.in_(list(sirets)))
    return _frame(engine, statement.order_by(model.id.desc()))


def needs_frame(engine: Engine, *, buyer_sirets: Iterable[str] | None = None) -> pd.DataFrame:
    """Every need (of these buyers when given), newest first."""
    return _owned_frame(engine, m.NetworkNeed, m.NetworkNeed.buyer_siret, buyer_sirets)


def offers_frame(engine: Engine, *, owner_sirets: Iterable[str] | None = None) -> pd.DataFrame:
    """Every offer (of these owners when given), newest first."""
    return _owned_frame(engine, m.NetworkOffer, m.NetworkOffer.owner_siret, owner_sirets)


def network_version(engine: Engine) -> tuple:
    """Cheap fingerprint of the needs and offers tables: (rows, highest id, last change) of each. Every write
    (insert, update, close, the demo's replacement) changes it; read on each network read, so that a write made
    by any worker is seen by the next read of every worker."""
    # One scalar subquery per aggregate: each is answered from an index (count, max(id), max(updated_at)).
    parts = [select(agg).select_from(model).scalar_subquery() for model in (m.NetworkNeed, m.NetworkOffer)
             for agg in (func.count(), func.max(model.id), func.max(model.updated_at))]
    with engine.connect() as conn:
        row = conn.execute(select(*parts)).one()
    out = [(int(row[k] or 0), int(row[k + 1] or 0), str(row[k + 2] or "")) for k in (0, 3)]
    return tuple(out)


def need_by_id(engine: Engine, need_id: int) -> dict | None:
    return _rows.one(engine, m.NetworkNeed, need_id)


def offer_by_id(engine: Engine, offer_id: int) -> dict | None:
    return _rows.one(engine, m.NetworkOffer, offer_id)


def _insert(engine: Engine, model, row: dict, audit: AuditRecord, kind: str) -> int:
    now = _now()
    values = _rows.new_row(model, row, now)
    with write_transaction(engine) as conn:
        new_id = _inserted_id(conn, insert(model).values(**values))
        write_audit(conn, replace(audit, target=f"{kind}:{new_id}", after=row), at=now)
    return int(new_id)


def insert_need(engine: Engine, row: dict, *, audit: AuditRecord) -> int:
    return _insert(engine, m.NetworkNeed, row, audit, "need")


def update_need(engine: Engine, need_id: int, changes: dict, *, audit: AuditRecord) -> bool:
    """Change some fields of a need; False when it does not exist."""
    return _rows.update_row(engine, m.NetworkNeed, need_id, changes, audit, "need")


def insert_offer(engine: Engine, row: dict, *, audit: AuditRecord) -> int:
    return _insert(engine, m.NetworkOffer, row, audit, "offer")


def update_offer(engine: Engine, offer_id: int, changes: dict, *, audit: AuditRecord) -> bool:
    return _rows.update_row(engine, m.NetworkOffer, offer_id, changes, audit, "offer")


# --- Introductions ---------------------------------------------------------------------------------------

def introductions_frame(engine: Engine, *, sirets: Iterable[str] | None = None) -> pd.DataFrame:
    """Introductions (those where one of `sirets` is a side, when given), most recently changed first."""
    i, wanted = m.Introduction, None if sirets is None else list(sirets)
    sides = None if wanted is None else i.requester_siret.in_(wanted) | i.target_siret.in_(wanted)
    return _rows.changed_first(engine, i, sides)


def introduction_by_id(engine: Engine, introduction_id: int) -> dict | None:
    return _rows.one(engine, m.Introduction, introduction_id)


def introduction_events(engine: Engine, introduction_ids: Iterable[int]) -> pd.DataFrame:
    """The status timeline of these introductions, oldest step first."""
    ev = m.IntroductionEvent
    return _rows.rows_in(engine, ev, ev.introduction_id, introduction_ids, ev.at, ev.id)


def insert_introduction(engine: Engine, row: dict, *, by_user: int | None, by_label: str,
                        audit: AuditRecord) -> int:
    """A new introduction at status `row["status"]` and the first step of its timeline."""
    now = _now()
    values = _rows.new_row(m.Introduction, row, now)
    with write_transaction(engine) as conn:
        new_id = _inserted_id(conn, insert(m.Introduction).values(**values))
        conn.execute(insert(m.IntroductionEvent).values(introduction_id=new_id, at=now, by_user=by_user,
                                                        by_label=by_label[:300], status=row["status"]))
        write_audit(conn, replace(audit, target=f"introduction:{new_id}", after=row), at=now)
    return int(new_id)


def set_introduction_status(engine: Engine, introduction_id: int, *, expected: str, status: str, reason: str = "",
                            value_band: str = "", by_user: int | None, by_label: str, accepted: bool,
                            audit: AuditRecord) -> bool:
    """Move an introduction from `expected` to `status` with a dated step; False (nothing written) when its
    status is no longer `expected` (another person moved it meanwhile)."""
    i = m.Introduction
    now = _now()
    changes: dict = {"status": status, "updated_at": now}
    if accepted:
        changes["accepted_at"] = now
    with write_transaction(engine) as conn:
        done = conn.execute(update(i).where(i.id == introduction_id, i.status == expected).values(**changes))
        if done.rowcount != 1:
            return False
        conn.execute(insert(m.IntroductionEvent).values(introduction_id=introduction_id, at=now, by_user=by_user,
                                                        by_label=by_label[:300], status=status, reason=reason,
                                                        value_band=value_band))
        write_audit(conn, replace(audit, target=f"introduction:{introduction_id}", before={"status": expected},
                                  after={"status": status, "reason": reason, "value_band": value_band}), at=now)
    return True


def contacts_of(engine: Engine, sirets: Iterable[str]) -> pd.DataFrame:
    """(siret, display_name, email) of the active accounts that speak for these establishments."""
    u, link = m.UserAccount, m.UserEstablishment
    return _frame(engine, select(link.siret, u.display_name, u.email).join(u, u.id == link.user_id)
                  .where(link.siret.in_(list(sirets)), u.is_active.is_(True)).order_by(link.siret, u.email))


def meeting_sides(engine: Engine, meeting_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """The establishments (SIRET or demo id) of each event meeting's two participants, by meeting id (unknown
    meetings left out; a participant without an establishment left out of its pair)."""
    mt, ex, vi = m.Meeting, m.Participant.__table__.alias("ex"), m.Participant.__table__.alias("vi")
    out: dict[int, tuple[str, ...]] = {}
    with engine.connect() as conn:
        for chunk in _chunks(sorted(set(meeting_ids))):
            rows = conn.execute(select(mt.id, ex.c.siret, vi.c.siret).join(ex, ex.c.id == mt.exhibitor_id)
                                .join(vi, vi.c.id == mt.visitor_id).where(mt.id.in_(chunk))).all()
            out.update({int(i): tuple(str(s) for s in (a, b) if s) for i, a, b in rows})
    return out


def meeting_sirets(engine: Engine, meeting_id: int) -> tuple[str, ...]:
    """The establishments of one event meeting's participants; () for an unknown meeting."""
    return meeting_sides(engine, [meeting_id]).get(meeting_id, ())


def meeting_times(engine: Engine, meeting_ids: Iterable[int]) -> dict[int, dt.datetime]:
    """When these event meetings start, by id (unknown ids left out)."""
    mt = m.Meeting
    out: dict[int, dt.datetime] = {}
    with engine.connect() as conn:
        for chunk in _chunks(sorted(set(meeting_ids))):
            out.update(dict(conn.execute(select(mt.id, mt.starts_at).where(mt.id.in_(chunk))).all()))
    return out


# --- The demo -------------------------------------------------------------------------------------------

def replace_demo_network(engine: Engine, *, needs: list[dict], offers: list[dict], introductions: list[dict],
                         events: list[dict]) -> None:
    """Replace the demo's needs, offers and introductions (rows with is_demo) in one transaction.

    Introductions name their need and offer by position in `needs` / `offers` (`need`, `offer`); events name
    their introduction by position (`introduction`)."""
    with write_transaction(engine) as conn:
        demo_intros = select(m.Introduction.id).where(m.Introduction.is_demo.is_(True)).scalar_subquery()
        conn.execute(delete(m.IntroductionEvent).where(m.IntroductionEvent.introduction_id.in_(demo_intros)))
        _rows.delete_demo(conn, m.Introduction, m.NetworkNeed, m.NetworkOffer)
        need_ids = _rows.inserted_ids(conn, m.NetworkNeed, needs)
        offer_ids = _rows.inserted_ids(conn, m.NetworkOffer, offers)
        intro_ids = []
        for row in introductions:
            values = {k: v for k, v in row.items() if k not in ("need", "offer")}
            values["need_id"] = need_ids[row["need"]] if row.get("need") is not None else None
            values["offer_id"] = offer_ids[row["offer"]] if row.get("offer") is not None else None
            intro_ids.append(_inserted_id(conn, insert(m.Introduction).values(**values)))
        steps = [{k: v for k, v in e.items() if k != "introduction"} | {"introduction_id": intro_ids[e["introduction"]]}
                 for e in events]
        for chunk in _chunks(steps, 2000):
            conn.execute(insert(m.IntroductionEvent), chunk)


def has_demo_network(engine: Engine) -> bool:
    return _rows.has_demo(engine, m.NetworkNeed)
