"""Establishments as full records (API items, table rows, card) and as French export tables."""

from __future__ import annotations

import pandas as pd


def _codes_per_site(links: pd.DataFrame, code_column: str, ids: pd.Series) -> pd.Series:
    """Sorted list of linked codes per establishment id (empty list when none).

    Sites with the same codes share one list object (treat the lists as read-only): at 1M sites one list per
    site and column is 3 million objects that Python's cyclic garbage collector walks on every full
    collection, which a request's allocations trigger (tens of milliseconds each); the distinct combinations
    are a few thousand."""
    linked = links[links["establishment_id"].isin(ids)]
    grouped = linked.groupby("establishment_id")[code_column].agg(lambda s: tuple(sorted(s)))
    shared: dict[tuple, list[str]] = {(): []}
    lists = [shared.setdefault(codes, list(codes)) if isinstance(codes, tuple) else shared[()]
             for codes in ids.map(grouped)]
    return pd.Series(lists, index=ids.index, dtype=object)


def establishment_records(selected: pd.DataFrame, *, capability_links: pd.DataFrame,
                          certification_links: pd.DataFrame, lookups) -> pd.DataFrame:
    """One record per establishment with labels, territories, capabilities and certifications."""
    ids = selected["id"]
    # The few selected sites' links first: one id scan per table, not a string scan of every link.
    capability_links = capability_links[capability_links["establishment_id"].isin(ids)]
    certification_links = certification_links[certification_links["establishment_id"].isin(ids)]
    presumed = capability_links[capability_links["origin"] == "presumed"]
    epci_names = lookups.epci.set_index("code")["name"]
    zone_names = lookups.zones.set_index("code")["name"]
    filiere_labels = lookups.filieres.set_index("code")["label"]
    bands = lookups.size_bands.set_index("code")["label"]
    return pd.DataFrame({
        "id": selected["public_id"].to_numpy(),
        "siret": selected["siret"].to_numpy(),
        "name": selected["name"].to_numpy(),
        "naf": selected["naf_code"].to_numpy(),
        "naf_label": selected["naf_label"].to_numpy(),
        "filiere": selected["filiere_code"].to_numpy(),
        "filiere_label": selected["filiere_code"].map(filiere_labels).to_numpy(),
        "size_band": selected["size_band_code"].to_numpy(),
        "size_band_label": selected["size_band_code"].map(bands).to_numpy(),
        "headcount_estimate": selected["headcount_estimate"].to_numpy(),
        "address": selected["address"].to_numpy(),
        "commune_code": selected["commune_code"].to_numpy(),
        "commune_name": selected["commune_name"].to_numpy(),
        "departement": selected["department_code"].to_numpy(),
        "epci": selected["epci_code"].to_numpy(),
        "epci_name": selected["epci_code"].map(epci_names).to_numpy(),
        "zone_emploi": selected["zone_code"].to_numpy(),
        "zone_emploi_name": selected["zone_code"].map(zone_names).to_numpy(),
        "lat": selected["lat"].round(6).to_numpy(),
        "lon": selected["lon"].round(6).to_numpy(),
        "capabilities": _codes_per_site(capability_links, "capability_code", ids).to_numpy(),
        "capabilities_presumed": _codes_per_site(presumed, "capability_code", ids).to_numpy(),
        "certifications": _codes_per_site(certification_links, "certification_code", ids).to_numpy(),
        "member": selected["is_member"].astype(bool).to_numpy(),
        "created_on": selected["created_on"].to_numpy(),
        "source": selected["source_name"].to_numpy(),
        "source_date": selected["source_date"].to_numpy(),
        "is_demo": selected["is_demo"].astype(bool).to_numpy(),
    })


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
