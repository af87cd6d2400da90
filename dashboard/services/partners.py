"""Run a partner query against the active dataset: resolve the origin, query the engine, build records.

Shared by the partner page and GET /api/v1/partners so both answer the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.analytics.partner_query import PartnerQuery
from dashboard.analytics.partners import PartnerCatalog, PartnerResult, partner_catalog, partners_near
from dashboard.analytics.records import establishment_records
from dashboard.services import DataService, Snapshot


class OriginError(ValueError):
    """The origin cannot be resolved (unknown establishment or commune, no origin at all)."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class Origin:
    kind: str  # site, commune or point
    label: str  # French, for the page ("Atelier X, Metz" / "Metz (57)" / "point choisi sur la carte")
    lat: float
    lon: float
    establishment_id: int | None = None
    public_id: str | None = None


@dataclass(frozen=True)
class PartnerSearch:
    origin: Origin
    result: PartnerResult
    records: pd.DataFrame  # establishment records + distance_km, road_km_estimate, drive_min_estimate, score, why


def catalog_for(service: DataService, snap: Snapshot) -> PartnerCatalog:
    """The partner engine's catalog of this dataset version, built once and cached on the snapshot."""
    look = service.lookups
    return snap.cached("partner_catalog", lambda: partner_catalog(
        snap.establishments, snap.capability_links, snap.certification_links,
        capability_taxonomy=look.capabilities[["code", "label"]],
        certification_taxonomy=look.certifications[["code", "label"]],
        size_bands=look.size_bands[["code", "short_label", "sort_order"]]))


def resolve_origin(query: PartnerQuery, snap: Snapshot, communes: pd.DataFrame) -> Origin:
    if query.site:
        frame = snap.establishments
        row = frame[(frame["public_id"] == query.site) | (frame["siret"] == query.site)]
        if row.empty:
            raise OriginError("site", f"Établissement inconnu dans le jeu de données actif : « {query.site} ».")
        r = row.iloc[0]
        return Origin("site", f"{r['name']}, {r['commune_name']}", float(r["lat"]), float(r["lon"]),
                      int(r["id"]), r["public_id"])
    if query.commune:
        row = communes[communes["code"] == query.commune]
        if row.empty:
            raise OriginError("commune", f"Commune inconnue : « {query.commune} » (code INSEE de Lorraine).")
        r = row.iloc[0]
        return Origin("commune", f"{r['name']} ({r['department_code']})", float(r["lat"]), float(r["lon"]))
    if query.lat is not None and query.lon is not None:
        return Origin("point", "point choisi sur la carte", query.lat, query.lon)
    raise OriginError("origin", "Choisissez un point de départ : un établissement, une commune ou un point.")


def search_partners(service: DataService, query: PartnerQuery, *, limit: int | None = 100) -> PartnerSearch:
    """Partners for `query` in the active dataset. Raises OriginError or PartnerQueryError (French messages)."""
    snap = service.snapshot()
    origin = resolve_origin(query, snap, service.lookups.communes)
    catalog = catalog_for(service, snap)
    result = partners_near(
        catalog, lat=origin.lat, lon=origin.lon, capabilities=query.capabilities,
        capability_mode=query.capability_mode, certifications=query.certifications, naf_codes=query.naf,
        size_min=query.size_min, members_only=query.members_only, radius_km=query.radius_km,
        exclude_id=origin.establishment_id, sort=query.sort, limit=limit)
    items = result.items
    records = establishment_records(items, capability_links=snap.capability_links,
                                    certification_links=snap.certification_links, lookups=service.lookups)
    for column in ("distance_km", "road_km_estimate", "drive_min_estimate", "score", "why", "matched_capabilities"):
        records[column] = items[column].to_numpy()
    records["rank"] = range(1, len(records) + 1)
    return PartnerSearch(origin, result, records)
