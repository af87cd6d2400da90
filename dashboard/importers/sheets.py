"""Read the small tables people prepare or download (members, BMO, training, events, indicators…): CSV or XLSX.

A CSV may be UTF-8 (with or without the BOM Excel writes), UTF-16 with a BOM (Excel's "Texte Unicode") or,
unless the importer asks for UTF-8 only, Windows-1252 (Excel's "CSV (séparateur: point-virgule)"), then
Latin-1. Its separator is the most frequent of `;`, `,` and tab on the first line. A workbook is read with
openpyxl (cell values, not formulas), from the sheet asked for, the best ranked one or the first one.

Every row keeps its number: the physical line where a CSV record starts (a quoted cell may hold line
breaks; the header is line 1), or the worksheet row. Every problem is a FileFormatError naming the file
(and the line when there is one): no traceback reaches the user.

The Sirene stock files are not read here: `reading.py` streams them at byte level.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from dashboard.importers.errors import FileFormatError

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

Cell = str | int | float | bool | dt.datetime | dt.date | dt.time | dt.timedelta | None
SheetRank = Callable[[str, Sequence[Cell]], int]  # (sheet title, header) -> rank; the best positive rank wins

SEPARATORS = (";", ",", "\t")
_XLSX_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # the OLE container of Excel 97-2003 .xls files
_UTF8_HINT = 'in Excel, save as "CSV UTF-8" or as .xlsx'
# What a damaged workbook raises while openpyxl streams its XML (lxml's and ElementTree's parse errors are
# SyntaxErrors); any of them means the file cannot be read, whatever its cause.
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, TypeError, OSError, SyntaxError)


class Line(NamedTuple):
    """One row of a table and its number (CSV line where the record starts, or worksheet row)."""

    number: int
    values: list[Cell]

    def value(self, position: int | None) -> Cell:
        """The cell at `position` (None when the position is None or past the end of the row)."""
        return None if position is None or position >= len(self.values) else self.values[position]

    def text(self, position: int | None) -> str:
        """The cell at `position` as text ('' when the position is None or past the end of the row)."""
        if position is None or position >= len(self.values):
            return ""
        value = self.values[position]
        return value.strip() if type(value) is str else cell_text(value)  # CSV cells: the fast path

    def text_by_name(self, columns: Mapping[str, int | None]) -> Callable[[str], str]:
        """A function: column name -> the text of that column in this row ('' for a column the file lacks)."""
        return lambda name: self.text(columns.get(name))

    def is_blank(self) -> bool:
        return all(v is None or (type(v) is str and not v.strip()) for v in self.values)


@dataclass(frozen=True)
class Sheet:
    """The rows of one CSV file or one worksheet, the header first."""

    path: Path
    name: str  # the worksheet title, or the file name of a CSV
    rows: list[Line]
    encoding: str | None = None  # how a CSV was decoded ('utf-8', 'utf-16', 'cp1252', 'latin-1'); None for XLSX

    @property
    def header(self) -> list[Cell]:
        return self.rows[0].values if self.rows else []

    def columns(self, canonical: Callable[[Cell], str | None]) -> dict[str, int]:
        """Internal column name -> position of its first header cell (cells `canonical` maps to None are left out)."""
        positions: dict[str, int] = {}
        for i, header in enumerate(self.header):
            name = canonical(header)
            if name and name not in positions:
                positions[name] = i
        return positions

    def records(self) -> list[Line]:
        """The rows after the header, blank rows left out."""
        return [row for row in self.rows[1:] if not row.is_blank()]


def cell_text(value: Cell) -> str:
    """A cell as the person who typed it reads it: '' for empty, 57463.0 -> '57463', TRUE -> 'oui', dates ISO."""
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):  # Excel stores a date as a datetime at midnight
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read_sheet(path: Path | str, *, sheet: str | None = None, rank: SheetRank | None = None,
               wanted: str | None = None, hint: str = "", utf8_only: bool = False) -> Sheet:
    """The rows of a CSV, or of one worksheet of an XLSX workbook; FileFormatError before any row is used.

    In a workbook: the sheet titled `sheet` when given; else the first of the best `rank`ed sheets (rank > 0);
    else, when `wanted` describes the sheet needed (e.g. "sheet named like BMO_2025_open_data"), an error
    listing the sheets, otherwise the first sheet. `hint` ends the sheet errors (e.g. "; use --sheet").
    `utf8_only` refuses a CSV in a legacy encoding instead of reading it as Windows-1252.
    """
    path = _existing(path)
    if _is_workbook(path):
        return _read_workbook(path, sheet=sheet, rank=rank, wanted=wanted, hint=hint)
    return _read_csv(path, utf8_only=utf8_only)


def read_sheets(path: Path | str, *, utf8_only: bool = False) -> list[Sheet]:
    """Every non-empty worksheet of an XLSX workbook in order, or the one table of a CSV."""
    path = _existing(path)
    if not _is_workbook(path):
        return [_read_csv(path, utf8_only=utf8_only)]
    book = _open_workbook(path)
    try:
        sheets = [Sheet(path, ws.title, _worksheet_rows(path, ws)) for ws in book.worksheets]
    finally:
        book.close()
    found = [s for s in sheets if any(not row.is_blank() for row in s.rows)]
    if not found:
        raise FileFormatError(path, "the file is empty")
    return found


# --- file kind ---------------------------------------------------------------------------------

def _existing(path: Path | str) -> Path:
    path = Path(path)
    if not path.is_file():
        raise FileFormatError(path, "file not found")
    return path


def _is_workbook(path: Path) -> bool:
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if not magic:
        raise FileFormatError(path, "the file is empty")
    if magic == _XLS_MAGIC:
        raise FileFormatError(path, "is an Excel 97-2003 workbook (.xls): save it as .xlsx or as \"CSV UTF-8\"")
    return magic in (_XLSX_MAGIC, _EMPTY_ZIP_MAGIC)


# --- CSV ---------------------------------------------------------------------------------------

def _read_csv(path: Path, *, utf8_only: bool) -> Sheet:
    text, encoding = _decode(path, path.read_bytes(), utf8_only=utf8_only)
    first_line = text.split("\n", 1)[0]
    separator = max(SEPARATORS, key=first_line.count)  # a tie (one column) keeps `;`
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    rows: list[Line] = []
    start = 1
    try:
        for values in reader:  # a quoted cell may hold line breaks: a row is numbered by its first line
            rows.append(Line(start, list(values)))
            start = reader.line_num + 1
    except csv.Error as err:
        if "field limit" in str(err):
            limit = csv.field_size_limit()
            raise FileFormatError(path, f"line {start} holds a cell longer than {limit // 1024} KB "
                                        "(a quotation mark left open?)") from None
        raise FileFormatError(path, f"line {start} cannot be read as CSV ({err})") from None
    if all(row.is_blank() for row in rows):
        raise FileFormatError(path, "the file is empty")
    return Sheet(path, path.name, rows, encoding)


def _decode(path: Path, data: bytes, *, utf8_only: bool) -> tuple[str, str]:
    """(text, encoding): UTF-16 by its BOM, else UTF-8 (BOM dropped), else Windows-1252, else Latin-1."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as err:
            raise FileFormatError(path, f"is not valid UTF-16 ({err.reason}); {_UTF8_HINT}") from None
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as err:
        if utf8_only:
            line = data.count(b"\n", 0, err.start) + 1
            raise FileFormatError(path, f"is not UTF-8 ({err.reason} on line {line}); {_UTF8_HINT}") from None
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:  # five bytes cp1252 leaves undefined: Latin-1 reads every byte
        return data.decode("latin-1"), "latin-1"


# --- XLSX --------------------------------------------------------------------------------------

def _read_workbook(path: Path, *, sheet: str | None, rank: SheetRank | None, wanted: str | None,
                   hint: str) -> Sheet:
    book = _open_workbook(path)
    try:
        titles = list(book.sheetnames)
        if not titles:
            raise FileFormatError(path, "the file is empty")
        chosen = _choose_sheet(path, book, titles, sheet=sheet, rank=rank, wanted=wanted, hint=hint)
        rows = _worksheet_rows(path, book[chosen])
    finally:
        book.close()
    if all(row.is_blank() for row in rows):
        raise FileFormatError(path, "the file is empty" if len(titles) == 1 else f"the sheet {chosen!r} is empty")
    return Sheet(path, chosen, rows)


def _choose_sheet(path: Path, book: Workbook, titles: list[str], *, sheet: str | None, rank: SheetRank | None,
                  wanted: str | None, hint: str) -> str:
    if sheet is not None:
        if sheet not in titles:
            raise FileFormatError(path, f"has no sheet {sheet!r} (sheets: {', '.join(titles)}){hint}")
        return sheet
    if rank is not None:
        best, best_rank = None, 0
        for title in titles:
            value = rank(title, _header(path, book[title]))
            if value > best_rank:
                best, best_rank = title, value
        if best is not None:
            return best
    if wanted:
        raise FileFormatError(path, f"has no {wanted} (sheets: {', '.join(titles)}){hint}")
    return titles[0]


def _open_workbook(path: Path) -> Workbook:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, *_DAMAGED) as err:
        raise FileFormatError(path, f"is not a readable XLSX workbook: damaged, truncated or of another kind "
                                    f"({err}); save it again from Excel") from None


def _header(path: Path, worksheet: ReadOnlyWorksheet) -> list[Cell]:
    try:
        return list(next(worksheet.iter_rows(values_only=True, max_row=1), ()))
    except _DAMAGED as err:
        raise FileFormatError(path, f"is a damaged XLSX workbook: sheet {worksheet.title!r} cannot be read "
                                    f"({err})") from None


def _worksheet_rows(path: Path, worksheet: ReadOnlyWorksheet) -> list[Line]:
    try:
        return [Line(i, list(values)) for i, values in enumerate(worksheet.iter_rows(values_only=True), start=1)]
    except _DAMAGED as err:  # read-only workbooks parse each sheet lazily: damage shows up here
        raise FileFormatError(path, f"is a damaged XLSX workbook: sheet {worksheet.title!r} cannot be read "
                                    f"({err})") from None


__all__ = ["SEPARATORS", "Cell", "Line", "Sheet", "SheetRank", "cell_text", "read_sheet", "read_sheets"]
