"""Where `tissu template …` writes a blank template: checked before anything is written."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dashboard.importers.errors import ArgumentError

if TYPE_CHECKING:  # openpyxl is loaded on use: writing a CSV template does not need it
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet


def template_target(path: Path | str, *, overwrite: bool) -> Path:
    """`path` as a Path, its folder created; ArgumentError unless it is a new (or, overwrite, any) .xlsx or .csv."""
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".csv"):
        raise ArgumentError(f"{path}: the template is written as .xlsx or .csv")
    if path.exists() and not overwrite:
        raise ArgumentError(f"{path} already exists (use --force to overwrite it)")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def template_workbook(sheet_title: str, columns: Sequence[str]) -> tuple[Workbook, Worksheet]:
    """A new workbook and its first sheet, named `sheet_title`, whose first row is the bold header `columns`."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    return book, sheet
