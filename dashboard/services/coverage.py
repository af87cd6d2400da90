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


def _communes(service: DataService) -> pd.DataFrame:
    return service.lookups.communes[["code", "name", "population", "department_code", "epci_code", "zone_code",
                                     "lat", "lon"]]


def capability_coverage(service: DataService, *, capability: str, radius_km: float, weighting: str) -> CoverageResult:
    """Coverage of one capability (raises CoverageQueryError on a bad capability or radius)."""
    snap = service.snapshot()
    demand, weight = WEIGHTINGS[weighting]
    return snap.lru(("coverage", capability, radius_km, weighting), lambda: coverage_rate(
        catalog_for(service, snap), _communes(service), capability=capability, radius_km=radius_km, demand=demand,
        weight=weight))


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


def by_unit(result: CoverageResult, service: DataService, *, level: str) -> pd.DataFrame:
    """coverage_by_unit with the unit's French name."""
    table = coverage_by_unit(result, level=level)
    look = service.lookups
    names = {
        "commune": dict(zip(look.communes["code"], look.communes["name"])),
        "epci": dict(zip(look.epci["code"], look.epci["name"])),
        "zone_emploi": dict(zip(look.zones["code"], look.zones["name"])),
        "departement": dict(zip(look.departments["code"], look.departments["name"])),
    }[level]
    table.insert(1, "name", table["code"].map(names))
    return table
