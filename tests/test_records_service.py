"""services/records.py: records of any subset, sliced from the per-version frame, equal those built directly."""

import pandas as pd

from dashboard.analytics.records import establishment_records
from dashboard.services.records import all_records, records_of


def _direct(service, snap, frame):
    return establishment_records(frame, capability_links=snap.capability_links,
                                 certification_links=snap.certification_links, lookups=service.lookups)


def test_records_of_a_subset_equal_the_direct_build_in_the_subsets_order(service):
    snap = service.snapshot()
    subset = snap.establishments.sample(40, random_state=3)  # shuffled: the order must follow the subset
    pd.testing.assert_frame_equal(records_of(service, snap, subset), _direct(service, snap, subset))
    empty = snap.establishments.iloc[0:0]
    assert records_of(service, snap, empty).empty
    assert all_records(service, snap) is all_records(service, snap)  # built once per data version


def test_rows_not_in_the_snapshot_are_built_directly(service):
    snap = service.snapshot()
    foreign = snap.establishments.head(3).assign(id=lambda f: f["id"] + 10**9)
    pd.testing.assert_frame_equal(records_of(service, snap, foreign), _direct(service, snap, foreign))


def test_records_with_extra_columns_equal_records_of_plus_assignments(service):
    import numpy as np

    from dashboard.services.records import records_with

    snap = service.snapshot()
    subset = snap.establishments.sample(25, random_state=5)
    extra = {"distance_km": np.linspace(0, 10, 25), "rank": np.arange(1, 26)}
    expected = records_of(service, snap, subset).assign(**extra).drop(columns=["member"])
    got = records_with(service, snap, subset, extra, hidden=frozenset({"member"}))
    pd.testing.assert_frame_equal(got, expected)
    foreign = subset.assign(id=lambda f: f["id"] + 10**9)  # not in the snapshot: built directly, same frame
    pd.testing.assert_frame_equal(records_with(service, snap, foreign, extra, hidden=frozenset({"member"})),
                                  _direct(service, snap, foreign).assign(**extra).drop(columns=["member"]))


def test_sites_with_the_same_codes_share_one_list_and_keep_their_values(service):
    snap = service.snapshot()
    records = all_records(service, snap)
    direct = snap.capability_links.groupby("establishment_id")["capability_code"].agg(sorted)
    for site_id, codes in zip(snap.establishments["id"].head(200), records["capabilities"].head(200)):
        assert codes == direct.get(site_id, [])
    # One list object per distinct combination, not per site: the garbage collector walks each one.
    for column in ("capabilities", "capabilities_presumed", "certifications"):
        lists = records[column].tolist()
        assert len({id(v) for v in lists}) == len({tuple(v) for v in lists}) < len(lists)
