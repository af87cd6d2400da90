"""French display formats: numbers `12 345,6`, percentages `12,5 %`, dates `26/11/2026`."""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

NBSP = "\u00a0"  # keeps "12 345" on one line


def fr_number(value: float | int | None, decimals: int = 0) -> str:
    """`12345.6` -> `12 345,6` (non-breaking thin-space grouping); None/NaN -> `–`."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", NBSP).replace(".", ",")


def fr_percent(share: float | None, decimals: int = 1) -> str:
    """A share in [0, 1] as `12,5 %`."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    return f"{fr_number(share * 100, decimals)}{NBSP}%"


def fr_date(value: dt.date | dt.datetime | None) -> str:
    """`2026-11-26` -> `26/11/2026`."""
    return value.strftime("%d/%m/%Y") if value else "–"


PARIS = ZoneInfo("Europe/Paris")


def fr_datetime(value: dt.datetime | None) -> str:
    """A UTC time stored without zone -> Paris time, `26/11/2026 14:05`."""
    if value is None:
        return "–"
    local = value.replace(tzinfo=dt.UTC).astimezone(PARIS) if value.tzinfo is None else value.astimezone(PARIS)
    return local.strftime("%d/%m/%Y %H:%M")
