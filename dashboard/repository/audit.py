"""The audit log: one row per change, written inside the change's own transaction (both land or neither)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select

from dashboard import models as m
from dashboard.database import write_transaction
from dashboard.repository._base import _frame

_VALUE_CHARS = 4000  # the before/after columns' length: longer JSON is cut with a visible marker


@dataclass(frozen=True)
class AuditRecord:
    """What a write reports: who (account id and label), the action, its target and the values around it."""

    actor_id: int | None
    actor: str
    action: str
    target: str
    before: Any = None
    after: Any = None
    address: str = ""


def _json(value: Any) -> str:
    if value is None:
        return ""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= _VALUE_CHARS else text[:_VALUE_CHARS - 1] + "…"


def write_audit(conn: Connection, record: AuditRecord, *, at: dt.datetime | None = None) -> None:
    """Append `record` on `conn` (the caller's transaction)."""
    conn.execute(insert(m.AuditEntry).values(
        at=at or dt.datetime.now(dt.UTC).replace(tzinfo=None), actor_id=record.actor_id, actor=record.actor[:300],
        action=record.action[:60], target=record.target[:200], before=_json(record.before),
        after=_json(record.after), address=record.address[:64]))


def record_audit(engine: Engine, record: AuditRecord) -> None:
    """Append `record` in a transaction of its own (for changes made outside the repository, e.g. sign-ins)."""
    with write_transaction(engine) as conn:
        write_audit(conn, record)


def audit_entries(engine: Engine, *, limit: int = 500, offset: int = 0, action: str | None = None) -> pd.DataFrame:
    """The newest entries first (times in UTC); `action` filters on one action or a prefix ending in '.'."""
    a = m.AuditEntry
    statement = select(a.id, a.at, a.actor, a.action, a.target, a.before, a.after, a.address)
    if action:
        statement = statement.where(a.action.startswith(action) if action.endswith(".") else a.action == action)
    return _frame(engine, statement.order_by(a.id.desc()).limit(limit).offset(offset))


def audit_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(m.AuditEntry)).scalar_one())
