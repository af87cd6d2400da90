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
