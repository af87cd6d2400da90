"""Establishments as full records (API items, table rows, card) and as French export tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa


def _codes_per_site(links: pd.DataFrame, code_column: str, ids: pd.Series) -> pd.Series:
    """Sorted list of linked codes per establishment id (empty list when none).

    Sites with the same codes share one list object (treat the lists as read-only): at 1M sites one list per
    site and column is 3 million objects that Python's cyclic garbage collector walks on every full
    collection, which a request's allocations trigger (tens of milliseconds each); the distinct combinations
    are a few thousand. They are found without a Python call per site: each site's codes as a bit set (one
    bit per distinct code, in 64-bit words), then the distinct bit sets."""
    site_index = pd.Index(ids)
    positions = site_index.get_indexer(links["establishment_id"])
    linked = positions >= 0
    bit, codes = pd.factorize(links[code_column][linked], sort=True)
    sites = positions[linked]
    words = np.zeros((len(site_index), max(1, -(-len(codes) // 64))), dtype=np.uint64)
    for word in range(words.shape[1]):
        in_word = (bit // 64) == word
        np.bitwise_or.at(words[:, word], sites[in_word],
                         np.left_shift(np.uint64(1), (bit[in_word] % 64).astype(np.uint64)))
    # One word: a plain 1-D unique (a row-wise unique sorts ten times slower); more: each row as one opaque value.
    rows = words[:, 0] if words.shape[1] == 1 else np.ascontiguousarray(words).view(
        np.dtype((np.void, words.dtype.itemsize * words.shape[1]))).reshape(-1)
    distinct_rows, combination = np.unique(rows, return_inverse=True)
    distinct = distinct_rows.reshape(-1, 1) if words.shape[1] == 1 else np.frombuffer(
        distinct_rows.tobytes(), dtype=np.uint64).reshape(-1, words.shape[1])
    # Each distinct bit set's codes, in code order: set bits of all rows at once, then split per row.
    has = np.unpackbits(distinct.astype("<u8").view(np.uint8), axis=1, bitorder="little")[:, :len(codes)]
    row_of, code_of = np.nonzero(has)
    named = np.asarray(codes, dtype=object)[code_of]
    lists = np.empty(len(distinct), dtype=object)
    for row, part in enumerate(np.split(named, np.searchsorted(row_of, np.arange(1, len(distinct))))):
        lists[row] = part.tolist()
    return pd.Series(lists[combination.reshape(-1)], index=ids.index, dtype=object)


def _labels_of(codes: pd.Series, labels: pd.Series, *, compact: bool = False) -> pd.api.extensions.ExtensionArray:
    """`labels[code]` for each code (missing when unknown), as one Arrow take: `Series.map` makes a Python string
    per row first (90 MB and 0.3 s per column at 1M sites, against 30 MB and 0.1 s). `compact`: a Categorical
    instead (a small integer per row and each label once: 1-2 MB per column at 1M sites, against 15-50 MB),
    for frames kept per data version and decoded when rows are taken (`plain`)."""
    position = labels.index.get_indexer(codes)
    if compact:
        label_codes, distinct = pd.factorize(pd.Series(labels.to_numpy(dtype=object), dtype=codes.dtype))
        per_row = np.where(position >= 0, label_codes[position], -1)  # an unknown code or a missing label: -1
        return pd.Categorical.from_codes(per_row, categories=pd.Index(distinct, dtype=codes.dtype))
    names = pa.array(labels.to_numpy(dtype=object), type=pa.large_string())
    return pd.array(names.take(pa.array(position, mask=position < 0)), dtype=codes.dtype)


def plain(values: pd.api.extensions.ExtensionArray) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """A compact (Categorical) column as the plain array of its values' dtype (strings: missing as NaN, as a
    string column holds them; objects such as dates: missing as None, as read from the database); any other
    column unchanged."""
    if not isinstance(values, pd.Categorical):
        return values
    if values.categories.dtype != object:
        return values.astype(values.categories.dtype)
    codes = values.codes
    out = np.asarray(values.categories, dtype=object).take(np.maximum(codes, 0))
    out[codes < 0] = None
    return out


def establishment_records(selected: pd.DataFrame, *, capability_links: pd.DataFrame,
                          certification_links: pd.DataFrame, lookups, compact: bool = False) -> pd.DataFrame:
    """One record per establishment with labels, territories, capabilities and certifications.

    Columns are taken as their arrays (`.array`), not `.to_numpy()`: Arrow strings stay Arrow (at 1M sites a
    numpy copy is a Python object per string, 13 columns of them, 0.8 GB and seconds). `compact`: the four
    label columns looked up from codes are Categoricals (`_labels_of`), and the input's Categoricals stay so:
    whoever takes rows decodes them with `plain` (services.records does); otherwise every column is plain."""
    ids = selected["id"]
    # The few selected sites' links first: one id scan per table, not a string scan of every link.
    capability_links = capability_links[capability_links["establishment_id"].isin(ids)]
    certification_links = certification_links[certification_links["establishment_id"].isin(ids)]
    presumed = capability_links[capability_links["origin"] == "presumed"]
    epci_names = lookups.epci.set_index("code")["name"]
    zone_names = lookups.zones.set_index("code")["name"]
    filiere_labels = lookups.filieres.set_index("code")["label"]
    bands = lookups.size_bands.set_index("code")["label"]
    columns = {
        "id": selected["public_id"].array,
        "siret": selected["siret"].array,
        "name": selected["name"].array,
        "naf": selected["naf_code"].array,
        "naf_label": selected["naf_label"].array,
        "filiere": selected["filiere_code"].array,
        "filiere_label": _labels_of(selected["filiere_code"], filiere_labels, compact=compact),
        "size_band": selected["size_band_code"].array,
        "size_band_label": _labels_of(selected["size_band_code"], bands, compact=compact),
        "headcount_estimate": selected["headcount_estimate"].array,
        "address": selected["address"].array,
        "commune_code": selected["commune_code"].array,
        "commune_name": selected["commune_name"].array,
        "departement": selected["department_code"].array,
        "epci": selected["epci_code"].array,
        "epci_name": _labels_of(selected["epci_code"], epci_names, compact=compact),
        "zone_emploi": selected["zone_code"].array,
        "zone_emploi_name": _labels_of(selected["zone_code"], zone_names, compact=compact),
        "lat": selected["lat"].round(6).array,
        "lon": selected["lon"].round(6).array,
        "capabilities": _codes_per_site(capability_links, "capability_code", ids).array,
        "capabilities_presumed": _codes_per_site(presumed, "capability_code", ids).array,
        "certifications": _codes_per_site(certification_links, "certification_code", ids).array,
        "member": selected["is_member"].astype(bool).array,
        "created_on": selected["created_on"].array,
        "source": selected["source_name"].array,
        "source_date": selected["source_date"].array,
        "is_demo": selected["is_demo"].astype(bool).array,
    }
    # Compact columns of the input (the snapshot's, services.base) stay compact only in a compact frame.
    return pd.DataFrame(columns if compact else {name: plain(values) for name, values in columns.items()},
                        copy=False)


EXPORT_COLUMNS = {
    "id": "Identifiant (SIRET ou démo)", "name": "Nom", "naf": "Code NAF", "naf_label": "Activité (NAF)",
    "filiere_label": "Filière", "size_band_label": "Tranche d'effectif", "headcount_estimate": "Effectif estimé",
    "address": "Adresse", "commune_code": "Code commune", "commune_name": "Commune", "departement": "Département",
    "epci_name": "EPCI", "zone_emploi_name": "Zone d'emploi", "capabilities": "Savoir-faire",
    "certifications": "Certifications", "member": "Adhérent UIMM", "created_on": "Date de création",
    "lat": "Latitude", "lon": "Longitude", "source": "Source", "source_date": "Date de la source",
    "is_demo": "Données fictives",
}


def export_frame(records: pd.DataFrame, *, capability_labels: dict[str, str],
                 certification_labels: dict[str, str]) -> pd.DataFrame:
    """French headers, labels instead of codes; booleans and dates stay typed for dashboard.exports."""
    out = records.copy()
    presumed = out["capabilities_presumed"].apply(set)
    out["capabilities"] = [
        ", ".join(capability_labels.get(c, c) + (" (présumé)" if c in p else "") for c in caps)
        for caps, p in zip(out["capabilities"], presumed)]
    out["certifications"] = out["certifications"].apply(
        lambda codes: ", ".join(certification_labels.get(c, c) for c in codes))
    for column in ("created_on", "source_date"):
        out[column] = pd.to_datetime(out[column])
    # Columns the caller withheld (the policy removes `member` for the public) stay out of the export.
    return out[[c for c in EXPORT_COLUMNS if c in out.columns]].rename(columns=EXPORT_COLUMNS)
