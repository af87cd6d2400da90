"""The snapshot's frames kept as Parquet in the instance folder, one set per database and dataset version.

Loading the establishments with SQL costs minutes at a million rows (one Python tuple per row, then pandas
infers every column); reading the same frames from Parquet with pyarrow costs seconds. `DataService` reads them
here first and falls back to SQL when they are absent, unreadable or not of this dataset version, then writes
them for the next start. The file name carries a hash of the database URL and the dataset's id, version and
load time (`DataKey`), so an import (a new version), a re-created database or another database never reads a
stale set; the columns are checked against the repository's query, so a schema change falls back to SQL too.
Older sets of the same database are removed when a new one is written.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import NamedTuple

import pandas as pd

log = logging.getLogger(__name__)
FORMAT = 1  # bump when the meaning of a stored frame changes without its columns changing
FRAMES = ("establishments", "closed_establishments", "capability_links", "certification_links")
SUBDIR = "snapshots"


class DataKey(NamedTuple):
    """What identifies the stored frames: the database and the dataset's id, version and load time."""

    database_url: str  # password masked
    dataset_id: int
    version: int
    loaded_at: str

    @property
    def prefix(self) -> str:
        return "db-" + hashlib.sha1(self.database_url.encode("utf-8")).hexdigest()[:12]

    def path(self, instance_dir: Path, frame: str) -> Path:
        stamp = hashlib.sha1(self.loaded_at.encode("utf-8")).hexdigest()[:8]
        name = f"{self.prefix}-{self.dataset_id}-{self.version}-{stamp}-f{FORMAT}-{frame}.parquet"
        return Path(instance_dir) / SUBDIR / name


def read_frames(instance_dir: Path, key: DataKey, columns: dict[str, list[str]]) -> dict[str, pd.DataFrame] | None:
    """The stored frames of this data version, or None when a file is missing, unreadable or has other columns
    than `columns` (frame -> the repository query's column names)."""
    frames = {}
    for name in FRAMES:
        path = key.path(instance_dir, name)
        if not path.exists():
            return None
        try:
            frame = pd.read_parquet(path, engine="pyarrow")
        except Exception as error:  # noqa: BLE001 (any unreadable file: SQL is the source of truth)
            log.warning("snapshot %s unreadable (%s): loading from the database", path.name, error)
            return None
        if list(frame.columns) != columns[name]:
            log.info("snapshot %s has other columns than the query: loading from the database", path.name)
            return None
        frames[name] = frame
    return frames


def write_frames(instance_dir: Path, key: DataKey, frames: dict[str, pd.DataFrame]) -> None:
    """Keep `frames` for the next start (atomic renames), and remove this database's older sets. A folder that
    cannot be written is logged, not raised: the app then simply loads from the database next time too."""
    folder = Path(instance_dir) / SUBDIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name in FRAMES:
            path = key.path(instance_dir, name)
            partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
            frames[name].to_parquet(partial, engine="pyarrow", index=False)
            partial.replace(path)
        keep = {key.path(instance_dir, name).name for name in FRAMES}
        for old in folder.glob(f"{key.prefix}-*.parquet"):
            if old.name not in keep:
                old.unlink(missing_ok=True)
    except OSError as error:
        log.warning("could not keep the snapshot in %s: %s", folder, error)
