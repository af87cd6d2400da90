"""A seeded, deterministic, vectorised generator of a SYNTHETIC industrial ecosystem for Lorraine.

Every establishment, name and address is fictitious; the geography (communes, polygons) and the
nomenclatures (NAF, INSEE size bands, tissu's capability taxonomy) are real. Same `seed` and `scale`
give identical frames: all randomness comes from one `numpy.random.default_rng(seed)`, consumed in a
fixed order (no `hash()`, no set iteration, no clock).

Calibration at scale 1 (targets; each figure's publisher and address are in docs/sources.md)
----------------------------------------------------------------------------------------
* Active industrial establishments (NAF sections B–E): 9,850 in total, by department
  Moselle 3,500 (largest), Vosges 3,300, Meurthe-et-Moselle 1,950, Meuse 1,100.
  - Meuse: 1,135 establishments and 10,400 jobs (Insee/CCI Écoscopie de la Meuse, 2013).
  - Vosges: ~3,800 establishments and ~36,000 employees (CCI, undated); we keep 3,300 (−13 %) so that
    Moselle stays the largest department while the Lorraine total stays under 10,000.
  - Estimated jobs: Moselle 46,000, Meurthe-et-Moselle 29,000, Vosges 33,000, Meuse 10,000, i.e. ~118,000,
    consistent with 133,000 industrial jobs in 2011 (Insee Analyses Lorraine n°22) minus 17,195 jobs lost
    over 2010–2017 (France 3 / Insee).
* Closed establishments (state "F"): 19 % on top of the active ones, closed in 2010–2025. Openings
  (creation year) and closures per year are drawn from fixed yearly profiles: closures exceed openings
  by ~15–25 % in 2010–2014 (Lorraine lost 17,195 industrial jobs over 2010–2017), a mild net recovery
  after 2017 (DGE baromètre: +176 in 2022, +201 in 2023, +89 in 2024), back to about zero in 2024–2025
  (Trendeo: −15 in 2024, −63 in 2025). Because openings must stay close to closures, only ~15 % of the
  active establishments are created in 2010–2025; the rest spread over 1950–2009, more recent more likely.
* Metallurgy branch = active establishments whose NAF has metallurgie == "coeur": 1,600 establishments
  and 48,000 estimated employees, 76 % under 20 staff (UIMM Lorraine, Feb. 2021). Employee mix
  24–25 37 %, 29 24 %, 26–28 22 %, 33 15 %, 30 1.8 % (same source). Department split of the branch
  establishments Moselle 40 %, Meurthe-et-Moselle 30 %, Vosges 20 %, Meuse 10 % (an assumption).
* Size bands are drawn per stratum (department × sector group) with heavy tails: the band counts of a
  stratum are rounded from a probability vector (a fixed base shape exponentially tilted so that the
  expected headcount hits the job target) and given to establishments by a noisy ranking on a per-NAF
  size propensity (steel mills and paper mills large, bakeries and dental laboratories small).
  headcount_estimate is an integer drawn log-uniformly inside the band bounds ('NN' and '00' give 0).
* Twelve fictitious anchor employers (500–3,400 staff) sit at real industrial poles (e-motor plant at
  Trémery 57677, steel at Florange, pipe foundry at Pont-à-Mousson, vans at Batilly, city cars at
  Hambach, newsprint at Golbey, aero composites at Commercy, ophthalmic lenses at Ligny-en-Barrois,
  crystal at Baccarat, polymers at Saint-Avold, tyres at Sarreguemines, cheese at Verdun) with invented
  names (docs/sources.md, "Metallurgy"). The anchors do not scale: at scale < 1 the calibration degrades.
* Locations: real communes weighted by population and by known industrial poles (Fensch and Orne
  valleys, Metz, Thionville, Nancy, Épinal/Golbey, Saint-Dié, Sarreguemines, Forbach/Saint-Avold,
  Lunéville, Toul, Bar-le-Duc, Verdun, Commercy, Pont-à-Mousson, Remiremont, Sarrebourg…); wood,
  quarries and energy favour rural communes, bakeries follow the population; uninhabited communes get
  nothing. Points are drawn inside the commune polygon (rejection sampling, checked after rounding to
  6 decimals), falling back to the commune's reference point.
* Capabilities follow capabilities.csv (typical_divisions, prevalence): 1–6 per metalworking
  establishment (more when larger), 0 for most others (plastics, chemicals, furniture sometimes 1–3).
  Galvanisation, metal additive manufacturing, electro-erosion, heat treatment, non-destructive testing,
  laser welding and forging exist only within 15 km of two or three hotspots, so that supplier deserts
  exist; every capability has at least 2 active suppliers.
* Certifications by sector and size (ISO 9001 common above 20 staff, IATF 16949 automotive,
  EN 9100/Nadcap aeronautics, ISO 13485 medical, MASE maintenance, ISO 3834 welders, ISO 14001/45001/
  50001 mostly large sites). UIMM membership: 40 % of the active metallurgy ("coeur") establishments,
  more likely when larger, and 5 % of the "partiel" ones.
* `scale` multiplies every count except the anchors (scale 10 ≈ 116,000 rows, 100 ≈ 1.16 M rows).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from dashboard.demo import names as demo_names
from dashboard.reference import ReferenceData
from dashboard.territory import departments_table

DEMO_SOURCE_NAME = "Données de démonstration tissu (fictives)"


@dataclass(frozen=True)
class DemoData:
    establishments: pd.DataFrame  # public_id, name, naf_code, size_band_code, headcount_estimate, commune_code,
    #                               address, lat, lon, created_on, state, closed_on, is_member
    capabilities: pd.DataFrame  # public_id, capability_code
    certifications: pd.DataFrame  # public_id, certification_code


ESTABLISHMENT_COLUMNS = ("public_id", "name", "naf_code", "size_band_code", "headcount_estimate", "commune_code",
                         "address", "lat", "lon", "created_on", "state", "closed_on", "is_member")

# --- Calibration targets (scale 1) --------------------------------------------------------------

_ACTIVE_BY_DEPARTMENT = {"54": 1950, "55": 1100, "57": 3500, "88": 3300}
_JOBS_BY_DEPARTMENT = {"54": 29000, "55": 10000, "57": 46000, "88": 33000}
CALIBRATED_DEPARTMENTS = tuple(_ACTIVE_BY_DEPARTMENT)  # departments with published figures; others: population
_METAL_ESTABLISHMENTS = 1600
_METAL_JOBS = 48000
_METAL_DEPARTMENT_SHARE = {"54": 0.30, "55": 0.10, "57": 0.40, "88": 0.20}
_CLOSED_SHARE = 0.19
_YOUNG_CLOSED_SHARE = 0.25  # closed establishments that had been created in 2010 or later
_MEMBER_SHARE = 0.40
_MEMBER_SHARE_PARTIEL = 0.05


@dataclass(frozen=True)
class _MetalGroup:
    code: str
    divisions: tuple[str, ...]
    job_share: float
    establishment_share: float
    under_20_share: float


_METAL_GROUPS = (
    _MetalGroup("24-25", ("24", "25"), 0.37, 0.552, 0.80),
    _MetalGroup("29", ("29",), 0.24, 0.044, 0.45),
    _MetalGroup("26-28", ("26", "27", "28"), 0.22, 0.200, 0.72),
    _MetalGroup("33", ("33",), 0.15, 0.189, 0.78),
    _MetalGroup("30", ("30",), 0.018, 0.015, 0.70),
)

# Base band shapes (probabilities before tilting).
_SMALL_METAL = {"00": 0.08, "01": 0.30, "02": 0.24, "03": 0.17, "11": 0.21}
_LARGE_METAL = {"12": 0.55, "21": 0.24, "22": 0.12, "31": 0.035, "32": 0.05, "41": 0.005}
_NON_METAL = {"NN": 0.14, "00": 0.12, "01": 0.22, "02": 0.16, "03": 0.11, "11": 0.10, "12": 0.08, "21": 0.035,
              "22": 0.02, "31": 0.004, "32": 0.006, "41": 0.001}
_CLOSED_MEAN_HEADCOUNT = 4.0
_BAND_NOISE = 1.0  # sd of the noise added to the NAF size propensity when ranking establishments

_CLOSURES_BY_YEAR = {2010: 1.20, 2011: 1.18, 2012: 1.22, 2013: 1.24, 2014: 1.18, 2015: 1.12, 2016: 1.08,
                     2017: 1.02, 2018: 0.96, 2019: 0.95, 2020: 1.05, 2021: 0.92, 2022: 0.92, 2023: 0.96,
                     2024: 1.02, 2025: 1.08}
_OPENINGS_BY_YEAR = {2010: 1.04, 2011: 1.03, 2012: 1.00, 2013: 0.99, 2014: 1.01, 2015: 1.03, 2016: 1.06,
                     2017: 1.10, 2018: 1.14, 2019: 1.15, 2020: 1.06, 2021: 1.20, 2022: 1.22, 2023: 1.18,
                     2024: 1.09, 2025: 1.05}
_FIRST_YEAR = 1950

# --- Anchors ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Anchor:
    name: str
    department: str
    commune: str
    naf: str
    headcount: int
    created_on: str


_ANCHORS = (
    _Anchor("Motorisations Électriques Mosellanes SAS", "57", "Trémery", "29.10Z", 3400, "1979-05-02"),
    _Anchor("Utilitaires Lorrains de l'Orne SAS", "54", "Batilly", "29.10Z", 2400, "1980-09-15"),
    _Anchor("Aciéries du Val de Fensch SA", "57", "Florange", "24.10Z", 2000, "1953-03-01"),
    _Anchor("Fonderie de Canalisations Mussipontaine SA", "54", "Pont-à-Mousson", "24.51Z", 1600, "1961-01-02"),
    _Anchor("Automobiles Compactes de la Sarre SAS", "57", "Hambach", "29.10Z", 1200, "1997-10-27"),
    _Anchor("Pneumatiques de la Blies SAS", "57", "Sarreguemines", "22.11Z", 900, "1963-06-03"),
    _Anchor("Verres Ophtalmiques du Barrois SAS", "55", "Ligny-en-Barrois", "32.50B", 700, "1971-04-19"),
    _Anchor("Polymères du Warndt SAS", "57", "Saint-Avold", "20.16Z", 650, "1966-11-07"),
    _Anchor("Papeteries de la Moselle Vosgienne SAS", "88", "Golbey", "17.12Z", 550, "1990-02-12"),
    _Anchor("Aérocomposites Meusiens SAS", "55", "Commercy", "30.30Z", 520, "2014-09-08"),
    _Anchor("Fromageries de l'Argonne Verdunoise SA", "55", "Verdun", "10.51C", 520, "1975-07-01"),
    _Anchor("Cristallerie du Val de Meurthe SA", "54", "Baccarat", "23.13Z", 500, "1958-01-06"),
)

# --- NAF weights, department multipliers, size propensity, location profile ----------------------
# Keys: sub-class ("25.62B"), class ("10.51") or division ("10"); the most specific key wins.

_METAL_NAF_WEIGHTS = {
    "25.62B": 30, "25.11Z": 18, "25.62A": 3, "25.61Z": 6, "25.50B": 5, "25.12Z": 6, "25.99B": 6, "25.73B": 5,
    "25.29Z": 3, "25.50A": 1.5, "25.73A": 2, "25.94Z": 1.5, "25.93Z": 1.5, "25.72Z": 1, "25.21Z": 1, "25.71Z": 1.5,
    "25.30Z": 0.5, "25.40Z": 0.3, "25.91Z": 0.3, "25.92Z": 0.5, "25.99A": 1, "24.10Z": 2, "24.20Z": 1.5,
    "24.51Z": 1, "24.52Z": 0.7, "24.53Z": 0.5, "24.54Z": 0.5, "24.33Z": 0.8, "24": 0.3, "25": 0.5,
    "29.32Z": 40, "29.31Z": 10, "29.20Z": 20, "29.10Z": 8,
    "28.29B": 10, "28.22Z": 6, "28.41Z": 6, "28.99B": 8, "28.30Z": 5, "28.25Z": 5, "28.12Z": 3, "28.93Z": 3,
    "28.91Z": 0.5, "28.23Z": 0.5, "28.94Z": 1, "28.95Z": 1, "28.96Z": 1, "28.99A": 1, "28.11Z": 1, "28.24Z": 1,
    "28": 2, "27.12Z": 10, "27.11Z": 6, "27.90Z": 4, "27.40Z": 3, "27.51Z": 1, "27.52Z": 1, "27.20Z": 0.5,
    "27.31Z": 0.5, "27": 2, "26.12Z": 4, "26.51B": 4, "26.11Z": 3, "26.80Z": 0.2, "26.40Z": 0.5, "26.52Z": 0.5,
    "26": 1,
    "33.12Z": 45, "33.20A": 15, "33.20B": 12, "33.20C": 6, "33.20D": 8, "33.14Z": 8, "33.11Z": 5, "33.13Z": 3,
    "33.17Z": 3, "33.19Z": 3, "33.15Z": 0.5, "33.16Z": 0.5,
    "30.20Z": 4, "30.30Z": 3, "30.99Z": 2, "30.92Z": 2, "30.12Z": 1, "30.11Z": 0.3, "30.40Z": 0.5, "30.91Z": 0.5,
}

_NON_METAL_NAF_WEIGHTS = {
    "10.71C": 20, "10.13B": 5, "10.71D": 3.5, "10.71B": 0.8, "10.71A": 0.6, "10.11Z": 0.8, "10.13A": 0.6,
    "10.51C": 1.0, "10.51D": 0.4, "10.51A": 0.3, "10.52Z": 0.5, "10.39A": 0.4, "10.39B": 0.7, "10.61A": 0.4,
    "10.72Z": 0.6, "10.82Z": 0.8, "10.85Z": 0.8, "10.89Z": 0.8, "10.91Z": 0.5, "10": 0.1,
    "11.01Z": 1.2, "11.02B": 0.5, "11.03Z": 0.3, "11.05Z": 1.5, "11.07A": 0.3, "11.07B": 0.2, "11": 0.05,
    "12": 0.02, "13.92Z": 1.5, "13.20Z": 0.8, "13.30Z": 0.6, "13.10Z": 0.4, "13.96Z": 0.4, "13": 0.2,
    "14.13Z": 0.8, "14.19Z": 0.5, "14.12Z": 0.3, "14": 0.1, "15.12Z": 0.3, "15": 0.1,
    "16.10A": 3.5, "16.23Z": 5.5, "16.24Z": 1.2, "16.29Z": 1.5, "16.10B": 0.3, "16.21Z": 0.3, "16.22Z": 0.2,
    "17.12Z": 0.4, "17.21A": 0.3, "17.21B": 0.4, "17.22Z": 0.3, "17": 0.15,
    "18.12Z": 5, "18.13Z": 1.5, "18.14Z": 0.4, "18": 0.1, "19": 0.05,
    "20.14Z": 0.4, "20.16Z": 0.3, "20.30Z": 0.4, "20.41Z": 0.4, "20.42Z": 0.5, "20.59Z": 0.5, "20.13A": 0.0,
    "20": 0.15, "21": 0.2,
    "22.29A": 2.0, "22.29B": 1.0, "22.22Z": 1.0, "22.21Z": 0.7, "22.23Z": 0.7, "22.19Z": 0.6, "22.11Z": 0.1,
    "23.70Z": 2.0, "23.61Z": 1.2, "23.63Z": 1.5, "23.12Z": 0.8, "23.13Z": 0.4, "23.41Z": 0.6, "23.69Z": 0.4,
    "23.99Z": 0.4, "23": 0.1,
    "31.09B": 3.0, "31.02Z": 0.8, "31.09A": 0.5, "31.01Z": 0.4, "31.03Z": 0.2,
    "32.50A": 5.0, "32.12Z": 1.2, "32.13Z": 0.3, "32.99Z": 1.5, "32.20Z": 0.5, "32.40Z": 0.4, "32.50B": 0.3,
    "32.91Z": 0.2, "32.30Z": 0.3, "32.11Z": 0.0,
    "35.11Z": 5.0, "35.14Z": 0.3, "35.30Z": 0.4, "35.21Z": 0.3, "35.22Z": 0.1, "35": 0.05,
    "36.00Z": 0.8, "37.00Z": 0.8, "38.11Z": 1.2, "38.12Z": 0.2, "38.21Z": 0.8, "38.22Z": 0.2, "38.31Z": 0.4,
    "38.32Z": 1.2, "39.00Z": 0.4,
    "08.12Z": 1.2, "08.11Z": 0.5, "08.93Z": 0.1, "08.99Z": 0.1, "08": 0.02, "05": 0.01, "06": 0.02, "07": 0.01,
    "07.21Z": 0.0, "09": 0.05,
}

_DEPARTMENT_MULTIPLIERS = {
    "88": {"13": 4, "14": 2, "16": 2.2, "17": 3, "31": 2.5, "11.07A": 6, "32.20Z": 3, "10.51C": 1.5, "22": 0.8},
    "55": {"10.51": 3, "10.51C": 4, "16": 1.6, "11.02B": 2, "08.12Z": 1.5, "35.11Z": 1.5, "18": 0.6, "20": 0.5},
    "57": {"20": 2.0, "22": 1.3, "23.41Z": 2.5, "11.05Z": 1.3, "38": 1.3, "19": 2, "35": 1.2, "13": 0.5, "16": 0.6,
           "17": 0.7},
    "54": {"23.13Z": 2.5, "23.12Z": 1.5, "18": 1.3, "08.93Z": 8, "20": 1.2, "21": 1.5, "16": 0.8, "13": 0.6,
           "32.50A": 1.2},
}

_SIZE_PROPENSITY = {
    "10.71C": -1.0, "10.71D": -1.0, "10.13B": -0.5, "10": 0.4, "10.51C": 1.2, "10.51A": 1.0, "11.07A": 1.8,
    "11": 0.2, "13": 0.3, "14": -0.2, "16.23Z": -0.5, "16.10A": 0.0, "16.21Z": 1.0, "17": 1.5, "18": -0.2,
    "19": 1.0, "20": 1.2, "21": 1.5, "22": 1.0, "23.70Z": -0.8, "23": 0.3, "23.13Z": 0.8, "23.51Z": 1.5,
    "31": -0.3, "32.50A": -1.0, "32.12Z": -1.0, "32.20Z": -0.8, "32": -0.3, "35.11Z": -3.0, "35": 0.5,
    "36": 0.8, "37": 0.8, "38": 0.5, "08": 0.3, "24": 1.5, "24.10Z": 2.0, "24.20Z": 1.5, "25.62B": 0.0,
    "25.11Z": 0.2, "25.12Z": -0.3, "25.50B": 0.8, "25.61Z": 0.5, "29": 1.2, "29.10Z": 2.0, "29.20Z": 0.0,
    "28": 0.3, "33.12Z": -0.3, "26": 0.3, "27": 0.4, "30": 0.5, "30.30Z": 1.0,
}

_PROFILE_BY_NAF = {
    "24": "metal", "25": "metal", "26": "metal", "27": "metal", "28": "metal", "29": "metal", "30": "metal",
    "33": "metal", "13": "textile", "14": "textile", "15": "textile", "08": "rural", "16": "rural", "35": "rural",
    "36": "rural", "37": "rural", "10.51": "rural", "11.02": "rural", "11.01Z": "rural", "10.71C": "local",
    "10.71D": "local", "10.13B": "local", "32.50A": "local", "18.12Z": "local", "23.70Z": "local",
    "16.23Z": "local", "31.09B": "local",
}
_PROFILES = ("general", "metal", "textile", "rural", "local")

_METAL_POLES = {
    "57": ("Florange", "Hayange", "Uckange", "Serémange-Erzange", "Knutange", "Nilvange", "Algrange", "Fameck",
           "Thionville", "Yutz", "Hagondange", "Talange", "Mondelange", "Maizières-lès-Metz", "Rombas", "Amnéville",
           "Moyeuvre-Grande", "Richemont", "Metz", "Woippy", "Marly", "Augny", "Ennery", "Trémery", "Saint-Avold",
           "Forbach", "Creutzwald", "Sarreguemines", "Sarrebourg", "Réding", "Hambach", "Faulquemont",
           "Boulay-Moselle", "Bouzonville"),
    "54": ("Nancy", "Vandœuvre-lès-Nancy", "Laxou", "Ludres", "Frouard", "Pompey", "Pont-à-Mousson",
           "Blénod-lès-Pont-à-Mousson", "Toul", "Écrouves", "Foug", "Lunéville", "Neuves-Maisons", "Longwy", "Réhon",
           "Mont-Saint-Martin", "Herserange", "Villerupt", "Jarny", "Homécourt", "Val de Briey", "Batilly",
           "Dombasle-sur-Meurthe", "Baccarat"),
    "55": ("Bar-le-Duc", "Commercy", "Ligny-en-Barrois", "Verdun", "Saint-Mihiel", "Revigny-sur-Ornain",
           "Tronville-en-Barrois", "Stenay", "Void-Vacon", "Vaucouleurs", "Étain", "Thierville-sur-Meuse"),
    "88": ("Épinal", "Golbey", "Chavelot", "Thaon-les-Vosges", "Saint-Dié-des-Vosges", "Remiremont", "Saint-Nabord",
           "Gérardmer", "Le Thillot", "Raon-l'Étape", "Rambervillers", "Neufchâteau", "Mirecourt", "Vittel",
           "Charmes", "Éloyes", "Uxegney", "Anould"),
}
_TEXTILE_VALLEYS = {"88": ("Gérardmer", "Cornimont", "La Bresse", "Saulxures-sur-Moselotte", "Le Thillot", "Vagney",
                           "Remiremont", "Saint-Dié-des-Vosges", "Épinal", "Thaon-les-Vosges", "Fraize", "Anould")}

# Rare capabilities that only exist within _HOTSPOT_RADIUS_KM of a few places (supplier deserts elsewhere).
_HOTSPOTS = {
    "galvanisation": (("57", "Hagondange"), ("54", "Pont-à-Mousson")),
    "impression_3d_metal": (("57", "Metz"), ("54", "Nancy")),
    "electroerosion": (("54", "Nancy"), ("88", "Saint-Dié-des-Vosges")),
    "traitement_thermique": (("57", "Uckange"), ("54", "Lunéville"), ("88", "Épinal")),
    "controle_non_destructif": (("57", "Florange"), ("57", "Metz"), ("54", "Toul")),
    "soudure_laser": (("54", "Nancy"), ("57", "Sarrebourg")),
    "forge": (("57", "Hayange"), ("88", "Remiremont")),
}
_HOTSPOT_RADIUS_KM = 15.0
_HOTSPOT_BOOST = 4.0
_MIN_SUPPLIERS = 2
_MAX_CAPABILITIES = 6
# Share of non-metal establishments of a division that declare 1–3 capabilities.
_NON_METAL_CAPABILITY_RATE = {"22": 0.8, "20": 0.15, "23": 0.06, "31": 0.3, "32": 0.2, "35": 0.02}


# --- Calibration of the territory (TISSU_TERRITORY) ---------------------------------------------------
# Lorraine's departments keep their published figures above. A department without figures gets Lorraine's
# totals scaled by its population (establishments, jobs, metallurgy), its 12 most populous communes as industrial
# poles and no anchor; a rare capability whose hotspots all lie outside the territory gets the territory's most
# populous communes as hotspots (docs/demo-calibration.md#other-territories).
_POLES_OUTSIDE_LORRAINE = 12


@dataclass(frozen=True)
class _Calibration:
    departments: tuple[str, ...]
    active: dict[str, float]  # active establishments at scale 1
    jobs: dict[str, float]
    metal_weight: dict[str, float]  # share of _METAL_ESTABLISHMENTS / _METAL_JOBS (sums to 1 for Lorraine)
    anchors: tuple[_Anchor, ...]
    poles: dict[str, tuple[str, ...]]
    hotspots: dict[str, tuple[tuple[str, str], ...]]

    @property
    def population_scaled(self) -> tuple[str, ...]:
        """Departments calibrated on their population (no published figures bundled)."""
        return tuple(d for d in self.departments if d not in _ACTIVE_BY_DEPARTMENT)


def _calibration(ref: ReferenceData) -> _Calibration:
    departments = tuple(sorted(ref.departments["code"]))
    table = departments_table()
    lorraine_population = sum(table[d].population for d in _ACTIVE_BY_DEPARTMENT)
    ratio = {d: ref.departments.set_index("code").at[d, "population"] / lorraine_population for d in departments}
    active = {d: _ACTIVE_BY_DEPARTMENT.get(d, sum(_ACTIVE_BY_DEPARTMENT.values()) * ratio[d]) for d in departments}
    jobs = {d: _JOBS_BY_DEPARTMENT.get(d, sum(_JOBS_BY_DEPARTMENT.values()) * ratio[d]) for d in departments}
    metal = {d: _METAL_DEPARTMENT_SHARE.get(d, ratio[d]) for d in departments}
    communes = ref.communes.sort_values(["population", "code"], ascending=[False, True], kind="stable")
    poles = {d: _METAL_POLES.get(d) or tuple(communes.loc[communes["departement"] == d, "nom"]
                                              .head(_POLES_OUTSIDE_LORRAINE)) for d in departments}
    largest = list(zip(communes["departement"], communes["nom"]))
    hotspots = {}
    for k, (code, spots) in enumerate(_HOTSPOTS.items()):
        kept = tuple(spot for spot in spots if spot[0] in departments)
        if len(kept) < 2 and largest:  # spread over the territory's largest communes, two per capability
            kept += tuple(largest[(2 * k + i) % min(len(largest), 20)] for i in range(2 - len(kept)))
        hotspots[code] = kept
    return _Calibration(departments, active, jobs, metal, tuple(a for a in _ANCHORS if a.department in departments),
                        poles, hotspots)


# --- Public API --------------------------------------------------------------------------------------


def generate_demo(ref: ReferenceData, communes: gpd.GeoDataFrame, *, seed: int = 42, scale: float = 1.0) -> DemoData:
    """A synthetic industrial ecosystem of the reference's territory (Lorraine by default): establishments,
    their capabilities and certifications."""
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    rng = np.random.default_rng(seed)
    naf = _NafTable.build(ref.naf)
    bands = _BandTable.build(ref.size_bands)
    places = _Places.build(ref.communes, communes)

    cal = _calibration(ref)
    rows = _draw_establishments(rng, naf, bands, scale, cal)
    anchors = _anchor_rows(naf, bands, places, cal.anchors)
    rows = {key: np.concatenate([anchors[key], rows[key]]) for key in rows}
    n = len(rows["naf"])

    headcount = _headcount(rng, bands, rows["band"])
    headcount[rows["anchor_headcount"] > 0] = rows["anchor_headcount"][rows["anchor_headcount"] > 0]
    commune = _draw_communes(rng, naf, places, rows["department"], rows["naf"], rows["anchor_commune"], cal)
    lon, lat = _draw_points(rng, places, commune)
    created, closed = _draw_dates(rng, rows["closed"], headcount, rows["anchor_created"])

    capability_matrix = _draw_capabilities(rng, ref.capabilities, places, naf, rows["naf"], headcount, lon, lat,
                                           active=~rows["closed"], hotspots=cal.hotspots)
    certification_matrix = _draw_certifications(rng, ref.certifications, naf, rows["naf"], headcount,
                                                 capability_matrix, list(ref.capabilities["code"]))
    member = _draw_members(rng, naf.metallurgy[rows["naf"]], headcount, rows["closed"])

    capability_codes = np.asarray(ref.capabilities["code"], dtype=object)
    # Trade word: from the main capability when there is one, else from the NAF code.
    cap_index = _main_capability(rng, capability_matrix)
    has_capability = cap_index >= 0
    pair, key_index = np.unique(np.stack([rows["naf"], cap_index], axis=1), axis=0, return_inverse=True)
    key_index = key_index.ravel()
    unique_keys = np.asarray([demo_names.trade_key(naf.code[i], capability_codes[j] if j >= 0 else None)
                              for i, j in pair], dtype=object)
    craft = np.isin(naf.code[rows["naf"]], list(demo_names.CRAFT_KEYS)) & ~has_capability
    words, offsets, counts = demo_names.trade_lists(unique_keys)
    trade = words[offsets[key_index] + (rng.random(n) * counts[key_index]).astype(int)]
    surnames = demo_names.invented_surnames(rng)
    names = demo_names.compose_names(rng, trade=trade, craft=craft, department=rows["department"],
                                     headcount=headcount, surnames=surnames)
    is_anchor = rows["anchor_name"] != ""
    names[is_anchor] = rows["anchor_name"][is_anchor]
    addresses = demo_names.compose_addresses(rng, craft=craft, headcount=headcount)

    n_anchors = len(cal.anchors)
    order = np.concatenate([np.arange(n_anchors), n_anchors + rng.permutation(n - n_anchors)])
    suffix = np.asarray([name if not demo_names.contains_denied_word(name) else "site" for name in places.name],
                        dtype=object)
    names = _unique_names(names[order], suffix[commune[order]])
    width = max(7, len(str(n)))
    public_id = np.asarray([f"DEMO-{i:0{width}d}" for i in range(1, n + 1)], dtype=object)
    closed_o = rows["closed"][order]
    establishments = pd.DataFrame({
        "public_id": public_id,
        "name": names,
        "naf_code": naf.code[rows["naf"][order]],
        "size_band_code": bands.code[rows["band"][order]],
        "headcount_estimate": headcount[order].astype("int64"),
        "commune_code": places.code[commune[order]],
        "address": addresses[order],
        "lat": lat[order],
        "lon": lon[order],
        "created_on": _to_dates(created[order]),
        "state": np.where(closed_o, "F", "A").astype(object),
        "closed_on": _to_dates(closed[order], missing=~closed_o),
        "is_member": member[order],
    })
    for column in ("public_id", "name", "naf_code", "size_band_code", "commune_code", "address", "state"):
        establishments[column] = establishments[column].astype(str)
    return DemoData(
        establishments=establishments,
        capabilities=_pairs(public_id, capability_matrix[order], capability_codes, "capability_code"),
        certifications=_pairs(public_id, certification_matrix[order],
                              np.asarray(ref.certifications["code"], dtype=object), "certification_code"),
    )


# --- Reference tables as arrays ----------------------------------------------------------------------


@dataclass(frozen=True)
class _NafTable:
    code: np.ndarray  # object, "25.62B"
    division: np.ndarray  # object, "25"
    metallurgy: np.ndarray  # object, "coeur" / "partiel" / ""

    @classmethod
    def build(cls, naf: pd.DataFrame) -> _NafTable:
        return cls(np.asarray(naf["subclass"], dtype=object), np.asarray(naf["division"], dtype=object),
                   np.asarray(naf["metallurgie"].fillna(""), dtype=object))

    def lookup(self, table: dict, default: float) -> np.ndarray:
        """Per sub-class value from a dict keyed by sub-class, class or division."""
        return np.asarray([_lookup(table, code, default) for code in self.code], dtype=float)

    def index_of(self, code: str) -> int:
        return int(np.flatnonzero(self.code == code)[0])


def _lookup(table: dict, code: str, default):
    for key in (code, code[:5], code[:2]):
        if key in table:
            return table[key]
    return default


@dataclass(frozen=True)
class _BandTable:
    code: np.ndarray  # object
    low: np.ndarray  # int, 0 for NN
    high: np.ndarray  # int, 0 for NN
    expected: np.ndarray  # expected headcount under the log-uniform draw

    @classmethod
    def build(cls, size_bands: pd.DataFrame) -> _BandTable:
        frame = size_bands[size_bands["borne_max"].notna() | (size_bands["code"] == "NN")]
        code = np.asarray(frame["code"], dtype=object)
        low = frame["borne_min"].fillna(0).to_numpy(dtype=np.int64)
        high = frame["borne_max"].fillna(0).to_numpy(dtype=np.int64)
        expected = np.array([_expected_headcount(lo, hi) for lo, hi in zip(low, high)])
        order = np.argsort(expected, kind="stable")
        return cls(code[order], low[order], high[order], expected[order])

    def index(self, codes) -> np.ndarray:
        return np.asarray([int(np.flatnonzero(self.code == c)[0]) for c in codes])

    def vector(self, shape: dict) -> np.ndarray:
        vec = np.zeros(len(self.code))
        vec[self.index(list(shape))] = list(shape.values())
        return vec / vec.sum()

    def for_headcount(self, headcount: int) -> int:
        return int(np.flatnonzero((self.low <= headcount) & (self.high >= headcount) & (self.high > 0))[0])


def _expected_headcount(low: int, high: int) -> float:
    if high <= 0:
        return 0.0
    k = np.arange(low, high + 1, dtype=float)
    p = np.log((k + 1) / k) / np.log((high + 1) / low)
    return float((k * p).sum())


@dataclass(frozen=True)
class _Places:
    code: np.ndarray
    name: np.ndarray
    department: np.ndarray
    population: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    geometry: np.ndarray  # shapely geometries (prepared), None when the polygon is missing
    bounds: np.ndarray  # (n, 4)

    @classmethod
    def build(cls, table: pd.DataFrame, polygons: gpd.GeoDataFrame) -> _Places:
        table = table.sort_values("code", kind="stable")
        if "code" in polygons.columns:
            polygons = polygons.set_index(polygons["code"].astype(str), drop=False)
        geometry = np.asarray(polygons.geometry.reindex(table["code"]).to_numpy(), dtype=object)
        missing = pd.isna(geometry)
        geometry[missing] = None
        shapely.prepare(geometry[~missing])
        bounds = np.zeros((len(table), 4))
        bounds[~missing] = shapely.bounds(geometry[~missing])
        return cls(np.asarray(table["code"], dtype=object), np.asarray(table["nom"], dtype=object),
                   np.asarray(table["departement"], dtype=object), table["population"].fillna(0).to_numpy(float),
                   table["lon"].to_numpy(float), table["lat"].to_numpy(float), geometry, bounds)

    def find(self, department: str, name: str) -> int | None:
        hit = np.flatnonzero((self.department == department) & (self.name == name))
        return int(hit[0]) if len(hit) else None


# --- Establishments: sector, size band, department ----------------------------------------------------


def _largest_remainder(p: np.ndarray, n: int) -> np.ndarray:
    """Integer counts summing to n, proportional to p (ties broken by position)."""
    raw = p / p.sum() * n
    counts = np.floor(raw).astype(np.int64)
    rest = int(n - counts.sum())
    if rest > 0:
        counts[np.argsort(-(raw - counts), kind="stable")[:rest]] += 1
    return counts


def _systematic_counts(rng, p: np.ndarray, n: int) -> np.ndarray:
    """Integer counts summing to n whose expectation is exactly n·p (systematic sampling of the remainders).

    Unlike largest-remainder rounding, rare heavy bands (a 500–999 site with 0.3 expected) keep their
    expected weight in the job totals.
    """
    raw = p / p.sum() * n
    counts = np.floor(raw).astype(np.int64)
    fraction = raw - counts
    rest = int(round(fraction.sum()))
    if rest > 0:
        edges = np.concatenate([[0.0], np.cumsum(fraction)])
        points = rng.random() + np.arange(rest)
        counts += np.diff(np.searchsorted(points, edges, side="left"))
    return counts


def _tilted(base: np.ndarray, expected: np.ndarray, target_mean: float) -> np.ndarray:
    """Base band probabilities exponentially tilted so that the mean headcount is target_mean."""
    support = base > 0
    log_size = np.log1p(expected)

    def mean(theta: float) -> float:
        w = np.where(support, base * np.exp(theta * (log_size - log_size.max())), 0.0)
        return float((w * expected).sum() / w.sum())

    low, high = -12.0, 12.0
    for _ in range(80):
        mid = (low + high) / 2
        low, high = (mid, high) if mean(mid) < target_mean else (low, mid)
    theta = (low + high) / 2
    w = np.where(support, base * np.exp(theta * (log_size - log_size.max())), 0.0)
    return w / w.sum()


def _draw_establishments(rng, naf: _NafTable, bands: _BandTable, scale: float, cal: _Calibration) -> dict:
    """Non-anchor establishments: department, NAF index, band index and closed flag per row."""
    departments_ = cal.departments
    metal_total = sum(cal.metal_weight.values())
    metal_anchor: dict[tuple[str, str], tuple[int, int]] = {}  # (department, group code) -> (count, jobs)
    anchor_jobs_by_group = {g.code: 0 for g in _METAL_GROUPS}
    nonmetal_anchor = {d: [0, 0] for d in departments_}
    for anchor in cal.anchors:
        group_code = _metal_group(anchor.naf[:2]) if naf.metallurgy[naf.index_of(anchor.naf)] == "coeur" else None
        if group_code is None:
            nonmetal_anchor[anchor.department][0] += 1
            nonmetal_anchor[anchor.department][1] += anchor.headcount
        else:
            known_count, known_jobs = metal_anchor.get((anchor.department, group_code), (0, 0))
            metal_anchor[anchor.department, group_code] = (known_count + 1, known_jobs + anchor.headcount)
            anchor_jobs_by_group[group_code] += anchor.headcount

    weights_metal = naf.lookup(_METAL_NAF_WEIGHTS, 0.5) * (naf.metallurgy == "coeur")
    weights_other = naf.lookup(_NON_METAL_NAF_WEIGHTS, 0.1) * (naf.metallurgy != "coeur")
    multipliers = {d: naf.lookup(_DEPARTMENT_MULTIPLIERS.get(d, {}), 1.0) for d in departments_}
    propensity = naf.lookup(_SIZE_PROPENSITY, 0.0)
    small, large = bands.vector(_SMALL_METAL), bands.vector(_LARGE_METAL)
    non_metal = bands.vector(_NON_METAL)

    # A stratum shares one band vector: (parts [(department, count)], NAF weights, band probabilities, closed).
    # Metallurgy groups are one stratum across departments so that the group job totals stay tight.
    strata = []
    metal_count = dict.fromkeys(departments_, 0)
    metal_jobs = dict.fromkeys(departments_, 0.0)
    small_mean = float((small * bands.expected).sum())
    for group in _METAL_GROUPS:
        in_group = np.isin(naf.division, group.divisions)
        counts = {}
        for d in departments_:
            anchor_count = metal_anchor.get((d, group.code), (0, 0))[0]
            target = _METAL_ESTABLISHMENTS * scale * cal.metal_weight[d] * group.establishment_share
            counts[d] = max(int(round(target)) - anchor_count, 0)
        total = sum(counts.values())
        if total == 0:
            continue
        jobs = _METAL_JOBS * scale * metal_total * group.job_share - anchor_jobs_by_group[group.code]
        jobs = max(jobs, 0.3 * _METAL_JOBS * scale * metal_total * group.job_share)
        share = group.under_20_share
        large_probs = _tilted(large, bands.expected, max((jobs / total - share * small_mean) / (1 - share), 21.0))
        probs = share * small + (1 - share) * large_probs
        mean = float((probs * bands.expected).sum())
        strata.append(([(d, counts[d]) for d in departments_], weights_metal * in_group, probs, False))
        for d in departments_:
            metal_count[d] += counts[d] + metal_anchor.get((d, group.code), (0, 0))[0]
            metal_jobs[d] += counts[d] * mean + metal_anchor.get((d, group.code), (0, 0))[1]

    for d in departments_:
        count = int(round(cal.active[d] * scale)) - metal_count[d] - nonmetal_anchor[d][0]
        jobs = cal.jobs[d] * scale - metal_jobs[d] - nonmetal_anchor[d][1]
        count = max(count, 1)
        jobs = max(jobs, 2.0 * count)
        strata.append(([(d, count)], weights_other * multipliers[d], _tilted(non_metal, bands.expected, jobs / count),
                       False))

    closed_probs = _tilted(non_metal, bands.expected, _CLOSED_MEAN_HEADCOUNT)
    closed_total = _largest_remainder(np.array([cal.active[d] for d in departments_], float),
                                      int(round(sum(cal.active.values()) * scale * _CLOSED_SHARE)))
    metal_fraction = _METAL_ESTABLISHMENTS * metal_total / sum(cal.active.values())
    for d, count in zip(departments_, closed_total):
        mix = metal_fraction * weights_metal / weights_metal.sum() \
            + (1 - metal_fraction) * weights_other * multipliers[d] / (weights_other * multipliers[d]).sum()
        strata.append(([(d, int(count))], mix, closed_probs, True))

    department, naf_parts, band, closed, stratum_parts = [], [], [], [], []
    for s, (parts, naf_weights, band_probs, is_closed) in enumerate(strata):
        size = sum(count for _, count in parts)
        for d, count in parts:
            department.append(np.full(count, d, dtype=object))
            naf_parts.append(rng.choice(len(naf.code), size=count, p=naf_weights / naf_weights.sum()))
        band.append(np.repeat(np.arange(len(bands.code)), _systematic_counts(rng, band_probs, size)))
        closed.append(np.full(size, is_closed))
        stratum_parts.append(np.full(size, s))
    naf_index = np.concatenate(naf_parts)
    stratum = np.concatenate(stratum_parts)
    # Bands go to establishments by a noisy ranking on the NAF size propensity, inside each stratum.
    score = propensity[naf_index] + rng.normal(0.0, _BAND_NOISE, len(naf_index))
    order = np.lexsort((score, stratum))
    band_sorted = np.concatenate(band)
    band_index = np.empty(len(naf_index), dtype=np.int64)
    band_index[order] = band_sorted
    n = len(naf_index)
    return {
        "department": np.concatenate(department), "naf": naf_index, "band": band_index,
        "closed": np.concatenate(closed), "anchor_headcount": np.zeros(n, dtype=np.int64),
        "anchor_commune": np.full(n, -1), "anchor_created": np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"),
        "anchor_name": np.full(n, "", dtype=object),
    }


def _metal_group(division: str) -> str | None:
    for group in _METAL_GROUPS:
        if division in group.divisions:
            return group.code
    return None


def _anchor_rows(naf: _NafTable, bands: _BandTable, places: _Places, anchors: tuple[_Anchor, ...]) -> dict:
    communes = []
    for anchor in anchors:
        index = places.find(anchor.department, anchor.commune)
        if index is None:  # renamed or merged commune: fall back to the department's largest commune
            in_dep = np.flatnonzero(places.department == anchor.department)
            index = int(in_dep[np.argmax(places.population[in_dep])])
        communes.append(index)
    return {
        "department": np.asarray([a.department for a in anchors], dtype=object),
        "naf": np.asarray([naf.index_of(a.naf) for a in anchors], dtype=np.int64),
        "band": np.asarray([bands.for_headcount(a.headcount) for a in anchors], dtype=np.int64),
        "closed": np.zeros(len(anchors), dtype=bool),
        "anchor_headcount": np.asarray([a.headcount for a in anchors], dtype=np.int64),
        "anchor_commune": np.asarray(communes, dtype=np.int64),
        "anchor_created": np.asarray([a.created_on for a in anchors], dtype="datetime64[D]"),
        "anchor_name": np.asarray([a.name for a in anchors], dtype=object),
    }


def _headcount(rng, bands: _BandTable, band: np.ndarray) -> np.ndarray:
    """Integer headcount drawn log-uniformly inside each band's bounds (0 for 'NN' and '00')."""
    low = bands.low[band].astype(float)
    high = bands.high[band].astype(float)
    u = rng.random(len(band))
    positive = low > 0
    value = np.zeros(len(band), dtype=np.int64)
    value[positive] = np.floor(low[positive] * ((high[positive] + 1) / low[positive]) ** u[positive])
    return np.minimum(value, bands.high[band])


# --- Locations ---------------------------------------------------------------------------------------


def _draw_communes(rng, naf: _NafTable, places: _Places, department, naf_index, anchor_commune,
                   cal: _Calibration) -> np.ndarray:
    """Commune index per row, weighted by population, industrial poles and the sector's profile."""
    metal_pole = np.zeros(len(places.code), dtype=bool)
    textile = np.zeros(len(places.code), dtype=bool)
    for table, mask in ((cal.poles, metal_pole), (_TEXTILE_VALLEYS, textile)):
        for d, names in table.items():
            for name in names:
                index = places.find(d, name)
                if index is not None:
                    mask[index] = True
    pop = places.population
    inhabited = pop > 0
    general = (pop + 100) ** 0.8 * np.where(metal_pole, 2.5, 1.0) * inhabited
    weights = {
        "general": general,
        "metal": (pop + 100) ** 0.8 * np.where(metal_pole, 4.0, 1.0) * inhabited,
        "textile": general * np.where(textile, 6.0, 1.0),
        "rural": (pop + 150) ** 0.45 * inhabited,
        "local": (pop + 50) ** 0.95 * inhabited,
    }
    profile_of_naf = np.asarray([_PROFILES.index(_lookup(_PROFILE_BY_NAF, code, "general")) for code in naf.code])
    profile = profile_of_naf[naf_index]
    commune = np.asarray(anchor_commune).copy()
    free = commune < 0
    for d in cal.departments:
        in_dep = np.flatnonzero((places.department == d) & np.asarray([g is not None for g in places.geometry]))
        for p, name in enumerate(_PROFILES):
            rows = np.flatnonzero(free & (department == d) & (profile == p))
            if len(rows):
                w = weights[name][in_dep]
                commune[rows] = in_dep[rng.choice(len(in_dep), size=len(rows), p=w / w.sum())]
    return commune


def _draw_points(rng, places: _Places, commune: np.ndarray, rounds: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """Points inside each row's commune polygon (6 decimals): Gaussian around the commune point, then uniform."""
    lon, lat = places.lon[commune].copy(), places.lat[commune].copy()
    bounds = places.bounds[commune]
    pending = np.flatnonzero(np.asarray([places.geometry[c] is not None for c in range(len(places.code))])[commune])
    half_w = (bounds[:, 2] - bounds[:, 0]) / 2
    half_h = (bounds[:, 3] - bounds[:, 1]) / 2
    for attempt in range(rounds):
        if not len(pending):
            break
        m = len(pending)
        if attempt < rounds // 2:
            x = places.lon[commune[pending]] + rng.normal(0.0, 0.35, m) * half_w[pending]
            y = places.lat[commune[pending]] + rng.normal(0.0, 0.35, m) * half_h[pending]
        else:
            x = bounds[pending, 0] + rng.random(m) * (bounds[pending, 2] - bounds[pending, 0])
            y = bounds[pending, 1] + rng.random(m) * (bounds[pending, 3] - bounds[pending, 1])
        x, y = np.round(x, 6), np.round(y, 6)
        inside = shapely.contains_xy(places.geometry[commune[pending]], x, y)
        lon[pending[inside]], lat[pending[inside]] = x[inside], y[inside]
        pending = pending[~inside]
    if len(pending):  # the commune's reference point, or a representative point of the polygon
        x, y = np.round(places.lon[commune[pending]], 6), np.round(places.lat[commune[pending]], 6)
        inside = shapely.contains_xy(places.geometry[commune[pending]], x, y)
        rep = shapely.point_on_surface(places.geometry[commune[pending[~inside]]])
        x[~inside], y[~inside] = shapely.get_x(rep), shapely.get_y(rep)
        lon[pending], lat[pending] = x, y
    return np.round(lon, 6), np.round(lat, 6)


# --- Dates -------------------------------------------------------------------------------------------


def _draw_dates(rng, closed: np.ndarray, headcount: np.ndarray,
                anchor_created: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Creation and closure dates (datetime64[D]; NaT closure for active rows) following the yearly profiles."""
    n = len(closed)
    # np.dtype(...) rather than the string: numpy's stubs then know these are datetime64 arrays.
    created = np.full(n, np.datetime64("NaT"), dtype=np.dtype("datetime64[D]"))
    closed_on = np.full(n, np.datetime64("NaT"), dtype=np.dtype("datetime64[D]"))
    years = np.asarray(list(_CLOSURES_BY_YEAR))

    closed_rows = np.flatnonzero(closed)
    closure_counts = _largest_remainder(np.asarray(list(_CLOSURES_BY_YEAR.values())), len(closed_rows))
    closure_year = rng.permutation(np.repeat(years, closure_counts))
    closed_on[closed_rows] = _random_day(rng, closure_year)
    young = rng.random(len(closed_rows)) < _YOUNG_CLOSED_SHARE
    start = np.datetime64("2010-01-01")
    latest = closed_on[closed_rows] - np.timedelta64(60, "D")
    young &= latest > start
    span = (latest - start).astype(np.int64)
    created[closed_rows[young]] = start + (rng.random(young.sum()) * span[young]).astype(np.int64)
    old_rows = closed_rows[~young]
    created[old_rows] = _random_day(rng, _historical_years(rng, len(old_rows)))

    # Openings per year = the profile (same unit as closures); active rows fill what closed ones leave.
    unit = len(closed_rows) / sum(_CLOSURES_BY_YEAR.values())
    openings = np.round(np.asarray(list(_OPENINGS_BY_YEAR.values())) * unit).astype(np.int64)
    closed_openings = np.bincount(created[closed_rows[young]].astype("datetime64[Y]").astype(int) + 1970 - 2010,
                                  minlength=len(years))
    active_openings = np.maximum(openings - closed_openings, 0)
    is_anchor = ~np.isnat(anchor_created)
    candidates = np.flatnonzero(~closed & ~is_anchor)
    created[is_anchor] = anchor_created[is_anchor]
    anchor_recent = anchor_created[is_anchor].astype("datetime64[Y]").astype(int) + 1970
    for year in anchor_recent[anchor_recent >= 2010]:
        active_openings[year - 2010] = max(active_openings[year - 2010] - 1, 0)
    # Younger establishments are smaller: weighted sampling without replacement (Efraimidis–Spirakis).
    weight = 1.0 / np.sqrt(1.0 + headcount[candidates])
    key = np.log(rng.random(len(candidates))) / weight
    k = min(int(active_openings.sum()), len(candidates))
    recent = candidates[np.argsort(-key, kind="stable")[:k]]
    recent_years = rng.permutation(np.repeat(years, active_openings))[:k]
    created[recent] = _random_day(rng, recent_years)
    older = np.setdiff1d(candidates, recent, assume_unique=True)
    created[older] = _random_day(rng, _historical_years(rng, len(older)))
    return created, closed_on


def _historical_years(rng, n: int) -> np.ndarray:
    years = np.arange(_FIRST_YEAR, 2010)
    w = np.exp((years - 2009) / 22.0)
    return rng.choice(years, size=n, p=w / w.sum())


def _random_day(rng, years: np.ndarray) -> np.ndarray:
    first = (np.asarray(years) - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    length = np.where((np.asarray(years) % 4 == 0), 366, 365)
    return first + (rng.random(len(first)) * length).astype(np.int64)


def _to_dates(values: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    out = values.astype(object)
    if missing is not None:
        out[missing] = None
    return out


# --- Capabilities, certifications, membership ---------------------------------------------------------


def _capability_affinity(capabilities: pd.DataFrame, naf: _NafTable) -> np.ndarray:
    """(n_naf, n_capability) weights: prevalence × rank of the division in typical_divisions."""
    affinity = np.zeros((len(naf.code), len(capabilities)))
    for j, (divisions, prevalence) in enumerate(zip(capabilities["typical_divisions"], capabilities["prevalence"])):
        for rank, division in enumerate(str(divisions).split(";")):
            affinity[naf.division == division.strip(), j] = prevalence / (1.0 + 0.3 * rank)
    return affinity


def _hotspot_mask(capabilities: pd.DataFrame, places: _Places, lon, lat,
                  hotspots: dict[str, tuple[tuple[str, str], ...]]) -> np.ndarray:
    """(n, n_capability) geographic factor: 1 everywhere, or boost near hotspots and 0 elsewhere."""
    factor = np.ones((len(lon), len(capabilities)), dtype=np.float32)
    codes = list(capabilities["code"])
    for code, spots in hotspots.items():
        if code not in codes:
            continue
        near = np.zeros(len(lon), dtype=bool)
        for department, name in spots:
            index = places.find(department, name)
            if index is not None:
                near |= _km(lon, lat, places.lon[index], places.lat[index]) <= _HOTSPOT_RADIUS_KM
        factor[:, codes.index(code)] = np.where(near, _HOTSPOT_BOOST, 0.0)
    return factor


def _km(lon, lat, lon0, lat0) -> np.ndarray:
    return np.hypot((lon - lon0) * 111.32 * np.cos(np.radians(lat0)), (lat - lat0) * 110.57)


def _draw_capabilities(rng, capabilities: pd.DataFrame, places: _Places, naf: _NafTable, naf_index, headcount,
                       lon, lat, *, active: np.ndarray, hotspots: dict[str, tuple[tuple[str, str], ...]]) -> np.ndarray:
    """Boolean (n, n_capability) matrix: 1–6 per metalworking establishment, mostly 0 elsewhere."""
    n, m = len(naf_index), len(capabilities)
    affinity = _capability_affinity(capabilities, naf).astype(np.float32)
    prevalence = capabilities["prevalence"].to_numpy(float)
    advanced = (prevalence < 0.1).astype(np.float32)
    size = np.log1p(headcount).astype(np.float32)

    metal = naf.metallurgy[naf_index] == "coeur"
    rate = np.asarray([_NON_METAL_CAPABILITY_RATE.get(d, 0.0) for d in naf.division])[naf_index]
    k = np.where(metal, np.clip(1 + rng.poisson(0.5 + 0.35 * size), 1, _MAX_CAPABILITIES), 0)
    extra = ~metal & (rng.random(n) < rate)
    k[extra] = 1 + rng.binomial(2, 0.3, extra.sum())

    result = np.zeros((n, m), dtype=bool)
    chunk = 200_000
    for start in range(0, n, chunk):
        rows = slice(start, min(start + chunk, n))
        geo = _hotspot_mask(capabilities, places, lon[rows], lat[rows], hotspots)
        weight = _capability_weight(affinity[naf_index[rows]], advanced, size[rows], geo)
        uniform = np.maximum(rng.random(weight.shape, dtype=np.float32), np.float32(1e-12))
        gumbel = -np.log(-np.log(uniform))
        with np.errstate(divide="ignore"):
            key = np.log(weight) + gumbel
        top = np.argsort(-key, axis=1, kind="stable")[:, :_MAX_CAPABILITIES]
        top_key = np.take_along_axis(key, top, axis=1)
        keep = (np.arange(_MAX_CAPABILITIES)[None, :] < k[rows, None]) & np.isfinite(top_key)
        r, c = np.nonzero(keep)
        result[start + r, top[r, c]] = True

    # Every capability gets at least _MIN_SUPPLIERS active suppliers (near its hotspots for rare ones).
    for j in range(m):
        missing = _MIN_SUPPLIERS - int(result[active, j].sum())
        if missing <= 0:
            continue
        geo = _hotspot_mask(capabilities.iloc[j:j + 1], places, lon, lat, hotspots)
        weight = _capability_weight(affinity[naf_index, j:j + 1], advanced[j:j + 1], size, geo)[:, 0]
        eligible = active & ~result[:, j] & (result.sum(axis=1) < _MAX_CAPABILITIES)
        candidates = np.flatnonzero(eligible & (weight > 0))
        if len(candidates) < missing:  # relax the sector, keep the geography
            candidates = np.flatnonzero(eligible & metal & (geo[:, 0] > 0))
        if len(candidates) < missing:
            candidates = np.flatnonzero(eligible & metal)
        if len(candidates) < missing:
            candidates = np.flatnonzero(eligible)
        score = weight[candidates] * (1.0 + headcount[candidates]) * rng.random(len(candidates))
        result[candidates[np.argsort(-score, kind="stable")[:missing]], j] = True
    return result


def _capability_weight(affinity, advanced, size, geo) -> np.ndarray:
    # Advanced (rare) processes are more likely in larger establishments.
    size_factor = 1.0 + advanced[None, :] * (size[:, None] / 3.0 - 0.5)
    return affinity * np.maximum(size_factor, 0.2) * geo


def _main_capability(rng, matrix: np.ndarray) -> np.ndarray:
    """Column index of one of each row's capabilities (-1 when none), to pick a trade word for the name."""
    noise = rng.random(matrix.shape) * matrix
    return np.where(matrix.any(axis=1), np.argmax(noise, axis=1), -1)


def _draw_certifications(rng, certifications: pd.DataFrame, naf: _NafTable, naf_index, headcount, capabilities,
                         capability_codes: list[str]) -> np.ndarray:
    """Boolean (n, n_certification) matrix, plausible by sector and size."""
    n = len(naf_index)
    code = naf.code[naf_index]
    division = naf.division[naf_index].astype(str).astype(int)
    metal = naf.metallurgy[naf_index] != ""
    hc = headcount

    def has(*caps: str) -> np.ndarray:
        cols = [capability_codes.index(c) for c in caps if c in capability_codes]
        return capabilities[:, cols].any(axis=1) if cols else np.zeros(n, dtype=bool)

    size_9001 = np.select([hc >= 250, hc >= 50, hc >= 20, hc >= 10], [0.92, 0.75, 0.5, 0.2], 0.03)
    automotive_supplier = np.isin(division, [22, 25, 27, 28]) & has(
        "injection_plastique", "emboutissage", "decolletage", "soudure_robotisee", "cablage_filerie",
        "traitement_surface", "fonderie_alu")
    special_process = has("traitement_thermique", "traitement_surface", "controle_non_destructif", "soudure_tig",
                          "soudure_laser", "brasage")
    welding = has("soudure_tig", "soudure_mig_mag", "soudure_robotisee", "soudure_laser")
    energy_intensive = np.isin(division, [17, 19, 20, 23, 24])
    probability = {
        "iso9001": size_9001 * np.where(metal | np.isin(division, [20, 21, 22]), 1.0, 0.6),
        "iatf16949": np.where(division == 29, np.where(hc >= 250, 0.95, np.where(hc >= 20, 0.6, 0.1)),
                              np.where(automotive_supplier & (hc >= 20), 0.25, 0.0)),
        "en9100": np.where(division == 30, np.where(hc >= 20, 0.7, 0.2),
                           np.where(np.isin(division, [25, 28]) & has("fraisage_5axes", "traitement_thermique",
                                                                      "controle_non_destructif") & (hc >= 10),
                                    0.12, 0.0)),
        "iso13485": np.where(np.isin(code, ["32.50A", "32.50B", "26.60Z"]),
                             np.where(hc >= 10, 0.6, 0.01), 0.0),
        "iso3834": np.where(welding, np.where(hc >= 10, 0.25, 0.04), 0.0),
        "mase": np.where(division == 33, np.where(hc >= 10, 0.35, 0.08),
                         np.where(has("tuyauterie", "chaudronnerie", "maintenance_industrielle") & (hc >= 10), 0.1,
                                  0.0)),
        "iso14001": np.select([hc >= 250, hc >= 50, hc >= 20], [0.7, 0.3, 0.08], 0.01),
        "iso45001": np.select([hc >= 250, hc >= 50, hc >= 20], [0.5, 0.18, 0.04], 0.005),
        "iso50001": np.select([hc >= 250, hc >= 50], [0.3, 0.04], 0.0) * np.where(energy_intensive, 1.8, 1.0),
    }
    result = np.zeros((n, len(certifications)), dtype=bool)
    draws = rng.random((n, len(certifications)))
    for j, cert in enumerate(certifications["code"]):
        if cert in probability:
            result[:, j] = draws[:, j] < probability[cert]
    if "nadcap" in list(certifications["code"]) and "en9100" in list(certifications["code"]):
        en9100 = result[:, list(certifications["code"]).index("en9100")]
        result[:, list(certifications["code"]).index("nadcap")] = en9100 & special_process & (draws[:, 0] < 0.35)
    return result


def _draw_members(rng, metallurgy: np.ndarray, headcount: np.ndarray, closed: np.ndarray) -> np.ndarray:
    """UIMM membership: an exact share of active metallurgy establishments, larger ones more likely."""
    member = np.zeros(len(metallurgy), dtype=bool)
    for kind, share in (("coeur", _MEMBER_SHARE), ("partiel", _MEMBER_SHARE_PARTIEL)):
        rows = np.flatnonzero((metallurgy == kind) & ~closed)
        odds = np.exp(-2.2 + 0.75 * np.log1p(headcount[rows]))
        key = np.log(rng.random(len(rows))) / odds
        member[rows[np.argsort(-key, kind="stable")[:int(round(share * len(rows)))]]] = True
    return member


# --- Output -----------------------------------------------------------------------------------------


def _unique_names(names: np.ndarray, suffix: np.ndarray) -> np.ndarray:
    """Disambiguate repeated names with a suffix (the commune name), then a site number."""
    series = pd.Series(names, dtype=object)
    duplicated = series.duplicated(keep="first").to_numpy()
    series[duplicated] = series[duplicated] + " – " + suffix[duplicated]
    repeat = series.groupby(series, sort=False).cumcount().to_numpy()
    again = repeat > 0
    series[again] = series[again] + " (site " + (repeat[again] + 1).astype(str).astype(object) + ")"
    return series.to_numpy(dtype=object)


def _pairs(public_id: np.ndarray, matrix: np.ndarray, codes: np.ndarray, column: str) -> pd.DataFrame:
    rows, cols = np.nonzero(matrix)
    frame = pd.DataFrame({"public_id": public_id[rows], column: codes[cols]})
    return frame.astype(str).reset_index(drop=True)
