"""SYNTHETIC skills data: BMO-like recruitment needs 2019–2025 and training sites (seeded, deterministic).

Trade labels are real BMO labels but every code starts with `DEMO-` (official codes are 5-character FAP
codes such as `D1X40`), and the territories are the 15 zones d'emploi 2020 of Lorraine coded `DEMO-<ZE>`
(real geography; BMO bassins are France Travail's own zoning). Training sites sit in real communes under
invented names.

Calibration (sources in docs/sources.md, "Skills"; levels are assumptions, not sourced, unless stated):
* Moselle 2025: 25,631 projects over all trades, 57.3 % judged difficult (sourced). A trade
  "Autres métiers (agrégat de démonstration)" carries what the listed trades do not, so that every
  department's total and rate hit their targets (Meurthe-et-Moselle 22,000, Vosges 12,300, Meuse 5,200
  in 2025: assumptions). Earlier years follow the national profile (2020 dip, 2022–2023 peak, −14.8 %
  in 2025 as in Grand Est).
* Industrial trades are ~12 % of projects and often 60–80 % difficult (boilermakers ~80 %, setters ~80 %).
* Small cells are secret like in the BMO: projects < 4 -> all three values secret; difficult and
  seasonal secret when projects < 10 (half the time).
* Welders' graduates cover about 60 % of their projects over Lorraine; other trades 30–110 %.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from dashboard import repository

SOURCE_NAME = "Données de démonstration tissu, d'après la structure de l'enquête BMO (fictives)"
SOURCE_DATE = dt.date(2025, 4, 15)
YEARS = tuple(range(2019, 2026))
FAMILIES = {"A": "Fonctions administratives", "C": "Fonctions d'encadrement",
            "I": "Ouvriers des secteurs de l'industrie", "O": "Ouvriers de la construction et du bâtiment",
            "S": "Fonctions sociales et médico-sociales", "T": "Autres techniciens et employés",
            "V": "Fonctions liées à la vente, au tourisme et aux services", "Z": "Autres métiers"}
# code suffix, label (real BMO wording), family, industrial, share of an area's projects, difficulty (share)
TRADES = [
    ("I01", "Soudeurs", "I", True, 0.0080, 0.74),
    ("I02", "Chaudronniers, tôliers, traceurs, serruriers, métalliers, forgerons", "I", True, 0.0090, 0.80),
    ("I03", "Tuyauteurs", "I", True, 0.0030, 0.78),
    ("I04", "Ouvriers qualifiés travaillant par enlèvement de métal", "I", True, 0.0080, 0.72),
    ("I05", "Régleurs", "I", True, 0.0030, 0.80),
    ("I06", "Monteurs, ajusteurs et autres ouvriers qualifiés de la mécanique", "I", True, 0.0090, 0.66),
    ("I07", "Ouvriers non qualifiés métallerie, serrurerie, montage", "I", True, 0.0110, 0.46),
    ("I08", "Ouvriers qualifiés des industries de process", "I", True, 0.0120, 0.55),
    ("I09", "Ouvriers qualifiés de l'électricité et de l'électronique", "I", True, 0.0060, 0.70),
    ("I10", "Ouvriers qualifiés de la maintenance", "I", True, 0.0080, 0.75),
    ("T01", "Techniciens et agents de maîtrise de la maintenance", "T", True, 0.0090, 0.77),
    ("T02", "Techniciens en électricité et en électronique", "T", True, 0.0050, 0.68),
    ("T03", "Techniciens des industries de process", "T", True, 0.0040, 0.60),
    ("T04", "Techniciens et agents de maîtrise des industries mécaniques", "T", True, 0.0050, 0.65),
    ("T05", "Dessinateurs en mécanique et travail des métaux", "T", True, 0.0025, 0.62),
    ("T06", "Techniciens de la qualité", "T", True, 0.0030, 0.58),
    ("C01", "Ingénieurs et cadres d'étude, recherche et développement (industrie)", "C", True, 0.0040, 0.55),
    ("C02", "Ingénieurs et cadres de fabrication et de la production", "C", True, 0.0030, 0.57),
    ("S01", "Aides-soignants", "S", False, 0.0600, 0.72),
    ("V01", "Serveurs de cafés restaurants", "V", False, 0.0700, 0.62),
    ("V02", "Vendeurs en produits alimentaires", "V", False, 0.0350, 0.45),
    ("Z01", "Conducteurs routiers", "Z", False, 0.0300, 0.70),
    ("O01", "Ouvriers qualifiés du gros œuvre du bâtiment", "O", False, 0.0300, 0.73),
]
OTHER = ("Z99", "Autres métiers (agrégat de démonstration)", "Z", False)
# Zone d'emploi -> (main department, 2025 projects over all trades, industrial intensity)
AREAS = {
    "4401": ("55", 2_400, 1.1), "4404": ("88", 500, 1.0), "4407": ("88", 7_600, 1.2), "4408": ("57", 2_900, 1.1),
    "4410": ("57", 11_800, 0.9), "4412": ("54", 22_000, 0.8), "4414": ("88", 1_900, 1.4), "4416": ("57", 2_700, 1.5),
    "4417": ("88", 2_300, 1.4), "4419": ("57", 1_700, 1.2), "4420": ("57", 1_631, 1.3), "4421": ("55", 500, 1.2),
    "4424": ("57", 4_900, 1.3), "4426": ("55", 2_000, 0.9), "4427": ("55", 300, 1.0),
}
# Department -> overall difficulty rate 2025 (Moselle sourced; others assumptions)
DEPARTMENT_RATE = {"57": 0.573, "54": 0.555, "88": 0.585, "55": 0.56}
YEAR_VOLUME = {2019: 0.92, 2020: 0.84, 2021: 0.98, 2022: 1.20, 2023: 1.25, 2024: 1.17, 2025: 1.0}
YEAR_RATE = {2019: 0.88, 2020: 0.79, 2021: 0.95, 2022: 1.02, 2023: 1.06, 2024: 1.0, 2025: 1.0}
# name, kind, commune, trades taught (suffixes)
SITES = [
    ("Lycée professionnel des Forges (démo)", "Lycée professionnel", "57227", ["I01", "I02", "I07"]),
    ("CFA industriel de Metz-Borny (démo)", "CFA de l'industrie", "57463", ["I01", "I04", "I06", "T01", "T04"]),
    ("Pôle formation du Val de Fensch (démo)", "CFA de l'industrie", "57306", ["I01", "I02", "I03", "I10"]),
    ("Lycée des métiers Charles-Hermite (démo)", "Lycée professionnel", "57672", ["I04", "I05", "T02"]),
    ("Campus des métiers de Nancy-Brabois (démo)", "Campus des métiers", "54395",
     ["I04", "I09", "T02", "T05", "C01", "T06"]),
    ("Lycée professionnel du Lunévillois (démo)", "Lycée professionnel", "54329", ["I01", "I06"]),
    ("Centre de formation des adultes de Longwy (démo)", "Centre de formation pour adultes", "54323",
     ["I01", "I02", "I10"]),
    ("Lycée des métiers du bois et de la mécanique (démo)", "Lycée professionnel", "88160", ["I04", "I06", "T01"]),
    ("CFA des Hautes-Vosges (démo)", "CFA de l'industrie", "88413", ["I01", "I08", "I10"]),
    ("Lycée technologique Raymond-Poincaré (démo)", "Lycée technologique", "55029", ["T02", "T04", "T06"]),
    ("Pôle formation Saint-Avold Chimie (démo)", "CFA de l'industrie", "57606", ["I08", "T03", "I09"]),
    ("Lycée professionnel de Sarreguemines (démo)", "Lycée professionnel", "57631", ["I01", "I05", "I08"]),
    ("Institut universitaire de technologie (démo)", "IUT", "57463", ["C01", "C02", "T04"]),
]
TRAINING_TARGET = {"I01": 0.60}  # welders: training meets 60 % of needs (GIFAS / Les Échos, docs/sources.md)


def generate_skills(communes: pd.DataFrame, *, seed: int = 42) -> dict[str, pd.DataFrame]:
    """Trades, areas, needs, training sites and offers (frames ready for repository.replace_demo_skills)."""
    rng = np.random.default_rng(seed + 707)
    zones = communes.drop_duplicates("zone_code").set_index("zone_code")["zone_name"]
    trades = pd.DataFrame(
        [(f"DEMO-{s}", label, fam, FAMILIES[fam], ind) for s, label, fam, ind, _, _ in TRADES]
        + [(f"DEMO-{OTHER[0]}", OTHER[1], OTHER[2], FAMILIES[OTHER[2]], OTHER[3])],
        columns=["code", "label", "family_code", "family_label", "is_industrial"])
    areas = pd.DataFrame([(f"DEMO-{z}", zones[z], dep) for z, (dep, _, _) in AREAS.items()],
                         columns=["code", "name", "department_code"])
    rows = []
    for year in YEARS:
        for zone, (dep, total_2025, intensity) in AREAS.items():
            total = int(round(total_2025 * YEAR_VOLUME[year] * rng.uniform(0.96, 1.04))) if year != 2025 else total_2025
            cells = []
            for suffix, _label, _fam, industrial, share, rate in TRADES:
                lam = total * share * (intensity if industrial else 1.0) * rng.uniform(0.7, 1.3)
                projects = int(rng.poisson(lam))
                p = float(np.clip(rate * YEAR_RATE[year] + rng.normal(0, 0.05), 0.1, 0.95))
                difficult = int(rng.binomial(projects, p)) if projects else 0
                seasonal = int(rng.binomial(projects, 0.04)) if projects else 0
                met, xmet, smet = float(projects), float(difficult), float(seasonal)
                if projects < 4:
                    met = xmet = smet = np.nan
                elif projects < 10 and rng.random() < 0.5:
                    xmet = smet = np.nan
                cells.append((year, f"DEMO-{suffix}", f"DEMO-{zone}", met, xmet, smet))
            rows += cells
            rows.append(_other_cell(year, zone, total, DEPARTMENT_RATE[dep] * YEAR_RATE[year], cells))
    needs = pd.DataFrame(rows, columns=["year", "trade_code", "area_code", "projects", "difficult", "seasonal"])
    for column in ("projects", "difficult", "seasonal"):
        needs[column] = needs[column].astype("Int64")
    needs["source_name"], needs["source_date"] = SOURCE_NAME, SOURCE_DATE
    sites, offers = _training(communes, needs, rng)
    return {"trades": trades, "areas": areas, "needs": needs, "sites": sites, "offers": offers}


def _other_cell(year: int, zone: str, total: int, rate: float, cells: list) -> tuple:
    """The aggregate that makes the area's known projects = total and its pair rate = rate."""
    met = np.array([c[3] for c in cells], dtype=float)
    xmet = np.array([c[4] for c in cells], dtype=float)
    known = np.nansum(met)
    pair = ~np.isnan(met) & ~np.isnan(xmet)
    other = max(total - known, 0)
    difficult = max(round(rate * (met[pair].sum() + other) - xmet[pair].sum()), 0)
    return (year, f"DEMO-{OTHER[0]}", f"DEMO-{zone}", float(other), float(min(difficult, other)),
            float(round(other * 0.12)))


def _training(communes: pd.DataFrame, needs: pd.DataFrame, rng) -> tuple[pd.DataFrame, pd.DataFrame]:
    place = communes.set_index("code")
    lat_of, lon_of = place["lat"], place["lon"]
    sites = pd.DataFrame([{"key": i, "name": name, "kind": kind, "commune_code": code,
                           "lat": round(float(lat_of[code]) + rng.normal(0, 0.004), 5),
                           "lon": round(float(lon_of[code]) + rng.normal(0, 0.006), 5),
                           "source_name": SOURCE_NAME, "source_date": SOURCE_DATE}
                          for i, (name, kind, code, _) in enumerate(SITES)])
    projects = needs.groupby(["trade_code", "year"])["projects"].sum().astype(float)
    teaching: dict[str, list[int]] = {}
    for i, (_, _, _, taught) in enumerate(SITES):
        for suffix in taught:
            teaching.setdefault(suffix, []).append(i)
    rows = []
    for suffix, site_keys in teaching.items():
        code = f"DEMO-{suffix}"
        target = TRAINING_TARGET.get(suffix, float(rng.uniform(0.3, 1.1)))
        weights = rng.dirichlet(np.ones(len(site_keys)) * 3)
        for year in YEARS:
            total = projects.get((code, year), 0.0) * target * rng.uniform(0.93, 1.07)
            for key, w in zip(site_keys, weights):
                graduates = int(round(total * w))
                rows.append({"site_key": key, "trade_code": code, "year": year, "graduates": graduates,
                             "apprentices": int(round(graduates * rng.uniform(0.3, 0.6)))})
    offers = pd.DataFrame(rows)
    for column in ("graduates", "apprentices"):
        offers[column] = offers[column].astype("Int64")
    return sites, offers


def load_demo(engine: Engine, *, seed: int = 42) -> None:
    """Replace the demo skills rows (one transaction). Its zones are Lorraine's: a territory without all of
    them (TISSU_TERRITORY) gets no demo skills, and the page says there is no data (docs/demo-calibration.md)."""
    communes = repository.communes_frame(engine)
    if not set(AREAS) <= set(communes["zone_code"]) or not {site[2] for site in SITES} <= set(communes["code"]):
        return
    data = generate_skills(communes, seed=seed)
    repository.replace_demo_skills(engine, **data)


def ensure_demo(engine: Engine, *, seed: int = 42) -> None:
    """Load the demo skills rows when there are none (a database created before this module existed)."""
    if repository.trades_frame(engine, demo=True).empty:
        load_demo(engine, seed=seed)
