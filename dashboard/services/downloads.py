"""What an export button downloads, as data: the frame, its file name and sheets (written by dashboard.exports)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class ExportFile:
    frame: pd.DataFrame  # French headers, values ready for dashboard.exports
    filename: str  # without extension
    sheet: str = "Données"
    extra_sheets: dict[str, pd.DataFrame] = field(default_factory=dict)  # XLSX only (CSV writes `frame`)
