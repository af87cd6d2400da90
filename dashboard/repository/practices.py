"""Practice sheets and their review history. Every write is one transaction with its audit entry; status
changes are compare-and-set, so two reviewers clicking at once cannot both move a sheet."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import pandas as pd
from sqlalchemy import Engine, delete, insert, select, update

from dashboard import models as m
from dashboard.database import write_transaction
from dashboard.repository import _rows
from dashboard.repository._base import _fit, _inserted_id, _now
from dashboard.repository.audit import AuditRecord, write_audit


def practices_frame(engine: Engine, *, statuses: Iterable[str] | None = None,
                    site_sirets: Iterable[str] | None = None) -> pd.DataFrame:
    """Practice sheets (with these statuses, of these sites, when given), most recently changed first."""
    s = m.PracticeSheet
    return _rows.changed_first(engine, s, None if statuses is None else s.status.in_(list(statuses)),
                               None if site_sirets is None else s.site_siret.in_(list(site_sirets)))


def practice_by_id(engine: Engine, sheet_id: int) -> dict | None:
    return _rows.one(engine, m.PracticeSheet, sheet_id)


def practice_reviews(engine: Engine, sheet_ids: Iterable[int]) -> pd.DataFrame:
    """The status history of these sheets, oldest first."""
    r = m.PracticeReview
    return _rows.rows_in(engine, r, r.sheet_id, sheet_ids, r.at, r.id)


def insert_practice(engine: Engine, row: dict, *, by_label: str, audit: AuditRecord) -> int:
    """A new sheet at `row["status"]` (draft or submitted: then its first history step is written too)."""
    now = _now()
    values = _rows.new_row(m.PracticeSheet, row, now)
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
        before = _rows.row_in(conn, s, sheet_id)
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
        _rows.delete_demo(conn, m.PracticeSheet)
        sheet_ids = _rows.inserted_ids(conn, m.PracticeSheet, sheets)
        steps = [{k: v for k, v in r.items() if k != "sheet"} | {"sheet_id": sheet_ids[r["sheet"]]} for r in reviews]
        if steps:
            conn.execute(insert(m.PracticeReview), steps)


def has_demo_practices(engine: Engine) -> bool:
    return _rows.has_demo(engine, m.PracticeSheet)
