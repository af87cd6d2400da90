"""Practice sheets and their review history. Every write is one transaction with its audit entry; status
changes are compare-and-set, so two reviewers clicking at once cannot both move a sheet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

import pandas as pd
from sqlalchemy import Engine, delete, insert, select, update

from dashboard import models as m
from dashboard.database import write_transaction
from dashboard.repository._base import _chunks, _fit, _frame, _inserted_id
from dashboard.repository.audit import AuditRecord, write_audit


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _columns(model) -> list:
    return list(model.__table__.columns)


def practices_frame(engine: Engine, *, statuses: Iterable[str] | None = None,
                    site_sirets: Iterable[str] | None = None) -> pd.DataFrame:
    """Practice sheets (with these statuses, of these sites, when given), most recently changed first."""
    s = m.PracticeSheet
    statement = select(*_columns(s))
    if statuses is not None:
        statement = statement.where(s.status.in_(list(statuses)))
    if site_sirets is not None:
        statement = statement.where(s.site_siret.in_(list(site_sirets)))
    return _frame(engine, statement.order_by(s.updated_at.desc(), s.id.desc()))


def practice_by_id(engine: Engine, sheet_id: int) -> dict | None:
    s = m.PracticeSheet
    with engine.connect() as conn:
        row = conn.execute(select(*_columns(s)).where(s.id == sheet_id)).mappings().first()
    return dict(row) if row else None


def practice_reviews(engine: Engine, sheet_ids: Iterable[int]) -> pd.DataFrame:
    """The status history of these sheets, oldest first."""
    r = m.PracticeReview
    ids = list(sheet_ids)
    frames = [_frame(engine, select(*_columns(r)).where(r.sheet_id.in_(chunk)).order_by(r.at, r.id))
              for chunk in _chunks(ids)]
    if not frames:
        return _frame(engine, select(*_columns(r)).where(r.id == -1))
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def insert_practice(engine: Engine, row: dict, *, by_label: str, audit: AuditRecord) -> int:
    """A new sheet at `row["status"]` (draft or submitted: then its first history step is written too)."""
    now = _now()
    values = _fit(m.PracticeSheet, [{"created_at": now, "updated_at": now, **row}])[0]
    with write_transaction(engine) as conn:
        new_id = _inserted_id(conn, insert(m.PracticeSheet).values(**values))
        if row["status"] != "draft":
            conn.execute(insert(m.PracticeReview).values(sheet_id=new_id, at=now, by_user=row.get("created_by"),
                                                         by_label=by_label[:300], from_status="draft",
                                                         to_status=row["status"], comment=""))
        write_audit(conn, replace(audit, target=f"practice:{new_id}", after=row), at=now)
    return int(new_id)


def update_practice(engine: Engine, sheet_id: int, changes: dict, *, expected: Iterable[str],
                    audit: AuditRecord, review: dict | None = None) -> bool:
    """Change a sheet whose status is still one of `expected` (and record `review`, a status step, with it);
    False, nothing written, when it is not (someone moved it meanwhile) or does not exist."""
    s = m.PracticeSheet
    now = _now()
    wanted = list(expected)
    with write_transaction(engine) as conn:
        before = conn.execute(select(*_columns(s)).where(s.id == sheet_id)).mappings().first()
        if before is None or before["status"] not in wanted:
            return False
        values = _fit(m.PracticeSheet, [{**changes, "updated_at": now}])[0]
        done = conn.execute(update(s).where(s.id == sheet_id, s.status == before["status"]).values(**values))
        if done.rowcount != 1:
            return False
        if review is not None:
            conn.execute(insert(m.PracticeReview).values(sheet_id=sheet_id, at=now, from_status=before["status"],
                                                         **{**review, "by_label": review["by_label"][:300]}))
        write_audit(conn, replace(audit, target=f"practice:{sheet_id}", before={k: before[k] for k in changes},
                                  after=changes), at=now)
    return True


# --- The demo -------------------------------------------------------------------------------------------

def replace_demo_practices(engine: Engine, *, sheets: list[dict], reviews: list[dict]) -> None:
    """Replace the demo's sheets (rows with is_demo) and their history in one transaction; reviews name their
    sheet by position in `sheets` (`sheet`)."""
    with write_transaction(engine) as conn:
        demo = select(m.PracticeSheet.id).where(m.PracticeSheet.is_demo.is_(True)).scalar_subquery()
        conn.execute(delete(m.PracticeReview).where(m.PracticeReview.sheet_id.in_(demo)))
        conn.execute(delete(m.PracticeSheet).where(m.PracticeSheet.is_demo.is_(True)))
        sheet_ids = [_inserted_id(conn, insert(m.PracticeSheet).values(**row))
                     for row in _fit(m.PracticeSheet, sheets)]
        steps = [{k: v for k, v in r.items() if k != "sheet"} | {"sheet_id": sheet_ids[r["sheet"]]} for r in reviews]
        if steps:
            conn.execute(insert(m.PracticeReview), steps)


def has_demo_practices(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(m.PracticeSheet.id).where(m.PracticeSheet.is_demo.is_(True)).limit(1)).first() \
            is not None
