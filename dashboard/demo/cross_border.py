"""Fictitious suppliers across the border (issue 18): Luxembourg, Saarland and Wallonia, in real towns.

A small, seeded set (48 sites) added to the demo dataset: invented names, plausible capabilities for the trades
that work with Lorraine's industry every day (steel, machining, surface and heat treatment, sheet metal, plastics,
automation), placed at the real coordinates of border towns (jittered by up to ~1.5 km) and tagged with their
NUTS-3 region like an imported site. Public ids are `DEMO-X-<country>-<n>`, never a SIRET; every row is a demo
row (labelled "fictif" wherever shown).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.borders import load_nuts
from dashboard.demo.establishments import DemoData
from dashboard.reference import ReferenceData

# (town, country, lat, lon): town-hall coordinates (OpenStreetMap), rounded to 4 decimals.
TOWNS = (
    ("Luxembourg", "LU", 49.6116, 6.1319), ("Esch-sur-Alzette", "LU", 49.4958, 5.9806),
    ("Differdange", "LU", 49.5242, 5.8914), ("Dudelange", "LU", 49.4806, 6.0875),
    ("Bettembourg", "LU", 49.5186, 6.1028), ("Contern", "LU", 49.5856, 6.2264),
    ("Bascharage", "LU", 49.5672, 5.9100), ("Rodange", "LU", 49.5456, 5.8408),
    ("Grevenmacher", "LU", 49.6808, 6.4411), ("Ettelbruck", "LU", 49.8475, 6.1042),
    ("Saarbrücken", "DE", 49.2402, 6.9969), ("Völklingen", "DE", 49.2503, 6.8592),
    ("Saarlouis", "DE", 49.3136, 6.7517), ("Dillingen/Saar", "DE", 49.3553, 6.7289),
    ("Homburg", "DE", 49.3281, 7.3386), ("Neunkirchen", "DE", 49.3447, 7.1803),
    ("St. Ingbert", "DE", 49.2775, 7.1164), ("Merzig", "DE", 49.4433, 6.6369),
    ("Lebach", "DE", 49.4117, 6.9100), ("St. Wendel", "DE", 49.4667, 7.1667),
    ("Arlon", "BE", 49.6833, 5.8167), ("Aubange", "BE", 49.5667, 5.8050),
    ("Virton", "BE", 49.5667, 5.5333), ("Messancy", "BE", 49.5961, 5.8183),
    ("Bastogne", "BE", 50.0000, 5.7167), ("Libramont", "BE", 49.9200, 5.3800),
    ("Marche-en-Famenne", "BE", 50.2269, 5.3442), ("Seraing", "BE", 50.5833, 5.5000),
)
# (trade word, NAF sub-class, capabilities offered, certifications likely): the demo's trades abroad.
TRADES = (
    ("Aciers", "24.10Z", ("fonderie_fonte_acier", "forge", "decoupe_laser"), ("iso9001", "iso14001", "iso50001")),
    ("Usinage", "25.62B", ("tournage", "fraisage_3axes", "fraisage_5axes", "rectification"), ("iso9001", "en9100")),
    ("Précision", "25.62A", ("decolletage", "tournage", "metrologie"), ("iso9001", "iatf16949")),
    ("Surface", "25.61Z", ("traitement_surface", "galvanisation", "peinture_poudre", "grenaillage"),
     ("iso9001", "iso14001")),
    ("Thermique", "25.61Z", ("traitement_thermique", "controle_non_destructif"), ("iso9001", "nadcap")),
    ("Tôlerie", "25.11Z", ("chaudronnerie", "pliage", "soudure_mig_mag", "decoupe_laser"), ("iso9001", "iso3834")),
    ("Fonderie", "24.51Z", ("fonderie_fonte_acier", "fonderie_alu"), ("iso9001",)),
    ("Plast", "22.29A", ("injection_plastique", "extrusion_plastique"), ("iso9001", "iatf16949")),
    ("Automation", "28.99B", ("automatisme", "robotique", "machines_speciales"), ("iso9001",)),
    ("Maintenance", "33.20C", ("maintenance_industrielle", "installation_machines", "soudure_tig"),
     ("iso9001", "mase")),
)
_STEMS = {"LU": ("Minett", "Alzette", "Kayl", "Mamer", "Syr", "Attert"),
          "DE": ("Prims", "Blies", "Saartal", "Warndt", "Nied", "Köllertal"),
          "BE": ("Semois", "Gaume", "Sûre", "Ourthe", "Lesse", "Vierre")}
_GERMAN = {"Aciers": "Stahl", "Usinage": "Zerspanung", "Précision": "Präzision", "Surface": "Oberflächentechnik",
           "Thermique": "Härterei", "Tôlerie": "Blechtechnik", "Fonderie": "Gießerei", "Plast": "Kunststofftechnik",
           "Maintenance": "Instandhaltung"}
_FORMS = {"LU": ("S.A.", "S.à r.l."), "DE": ("GmbH", "GmbH & Co. KG"), "BE": ("SA", "SRL")}
_BANDS = (("11", 14), ("12", 32), ("21", 70), ("22", 140), ("32", 330))
SITES = 48
_JITTER_DEG = 0.012


def cross_border_sites(*, seed: int = 42, capability_codes: set[str] | None = None,
                       certification_codes: set[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame,
                                                                             pd.DataFrame]:
    """(establishments, capabilities, certifications) of the fictitious sites abroad, in the frames that
    `repository.replace_dataset` takes; codes absent from the given taxonomies are left out."""
    rng = np.random.default_rng(seed + 1818)
    nuts = load_nuts()
    towns = [TOWNS[i % len(TOWNS)] for i in range(SITES)]
    lat = np.round(np.array([t[2] for t in towns]) + rng.uniform(-_JITTER_DEG, _JITTER_DEG, SITES) * 0.7, 5)
    lon = np.round(np.array([t[3] for t in towns]) + rng.uniform(-_JITTER_DEG, _JITTER_DEG, SITES), 5)
    regions = nuts.region_codes(lat, lon)
    countries = np.array([t[1] for t in towns], dtype=object)
    region_country = dict(zip(nuts.frame["code"], nuts.frame["pays"]))
    strayed = np.array([region_country.get(r) != c for r, c in zip(regions, countries)])  # jittered over a border
    lat[strayed] = [towns[i][2] for i in np.flatnonzero(strayed)]
    lon[strayed] = [towns[i][3] for i in np.flatnonzero(strayed)]
    regions = nuts.region_codes(lat, lon)
    rows, capabilities, certifications, seen = [], [], [], set()
    counters = dict.fromkeys(_STEMS, 0)
    for i, (town, country, _, _) in enumerate(towns):
        word, naf, offered, certs = TRADES[int(rng.integers(len(TRADES)))]
        stems = _STEMS[country]
        word = _GERMAN.get(word, word) if country == "DE" else word
        base, form = f"{stems[int(rng.integers(len(stems)))]} {word}", _FORMS[country][int(rng.integers(2))]
        name = f"{base} {form}"
        if name in seen:
            name = f"{base} {town.split('/')[0].split('-')[0].replace('St.', 'Sankt')} {form}"
        seen.add(name)
        counters[country] += 1
        public_id = f"DEMO-X-{country}-{counters[country]:03d}"
        band, headcount = _BANDS[int(rng.choice(len(_BANDS), p=(0.3, 0.3, 0.2, 0.12, 0.08)))]
        rows.append({"public_id": public_id, "name": name, "naf_code": naf, "size_band_code": band,
                     "headcount_estimate": int(headcount * rng.uniform(0.8, 1.25)), "commune_code": None,
                     "address": None, "lat": float(lat[i]), "lon": float(lon[i]), "created_on": None, "state": "A",
                     "closed_on": None, "is_member": False, "country": country, "nuts3_code": regions[i],
                     "foreign_id": f"DEMO{country}{counters[country]:04d}", "locality": town})
        kept = [c for c in offered if capability_codes is None or c in capability_codes]
        picked = rng.choice(kept, size=max(1, min(len(kept), int(rng.integers(2, 4)))), replace=False)
        capabilities += [{"public_id": public_id, "capability_code": str(c), "origin": "declared"} for c in picked]
        certifications += [{"public_id": public_id, "certification_code": c} for c in certs
                           if (certification_codes is None or c in certification_codes) and rng.random() < 0.7]
    if any(r is None for r in regions):
        raise ValueError("a demo town abroad lies outside the bundled NUTS regions")
    return (pd.DataFrame(rows), pd.DataFrame(capabilities, columns=["public_id", "capability_code", "origin"]),
            pd.DataFrame(certifications, columns=["public_id", "certification_code"]))


def with_cross_border(demo: DemoData, *, seed: int, ref: ReferenceData) -> DemoData:
    """The demo data (`DemoData`) with the fictitious sites abroad appended (same frames, same dataclass)."""
    sites, capabilities, certifications = cross_border_sites(
        seed=seed, capability_codes=set(ref.capabilities["code"]), certification_codes=set(ref.certifications["code"]))
    return DemoData(establishments=pd.concat([demo.establishments, sites], ignore_index=True),
                      capabilities=pd.concat([demo.capabilities, capabilities], ignore_index=True),
                      certifications=pd.concat([demo.certifications, certifications], ignore_index=True))

