"""Positions of database ids in an id column, without a hash table when the ids are sorted (as loaded)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


class IdPositions:
    """`pd.Index(ids).get_indexer` / `get_loc` for unique integer ids, by binary search.

    The snapshot's ids come sorted (`ORDER BY id`): the search then runs on the column itself, where a pandas
    Index kept a hash table of 40 MB per copy at 1M sites (the partner catalogs and the records each held
    one). Unsorted ids (the territory's followed by the sites abroad) are searched in a sorted copy.
    """

    def __init__(self, ids: ArrayLike) -> None:
        values = np.asarray(ids, dtype=np.int64)
        ordered = values.size < 2 or bool((values[1:] > values[:-1]).all())
        self._order: NDArray[np.intp] | None = None if ordered else np.argsort(values, kind="stable")
        self._sorted = values if self._order is None else values[self._order]
        if self._sorted.size > 1 and not (self._sorted[1:] > self._sorted[:-1]).all():
            raise ValueError("establishment ids must be unique")

    def __len__(self) -> int:
        return int(self._sorted.size)

    def get_indexer(self, ids: ArrayLike) -> NDArray[np.intp]:
        """The position of each id, -1 for an id absent."""
        wanted = np.asarray(ids, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._sorted, wanted), max(self._sorted.size - 1, 0))
        found = (self._sorted[at] == wanted) if self._sorted.size else np.zeros(wanted.shape, dtype=bool)
        positions = at if self._order is None else self._order[at]
        return np.where(found, positions, -1).astype(np.intp)

    def get_loc(self, establishment_id: int) -> int:
        """The position of one id (KeyError when absent)."""
        position = int(self.get_indexer([int(establishment_id)])[0])
        if position < 0:
            raise KeyError(establishment_id)
        return position
