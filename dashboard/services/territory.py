"""The fiche territoire's non-indicator parts: establishments and filières, supplier coverage, skills in tension.

One territory is a set of communes (`scorecard.scope_communes`); every part below is computed on those communes
from the same snapshot the pages read, so the fiche agrees with the explorer, `/couverture` and `/competences`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.analytics import skills as sk
from dashboard.formatting import fr_date
from dashboard.services import DataService
from dashboard.services import coverage as coverage_svc
from dashboard.services import skills as skills_svc
from dashboard.services.partners import catalog_for

FILIERE_ROWS = 6  # filières listed, largest employers first
COVERAGE_RADIUS_KM = 50.0  # the radius /couverture opens with
COVERAGE_WEIGHTING = "jobs"  # establishments weighted by their estimated jobs, as /couverture by default
WELL_COVERED = 0.9  # a capability is "well covered" when 90 % of the territory's demand has a supplier within r
WEAKEST_ROWS = 5
TENSION_ROWS = 5


@dataclass(frozen=True)
class FiliereRow:
    label: str
    establishments: int
    jobs: float  # estimated jobs (INSEE size band midpoints)
    share: float  # of the territory's estimated jobs, in [0, 1]


@dataclass(frozen=True)
class CoverageRow:
    label: str
    rate: float  # share of the territory's job-weighted demand with a supplier within the radius, in [0, 1]
    local_suppliers: int  # suppliers of the capability inside the territory


@dataclass(frozen=True)
class TensionRow:
    label: str
    difficulty_rate: float | None  # share in [0, 1]; None when every cell is secret
    projects: float | None  # recruitment projects (None: secret)


@dataclass(frozen=True)
class TerritoryProfile:
    """What the fiche shows about a territory beside its reindustrialisation indicators."""

    establishments: int
    jobs: float
    region_share: float  # of Lorraine's establishments, in [0, 1]
    communes: int  # communes with at least one establishment
    filieres: list[FiliereRow]
    establishments_source: str
    coverage_radius_km: float
    capabilities: int  # capabilities with demand in the territory
    well_covered: int  # of which at least WELL_COVERED of the demand has a supplier within the radius
    coverage_mean: float | None  # mean rate over those capabilities, in [0, 1]
    weakest: list[CoverageRow]  # the least covered, only those below 100 %
    skills_year: int | None
    skills_areas: list[str]  # BMO bassins read (names as /competences writes them)
    tensions: list[TensionRow]  # industrial trades, most difficult first
    tension_count: int  # industrial trades above the tension threshold
    skills_source: str
    skills_note: str  # how the bassins were matched to the territory, and the transregional note when needed
    is_demo: bool


def territory_profile(service: DataService, level: str, codes: tuple[str, ...], communes: set[str]) -> TerritoryProfile:
    """The profile of the territory `level`/`codes` made of `communes` (cached per data version and territory)."""
    snap = service.snapshot()
    return snap.lru(("territory-profile", level, codes), lambda: _profile(service, level, codes, communes))


def _profile(service: DataService, level: str, codes: tuple[str, ...], communes: set[str]) -> TerritoryProfile:
    snap = service.snapshot()
    est = snap.establishments
    inside = est[est["commune_code"].isin(communes)]
    jobs = pd.to_numeric(inside["headcount_estimate"], errors="coerce").fillna(0.0)
    total_jobs = float(jobs.sum())
    labels = dict(zip(service.lookups.filieres["code"], service.lookups.filieres["label"]))
    by = pd.DataFrame({"filiere": inside["filiere_code"].fillna(""), "jobs": jobs}).groupby("filiere")
    table = by.agg(n=("jobs", "size"), jobs=("jobs", "sum")).sort_values(["jobs", "n"], ascending=False)
    filieres = [FiliereRow(labels.get(code, "Autres activités"), int(r.n), float(r.jobs),
                           float(r.jobs) / total_jobs if total_jobs else 0.0)
                for code, r in table.head(FILIERE_ROWS).iterrows()]
    ds = snap.dataset
    weakest, well, mean, measured = _coverage(service, inside, communes)
    skills = _skills(service, level, codes, communes)
    return TerritoryProfile(
        establishments=len(inside), jobs=total_jobs, region_share=len(inside) / len(est) if len(est) else 0.0,
        communes=int(inside["commune_code"].nunique()), filieres=filieres,
        establishments_source=f"{ds.source_name} ({fr_date(ds.source_date)})" if ds else "Aucun établissement chargé",
        coverage_radius_km=COVERAGE_RADIUS_KM, capabilities=measured, well_covered=well, coverage_mean=mean,
        weakest=weakest, is_demo=snap.is_demo, **skills)


def _coverage(service: DataService, inside: pd.DataFrame,
              communes: set[str]) -> tuple[list[CoverageRow], int, float | None, int]:
    """Per capability: the job-weighted share of the territory's establishments with a supplier within the
    radius (the /couverture definition restricted to the territory's demand points). Reads the 3 nearest
    suppliers cached per capability and data version (warmed at start-up), so no coverage is recomputed."""
    if inside.empty:
        return [], 0, None, 0
    snap = service.snapshot()
    catalog = catalog_for(service, snap)
    demand = catalog.establishments
    mask = demand["commune_code"].isin(communes).to_numpy()
    weights = pd.to_numeric(demand["headcount_estimate"], errors="coerce").fillna(0.0).to_numpy(float)[mask]
    if weights.sum() <= 0:
        return [], 0, None, 0
    links = snap.capability_links
    local = links[links["establishment_id"].isin(inside["id"])].groupby("capability_code")["establishment_id"]
    local_counts = local.nunique().to_dict()
    rows = []
    look = service.lookups
    for code, label in zip(look.capabilities["code"], look.capabilities["label"]):
        near = coverage_svc.nearest(service, snap, capability=code, demand="establishments")
        covered = near.distances[mask, 0] <= COVERAGE_RADIUS_KM
        rows.append(CoverageRow(label, float((weights * covered).sum() / weights.sum()),
                                int(local_counts.get(code, 0))))
    rows.sort(key=lambda r: (r.rate, r.label))
    well = sum(r.rate >= WELL_COVERED for r in rows)
    mean = float(np.mean([r.rate for r in rows])) if rows else None
    return [r for r in rows if r.rate < 1.0][:WEAKEST_ROWS], well, mean, len(rows)  # fully covered: nothing to flag


def _skills(service: DataService, level: str, codes: tuple[str, ...], communes: set[str]) -> dict:
    """The industrial trades in tension of the BMO bassins of the territory (same ranking as /competences)."""
    data = skills_svc.skills_data(service)
    empty: dict[str, object] = {"skills_year": None, "skills_areas": [], "tensions": [], "tension_count": 0,
             "skills_source": data.source_line, "skills_note": "Aucune donnée BMO chargée (tissu import bmo)."}
    if not data.years:
        return empty
    areas = data.areas
    if level == "region":
        chosen, note = areas, "Tous les bassins de l'enquête BMO chargés."
    elif level == "departement":
        chosen, note = areas[areas["department_code"].isin(codes)], "Bassins rattachés au département."
    else:  # bassins holding at least one commune of the territory
        present = set(data.area_of_commune[data.area_of_commune.index.isin(communes)])
        chosen = areas[areas["code"].isin(present)]
        note = ("Bassin d'emploi BMO du territoire." if len(chosen) == 1 else
                "Bassins d'emploi BMO comprenant au moins une commune du territoire (chiffres des bassins entiers).")
    if "cross_region" in chosen and chosen["cross_region"].any():
        note += " " + sk.CROSS_REGION_NOTE
    year = data.years[-1]
    needs = sk.filter_needs(data.needs, data.trades, data.areas, industrial_only=True, year=year)
    needs = needs[needs["area_code"].isin(set(chosen["code"]))]
    ranked = sk.critical_trades(needs, data.trades)
    known = ranked.dropna(subset=["difficulty_rate"])
    tensions = [TensionRow(str(r["label"]), _number(r["difficulty_rate"]), _number(r["projects"]))
                for r in known.head(TENSION_ROWS).to_dict("records")]
    return {"skills_year": year, "skills_areas": sorted(chosen["name"]), "tensions": tensions,
            "tension_count": int(ranked["tension"].sum()) if len(ranked) else 0,
            "skills_source": data.source_line.removeprefix("Source : "), "skills_note": note}


def _number(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
