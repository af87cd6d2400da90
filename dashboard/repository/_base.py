"""Helpers shared by the repository modules (reads into DataFrames, chunked IN lists, dataset versions)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select, update

from dashboard import models as m


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    present = [c for c in columns if c in frame.columns]
    out = frame[present].astype(object).where(frame[present].notna(), None)
    return out.to_dict("records")


def _frame(engine: Engine, statement) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(statement)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def _table(engine: Engine, model, order) -> pd.DataFrame:
    return _frame(engine, select(*model.__table__.columns).order_by(order))


_IN_CHUNK = 500  # ids per IN (…) list: well under SQLite's bound-parameter limit


def _chunks(values: list, size: int = _IN_CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _bump_version(conn, dataset_id: int) -> None:
    conn.execute(update(m.Dataset).where(m.Dataset.id == dataset_id).values(version=m.Dataset.version + 1))
