"""The dataset snapshot every service reads, and the one caching convention.

- `Snapshot.cached(key, build)`: a value that depends only on the dataset (point store, partner catalog, a
  topic's tables), built once per data version.
- `Snapshot.lru(key, build)`: a value keyed by what a user chose (radius, territory, filters), kept in a
  bounded LRU (`services/cache.py`) with a normalised key.
Both are dropped together when the data version changes (an import, `tissu dataset use`, a topic import).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

import pandas as pd
from sqlalchemy import Engine

from dashboard import repository
from dashboard.services import columnar
from dashboard.services.cache import BoundedCache, normalised_key
from dashboard.services.heap import refreeze_after_reload
from dashboard.settings import Settings

T = TypeVar("T")
SPECIMEN_SIZE = 400  # establishments a specimen keeps: every page branch that shows data is drawn, in milliseconds
USER_CACHE_SIZE = 64  # user-keyed entries per snapshot (one coverage result is ~0.5 MB at 10k establishments)
VERSION_CHECK_SECONDS = 2.0  # how stale a worker may be after an import made by another process
# What the snapshot keeps of each active site (`repository.establishments_frame`'s columns): not the import's
# own metadata (the raw NAF code and its nomenclature, the location quality, the IDCC, the NAF's metallurgy
# flag), which no page, callback or API route reads from it: 40 MB at 1M sites, more with a real SIRENE import.
SITE_COLUMNS = ("id", "public_id", "siret", "name", "naf_code", "naf_label", "filiere_code", "size_band_code",
                "headcount_estimate", "commune_code", "commune_name", "department_code", "epci_code", "zone_code",
                "address", "lat", "lon", "location_approximate", "created_on", "state", "closed_on", "is_member",
                "name_is_personal", "source_name", "source_date", "is_demo")
# Closed sites serve only the flows of the indicators and the kiosk's trend (services.indicators, event): these
# columns, not the whole row (110 → 25 MB at 1M sites).
CLOSED_SITE_COLUMNS = ("id", "commune_code", "department_code", "epci_code", "zone_code", "filiere_code",
                       "headcount_estimate", "created_on", "state", "closed_on")
# Columns of few distinct values read only through the records (which decode the rows they take with
# `analytics.records.plain`) and by the flows and the kiosk's trend (`pd.to_datetime`), kept as Categoricals:
# each value once and a small integer per row (at 1M sites 170 MB of strings and date objects → 7 MB).
COMPACT_SITE_COLUMNS = ("naf_label", "created_on", "source_name", "source_date")


@dataclass(frozen=True)
class DataVersions:
    """What identifies the loaded data: the active dataset (id, version) and each topic's tables."""

    dataset: tuple[int, int] | None
    topics: tuple[Hashable, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    dataset: repository.DatasetInfo | None
    establishments: pd.DataFrame  # active establishments, one row each
    capability_links: pd.DataFrame  # establishment_id, capability_code, origin
    certification_links: pd.DataFrame  # establishment_id, certification_code
    closed_count: int
    versions: DataVersions = DataVersions(None)
    closed_establishments: pd.DataFrame = field(default_factory=pd.DataFrame)  # the same columns, closed sites
    _derived: dict = field(default_factory=dict, repr=False, compare=False)
    _user: BoundedCache = field(default_factory=lambda: BoundedCache(USER_CACHE_SIZE), repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    _building: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_demo(self) -> bool:
        return bool(self.dataset and self.dataset.is_demo)

    def cached(self, key: str, build: Callable[[], T]) -> T:
        """A value derived from this data version only (e.g. the map's point store), computed once.

        Single flight: concurrent first callers of one key wait for one build instead of each building it.
        """
        with self._lock:
            if key in self._derived:
                return self._derived[key]
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                if key in self._derived:
                    return self._derived[key]
            value = build()
            with self._lock:
                self._derived[key] = value
                self._building.pop(key, None)
            return value

    def lru(self, key: tuple, build: Callable[[], T]) -> T:
        """A value keyed by a user's choice, in a bounded LRU; `key` is normalised (floats rounded, lists sorted)."""
        return self._user.get_or_build(normalised_key(*key), build)

    def sample(self, size: int) -> Snapshot:
        """At most `size` establishments evenly spaced through the frame, their links, empty caches."""
        step = max(1, -(-len(self.establishments) // max(size, 1)))
        kept = self.establishments.iloc[::step]
        capabilities, certifications = self.capability_links, self.certification_links
        return Snapshot(self.dataset, kept, capabilities[capabilities["establishment_id"].isin(kept["id"])],
                        certifications[certifications["establishment_id"].isin(kept["id"])],
                        self.closed_count, self.versions, self.closed_establishments.iloc[::step])

    def with_versions(self, versions: DataVersions) -> Snapshot:
        """The same establishments with empty caches, for a change of a topic's tables only."""
        return Snapshot(self.dataset, self.establishments, self.capability_links, self.certification_links,
                        self.closed_count, versions, self.closed_establishments)


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

    def __init__(self, engine: Engine, settings: Settings, *, version_check_seconds: float = VERSION_CHECK_SECONDS,
                 clock: Callable[[], dt.datetime] = dt.datetime.now):
        self.engine = engine
        self.settings = settings
        self.clock = clock  # local time "now": statuses are checked against it (tests set their own)
        self.version_check_seconds = version_check_seconds
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._checked_at = float("-inf")
        self._reloading = False
        self._first_load = threading.Lock()
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
        """The loaded data; its versions are re-read at most every `version_check_seconds` (not per call).

        A reload (a new dataset: seconds at 100k establishments) is built by one thread outside the lock while
        the others keep answering from the previous snapshot; only the very first load makes callers wait.
        """
        with self._lock:
            current = self._snapshot
            if current is not None and time.monotonic() - self._checked_at < self.version_check_seconds:
                return current
            if current is not None and self._reloading:
                return current  # another thread is loading the new version
            versions = self._versions()
            self._checked_at = time.monotonic()
            if current is not None and versions == current.versions:
                return current
            if current is not None and versions.dataset == current.versions.dataset:
                self._snapshot = current.with_versions(versions)  # a topic changed: same frames, fresh caches
                return self._snapshot
            if current is not None:
                self._reloading = True
        if current is None:
            with self._first_load:  # nothing to serve yet: one thread loads, the others wait for it
                if self._snapshot is None:
                    loaded = self._load(versions)
                    with self._lock:
                        self._snapshot = loaded
                return self._snapshot
        try:
            loaded = self._load(versions)
        finally:
            with self._lock:
                self._reloading = False
        with self._lock:
            self._snapshot = loaded
        refreeze_after_reload()
        return loaded

    def refresh(self) -> Snapshot:
        """Re-read the versions now (after a write made by this process)."""
        with self._lock:
            self._checked_at = float("-inf")
        return self.snapshot()

    def specimen(self, size: int = SPECIMEN_SIZE) -> DataService:
        """This service over an evenly spaced sample of `size` establishments, with caches of its own.

        What renders pages only to learn their components (Dash's validation layout, the callback input
        checks) reads it: the same component tree as the full data, without computing (and keeping) every
        page's figures at a million establishments.
        """
        return _Specimen(self, self.snapshot().sample(size))

    def _versions(self) -> DataVersions:
        return DataVersions(repository.dataset_version(self.engine), repository.topic_versions(self.engine))

    def _load(self, versions: DataVersions) -> Snapshot:
        key = versions.dataset
        dataset_id = key[0] if key else -1  # -1: no dataset; the frames come back empty but typed
        counts = repository.establishment_counts(self.engine, dataset_id)
        dataset = repository.active_dataset(self.engine) if key else None
        frames = self._frames(key, dataset)
        return Snapshot(
            dataset=dataset,
            establishments=frames["establishments"],
            capability_links=frames["capability_links"],
            certification_links=frames["certification_links"],
            closed_count=counts["closed"],
            versions=versions,
            closed_establishments=frames["closed_establishments"],
        )

    def _frames(self, key: tuple[int, int] | None,
                dataset: repository.DatasetInfo | None) -> dict[str, pd.DataFrame]:
        """The snapshot's frames: from their Parquet copy of this data version when there is one (seconds at 1M
        establishments, `services/columnar.py`), else from the database, then kept for the next start."""
        queries: dict[str, Callable[[Engine, int], pd.DataFrame]] = {
            "establishments": partial(repository.establishments_frame, columns=SITE_COLUMNS),
            "closed_establishments": partial(repository.establishments_frame, closed_only=True,
                                             columns=CLOSED_SITE_COLUMNS),
            "capability_links": repository.establishment_capabilities,
            "certification_links": repository.establishment_certifications}
        if key is None or dataset is None:
            empty = {name: query(self.engine, -1) for name, query in queries.items()}
            return empty | {"establishments": compacted(empty["establishments"], COMPACT_SITE_COLUMNS)}
        # The load time tells a dataset apart from one of the same id and version in a re-created database.
        version = columnar.DataKey(self.engine.url.render_as_string(hide_password=True), key[0], key[1],
                                   str(dataset.loaded_at))
        columns = {name: list(query(self.engine, -1).columns) for name, query in queries.items()}
        stored = columnar.read_frames(self.settings.instance_dir, version, columns)
        if stored is None:
            stored = {name: query(self.engine, key[0]) for name, query in queries.items()}
            columnar.write_frames(self.settings.instance_dir, version, stored)
        stored["establishments"] = compacted(stored["establishments"], COMPACT_SITE_COLUMNS)
        return stored


def compacted(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """`frame` with `columns` as Categoricals (already compact columns are left as they are)."""
    return frame.assign(**{c: frame[c].astype("category") for c in columns if c in frame.columns})


class _Specimen(DataService):
    """A fixed snapshot over the engine, settings and lookups of another service (see `DataService.specimen`)."""

    def __init__(self, source: DataService, snapshot: Snapshot):  # noqa: D107 - lookups are shared, not re-read
        self.engine, self.settings, self.clock = source.engine, source.settings, source.clock
        self.version_check_seconds, self.lookups = source.version_check_seconds, source.lookups
        self._fixed = snapshot

    def snapshot(self) -> Snapshot:
        return self._fixed

    def refresh(self) -> Snapshot:
        return self._fixed
