"""French display formats: numbers `12 345,6`, percentages `12,5 %`, dates `26/11/2026`.

Negative numbers on screen (pages, figures' text, PDF) carry the minus sign U+2212 (`−3`), as plotly's axes do;
files meant for a spreadsheet (CSV, Excel: dashboard/exports.py) keep numbers as numbers (hyphen-minus).
"""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

NBSP = "\u00a0"  # keeps "12 345" on one line
MINUS = "\u2212"  # the minus sign of every negative number shown


def fr_number(value: float | int | None, decimals: int = 0) -> str:
    """`12345.6` -> `12 345,6` (non-breaking space grouping), `-3` -> `−3`; None/NaN -> `–`."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    if text.startswith("-"):  # `-0,0` (a tiny negative rounded away) reads as zero
        text = text[1:] if text.strip("-0,") == "" else MINUS + text[1:]
    return text


def fr_signed(value: float | int | None, decimals: int = 0) -> str:
    """A change with its sign: `+162`, `−267`, `0`; None/NaN -> `–`."""
    text = fr_number(value, decimals)
    return "+" + text if text[0].isdigit() and text.strip("0,") != "" else text


def fr_percent(share: float | None, decimals: int = 1) -> str:
    """A share in [0, 1] as `12,5 %`."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    return f"{fr_number(share * 100, decimals)}{NBSP}%"


OPTION_TEXT_MAX = 120  # characters of a name shown in a dropdown option


def short_text(text: str, limit: int = OPTION_TEXT_MAX) -> str:
    """`text` cut to `limit` characters with an ellipsis: an imported name can be kilobytes long, and a
    dropdown of hundreds of such options freezes the browser."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


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
