"""Importers of real data: the Sirene stock (with its geolocation and legal-unit files), the UIMM
member list and the collective-agreement (IDCC) file.

Each import validates where data enters, reports every rejected or adjusted row (line, SIRET,
reason) and writes the database in one transaction: `tissu import …` (see docs/real-data.md).
"""

from dashboard.importers.errors import ArgumentError, FileFormatError, ImportFailed, NoTargetDataset, RowIssue
from dashboard.importers.report import (
    EXIT_NOTHING_IMPORTED,
    EXIT_OK,
    EXIT_REJECTED_ROWS,
    ImportOutcome,
    ImportReport,
    Progress,
)

__all__ = ["ArgumentError", "EXIT_NOTHING_IMPORTED", "EXIT_OK", "EXIT_REJECTED_ROWS", "FileFormatError",
           "ImportFailed", "ImportOutcome", "ImportReport", "NoTargetDataset", "Progress", "RowIssue"]
