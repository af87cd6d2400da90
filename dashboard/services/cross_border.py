"""Across the border (issue 18): the sites abroad of the active dataset, the partner catalog that includes them,
the cross-border switch's default, and the map's context layer (NUTS-3 regions, sites abroad) as payloads.

Sites abroad are not part of `Snapshot.establishments` (the territory's sites: every count, filter and
choropleth of the territory stays what it was); they are read once per dataset version beside it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from dashboard import repository
from dashboard.analytics.partner_query import FALSE_WORDS, TRUE_WORDS
from dashboard.analytics.partners import PartnerCatalog, partner_catalog
from dashboard.analytics.records import establishment_records
from dashboard.borders import BORDER_KM, HOME_COUNTRY, country_label, load_nuts
from dashboard.formatting import fr_number
from dashboard.services.base import DataService, Snapshot
from dashboard.services.payloads import EncodedPayload, PayloadBuilder, cached_payload
from dashboard.services.records import records_with

SWITCH_LABEL = "Inclure les fournisseurs transfrontaliers"


class CrossBorderParamError(ValueError):
    """A `cross_border` value that is not 1/0 (or oui/non, true/false); the message is French."""

    parameter = "cross_border"


def parse_cross_border(values: Sequence[str] | None) -> bool | None:
    """`cross_border` from query parameters: True, False, or None when absent or empty (the default applies).
    Raises CrossBorderParamError on any other value."""
    given = [str(v).strip().lower() for v in values or () if str(v).strip()]
    if not given:
        return None
    if given[-1] in TRUE_WORDS:
        return True
    if given[-1] in FALSE_WORDS:
        return False
    raise CrossBorderParamError(f"cross_border : « {given[-1]} » n'est pas une valeur possible (1 ou 0).")


def near_border(lat: float, lon: float) -> bool:
    """Whether a point lies within BORDER_KM of a region abroad: the switch's default for an origin there."""
    return bool(load_nuts().km_to_abroad([lat], [lon])[0] <= BORDER_KM)


def territory_near_border(service: DataService) -> bool:
    """Whether some commune of the territory lies within BORDER_KM of a region abroad (coverage's default)."""
    communes = service.lookups.communes
    if communes.empty:
        return False
    return bool((load_nuts().km_to_abroad(communes["lat"], communes["lon"]) <= BORDER_KM).any())


def foreign_sites(service: DataService, snap: Snapshot) -> pd.DataFrame:
    """The active sites abroad of the snapshot's dataset (columns of `establishments_frame` + country,
    nuts3_code, foreign_id, country_label, region_name), read once per data version."""
    def build() -> pd.DataFrame:
        frame = repository.foreign_establishments_frame(service.engine, snap.dataset.id if snap.dataset else -1)
        names = load_nuts().names()
        frame["country_label"] = [country_label(c, n) for c, n in zip(frame["country"], frame["nuts3_code"])]
        frame["region_name"] = [names.get(n) for n in frame["nuts3_code"]]
        return frame
    return snap.cached("foreign_sites", build)


def foreign_site(service: DataService, snap: Snapshot, key: str | None) -> pd.Series | None:
    """The site abroad whose public id or registration number is `key`, or None (a few hundred rows: a scan)."""
    sites = foreign_sites(service, snap)
    if not key or sites.empty:
        return None
    found = sites[(sites["public_id"] == key) | (sites["foreign_id"] == key)]
    return None if found.empty else found.iloc[0]


def foreign_record(service: DataService, snap: Snapshot, site: pd.Series) -> dict:
    """The full record of one site abroad (`services.records`' columns) with its country, region and number."""
    ids, records = foreign_records(service, snap)
    record = records.iloc[int(ids.get_loc(int(site["id"])))].to_dict()
    return record | {"country": site["country"], "country_label": site["country_label"],
                     "region_name": site["region_name"], "foreign_id": site["foreign_id"]}


# What the partner and coverage engines read of a site: the combined frame holds only these columns (not a copy
# of the wide establishments frame; the records come from `records_across`).
_ENGINE_COLUMNS = ("id", "public_id", "name", "commune_code", "filiere_code", "naf_code", "department_code",
                   "epci_code", "zone_code", "lat", "lon", "headcount_estimate", "size_band_code", "is_member")


def _combined(service: DataService, snap: Snapshot) -> pd.DataFrame:
    home = snap.establishments
    columns = [c for c in _ENGINE_COLUMNS if c in home.columns]
    # The sites abroad in the territory's dtypes: their all-empty French codes (object columns of None) would
    # otherwise turn four of the territory's Arrow string columns into a Python string per row (0.2 GB at 1M);
    # Arrow columns of one dtype concatenate as chunks, without a copy.
    abroad = foreign_sites(service, snap)[[*columns, "country", "country_label"]].astype(home[columns].dtypes.to_dict())
    return pd.concat([home[columns].assign(country=HOME_COUNTRY, country_label=country_label(HOME_COUNTRY)), abroad],
                     ignore_index=True)


def cross_border_catalog(service: DataService, snap: Snapshot) -> PartnerCatalog:
    """The partner catalog of the territory's sites followed by the sites abroad (`home_size` tells them apart),
    built once per data version; without sites abroad, the territory's sites alone. The territory's catalog
    (`services.partners.catalog_for`) is its leading part, on views of the same arrays."""
    look = service.lookups
    abroad = not foreign_sites(service, snap).empty

    def build() -> PartnerCatalog:
        return partner_catalog(
            _combined(service, snap) if abroad else snap.establishments, snap.capability_links,
            snap.certification_links, capability_taxonomy=look.capabilities[["code", "label"]],
            certification_taxonomy=look.certifications[["code", "label"]],
            size_bands=look.size_bands[["code", "short_label", "sort_order"]],
            home_size=len(snap.establishments) if abroad else None)
    return snap.cached("partner_catalog_cross_border", build)


def foreign_records(service: DataService, snap: Snapshot) -> tuple[pd.Index, pd.DataFrame]:
    """(ids, records) of the sites abroad, positionally aligned, once per version (`services.records`' columns)."""
    def build() -> tuple[pd.Index, pd.DataFrame]:
        frame = foreign_sites(service, snap)
        records = establishment_records(frame, capability_links=snap.capability_links,
                                        certification_links=snap.certification_links, lookups=service.lookups)
        return pd.Index(frame["id"]), records
    return snap.cached("foreign_records", build)


def records_across(service: DataService, snap: Snapshot, items: pd.DataFrame, extra: dict[str, np.ndarray], *,
                   hidden: frozenset[str]) -> pd.DataFrame:
    """`records_with` for rows of the territory and abroad mixed (`items` has `country`), in `items`' order: each
    part from its own per-version records, so no records frame of every site is built twice."""
    abroad = items["country"].fillna(HOME_COUNTRY).to_numpy(object) != HOME_COUNTRY
    parts, order = [], []
    for mask, source in ((~abroad, None), (abroad, foreign_records(service, snap))):
        rows = np.flatnonzero(mask)
        parts.append(records_with(service, snap, items.iloc[rows], {k: v[rows] for k, v in extra.items()},
                                  hidden=hidden, source=source))
        order.append(rows)
    merged = pd.concat(parts, ignore_index=True)
    return merged.iloc[np.argsort(np.concatenate(order), kind="stable")].reset_index(drop=True)


def home_country_columns(n: int) -> dict[str, np.ndarray]:
    """`country` and `country_label` of `n` sites of the territory ('FR', 'France')."""
    return {"country": np.full(n, HOME_COUNTRY, dtype=object),
            "country_label": np.full(n, country_label(HOME_COUNTRY), dtype=object)}


# --- the map's context layer: NUTS-3 regions and the sites abroad, sent once per data version ----------------

REGIONS_PAYLOAD, SITES_PAYLOAD = "border_regions", "border_sites"


def regions_payload(service: DataService) -> EncodedPayload:
    """The NUTS-3 regions around the territory (GeoJSON, ~45 KB, ~11 KB gzipped) with their French country."""
    return cached_payload(service.snapshot(), REGIONS_PAYLOAD, lambda: load_nuts().context_layer())


def sites_payload(service: DataService) -> EncodedPayload:
    """The sites abroad as GeoJSON points: name, town, country, region, capabilities (labels), demo flag."""
    snap = service.snapshot()

    def build() -> dict:
        sites = foreign_sites(service, snap)
        labels = dict(zip(service.lookups.capabilities["code"], service.lookups.capabilities["label"]))
        links = snap.capability_links[snap.capability_links["establishment_id"].isin(sites["id"])]
        offered = links.groupby("establishment_id")["capability_code"].agg(list).to_dict()
        return {"type": "FeatureCollection", "features": [{
            "type": "Feature", "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
            "properties": {"id": pid, "name": name, "town": town, "country": label, "region": region,
                           "jobs": fr_number(jobs) if pd.notna(jobs) else None, "demo": bool(demo),
                           "capabilities": [labels.get(c, c) for c in offered.get(i, [])]}}
            for i, pid, name, town, label, region, jobs, demo, lat, lon in zip(
                sites["id"], sites["public_id"], sites["name"], sites["commune_name"], sites["country_label"],
                sites["region_name"], sites["headcount_estimate"], sites["is_demo"], sites["lat"], sites["lon"])]}
    return cached_payload(snap, SITES_PAYLOAD, build)


# The explorer's context layer, served at /data/<name>-<etag>.json (declared in the page registry).
PAYLOADS: dict[str, PayloadBuilder] = {REGIONS_PAYLOAD: regions_payload, SITES_PAYLOAD: sites_payload}


def context_urls(service: DataService) -> dict[str, str]:
    """The versioned URLs of the context layer's payloads (`border_regions`, `border_sites` when there are sites)."""
    urls = {REGIONS_PAYLOAD: regions_payload(service).url}
    if not foreign_sites(service, service.snapshot()).empty:
        urls[SITES_PAYLOAD] = sites_payload(service).url
    return urls


def map_bounds() -> list[list[float]]:
    """How far the maps may be panned: the bundled regions' box (degrees), a little wider."""
    (south, west), (north, east) = load_nuts().bounds()
    return [[round(south - 0.3, 2), round(west - 0.3, 2)], [round(north + 0.3, 2), round(east + 0.3, 2)]]
