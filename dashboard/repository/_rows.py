"""Row helpers shared by the topic modules whose tables have an integer id (network, practices, circles):
one row by id, child rows of one parent or of many, and the demo rows' delete, insert and presence check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

import pandas as pd
from sqlalchemy import Engine, delete, insert, select, update

from dashboard.database import write_transaction
from dashboard.repository._base import _chunks, _fit, _frame, _inserted_id, _now
from dashboard.repository.audit import AuditRecord, write_audit


def columns(model) -> list:
    return list(model.__table__.columns)


def row_in(conn, model, row_id: int) -> dict | None:
    """The row of `model` with this id, read on an open connection, as a dict (None when there is none)."""
    row = conn.execute(select(*columns(model)).where(model.id == row_id)).mappings().first()
    return dict(row) if row else None


def one(engine: Engine, model, row_id: int) -> dict | None:
    """The row of `model` with this id as a dict, or None."""
    with engine.connect() as conn:
        return row_in(conn, model, row_id)


def rows_of(engine: Engine, model, parent, parent_id: int | None, *order) -> pd.DataFrame:
    """Rows of `model` (those whose `parent` column is `parent_id`, when given) in `order`."""
    statement = select(*columns(model))
    if parent_id is not None:
        statement = statement.where(parent == parent_id)
    return _frame(engine, statement.order_by(*order))


def changed_first(engine: Engine, model, *conditions) -> pd.DataFrame:
    """Rows of `model` meeting every one of `conditions` (None ones skipped), most recently changed first."""
    statement = select(*columns(model)).where(*(c for c in conditions if c is not None))
    return _frame(engine, statement.order_by(model.updated_at.desc(), model.id.desc()))


def rows_in(engine: Engine, model, parent, parent_ids: Iterable[int], *order) -> pd.DataFrame:
    """Rows of `model` whose `parent` column is one of `parent_ids`, in `order`, read in chunked IN lists."""
    frames = [_frame(engine, select(*columns(model)).where(parent.in_(chunk)).order_by(*order))
              for chunk in _chunks(list(parent_ids))]
    if not frames:
        return _frame(engine, select(*columns(model)).where(model.id == -1))
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def new_row(model, row: dict, now: dt.datetime) -> dict:
    """The values of a new row of `model` created and updated `now` (text fitted to its columns)."""
    return _fit(model, [{"created_at": now, "updated_at": now, **row}])[0]


def update_row(engine: Engine, model, row_id: int, changes: dict, audit: AuditRecord, kind: str) -> bool:
    """Change some fields of one row (and its updated_at) with its audit entry `kind:id`; False when it is gone."""
    now = _now()
    with write_transaction(engine) as conn:
        before = row_in(conn, model, row_id)
        if before is None:
            return False
        values = _fit(model, [{**changes, "updated_at": now}])[0]
        conn.execute(update(model).where(model.id == row_id).values(**values))
        write_audit(conn, replace(audit, target=f"{kind}:{row_id}", before={k: before[k] for k in changes},
                                  after=changes), at=now)
    return True


def inserted_ids(conn, model, rows: list[dict]) -> list[int]:
    """Insert these rows of `model` one by one (text fitted to its columns); their new ids, in order."""
    return [_inserted_id(conn, insert(model).values(**row)) for row in _fit(model, rows)]


def delete_demo(conn, *models) -> None:
    """Delete the demo rows (is_demo) of each of these models, in the order given."""
    for model in models:
        conn.execute(delete(model).where(model.is_demo.is_(True)))


def has_demo(engine: Engine, model) -> bool:
    """Whether `model` holds at least one demo row (is_demo)."""
    with engine.connect() as conn:
        return conn.execute(select(model.id).where(model.is_demo.is_(True)).limit(1)).first() is not None
