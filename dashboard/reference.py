"""The bundled reference data (real geography and nomenclatures, plus tissu's capability taxonomy).

Read from `data/` as built by `data/build_reference.py`; every code is kept as a string.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

from dashboard import territory as territories
from dashboard.paths import DATA_DIR
from dashboard.territory import Territory

ATTRIBUTION = "Contours : IGN – ADMIN EXPRESS COG 2018, via france-geojson · Codes et populations : INSEE COG 2026"
LAYERS = ("communes", "departements", "epci", "zones_emploi")


def departments() -> tuple[str, ...]:
    """The department codes of the active territory (`TISSU_TERRITORY`; default Lorraine 54, 55, 57, 88)."""
    return territories.departments()


@dataclass(frozen=True)
class ReferenceData:
    departments: pd.DataFrame  # code, nom, population
    epci: pd.DataFrame  # code, nom, type, population_lorraine, nb_communes_lorraine, departements
    zones: pd.DataFrame  # code, nom, population_lorraine, nb_communes_lorraine
    communes: pd.DataFrame  # code, nom, population, departement, epci, zone_emploi, lat, lon
    naf: pd.DataFrame  # subclass … section_label, a38, filiere, metallurgie
    filieres: pd.DataFrame  # code, label, color
    size_bands: pd.DataFrame  # code, libelle, borne_min, borne_max, headcount_mid, short_label
    capability_families: pd.DataFrame  # code, label
    capabilities: pd.DataFrame  # code, label, family, description, typical_divisions, prevalence
    certifications: pd.DataFrame  # code, label, scope
    purchases: pd.DataFrame  # buyer_filiere, capability_code, weight, rationale (docs/event.md)
    circle_themes: pd.DataFrame  # code, label, description: the themes of the circles of excellence (issue 17)


_NUMERIC = {"population", "population_lorraine", "nb_communes_lorraine", "lat", "lon", "borne_min", "borne_max",
            "headcount_mid", "prevalence", "weight"}


def _csv(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    for column in _NUMERIC & set(frame.columns):
        frame[column] = pd.to_numeric(frame[column].replace("", None))
    return frame


def load_reference(data_dir: Path = DATA_DIR) -> ReferenceData:
    """Every reference table of the active territory (Lorraine: the bundled CSV files)."""
    return _load_reference(data_dir, territories.active())


@lru_cache(maxsize=4)
def _load_reference(data_dir: Path, territory: Territory) -> ReferenceData:
    ref, tax = data_dir / "ref", data_dir / "taxonomy"
    if territory.is_default:
        departments_, epci, zones, communes = (_csv(ref / "departements.csv"), _csv(ref / "epci.csv"),
                                               _csv(ref / "zones_emploi.csv"), _csv(ref / "communes.csv"))
    else:
        from dashboard.territory_geography import territory_tables

        departments_, epci, zones, communes = territory_tables(data_dir, territory)
    return ReferenceData(
        departments=departments_,
        epci=epci,
        zones=zones,
        communes=communes,
        naf=_csv(ref / "naf.csv"),
        filieres=_csv(ref / "filieres.csv"),
        size_bands=_csv(ref / "tranches_effectifs.csv"),
        capability_families=_csv(tax / "capability_families.csv"),
        capabilities=_csv(tax / "capabilities.csv"),
        certifications=_csv(tax / "certifications.csv"),
        purchases=_csv(tax / "purchases.csv"),
        circle_themes=_csv(tax / "circle_themes.csv"),
    )


def geojson_path(layer: str, data_dir: Path = DATA_DIR) -> Path:
    """Path of a bundled Lorraine layer: 'communes', 'departements', 'epci' or 'zones_emploi'."""
    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}")
    return data_dir / "geo" / f"{layer}.geojson"


def layer_geojson(layer: str, data_dir: Path = DATA_DIR) -> bytes:
    """A layer of the active territory as GeoJSON bytes (properties `code`, `nom`), as sent to the browser."""
    if territories.active().is_default:
        return geojson_path(layer, data_dir).read_bytes()
    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}")
    return load_polygons(layer, data_dir)[["code", "nom", "geometry"]].to_json(drop_id=True).encode("utf-8")


def load_polygons(layer: str, data_dir: Path = DATA_DIR) -> gpd.GeoDataFrame:
    """A layer of the active territory as a GeoDataFrame in WGS84 (EPSG:4326), indexed by code."""
    return _load_polygons(layer, data_dir, territories.active())


@lru_cache(maxsize=8)
def _load_polygons(layer: str, data_dir: Path, territory: Territory) -> gpd.GeoDataFrame:
    if territory.is_default:
        frame = gpd.read_file(geojson_path(layer, data_dir))
    else:
        from dashboard.territory_geography import territory_polygons

        if layer not in LAYERS:
            raise ValueError(f"unknown layer {layer!r}")
        frame = territory_polygons(layer, data_dir, territory)
    frame["code"] = frame["code"].astype(str)
    return frame.set_index("code", drop=False).sort_index()
