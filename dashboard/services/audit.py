"""The audit log as staff read and export it (the policy is checked here, before any row leaves)."""

from __future__ import annotations

import pandas as pd

from dashboard import repository
from dashboard.formatting import fr_datetime
from dashboard.policy import Action, Viewer, require
from dashboard.services.base import DataService
from dashboard.services.downloads import ExportFile

PAGE_ROWS = 200  # the page shows the newest; the export has everything (capped)
EXPORT_ROWS = 100_000


def _display(frame: pd.DataFrame) -> list[dict]:
    return [{**row, "at": fr_datetime(row["at"])} for row in frame.to_dict("records")]


def latest(service: DataService, viewer: Viewer) -> tuple[list[dict], int]:
    """The newest entries, formatted for the page, and the total count."""
    require(viewer, Action.READ_AUDIT)
    return _display(repository.audit_entries(service.engine, limit=PAGE_ROWS)), repository.audit_count(service.engine)


def export_file(service: DataService, viewer: Viewer) -> ExportFile:
    require(viewer, Action.READ_AUDIT)
    frame = repository.audit_entries(service.engine, limit=EXPORT_ROWS)
    frame = frame.rename(columns={"id": "N°", "at": "Date (UTC)", "actor": "Par", "action": "Action",
                                  "target": "Objet", "before": "Avant", "after": "Après", "address": "Adresse"})
    return ExportFile(frame, "tissu-journal", sheet="Journal")
