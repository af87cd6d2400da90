"""The one French CSV/XLSX writer behind every download button and `.csv` API route, formula-safe.

CSV: UTF-8 with BOM, `;`, CRLF, decimal comma without grouping (`12345,6`), dates `dd/mm/yyyy`, booleans
`oui`/`non`, empty cell for a missing value. XLSX: real numbers and dates (`dd/mm/yyyy` format), bold frozen
header, widths from the content. Text that a spreadsheet would run as a formula (OWASP "CSV injection":
first character `=`, `+`, `-`, `@`, tab or carriage return) is prefixed with `'` in CSV and written as a
string cell, never a formula, in XLSX. Numbers stay numbers: -3 is a number, "-3" text is text.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import math
import numbers
import re
from collections.abc import Hashable, Mapping
from decimal import Decimal

import numpy as np
import pandas as pd
from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dashboard.services.downloads import ExportFile

CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIMETYPES = {"csv": CSV_MIMETYPE, "xlsx": XLSX_MIMETYPE}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
PARIS = "Europe/Paris"
_XLSX_MAX_TEXT = 32_767  # Excel's limit for one cell
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_WIDTH_MIN, _WIDTH_MAX = 8, 60
_BOLD = Font(bold=True)

Labels = Mapping[Hashable, Mapping[Hashable, str]]
Cell = str | int | float | dt.date | dt.datetime | None


class ExportFormatError(ValueError):
    """An export format other than csv or xlsx was asked for."""


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet would read `text` as a formula (or strip its first character)."""
    return text.startswith(FORMULA_PREFIXES)


def csv_text(text: str) -> str:
    """`text` made inert for a spreadsheet opening the CSV: formula-like text gets a leading `'`."""
    return "'" + text if is_formula_like(text) else text


def _naive_paris(moment: dt.datetime) -> dt.datetime:
    # Spreadsheets have no time zones: aware moments are shown as Paris wall-clock time.
    if moment.tzinfo is None:
        return moment
    return pd.Timestamp(moment).tz_convert(PARIS).tz_localize(None).to_pydatetime()


def _cell(value: object) -> Cell:
    """One value as what both writers know: None, text, int, float, date or datetime."""
    # Cheap concrete checks first (most cells are text or numbers), abstract ones (numbers.*) last.
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float):  # numpy floats included
        return value if math.isfinite(value) else None  # NaN and ±inf: no value to show
    if isinstance(value, (bool, np.bool_)):
        return "oui" if value else "non"
    if isinstance(value, int):
        return value
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, (numbers.Real, Decimal)):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, dt.datetime):  # pd.Timestamp included
        moment = _naive_paris(value.to_pydatetime() if isinstance(value, pd.Timestamp) else value)
        return moment.date() if moment.time() == dt.time(0) else moment.replace(microsecond=0)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _column(series: pd.Series, mapping: Mapping[Hashable, str] | None) -> list[Cell]:
    values = series.astype(object).tolist()
    if mapping:
        values = [mapping.get(v, v) if isinstance(v, Hashable) else v for v in values]
    return [_cell(v) for v in values]


def _table(frame: pd.DataFrame, labels: Labels | None) -> tuple[list[str], list[list[Cell]]]:
    """Headers and cell columns of `frame` (its index is not exported: reset it to keep it)."""
    labels = labels or {}
    headers = [str(c) for c in frame.columns]
    columns = [_column(frame.iloc[:, i], labels.get(c)) for i, c in enumerate(frame.columns)]
    return headers, columns


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return csv_text(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return np.format_float_positional(value, trim="-").replace(".", ",")
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def csv_bytes(frame: pd.DataFrame, *, labels: Labels | None = None) -> bytes:
    """`frame` as a French CSV (UTF-8 with BOM, `;`, decimal comma); `labels`: {column: {code: label}}."""
    headers, columns = _table(frame, labels)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_text(h) for h in headers])
    writer.writerows([_csv_cell(v) for v in row] for row in zip(*columns))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_text(text: str) -> str:
    # openpyxl refuses control characters other than tab/LF/CR; Excel refuses over-long cells.
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:_XLSX_MAX_TEXT]


def _xlsx_cell(sheet, value: Cell, *, font: Font | None = None):
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=_xlsx_text(value))
        cell.data_type = "s"  # text, even when it starts with "=": never a formula
    elif isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
    else:
        return value if font is None else WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    return cell


def _width(header: str, values: list[Cell]) -> float:
    longest = max([len(header), *(len(v) if isinstance(v, str) else len(_csv_cell(v)) for v in values)])
    return float(min(_WIDTH_MAX, max(_WIDTH_MIN, longest + 2)))


def sheet_title(name: str) -> str:
    """A valid Excel sheet name: no `[]:*?/\\`, at most 31 characters, never empty."""
    return _SHEET_FORBIDDEN.sub(" ", _xlsx_text(str(name))).strip()[:31] or "Feuille"


def workbook_bytes(sheets: Mapping[str, pd.DataFrame], *, labels: Labels | None = None) -> bytes:
    """One XLSX workbook, a sheet per frame in order: bold frozen header, real numbers and dates."""
    book = Workbook(write_only=True)
    for name, frame in sheets.items():
        sheet = book.create_sheet(sheet_title(name))
        headers, columns = _table(frame, labels)
        # Write-only sheets take widths and panes before the first row.
        for i, (header, values) in enumerate(zip(headers, columns), start=1):
            sheet.column_dimensions[get_column_letter(i)].width = _width(header, values)
        sheet.freeze_panes = "A2"
        sheet.append([_xlsx_cell(sheet, h, font=_BOLD) for h in headers])
        for row in zip(*columns):
            sheet.append([_xlsx_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(frame: pd.DataFrame, *, sheet: str = "Données", labels: Labels | None = None,
               extra_sheets: Mapping[str, pd.DataFrame] | None = None) -> bytes:
    """`frame` as the first sheet of an XLSX workbook, then `extra_sheets` (parameters, sources...)."""
    return workbook_bytes({sheet: frame, **(extra_sheets or {})}, labels=labels)


def export_bytes(frame: pd.DataFrame, fmt: str, *, sheet: str = "Données", labels: Labels | None = None,
                 extra_sheets: Mapping[str, pd.DataFrame] | None = None) -> bytes:
    """CSV or XLSX bytes of `frame`; a CSV holds one table, so `extra_sheets` only go to XLSX."""
    if fmt == "csv":
        return csv_bytes(frame, labels=labels)
    if fmt == "xlsx":
        return xlsx_bytes(frame, sheet=sheet, labels=labels, extra_sheets=extra_sheets)
    raise ExportFormatError(f"Format d'export inconnu : « {fmt} » (csv ou xlsx).")


def download(frame: pd.DataFrame, filename: str, fmt: str, *, sheet: str = "Données", labels: Labels | None = None,
             extra_sheets: Mapping[str, pd.DataFrame] | None = None) -> dict:
    """The dcc.Download payload (as dcc.send_bytes builds it) of `frame` saved as `filename`.`fmt`."""
    content = export_bytes(frame, fmt, sheet=sheet, labels=labels, extra_sheets=extra_sheets)
    return {"content": base64.b64encode(content).decode("ascii"), "filename": f"{filename}.{fmt}",
            "type": MIMETYPES[fmt], "base64": True}


def csv_response(frame: pd.DataFrame, filename: str, *, labels: Labels | None = None) -> Response:
    """A Flask attachment response of `frame` as a French CSV named `filename`.csv."""
    return Response(csv_bytes(frame, labels=labels), mimetype=CSV_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'})


def download_file(file: ExportFile, fmt: str) -> dict:
    """The dcc.Download payload of a service's ExportFile as `fmt` (csv or xlsx)."""
    return download(file.frame, file.filename, fmt, sheet=file.sheet, extra_sheets=file.extra_sheets or None)
