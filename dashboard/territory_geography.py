"""Reference tables and polygons of a territory other than Lorraine, from the compact files in `data/territory/`.

`data/build_reference.py` writes one geobuf per metropolitan department (`communes-<dep>.pbf`: each commune's
contour, code, name, population, EPCI, zone d'emploi and inside point), the departments' outlines and national
tables. Here they are read for the departments of the territory; the EPCI and zone layers are dissolved from the
communes once per process (`reference.load_polygons` caches them).

Zones d'emploi: the bundled INSEE composition covers only Lorraine. Elsewhere each department stands in as one
zone coded `D<dep>` and named "<département> (zones d'emploi non fournies)", so every commune has a zone and the
pages keep working; `tissu` says so rather than inventing zones (docs/real-data.md#territory).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geobuf
import geopandas as gpd
import pandas as pd
import shapely

from dashboard.territory import Territory, departments_table

NO_ZONE_SUFFIX = "(zones d'emploi non fournies)"
_COMMUNE_COLUMNS = ["code", "nom", "population", "departement", "epci", "zone_emploi", "lat", "lon"]


def placeholder_zone(department: str) -> str:
    """The stand-in zone code of a department without bundled zones d'emploi."""
    return f"D{department}"


@lru_cache(maxsize=128)
def _department_features(path: Path) -> tuple[dict, ...]:
    return tuple(geobuf.decode(path.read_bytes())["features"])


def _features(data_dir: Path, territory: Territory) -> list[tuple[str, dict]]:
    return [(dep, feature) for dep in territory.departments
            for feature in _department_features(data_dir / "territory" / f"communes-{dep}.pbf")]


def _communes(data_dir: Path, territory: Territory) -> pd.DataFrame:
    rows = []
    for dep, feature in _features(data_dir, territory):
        p = feature["properties"]
        rows.append([p["code"], p["nom"], int(p["population"]), dep, p["epci"],
                     p["zone_emploi"] or placeholder_zone(dep), float(p["lat"]), float(p["lon"])])
    return pd.DataFrame(rows, columns=_COMMUNE_COLUMNS).sort_values("code", ignore_index=True)


def territory_tables(data_dir: Path, territory: Territory) -> tuple[pd.DataFrame, ...]:
    """(departments, epci, zones, communes) with the columns of the Lorraine CSV files; populations and
    commune counts of the EPCI and zones are their part inside the territory (as for Lorraine)."""
    communes = _communes(data_dir, territory)
    table = departments_table(data_dir)
    departments = pd.DataFrame([[d, table[d].nom, int(communes.loc[communes["departement"] == d, "population"].sum())]
                                for d in territory.departments], columns=["code", "nom", "population"])
    names = pd.read_csv(data_dir / "territory" / "epci.csv", dtype=str, keep_default_na=False).set_index("code")
    with_epci = communes[communes["epci"] != ""]
    grouped = with_epci.groupby("epci")
    epci = pd.DataFrame({
        "code": list(grouped.groups),
        "nom": [names.at[c, "nom"] for c in grouped.groups],
        "type": [names.at[c, "type"] for c in grouped.groups],
        "population_lorraine": grouped["population"].sum().to_numpy(),
        "nb_communes_lorraine": grouped.size().to_numpy(),
        "departements": grouped["departement"].agg(lambda s: ";".join(sorted(set(s)))).to_numpy(),
    })
    zone_names = pd.read_csv(data_dir / "territory" / "zones_emploi.csv", dtype=str).set_index("code")["nom"]
    zgroup = communes.groupby("zone_emploi")
    zones = pd.DataFrame({
        "code": list(zgroup.groups),
        "nom": [zone_names.get(z) or f"{table[z[1:]].nom} {NO_ZONE_SUFFIX}" for z in zgroup.groups],
        "population_lorraine": zgroup["population"].sum().to_numpy(),
        "nb_communes_lorraine": zgroup.size().to_numpy(),
    })
    return departments, epci, zones, communes


def territory_polygons(layer: str, data_dir: Path, territory: Territory) -> gpd.GeoDataFrame:
    """The territory's polygons of one layer ('communes', 'departements', 'epci', 'zones_emploi'), columns
    code, nom, geometry. Re-established communes without a 2018 contour (data/README.md) have none."""
    if layer == "departements":
        outlines = gpd.GeoDataFrame.from_features(
            geobuf.decode((data_dir / "territory" / "departements.pbf").read_bytes())["features"], crs="EPSG:4326")
        chosen = outlines[outlines["code"].isin(territory.departments)]
        return chosen[["code", "nom", "geometry"]].reset_index(drop=True)
    features = [f for _, f in _features(data_dir, territory) if f["geometry"]["type"] != "Point"]
    communes = gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")
    communes["geometry"] = shapely.make_valid(communes.geometry.to_numpy())  # 4-decimal quantisation
    if layer == "communes":
        return communes[["code", "nom", "geometry"]]
    _, epci, zones, table = territory_tables(data_dir, territory)
    key, names = ("epci", epci) if layer == "epci" else ("zone_emploi", zones)
    communes[key] = communes["code"].map(table.set_index("code")[key])
    communes = communes[communes[key] != ""]
    dissolved = communes.dissolve(by=key, as_index=False)[[key, "geometry"]].rename(columns={key: "code"})
    dissolved["geometry"] = dissolved.geometry.buffer(0)
    dissolved["nom"] = dissolved["code"].map(names.set_index("code")["nom"])
    return dissolved[["code", "nom", "geometry"]]
