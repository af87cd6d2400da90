"""Helpers shared by the repository modules (reads into DataFrames, chunked IN lists, dataset versions)."""

from __future__ import annotations

import datetime as dt
import functools

import pandas as pd
from sqlalchemy import Engine, String, select, update

from dashboard import models as m


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    present = [c for c in columns if c in frame.columns]
    out = frame[present].astype(object).where(frame[present].notna(), None)
    return out.to_dict("records")


@functools.cache
def _text_limits(model) -> dict[str, int]:
    """Length of each free-text column (codes, keys and references excluded: those are validated, never cut)."""
    return {c.name: c.type.length for c in model.__table__.columns
            if isinstance(c.type, String) and c.type.length and not c.primary_key and not c.foreign_keys}


def _fit(model, rows: list[dict]) -> list[dict]:
    """Free text cut to its column's length, as the importers cut names: PostgreSQL refuses a longer value
    where SQLite would keep it, so both backends store the same text."""
    limits = _text_limits(model)
    return [{k: v[:limits[k]] if k in limits and isinstance(v, str) else v for k, v in row.items()} for row in rows]


def _fit_frame(model, frame: pd.DataFrame) -> pd.DataFrame:
    """`_fit` for a whole frame (vectorised: a dataset has up to a million rows)."""
    out = frame.copy()
    for name, length in _text_limits(model).items():
        if name in out.columns and out[name].dtype == object:
            too_long = out[name].str.len() > length
            if too_long.any():
                out.loc[too_long, name] = out.loc[too_long, name].str.slice(0, length)
    return out


def _frame(engine: Engine, statement) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(statement)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _table(engine: Engine, model, order) -> pd.DataFrame:
    return _frame(engine, select(*model.__table__.columns).order_by(order))


_IN_CHUNK = 500  # ids per IN (…) list: well under SQLite's bound-parameter limit


def _chunks(values: list, size: int = _IN_CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _inserted_id(conn, statement) -> int:
    """Execute a one-row INSERT and return the primary key the database assigned."""
    key = conn.execute(statement).inserted_primary_key
    if key is None:  # SQLAlchemy gives None only for executemany, never for a single-row insert
        raise RuntimeError("the INSERT reported no primary key")
    return key[0]


def _bump_version(conn, dataset_id: int) -> None:
    conn.execute(update(m.Dataset).where(m.Dataset.id == dataset_id).values(version=m.Dataset.version + 1))
