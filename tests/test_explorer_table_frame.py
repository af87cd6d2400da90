"""The explorer grid's per-version frame keeps its text columns compact (Categoricals): its rows and its sort
ranks must be exactly those of the plain strings."""

import numpy as np
import pandas as pd

from dashboard.analytics.records import plain
from dashboard.services.explorer_table import COLUMNS, _folded, column_ranks, table_frame
from dashboard.services.records import all_records, records_of


def _plain_texts(service, snap) -> pd.DataFrame:
    """The grid's text columns built the plain way: one string per row from the decoded records."""
    look = service.lookups
    records = records_of(service, snap, snap.establishments)
    caps = dict(zip(look.capabilities["code"], look.capabilities["label"]))
    certs = dict(zip(look.certifications["code"], look.certifications["label"]))
    return pd.DataFrame({
        "filiere_label": records["filiere_label"], "size_band_label": records["size_band_label"],
        "capabilities_text": [", ".join(caps.get(c, c) for c in codes) for codes in records["capabilities"]],
        "certifications_text": [", ".join(certs.get(c, c) for c in codes) for codes in records["certifications"]],
        "member_text": ["oui" if m else "non" for m in records["member"]]})


def test_the_compact_text_columns_read_as_the_plain_strings(service):
    snap = service.snapshot()
    frame, expected = table_frame(service, snap), _plain_texts(service, snap)
    assert isinstance(frame["capabilities_text"].dtype, pd.CategoricalDtype)
    for column in expected.columns:
        got = pd.Series(plain(frame[column].array), dtype="str")
        pd.testing.assert_series_equal(got, pd.Series(expected[column], dtype="str"), check_names=False)
    assert (expected["capabilities_text"].str.contains(", ")).any()  # some sites offer several capabilities
    rows = frame.iloc[:50].to_dict("records")
    assert all(isinstance(r["capabilities_text"], str) and r["member_text"] in ("oui", "non") for r in rows)


def test_ranks_of_compact_columns_equal_ranks_of_the_folded_strings(service):
    snap = service.snapshot()
    frame = table_frame(service, snap)
    checked = 0
    for column in ("filiere_label", "capabilities_text", "certifications_text", "member_text", "name"):
        assert COLUMNS[column] == "text"
        decoded = plain(frame[column].array)
        expected = pd.factorize(pd.Series([_folded(v) for v in decoded], dtype=object), sort=True)[0]
        np.testing.assert_array_equal(column_ranks(service, snap, column), expected)
        checked += int(expected.max()) > 1
    assert checked >= 4  # the columns do have distinct values to order


def test_the_records_frame_is_compact_and_its_rows_are_plain(service):
    snap = service.snapshot()
    compact = all_records(service, snap)
    assert {"filiere_label", "epci_name", "naf_label", "source", "created_on"} <= {
        c for c in compact.columns if isinstance(compact[c].dtype, pd.CategoricalDtype)}
    rows = records_of(service, snap, snap.establishments.iloc[:30])
    assert not any(isinstance(rows[c].dtype, pd.CategoricalDtype) for c in rows.columns)
    created = rows["created_on"].tolist()
    assert all(v is None or hasattr(v, "year") for v in created) and any(v is not None for v in created)


def test_text_ranks_fold_as_the_python_key_even_where_lower_case_differs():
    from dashboard.services.explorer_table import _text_ranks

    names = ["Épinal Forge", "epinal forge", "Straße Metall", "strasse metall", None, "Œuvre", "oeuvre", "Zinc",
             "ÉCOLE", "ﬁlature", "filature", "", "Ärger"]
    for values in (pd.Series(names, dtype="str"), pd.Series(names, dtype=object)):
        expected = pd.factorize(pd.Series([_folded(v) for v in names], dtype=object), sort=True)[0]
        np.testing.assert_array_equal(_text_ranks(values), expected)
