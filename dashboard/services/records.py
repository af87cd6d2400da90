"""Full establishment records (`analytics.records.establishment_records`) of any subset, from one frame per version.

Building records scans the capability and certification links and groups them per site: tens of milliseconds
for a hundred rows, whatever their number. The API, the partner list, the card, the table and the export
take their rows from the records of every active establishment instead, built once per data version.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.analytics.id_positions import IdPositions
from dashboard.analytics.records import establishment_records, plain
from dashboard.services.base import DataService, Snapshot


def all_records(service: DataService, snap: Snapshot) -> pd.DataFrame:
    """The records of every active establishment of `snap`, positionally aligned with `snap.establishments`.

    Kept compact (its label columns are Categoricals: 130 MB less at 1M sites): read rows through `records_of`
    or `records_with`, which decode them, or decode a column with `analytics.records.plain`."""
    return snap.cached("establishment_records", lambda: establishment_records(
        snap.establishments, capability_links=snap.capability_links,
        certification_links=snap.certification_links, lookups=service.lookups, compact=True))


def establishment_ids(snap: Snapshot) -> IdPositions:
    """Positions of database ids in `snap.establishments`, once per version."""
    return snap.cached("establishment_ids", lambda: IdPositions(snap.establishments["id"]))


def records_of(service: DataService, snap: Snapshot, frame: pd.DataFrame) -> pd.DataFrame:
    """`establishment_records(frame)` for rows of `snap` (matched by database id), in `frame`'s order."""
    ids = establishment_ids(snap)
    positions = ids.get_indexer(frame["id"])
    if (positions < 0).any():  # rows from elsewhere (not expected): build them directly
        return establishment_records(frame, capability_links=snap.capability_links,
                                     certification_links=snap.certification_links, lookups=service.lookups)
    records = all_records(service, snap)
    return pd.DataFrame({name: plain(records[name].array.take(positions)) for name in records.columns}, copy=False)


def records_with(service: DataService, snap: Snapshot, frame: pd.DataFrame, extra: dict[str, np.ndarray], *,
                 hidden: frozenset[str] = frozenset(), source: tuple[pd.Index | IdPositions, pd.DataFrame] | None = None
                 ) -> pd.DataFrame:
    """`records_of(frame)` followed by the `extra` columns (aligned with `frame`), without the `hidden` columns.
    `source`: (ids, records) to take the rows from instead of the territory's (the sites abroad included:
    services.cross_border).

    One frame built from column arrays (each column's own `take`: Arrow strings stay Arrow), instead of a row
    take of the wide records frame followed by one insertion per extra column and a column selection."""
    index = source[0] if source else establishment_ids(snap)
    positions = index.get_indexer(frame["id"])
    if (positions < 0).any():  # rows from elsewhere (not expected): the general path
        base = records_of(service, snap, frame)
        data = {name: base[name].to_numpy() for name in base.columns}
    else:
        records = source[1] if source else all_records(service, snap)
        data = {name: plain(records[name].array.take(positions)) for name in records.columns}
    data.update(extra)
    return pd.DataFrame({name: values for name, values in data.items() if name not in hidden}, copy=False)
