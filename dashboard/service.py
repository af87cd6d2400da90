"""Per-dataset snapshot of what the pages and the API read, rebuilt when the active dataset changes."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine

from dashboard import repository
from dashboard.settings import Settings


@dataclass(frozen=True)
class Snapshot:
    dataset: repository.DatasetInfo | None
    establishments: pd.DataFrame  # active establishments, one row each
    capability_links: pd.DataFrame  # establishment_id, capability_code, origin
    certification_links: pd.DataFrame  # establishment_id, certification_code
    closed_count: int
    _derived: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_demo(self) -> bool:
        return bool(self.dataset and self.dataset.is_demo)

    def cached(self, key: str, build):
        """A value derived from this snapshot, computed once (e.g. the map's point store)."""
        if key not in self._derived:
            self._derived[key] = build()
        return self._derived[key]


@dataclass(frozen=True)
class Lookups:
    """Reference tables that never change while the app runs."""

    communes: pd.DataFrame
    departments: pd.DataFrame
    epci: pd.DataFrame
    zones: pd.DataFrame
    filieres: pd.DataFrame
    size_bands: pd.DataFrame
    capabilities: pd.DataFrame
    certifications: pd.DataFrame
    naf: pd.DataFrame


class DataService:
    """What callbacks and the API are given: settings, lookups, and the current dataset snapshot."""

    def __init__(self, engine: Engine, settings: Settings):
        self.engine = engine
        self.settings = settings
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._key: tuple[int, int] | None = None
        self._checked_at = float("-inf")  # monotonic time of the last dataset version query
        self.lookups = Lookups(
            communes=repository.communes_frame(engine),
            departments=repository.departments_frame(engine),
            epci=repository.epci_frame(engine),
            zones=repository.zones_frame(engine),
            filieres=repository.filieres_frame(engine),
            size_bands=repository.size_bands_frame(engine),
            capabilities=repository.capabilities_frame(engine),
            certifications=repository.certifications_frame(engine),
            naf=repository.naf_frame(engine),
        )

    def snapshot(self) -> Snapshot:
        """The active dataset, reloaded only when its (id, version) changed (e.g. after an import).

        The version is queried at most once every `version_check_seconds` per process: a request calls
        this several times, and an import made by the CLI still reaches every server process within that delay.
        """
        with self._lock:
            now = time.monotonic()
            if self._snapshot is not None and now - self._checked_at < self.settings.version_check_seconds:
                return self._snapshot
            key = repository.dataset_version(self.engine)
            self._checked_at = now
            if self._snapshot is None or key != self._key:
                self._snapshot = self._load(key)
                self._key = key
            return self._snapshot

    def _load(self, key: tuple[int, int] | None) -> Snapshot:
        dataset_id = key[0] if key else -1  # -1: no dataset; the frames come back empty but typed
        counts = repository.establishment_counts(self.engine, dataset_id)
        return Snapshot(
            dataset=repository.active_dataset(self.engine) if key else None,
            establishments=repository.establishments_frame(self.engine, dataset_id),
            capability_links=repository.establishment_capabilities(self.engine, dataset_id),
            certification_links=repository.establishment_certifications(self.engine, dataset_id),
            closed_count=counts["closed"],
        )
