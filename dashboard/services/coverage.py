"""Supplier coverage of the active dataset, cached per dataset version (page and API share it)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from dashboard.analytics.coverage import (
    CoverageQueryError,
    CoverageResult,
    NearestSource,
    NearestSuppliers,
    coverage_by_unit,
    coverage_matrix,
    coverage_rate,
    coverage_summary,
    nearest_suppliers,
)
from dashboard.analytics.partners import PartnerCatalog
from dashboard.callback_inputs import as_number, as_text
from dashboard.formatting import fr_date
from dashboard.services import DataService, Snapshot
from dashboard.services.cross_border import (
    CrossBorderParamError,
    context_urls,
    cross_border_catalog,
    parse_cross_border,
    territory_near_border,
)
from dashboard.services.downloads import ExportFile
from dashboard.services.options import capability_options
from dashboard.services.partners import catalog_for

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


def _catalog(service: DataService, snap: Snapshot, cross_border: bool) -> PartnerCatalog:
    """The suppliers: the territory's, followed by the sites abroad when `cross_border` (demand stays home)."""
    return cross_border_catalog(service, snap) if cross_border else catalog_for(service, snap)


def cross_border_choice(service: DataService, value: bool | None) -> bool:
    """The cross-border switch: the given value, else on when the territory lies near the border."""
    return territory_near_border(service) if value is None else value


def nearest(service: DataService, snap: Snapshot, *, capability: str, demand: str,
            cross_border: bool = False) -> NearestSuppliers:
    """The 3 nearest suppliers of every demand point for `capability`, once per data version (any radius reads
    them: ≈ 0.3 s for 100k establishments, a few ms for the communes). Unknown capability: CoverageQueryError."""
    key = f"coverage_nearest:{demand}:{capability}" + (":abroad" if cross_border else "")
    return snap.cached(key, lambda: nearest_suppliers(
        _catalog(service, snap, cross_border), _communes(service), capability=capability, demand=demand))


def _nearest_source(service: DataService, snap: Snapshot, demand: str, cross_border: bool) -> NearestSource:
    return lambda capability: nearest(service, snap, capability=capability, demand=demand, cross_border=cross_border)


def capability_coverage(service: DataService, *, capability: str, radius_km: float, weighting: str,
                        cross_border: bool = False) -> CoverageResult:
    """Coverage of one capability (raises CoverageQueryError on a bad capability or radius); `cross_border`:
    the sites abroad supply too (the demand stays the territory's)."""
    snap = service.snapshot()
    demand, weight = WEIGHTINGS[weighting]
    return snap.lru(("coverage", capability, radius_km, weighting, cross_border), lambda: coverage_rate(
        _catalog(service, snap, cross_border), _communes(service), capability=capability, radius_km=radius_km,
        demand=demand, weight=weight, count_cap=COUNT_CAP,
        nearest=_nearest_source(service, snap, demand, cross_border)))


def commune_distances(service: DataService, *, capability: str, radius_km: float,
                      cross_border: bool = False) -> CoverageResult:
    """Every commune's distance to the nearest supplier (the map), whatever the chosen weighting."""
    return capability_coverage(service, capability=capability, radius_km=radius_km, weighting="population",
                               cross_border=cross_border)


def summary(service: DataService, *, radius_km: float, weighting: str, cross_border: bool = False) -> pd.DataFrame:
    """All capabilities at one radius: rate, single-source share, median distances (shares in [0, 1], km)."""
    snap = service.snapshot()
    demand, weight = WEIGHTINGS[weighting]
    return snap.lru(("coverage-summary", radius_km, weighting, cross_border), lambda: coverage_summary(
        _catalog(service, snap, cross_border), _communes(service), radius_km=radius_km, demand=demand, weight=weight,
        nearest=_nearest_source(service, snap, demand, cross_border)))


def matrix(service: DataService, *, radius_km: float, weighting: str, cross_border: bool = False) -> pd.DataFrame:
    """Filière × capability coverage of establishments (rates in [0, 1]); communes weighting falls back to jobs."""
    snap = service.snapshot()
    weight = weighting if weighting in ("jobs", "count") else "jobs"
    return snap.lru(("coverage-matrix", radius_km, weight, cross_border), lambda: coverage_matrix(
        _catalog(service, snap, cross_border), radius_km=radius_km, weight=weight,
        filieres=service.lookups.filieres["code"].tolist(),
        nearest=_nearest_source(service, snap, "establishments", cross_border)))


def by_unit(service: DataService, *, capability: str, radius_km: float, weighting: str, level: str,
            cross_border: bool = False) -> pd.DataFrame:
    """coverage_by_unit of one capability with the unit's French name, built once per data version and choice."""
    snap = service.snapshot()
    return snap.lru(("coverage-units", capability, radius_km, weighting, level, cross_border), lambda: _named_units(
        service, capability_coverage(service, capability=capability, radius_km=radius_km, weighting=weighting,
                                     cross_border=cross_border), level))


def _named_units(service: DataService, result: CoverageResult, level: str) -> pd.DataFrame:
    table = coverage_by_unit(result, level=level)
    look = service.lookups
    names = {"commune": look.communes, "epci": look.epci, "zone_emploi": look.zones,
             "departement": look.departments}[level]
    table.insert(1, "name", table["code"].map(dict(zip(names["code"], names["name"]))))
    return table


# --- The coverage page: its URL query, one capability's numbers and tables, the overview, exports --------

DEFAULT_CAPABILITY = "traitement_thermique"
DEFAULT_RADIUS = 50.0
RADIUS_RANGE = (5.0, 150.0)  # what the page's slider offers, km
COMMUNES_URL = "/geo/communes.pbf"
WEIGHT_CHOICES = [("jobs", "Établissements, pondérés par leurs emplois"), ("count", "Établissements (un par site)"),
                  ("population", "Communes, pondérées par leur population")]
LEVEL_CHOICES = [("commune", "Communes"), ("epci", "EPCI"), ("zone_emploi", "Zones d'emploi"),
                 ("departement", "Départements")]


@dataclass(frozen=True)
class CoverageView:
    """The page's controls restored from the URL, with a notice for every value dropped."""

    capability: str
    radius_km: float
    weighting: str
    level: str
    notices: list[str]
    capability_options: list[dict]
    source_line: str
    tile_url: str = ""
    tile_attribution: str = ""
    cross_border: bool = False  # the sites abroad supply too (default: the territory lies near the border)
    context_urls: dict = field(default_factory=dict)  # the map's layer across the border (services.cross_border)


def parse_query(service: DataService, query: dict[str, list[str]]) -> tuple[str, float, str, str, list[str]]:
    """Capability, radius (km), weighting and level from URL-style parameters; bad values fall back to the
    defaults with a French notice. Callbacks parse their control values the same way (`controls`)."""
    look = service.lookups
    first = {k: str(v[0]) for k, v in query.items() if v}
    notices = []
    capability = first.get("capability", DEFAULT_CAPABILITY)
    if capability not in set(look.capabilities["code"]):
        notices.append(f"Savoir-faire inconnu ignoré : « {capability[:80]} ».")
        capability = DEFAULT_CAPABILITY
    radius = DEFAULT_RADIUS
    if "radius_km" in first:
        try:
            radius = float(first["radius_km"])
            if not RADIUS_RANGE[0] <= radius <= RADIUS_RANGE[1]:
                raise ValueError
        except ValueError:
            notices.append(f"Rayon invalide ignoré : « {first['radius_km'][:40]} » (5 à 150 km).")
            radius = DEFAULT_RADIUS
    weighting = first.get("weight", "jobs")
    if weighting not in dict(WEIGHT_CHOICES):
        notices.append(f"Pondération inconnue ignorée : « {weighting[:80]} ».")
        weighting = "jobs"
    level = first.get("level", "epci")
    if level not in dict(LEVEL_CHOICES):
        notices.append(f"Échelle inconnue ignorée : « {level[:80]} ».")
        level = "epci"
    return capability, radius, weighting, level, notices


def controls(capability, radius_km, weighting, level="epci") -> tuple[str, float, str, str]:
    """The page's control values (or a query store's) as the services take them: text, a number, known choices.

    Values of the wrong type fall back to the defaults; the capability and the radius are left for
    `capability_coverage` to check, so that an unknown one gets its French message on the page."""
    weighting, level = as_text(weighting), as_text(level)
    return (as_text(capability) or DEFAULT_CAPABILITY, as_number(radius_km) or DEFAULT_RADIUS,
            weighting if weighting in dict(WEIGHT_CHOICES) else "jobs",
            level if level in dict(LEVEL_CHOICES) else "epci")


def in_range(radius_km: float) -> bool:
    return RADIUS_RANGE[0] <= radius_km <= RADIUS_RANGE[1]


def coverage_view(service: DataService, query: dict[str, list[str]]) -> CoverageView:
    """The page state from the URL; bad values fall back to defaults with a notice."""
    look = service.lookups
    capability, radius, weighting, level, notices = parse_query(service, query)
    try:
        cross_border = cross_border_choice(service, parse_cross_border(query.get("cross_border")))
    except CrossBorderParamError:
        notices.append("Valeur ignorée pour les fournisseurs transfrontaliers (cross_border : 1 ou 0).")
        cross_border = cross_border_choice(service, None)
    ds = service.snapshot().dataset
    return CoverageView(
        capability=capability, radius_km=radius, weighting=weighting, level=level, notices=notices,
        cross_border=cross_border, context_urls=context_urls(service),
        capability_options=capability_options(look.capabilities),
        source_line=f"Source : {ds.source_name} · {fr_date(ds.source_date)}" if ds else "Aucune donnée chargée",
        tile_url=service.settings.tile_url, tile_attribution=service.settings.tile_attribution)


def query_params(capability: str, radius_km: float, weighting: str, level: str,
                 cross_border: bool | None = None) -> dict[str, str]:
    """The link's parameters; `cross_border` only when it is not the default (None)."""
    params = {"capability": capability, "radius_km": f"{radius_km:g}", "weight": weighting, "level": level}
    if cross_border is not None:
        params["cross_border"] = "1" if cross_border else "0"
    return params


def switch_value(value) -> bool | None:
    """The page's cross-border switch (a checklist: ["1"] when on, [] off), None when the browser sent no list."""
    return ("1" in value) if isinstance(value, list) else None


@dataclass(frozen=True)
class CapabilityPage:
    """What the page shows for one capability: headline numbers, the map's distances, the two tables."""

    label: str  # the capability's French label
    weight_label: str  # the weighting's, lower case
    radius_km: float
    result: CoverageResult
    commune_km: dict[str, float | None]  # commune code -> km to the nearest supplier (None: none in Lorraine)
    suppliers: list[dict]  # lon, lat, name, public_id
    unit_rows: list[dict]  # by_unit, weakest first (NaN as None)
    single_rows: list[dict]  # single suppliers with their commune name
    params: dict[str, str]
    cross_border: bool = False
    suppliers_abroad: int = 0


@dataclass(frozen=True)
class CapabilityError:
    message: str  # French, from CoverageQueryError
    params: dict[str, str]


def capability_page(service: DataService, capability: str, radius_km: float, weighting: str,
                    level: str, switch: bool | None = None) -> CapabilityPage | CapabilityError:
    """Numbers, map distances and tables of one capability; CapabilityError on a bad capability or radius.
    `switch`: the cross-border switch, None for its default (on when the territory lies near the border)."""
    default = cross_border_choice(service, None)
    cross_border = default if switch is None else switch
    params = query_params(capability, radius_km, weighting, level, None if cross_border == default else cross_border)
    try:
        result = capability_coverage(service, capability=capability, radius_km=radius_km, weighting=weighting,
                                     cross_border=cross_border)
        communes = commune_distances(service, capability=capability, radius_km=radius_km, cross_border=cross_border)
    except CoverageQueryError as err:
        return CapabilityError(str(err), params)
    look = service.lookups
    points = communes.points
    units = by_unit(service, capability=capability, radius_km=radius_km, weighting=weighting, level=level,
                    cross_border=cross_border)
    communes_names = dict(zip(look.communes["code"], look.communes["name"]))
    singles = result.single_suppliers.assign(commune_name=lambda f: f["commune_code"].map(communes_names))
    if "country_label" in singles.columns:  # a supplier abroad: its town is not a commune, say its country
        abroad = singles["country_label"].fillna("France") != "France"
        singles.loc[abroad, "commune_name"] = singles.loc[abroad, "country_label"]
    return CapabilityPage(
        label=dict(zip(look.capabilities["code"], look.capabilities["label"]))[capability],
        weight_label=dict(WEIGHT_CHOICES)[weighting].lower(), radius_km=radius_km, result=result,
        commune_km=dict(zip(points["code"], points["nearest_km"].where(points["nearest_km"].notna(), None))),
        suppliers=result.suppliers[["lon", "lat", "name", "public_id"]].to_dict("records"),
        cross_border=cross_border,
        suppliers_abroad=int((result.suppliers.get("country", pd.Series(dtype=object)).fillna("FR") != "FR").sum()),
        unit_rows=units.sort_values(["rate", "name"]).replace({float("nan"): None}).to_dict("records"),
        single_rows=singles.replace({float("nan"): None}).to_dict("records"), params=params)


@dataclass(frozen=True)
class CoverageOverview:
    """Every capability at one radius (summary) and the filière × capability matrix, with their labels."""

    summary: pd.DataFrame
    matrix: pd.DataFrame
    filiere_labels: dict[str, str]
    capability_labels: dict[str, str]


def overview(service: DataService, *, radius_km: float, weighting: str, cross_border: bool = False) -> CoverageOverview:
    look = service.lookups
    return CoverageOverview(summary(service, radius_km=radius_km, weighting=weighting, cross_border=cross_border),
                            matrix(service, radius_km=radius_km, weighting=weighting, cross_border=cross_border),
                            dict(zip(look.filieres["code"], look.filieres["label"])),
                            dict(zip(look.capabilities["code"], look.capabilities["label"])))


def export_file(service: DataService, params: dict | None, choice: str, kind: str) -> ExportFile:
    """CSV of the chosen table, or every table as sheets of one workbook (French headers)."""
    params = params if isinstance(params, dict) else {}
    capability, radius, weighting, level = controls(params.get("capability"), params.get("radius_km"),
                                                    params.get("weight"), params.get("level"))
    abroad = cross_border_choice(service, {"1": True, "0": False}.get(str(params.get("cross_border"))))
    look = service.lookups
    cap_labels = dict(zip(look.capabilities["code"], look.capabilities["label"]))
    result = capability_coverage(service, capability=capability, radius_km=radius, weighting=weighting,
                                 cross_border=abroad)
    units = by_unit(service, capability=capability, radius_km=radius, weighting=weighting, level=level,
                    cross_border=abroad)
    units = units[["code", "name", "rate", "covered_points", "desert_points", "single_source_share",
                   "median_nearest_km", "max_nearest_km", "demand_points", "weight"]]
    units.columns = ["Code", "Territoire", "Couverture", "Points couverts", "Points en désert", "Source unique",
                     "Distance médiane (km)", "Distance max. (km)", "Points de demande", "Poids de la demande"]
    every = summary(service, radius_km=radius, weighting=weighting, cross_border=abroad).drop(
        columns=["capability_code"])
    every.columns = ["Savoir-faire", "Rayon (km)", "Fournisseurs", "Couverture", "Source unique", "En désert",
                     "Distance médiane au plus proche (km)", "Distance médiane au 3e (km)", "Fournisseurs uniques"]
    cross = matrix(service, radius_km=radius, weighting=weighting, cross_border=abroad).rename(columns=cap_labels)
    cross.index = cross.index.map(dict(zip(look.filieres["code"], look.filieres["label"])))
    cross.index.name = "Filière"
    singles = result.single_suppliers[["public_id", "name", "commune_code", "department_code", "dependent_points",
                                       "dependent_weight"]]
    singles.columns = ["Identifiant", "Fournisseur unique", "Code commune", "Département", "Points qui en dépendent",
                       "Poids dépendant"]
    tables = {"units": ("Territoires", units), "summary": ("Tous les savoir-faire", every),
              "matrix": ("Filières × savoir-faire", cross.reset_index()), "singles": ("Fournisseurs uniques", singles)}
    stamp = f"{capability}-{radius:g}km"
    if kind == "csv":
        _, frame = tables.get(choice, tables["units"])
        return ExportFile(frame, f"tissu-couverture-{choice}-{stamp}")
    ds = service.snapshot().dataset
    parameters = pd.DataFrame({"Paramètre": ["Savoir-faire", "Rayon", "Demande", "Source"],
                               "Valeur": [cap_labels.get(capability, capability), f"{radius:g} km",
                                          dict(WEIGHT_CHOICES)[weighting], ds.source_name if ds else ""]})
    (first_name, first), *others = tables.values()
    return ExportFile(first, f"tissu-couverture-{stamp}", sheet=first_name,
                      extra_sheets={**dict(others), "Paramètres": parameters})
