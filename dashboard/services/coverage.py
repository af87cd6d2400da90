"""Supplier coverage of the active dataset, cached per dataset version (page and API share it)."""

from __future__ import annotations

import pandas as pd

from dashboard.analytics.coverage import CoverageResult, coverage_by_unit, coverage_matrix, coverage_rate, coverage_summary
from dashboard.services.partners import catalog_for
from dashboard.services import DataService

# What a user picks -> (demand points, weight) of the engine.
WEIGHTINGS = {
    "jobs": ("establishments", "jobs"),
    "count": ("establishments", "count"),
    "population": ("communes", "population"),
}


COUNT_CAP = 3  # no page, table or API shows a per-point supplier count; 3 comes free with the 3rd-nearest query


def _communes(service: DataService) -> pd.DataFrame:
    return service.lookups.communes[["code", "name", "population", "department_code", "epci_code", "zone_code",
                                     "lat", "lon"]]


def capability_coverage(service: DataService, *, capability: str, radius_km: float, weighting: str) -> CoverageResult:
    """Coverage of one capability (raises CoverageQueryError on a bad capability or radius)."""
    snap = service.snapshot()
    demand, weight = WEIGHTINGS[weighting]
    return snap.lru(("coverage", capability, radius_km, weighting), lambda: coverage_rate(
        catalog_for(service, snap), _communes(service), capability=capability, radius_km=radius_km, demand=demand,
        weight=weight, count_cap=COUNT_CAP))


def commune_distances(service: DataService, *, capability: str, radius_km: float) -> CoverageResult:
    """Every commune's distance to the nearest supplier (the map), whatever the chosen weighting."""
    return capability_coverage(service, capability=capability, radius_km=radius_km, weighting="population")


def summary(service: DataService, *, radius_km: float, weighting: str) -> pd.DataFrame:
    """All capabilities at one radius: rate, single-source share, median distances (shares in [0, 1], km)."""
    snap = service.snapshot()
    demand, weight = WEIGHTINGS[weighting]
    return snap.lru(("coverage-summary", radius_km, weighting), lambda: coverage_summary(
        catalog_for(service, snap), _communes(service), radius_km=radius_km, demand=demand, weight=weight))


def matrix(service: DataService, *, radius_km: float, weighting: str) -> pd.DataFrame:
    """Filière × capability coverage of establishments (rates in [0, 1]); communes weighting falls back to jobs."""
    snap = service.snapshot()
    weight = weighting if weighting in ("jobs", "count") else "jobs"
    return snap.lru(("coverage-matrix", radius_km, weight), lambda: coverage_matrix(
        catalog_for(service, snap), radius_km=radius_km, weight=weight,
        filieres=service.lookups.filieres["code"].tolist()))


def by_unit(service: DataService, *, capability: str, radius_km: float, weighting: str, level: str) -> pd.DataFrame:
    """coverage_by_unit of one capability with the unit's French name, built once per data version and choice."""
    snap = service.snapshot()
    return snap.lru(("coverage-units", capability, radius_km, weighting, level), lambda: _named_units(
        service, capability_coverage(service, capability=capability, radius_km=radius_km, weighting=weighting), level))


def _named_units(service: DataService, result: CoverageResult, level: str) -> pd.DataFrame:
    table = coverage_by_unit(result, level=level)
    look = service.lookups
    names = {"commune": look.communes, "epci": look.epci, "zone_emploi": look.zones,
             "departement": look.departments}[level]
    table.insert(1, "name", table["code"].map(dict(zip(names["code"], names["name"]))))
    return table
