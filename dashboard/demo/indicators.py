"""Synthetic reindustrialisation series 2012–2025 and investment projects (fictives), plus published context.

Calibration (docs/indicators.md, "Reindustrialisation"): industrial salaried employment falls between
Q4 2012 and Q4 2022 by exactly 8,161 in Moselle and 4,126 in the Vosges (URSSAF, as published for
Grand Est 2012–2022: −32,600), by 4,900 in Meurthe-et-Moselle and 1,400 in the Meuse (assumptions), to
about 156,000 for Lorraine in 2022. The national context rows (DGE barometer +176/+201/+89, deeptech
creations 168 in 2018 and 340 in 2023) are published figures, stored with `is_demo = False`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from dashboard import repository
from dashboard.analytics.indicators import CATALOG, CATALOG_BY_CODE, NATION_CODE, REGION_CODE, period_start
from dashboard.reference import load_reference

DEMO_SOURCE = "Données de démonstration tissu (fictives)"
DEMO_DATE = dt.date(2025, 12, 31)
FIRST_YEAR, LAST_YEAR = 2012, 2025

# Q4 industrial salaried employment: 2012 and 2022 anchors by department.
EMPLOYMENT_ANCHORS = {"57": (70_400, 62_239), "54": (51_800, 46_900), "88": (38_300, 34_174), "55": (13_900, 12_500)}
# Share of the 2012→2022 fall reached at the end of each year (1.0 in 2022), then the 2023–2025 drift.
_PATH = {2012: 0.0, 2013: 0.12, 2014: 0.25, 2015: 0.37, 2016: 0.47, 2017: 0.55, 2018: 0.61, 2019: 0.66,
         2020: 0.93, 2021: 0.97, 2022: 1.0, 2023: 1.02, 2024: 1.07, 2025: 1.12}
PRIVATE_2012 = {"57": 247_000, "54": 205_000, "88": 114_000, "55": 50_500}  # private salaried employment, Q4 2012
ESTABLISHMENTS_2012 = {"57": 2_450, "54": 2_010, "88": 1_720, "55": 760}  # employer industrial establishments

CONTEXT = [  # published national figures, not synthetic
    ("dge_solde_national", "2022", 176.0, "DGE – baromètre industriel de l'État 2022", dt.date(2023, 3, 1)),
    ("dge_solde_national", "2023", 201.0, "DGE – baromètre industriel de l'État 2023", dt.date(2024, 3, 1)),
    ("dge_solde_national", "2024", 89.0, "DGE – baromètre industriel de l'État 2024", dt.date(2025, 3, 1)),
    ("deeptech_creations", "2018", 168.0, "Bpifrance – 5 ans du Plan Deeptech", dt.date(2024, 3, 1)),
    ("deeptech_creations", "2023", 340.0, "Bpifrance – 5 ans du Plan Deeptech", dt.date(2024, 3, 1)),
]

# (commune, kind, programme, filière, fictional name)
_PROJECT_SITES = [
    ("57677", "extension", "france2030", "auto", "Extension d'une ligne de moteurs électriques"),
    ("57221", "reduction", None, "metal", "Arrêt d'une ligne de laminage"),
    ("57221", "extension", "france2030", "metal", "Décarbonation d'un site sidérurgique"),
    ("57289", "opening", None, "auto", "Nouvelle usine de composants"),
    ("57606", "opening", "france2030", "chimie", "Unité de production d'hydrogène"),
    ("57606", "closure", None, "energie", "Fermeture d'une centrale thermique"),
    ("57631", "reduction", None, "plasturgie", "Réduction d'activité d'un site de pneumatiques"),
    ("57672", "extension", None, "meca", "Agrandissement d'un atelier de mécanique"),
    ("57463", "opening", "deeptech", "electro", "Start-up de capteurs quantiques"),
    ("57463", "extension", None, "electro", "Extension d'un site d'électronique de puissance"),
    ("57433", "opening", "deeptech", "metal", "Start-up de procédés métallurgiques bas carbone"),
    ("57227", "opening", None, "eau", "Centre de recyclage de batteries"),
    ("57160", "closure", None, "auto", "Fermeture d'un équipementier"),
    ("57480", "opening", "deeptech", "chimie", "Start-up de matériaux biosourcés"),
    ("54395", "opening", "deeptech", "chimie", "Start-up de biotechnologie industrielle"),
    ("54547", "opening", "deeptech", "electro", "Start-up de photonique"),
    ("54431", "extension", "france2030", "metal", "Modernisation d'une fonderie de canalisations"),
    ("54528", "extension", None, "metal", "Nouveau four de fonderie"),
    ("54329", "reduction", None, "meca", "Réduction d'effectifs d'un site hydraulique"),
    ("54329", "extension", "france2030", "meca", "Robotisation d'une usine de vérins"),
    ("54328", "opening", None, "electro", "Usine de composants électroniques"),
    ("54397", "closure", None, "metal", "Fermeture d'un atelier de tréfilage"),
    ("54395", "extension", None, "agro", "Extension d'une brasserie"),
    ("88160", "extension", "france2030", "bois", "Ligne de panneaux bois bas carbone"),
    ("88209", "extension", None, "bois", "Nouvelle machine à papier recyclé"),
    ("88413", "opening", None, "meca", "Atelier de tôlerie fine"),
    ("88413", "reduction", None, "textile", "Réduction d'activité d'un tissage"),
    ("88383", "closure", None, "textile", "Fermeture d'une filature"),
    ("88196", "extension", None, "textile", "Extension d'un site de linge de maison"),
    ("88465", "opening", "france2030", "plasturgie", "Usine de recyclage de plastiques"),
    ("88160", "opening", "deeptech", "bois", "Start-up de chimie du bois"),
    ("55122", "extension", "france2030", "transport", "Extension d'un site de pièces aéronautiques"),
    ("55291", "extension", None, "meca", "Nouvelle ligne de verres optiques"),
    ("55291", "reduction", None, "auto", "Réduction d'activité d'un carrossier"),
    ("55029", "opening", None, "agro", "Nouvelle fromagerie"),
    ("55545", "closure", None, "meubles", "Fermeture d'un fabricant de meubles"),
    ("57672", "opening", "france2030", "energie", "Électrolyseur industriel"),
    ("57463", "opening", None, "maintenance", "Centre de maintenance ferroviaire"),
    ("54431", "closure", None, "mineraux", "Fermeture d'une carrière"),
    ("57289", "extension", None, "auto", "Extension d'une plateforme logistique industrielle"),
]


def _quarters() -> list[str]:
    return [f"{y}-Q{q}" for y in range(FIRST_YEAR, LAST_YEAR + 1) for q in range(1, 5)]


def _year_end(year: int, start: float, end2022: float) -> float:
    return start + _PATH[year] * (end2022 - start)


def _quarterly(rng, start: float, end2022: float, noise: float) -> dict[str, int]:
    """Q4 values on the calibrated path; Q1–Q3 interpolated from the previous Q4, with small seeded noise."""
    out = {}
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        here = _year_end(year, start, end2022)
        before = _year_end(year - 1, start, end2022) if year > FIRST_YEAR else start * 1.008
        for q in range(1, 5):
            value = before + (here - before) * q / 4
            if q < 4:
                value *= 1 + rng.normal(0, noise)
            out[f"{year}-Q{q}"] = round(value)
    return out


def generate_series(engine: Engine | None = None, *, seed: int = 42) -> list[dict]:
    """Every demo series point (dicts ready for repository.write_indicator_data), context rows included."""
    rng = np.random.default_rng(seed + 8)
    rows: list[dict] = []

    def add(code, level, territory, period, value, *, demo=True, source=DEMO_SOURCE, date=DEMO_DATE):
        rows.append(dict(indicator_code=code, level=level, territory_code=territory, period=period,
                         period_start=period_start(period), value=None if value is None else float(value),
                         unit=CATALOG_BY_CODE[code]["unit"], source_name=source, source_date=date, is_demo=demo))

    industry, private = {}, {}
    for dep, (start, end) in EMPLOYMENT_ANCHORS.items():
        industry[dep] = _quarterly(rng, start, end, 0.002)
        growth = {y: 1 + 0.003 * (y - FIRST_YEAR) - (0.018 if y == 2020 else 0)
                  for y in range(FIRST_YEAR, LAST_YEAR + 1)}
        private[dep] = {p: round(PRIVATE_2012[dep] * growth[int(p[:4])] * (1 + rng.normal(0, 0.002)))
                        for p in _quarters()}
    territories = {**{d: ("departement", d) for d in industry}, "region": ("region", REGION_CODE)}
    industry["region"] = {p: sum(industry[d][p] for d in EMPLOYMENT_ANCHORS) for p in _quarters()}
    private["region"] = {p: sum(private[d][p] for d in EMPLOYMENT_ANCHORS) for p in _quarters()}
    for key, (level, code) in territories.items():
        for period in _quarters():
            add("emploi_industrie", level, code, period, industry[key][period])
            add("emploi_prive", level, code, period, private[key][period])
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            q4 = f"{year}-Q4"
            add("part_industrie", level, code, str(year), round(100 * industry[key][q4] / private[key][q4], 2))
    establishments = {}
    for dep, base in ESTABLISHMENTS_2012.items():
        establishments[dep] = {y: round(base * (1 - 0.011 * (y - FIRST_YEAR)) + rng.integers(-8, 9))
                               for y in range(FIRST_YEAR, LAST_YEAR + 1)}
        for year, count in establishments[dep].items():
            add("etablissements_industrie", "departement", dep, str(year), count)
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        add("etablissements_industrie", "region", REGION_CODE, str(year), sum(e[year] for e in establishments.values()))
    if engine is not None:
        rows += _sub_department_rows(engine, industry, add_source=(DEMO_SOURCE, DEMO_DATE))
    for code, period, value, source, date in CONTEXT:
        add(code, "pays", NATION_CODE, period, value, demo=False, source=source, date=date)
    return rows


def _sub_department_rows(engine: Engine, industry: dict, *, add_source) -> list[dict]:
    """Yearly (Q4) industrial employment of each EPCI and zone d'emploi: department values split by the
    demo establishments' headcount."""
    demo = repository.dataset_named(engine, "demo")
    if demo is None:
        return []
    frame = repository.establishments_frame(engine, demo.id)
    rows = []
    for level, column in (("epci", "epci_code"), ("zone_emploi", "zone_code")):
        # Only the departments whose series the demo calibrates (Lorraine's; docs/demo-calibration.md).
        known = frame[frame["department_code"].isin(list(industry))]
        heads = known.dropna(subset=[column]).groupby(["department_code", column])["headcount_estimate"].sum()
        dep_totals = heads.groupby(level=0).sum()
        shares = (heads / dep_totals.reindex(heads.index.get_level_values(0)).to_numpy()).rename("share").reset_index()
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            period = f"{year}-Q4"
            values = shares.assign(value=[s * industry[d][period] for d, s in zip(shares["department_code"],
                                                                                  shares["share"])])
            for code, value in values.groupby(column)["value"].sum().items():
                rows.append(dict(indicator_code="emploi_industrie", level=level, territory_code=str(code),
                                 period=period, period_start=period_start(period), value=float(round(value)),
                                 unit="salariés", source_name=add_source[0], source_date=add_source[1], is_demo=True))
    return rows


def generate_projects(*, seed: int = 42) -> list[dict]:
    """The demo investment projects, placed near the centre of real communes (fictional names)."""
    rng = np.random.default_rng(seed + 88)
    communes = load_reference().communes.set_index("code")
    lat_of, lon_of = communes["lat"], communes["lon"]
    rows = []
    for commune, kind, programme, filiere, name in _PROJECT_SITES:
        year = int(rng.integers(2018, 2026))
        day = dt.date(year, 1, 1) + dt.timedelta(days=int(rng.integers(0, 360)))
        if programme == "deeptech":
            jobs, amount = int(rng.integers(5, 30)), float(rng.integers(1, 8)) * 1e6
        elif kind in ("closure", "reduction"):
            jobs, amount = int(rng.integers(20, 400)), None
        else:
            jobs, amount = int(rng.integers(15, 350)), float(rng.integers(3, 120)) * 1e6
        if commune not in lat_of.index:  # a Lorraine site outside the territory (TISSU_TERRITORY)
            continue
        rows.append(dict(
            name=f"{name} (fictif)", kind=kind, programme=programme, commune_code=commune,
            lat=round(float(lat_of[commune]) + float(rng.normal(0, 0.006)), 5),
            lon=round(float(lon_of[commune]) + float(rng.normal(0, 0.008)), 5), announced_on=day, jobs=jobs,
            amount_eur=amount, filiere_code=filiere, source_name=DEMO_SOURCE, source_date=DEMO_DATE, is_demo=True))
    return rows


def load_demo(engine: Engine, *, seed: int = 42) -> dict[str, int]:
    """Replace the demo series and projects (one transaction); refresh the catalogue and the context rows."""
    return repository.write_indicator_data(engine, catalog=CATALOG, values=generate_series(engine, seed=seed),
                                           projects=generate_projects(seed=seed), replace_demo=True)


def ensure_demo(engine: Engine, *, seed: int = 42) -> None:
    if not repository.has_demo_indicators(engine):
        load_demo(engine, seed=seed)


def demo_frame(rows: list[dict]) -> pd.DataFrame:
    """Rows as a frame (for tests and checks)."""
    return pd.DataFrame(rows)
