"""Where `tissu template …` writes a blank template: checked before anything is written."""

from __future__ import annotations

from pathlib import Path

from dashboard.importers.errors import ArgumentError


def template_target(path: Path | str, *, overwrite: bool) -> Path:
    """`path` as a Path, its folder created; ArgumentError unless it is a new (or, overwrite, any) .xlsx or .csv."""
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".csv"):
        raise ArgumentError(f"{path}: the template is written as .xlsx or .csv")
    if path.exists() and not overwrite:
        raise ArgumentError(f"{path} already exists (use --force to overwrite it)")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
