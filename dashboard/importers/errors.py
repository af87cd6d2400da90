"""Named errors of the importers and the record of one rejected or adjusted row."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class ImportFailed(Exception):
    """Nothing was imported: the database is unchanged (exit code 2)."""


class FileFormatError(ImportFailed):
    """A file is not what it claims to be (wrong separator, missing column, not UTF-8, damaged zip…)."""

    def __init__(self, path: Path | str, problem: str):
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class ArgumentError(ImportFailed):
    """An option of the command cannot be used (unknown department, section, date…)."""


class NoTargetDataset(ImportFailed):
    """A member or IDCC import needs an active real (non-demo) dataset."""


REJECTED = "rejected"
ADJUSTED = "adjusted"


@dataclass(frozen=True)
class RowIssue:
    """One row that was rejected, or kept with an adjustment, and why.

    `line` is the physical line of a CSV file (the header is line 1), the row of a worksheet, or the
    1-based row number of a Parquet file.
    """

    file: str
    line: int
    siret: str
    action: str  # REJECTED or ADJUSTED
    reason: str  # a stable code, e.g. "unknown_commune"
    detail: str  # an English sentence for people
