"""IdPositions answers as a pandas Index would, sorted ids or not."""

import numpy as np
import pandas as pd
import pytest

from dashboard.analytics.id_positions import IdPositions


@pytest.mark.parametrize("shuffled", [False, True])
def test_positions_equal_those_of_a_pandas_index(shuffled):
    rng = np.random.default_rng(4)
    ids = np.sort(rng.choice(np.arange(1, 10_000), 800, replace=False))
    if shuffled:  # the territory's sorted ids followed by the sites abroad's: not sorted
        ids = np.concatenate([ids[100:], ids[:100][::-1]])
    wanted = rng.integers(0, 10_050, 3_000)  # most present, some absent, some beyond both ends
    np.testing.assert_array_equal(IdPositions(ids).get_indexer(wanted), pd.Index(ids).get_indexer(wanted))
    lookup = IdPositions(ids)
    assert [lookup.get_loc(i) for i in ids[:5]] == [0, 1, 2, 3, 4]
    with pytest.raises(KeyError):
        lookup.get_loc(10_001)


def test_an_empty_column_and_a_repeated_id():
    assert IdPositions([]).get_indexer([1, 2]).tolist() == [-1, -1]
    with pytest.raises(ValueError, match="unique"):
        IdPositions([3, 1, 3])
