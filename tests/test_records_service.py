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


def test_codes_per_site_equal_a_plain_grouping_with_more_codes_than_one_word_holds():
    import numpy as np

    from dashboard.analytics.records import _codes_per_site

    rng = np.random.default_rng(7)
    codes = [f"c{k:03d}" for k in range(150)]  # three 64-bit words per site
    ids = pd.Series(rng.permutation(np.arange(1000, 1600)), index=np.arange(5, 605))  # unordered, shifted index
    links = pd.DataFrame({"establishment_id": rng.integers(990, 1610, 4000),  # some ids are no selected site
                          "code": pd.Series(rng.choice(codes, 4000), dtype="str")}).drop_duplicates()
    got = _codes_per_site(links, "code", ids)
    expected = links.groupby("establishment_id")["code"].agg(sorted)
    assert list(got.index) == list(ids.index)
    assert [list(v) for v in got] == [expected.get(site, []) for site in ids]
    assert any(len(v) > 1 and v[-1] >= "c064" for v in got)  # codes of a later word are found
    assert _codes_per_site(links.iloc[0:0], "code", ids).map(len).sum() == 0


def test_labels_are_taken_by_code_and_unknown_codes_stay_missing():
    from dashboard.analytics.records import _labels_of

    labels = pd.Series(["Nancy", "Metz"], index=pd.Index(["54", "57"], dtype="str"))
    codes = pd.Series(["57", "99", None, "54"], dtype="str")
    got = pd.Series(_labels_of(codes, labels))
    assert got.iloc[[0, 3]].tolist() == ["Metz", "Nancy"] and got.iloc[[1, 2]].isna().all()
    pd.testing.assert_series_equal(got, codes.map(labels), check_names=False)
