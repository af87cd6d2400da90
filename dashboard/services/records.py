"""Full establishment records (`analytics.records.establishment_records`) of any subset, from one frame per version.

Building records scans the capability and certification links and groups them per site: tens of milliseconds
for a hundred rows, whatever their number. The API, the partner list, the card, the table and the export
take their rows from the records of every active establishment instead, built once per data version, up to
the client threshold (`Settings.client_points_max`). Above it (a million establishments: 9 s and 2.5 GB in
every worker) each request builds the records of its own rows (tens of milliseconds at 1M).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.analytics.records import establishment_records
from dashboard.services.base import DataService, Snapshot


def all_records(service: DataService, snap: Snapshot) -> pd.DataFrame:
    """The records of every active establishment of `snap`, positionally aligned with `snap.establishments`."""
    return snap.cached("establishment_records", lambda: establishment_records(
        snap.establishments, capability_links=snap.capability_links,
        certification_links=snap.certification_links, lookups=service.lookups))


def held_whole(service: DataService, snap: Snapshot) -> bool:
    """Whether the records of every establishment are built once and held per version (up to the threshold)."""
    return len(snap.establishments) <= service.settings.client_points_max


SEEK_ROWS_MAX = 5_000  # above this many rows one scan of every link is quicker than seeking each site's links


def _links_of(snap: Snapshot, ids: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The capability and certification links of the sites `ids`, in the links' own order (what
    `establishment_records` would keep of them): sought in a per-version sort of each table by site
    (binary search, microseconds a site) instead of scanned (12 ms for 536,000 links at 1M)."""
    tables = (snap.capability_links, snap.certification_links)
    if len(ids) > SEEK_ROWS_MAX:
        return tables[0], tables[1]

    def build() -> list[tuple[np.ndarray, np.ndarray]]:
        out = []
        for table in tables:
            keys = table["establishment_id"].to_numpy()
            order = np.argsort(keys, kind="stable")
            out.append((keys[order], order))
        return out
    found = []
    for table, (keys, order) in zip(tables, snap.cached("links_by_site", build)):
        lo, hi = np.searchsorted(keys, ids, "left"), np.searchsorted(keys, ids, "right")
        rows = np.concatenate([order[a:b] for a, b in zip(lo, hi)] or [np.empty(0, dtype=np.intp)])
        found.append(table.iloc[np.sort(np.unique(rows))])
    return found[0], found[1]


def records_of(service: DataService, snap: Snapshot, frame: pd.DataFrame) -> pd.DataFrame:
    """`establishment_records(frame)` for rows of `snap` (matched by database id), in `frame`'s order."""
    ids = snap.cached("establishment_ids", lambda: pd.Index(snap.establishments["id"]))
    positions = ids.get_indexer(frame["id"])
    if (positions < 0).any() or not held_whole(service, snap):  # rows from elsewhere, or above the threshold
        capability_links, certification_links = _links_of(snap, frame["id"].to_numpy())
        return establishment_records(frame, capability_links=capability_links,
                                     certification_links=certification_links, lookups=service.lookups)
    return all_records(service, snap).iloc[np.asarray(positions)].reset_index(drop=True)


def records_with(service: DataService, snap: Snapshot, frame: pd.DataFrame, extra: dict[str, np.ndarray], *,
                 hidden: frozenset[str] = frozenset(), source: tuple[pd.Index, pd.DataFrame] | None = None
                 ) -> pd.DataFrame:
    """`records_of(frame)` followed by the `extra` columns (aligned with `frame`), without the `hidden` columns.
    `source`: (ids, records) to take the rows from instead of the territory's (the sites abroad included:
    services.cross_border).

    One frame built from column arrays (each column's own `take`: Arrow strings stay Arrow), instead of a row
    take of the wide records frame followed by one insertion per extra column and a column selection."""
    index = source[0] if source else snap.cached("establishment_ids", lambda: pd.Index(snap.establishments["id"]))
    positions = index.get_indexer(frame["id"])
    if (positions < 0).any() or (source is None and not held_whole(service, snap)):  # built for these rows
        base = records_of(service, snap, frame)
        data = {name: base[name].to_numpy() for name in base.columns}
    else:
        records = source[1] if source else all_records(service, snap)
        data = {name: records[name].array.take(positions) for name in records.columns}
    data.update(extra)
    return pd.DataFrame({name: values for name, values in data.items() if name not in hidden}, copy=False)
