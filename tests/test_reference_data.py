"""Checks on the committed reference data in data/ (built by data/build_reference.py).

The assertions read the committed files; they do not rebuild them. Only the last two tests use
the upstream sources (laid out as data/README.md says), found through TISSU_REFERENCE_SOURCES; they
are skipped when it is unset.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
_SOURCES_DIR = os.environ.get("TISSU_REFERENCE_SOURCES", "")
SOURCES = Path(_SOURCES_DIR) if _SOURCES_DIR else None

DEPARTEMENTS = {"54", "55", "57", "88"}
N_COMMUNES = 2321
N_EPCI = 67
N_ZONES = 15
LORRAINE_POPULATION = 2_321_083  # sum of the municipal populations of COG 2026 (decoupage-administratif)
LAYERS = ("communes", "departements", "epci", "zones_emploi")


def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / "ref" / name, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def communes() -> pd.DataFrame:
    return _csv("communes.csv")


@pytest.fixture(scope="module")
def layers() -> dict[str, gpd.GeoDataFrame]:
    return {layer: gpd.read_file(DATA / "geo" / f"{layer}.geojson") for layer in LAYERS}


@pytest.fixture(scope="module")
def communes_geo(layers) -> gpd.GeoDataFrame:
    return layers["communes"].set_index("code", drop=False)


def test_communes_csv_and_geojson_have_the_same_2321_codes(communes, communes_geo):
    assert len(communes) == N_COMMUNES
    assert communes["code"].is_unique
    assert len(communes_geo) == N_COMMUNES
    assert communes_geo.index.is_unique
    assert set(communes["code"]) == set(communes_geo.index)
    assert list(communes["code"]) == sorted(communes["code"])
    names = communes.set_index("code")["nom"]
    assert (communes_geo["nom"] == names.loc[communes_geo.index]).all()


def test_csv_headers(communes):
    assert list(communes.columns) == ["code", "nom", "population", "departement", "epci", "zone_emploi", "lat", "lon"]
    assert list(_csv("departements.csv").columns) == ["code", "nom", "population"]
    assert list(_csv("epci.csv").columns) == [
        "code", "nom", "type", "population_lorraine", "nb_communes_lorraine", "departements"]
    assert list(_csv("zones_emploi.csv").columns) == ["code", "nom", "population_lorraine", "nb_communes_lorraine"]


def test_codes_are_strings_with_leading_zeros(communes):
    assert communes["code"].str.fullmatch(r"\d{5}").all()
    assert (communes["code"].str[:2] == communes["departement"]).all()
    assert communes["epci"].str.fullmatch(r"\d{9}").all()
    assert communes["zone_emploi"].str.fullmatch(r"\d{4}").all()
    assert "54001" in set(communes["code"])


def test_every_commune_has_a_department_an_epci_and_a_zone(communes):
    epci, zones, departements = _csv("epci.csv"), _csv("zones_emploi.csv"), _csv("departements.csv")
    assert set(departements["code"]) == DEPARTEMENTS
    assert len(epci) == N_EPCI and epci["code"].is_unique
    assert len(zones) == N_ZONES and zones["code"].is_unique
    assert set(communes["departement"]) == DEPARTEMENTS
    assert set(communes["epci"]) == set(epci["code"])
    assert set(communes["zone_emploi"]) == set(zones["code"])
    assert (communes[["nom", "departement", "epci", "zone_emploi"]] != "").all().all()


def test_population_totals(communes):
    population = communes["population"].astype(int)
    assert (population >= 0).all()
    assert population.sum() == LORRAINE_POPULATION
    assert _csv("departements.csv")["population"].astype(int).sum() == LORRAINE_POPULATION
    for name in ("epci.csv", "zones_emploi.csv"):
        table = _csv(name)
        assert table["population_lorraine"].astype(int).sum() == LORRAINE_POPULATION
        assert table["nb_communes_lorraine"].astype(int).sum() == N_COMMUNES


def test_aggregates_match_the_communes(communes):
    population = communes.assign(population=communes["population"].astype(int))
    epci = _csv("epci.csv").set_index("code")
    by_epci = population.groupby("epci").agg(population=("population", "sum"), n=("code", "size"),
                                             departements=("departement", lambda d: ";".join(sorted(set(d)))))
    assert (epci.loc[by_epci.index, "population_lorraine"].astype(int) == by_epci["population"]).all()
    assert (epci.loc[by_epci.index, "nb_communes_lorraine"].astype(int) == by_epci["n"]).all()
    assert (epci.loc[by_epci.index, "departements"] == by_epci["departements"]).all()
    assert set(epci["type"]) <= {"CC", "CA", "CU", "METRO"}
    zones = _csv("zones_emploi.csv").set_index("code")
    by_zone = population.groupby("zone_emploi")["population"].sum()
    assert (zones.loc[by_zone.index, "population_lorraine"].astype(int) == by_zone).all()


def test_every_point_lies_inside_its_commune(communes, communes_geo):
    lat, lon = communes["lat"].astype(float), communes["lon"].astype(float)
    assert communes["lat"].str.fullmatch(r"\d+\.\d{5}").all() and communes["lon"].str.fullmatch(r"\d+\.\d{5}").all()
    assert lat.between(47.8, 49.7).all() and lon.between(4.8, 7.7).all()
    points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), index=communes["code"], crs="EPSG:4326")
    polygons = communes_geo.geometry.loc[points.index]
    inside = polygons.contains(points)
    assert inside.all(), f"points outside their commune: {list(points.index[~inside.to_numpy()])}"


@pytest.mark.parametrize("layer", LAYERS)
def test_geometries_are_valid_polygons_with_code_and_nom(layers, layer):
    frame = layers[layer]
    assert frame.crs is None or frame.crs.to_epsg() == 4326
    assert set(frame.columns) == {"code", "nom", "geometry"}
    assert frame["code"].is_unique
    assert list(frame["code"]) == sorted(frame["code"])
    assert set(frame.geom_type) <= {"Polygon", "MultiPolygon"}
    assert frame.is_valid.all(), list(frame.loc[~frame.is_valid, "code"])
    assert (~frame.is_empty).all()


def test_dissolved_layers_have_the_expected_codes(layers, communes):
    assert set(layers["departements"]["code"]) == DEPARTEMENTS
    assert set(layers["epci"]["code"]) == set(_csv("epci.csv")["code"])
    assert set(layers["zones_emploi"]["code"]) == set(_csv("zones_emploi.csv")["code"])
    assert len(layers["epci"]) == N_EPCI and len(layers["zones_emploi"]) == N_ZONES


def test_communes_tile_lorraine_without_gaps_or_overlaps(communes_geo):
    projected = communes_geo.to_crs(2154)
    union = projected.union_all()
    assert union.geom_type == "Polygon" and len(union.interiors) == 0  # no gap inside Lorraine
    assert abs(projected.area.sum() - union.area) < 1.0  # m²: no overlap between neighbours
    assert 23_000e6 < union.area < 24_000e6  # about 23,660 km² measured in Lambert-93


@pytest.mark.parametrize(("layer", "column"), [("departements", "departement"), ("epci", "epci"),
                                                ("zones_emploi", "zone_emploi")])
def test_dissolved_layers_line_up_with_the_communes(layers, communes, communes_geo, layer, column):
    projected = communes_geo.to_crs(2154)
    groups = communes.set_index("code")[column]
    for code, geometry in layers[layer].set_index("code").to_crs(2154).geometry.items():
        members = projected.geometry.loc[groups.index[groups == code]]
        assert geometry.symmetric_difference(members.union_all()).area < 1.0, (layer, code)


def test_file_sizes_and_coordinate_precision():
    sizes = {layer: (DATA / "geo" / f"{layer}.geojson").stat().st_size for layer in LAYERS}
    assert sizes["communes"] <= 2_000_000
    assert all(sizes[layer] <= 400_000 for layer in LAYERS if layer != "communes")
    text = (DATA / "geo" / "communes.geojson").read_text(encoding="utf-8")
    assert not re.search(r"\d\.\d{6,}", text)
    properties = [feature["properties"] for feature in json.loads(text)["features"]]
    assert all(set(p) == {"code", "nom"} and isinstance(p["code"], str) for p in properties)


def test_naf_subclasses():
    naf = _csv("naf.csv")
    assert list(naf.columns) == ["subclass", "subclass_label", "class", "class_label", "group", "group_label",
                                 "division", "division_label", "section", "section_label", "a38", "filiere",
                                 "metallurgie"]
    assert len(naf) == 291 and naf["subclass"].is_unique
    assert naf["subclass"].str.fullmatch(r"\d{2}\.\d{2}[A-Z]").all()
    assert (naf["class"] == naf["subclass"].str[:5]).all()
    assert (naf["group"] == naf["subclass"].str[:4]).all()
    assert (naf["division"] == naf["subclass"].str[:2]).all()
    assert naf["division"].astype(int).between(5, 39).all()
    sections = naf.groupby("section")["section_label"].unique().to_dict()
    assert {s: list(v) for s, v in sections.items()} == {
        "B": ["Industries extractives"],
        "C": ["Industrie manufacturière"],
        "D": ["Production et distribution d'électricité, de gaz, de vapeur et d'air conditionné"],
        "E": ["Production et distribution d'eau ; assainissement, gestion des déchets et dépollution"],
    }
    assert (naf["section"] == "C").sum() == naf["division"].astype(int).between(10, 33).sum()
    assert set(naf["metallurgie"]) == {"coeur", "partiel", ""}
    assert (naf[naf["division"].isin(["24", "25"])]["metallurgie"] == "coeur").all()
    for column in ("subclass_label", "class_label", "group_label", "division_label", "filiere", "a38"):
        assert (naf[column] != "").all(), column
    assert naf.set_index("subclass").loc["25.62B", "subclass_label"] == "Mécanique industrielle"


def test_every_filiere_has_a_distinct_code_and_colour():
    naf, filieres = _csv("naf.csv"), _csv("filieres.csv")
    assert list(filieres.columns) == ["code", "label", "color"]
    assert set(naf["filiere"]) == set(filieres["label"])
    assert filieres["code"].is_unique and filieres["label"].is_unique
    assert filieres["code"].str.fullmatch(r"[a-z]+").all()
    assert filieres["color"].str.fullmatch(r"#[0-9A-F]{6}").all()
    assert filieres["color"].str.upper().is_unique
    assert "metal" in set(filieres["code"])


def test_tranches_effectifs():
    tranches = _csv("tranches_effectifs.csv")
    assert list(tranches.columns) == ["code", "libelle", "borne_min", "borne_max", "headcount_mid", "short_label"]
    assert len(tranches) == 16 and tranches["code"].is_unique
    mid = tranches.set_index("code")["headcount_mid"].astype(float)
    assert mid["NN"] == 0 and mid["00"] == 0 and mid["01"] == 1.5 and mid["11"] == 14.5 and mid["53"] == 12000
    assert mid.is_monotonic_increasing
    assert tranches.set_index("code").loc["53", "short_label"] == "10 000+"
    assert (tranches["short_label"] != "").all() and tranches["short_label"].is_unique


@pytest.mark.skipif(SOURCES is None or not SOURCES.is_dir(),
                    reason="upstream sources not available (set TISSU_REFERENCE_SOURCES, see data/README.md)")
def test_communes_match_decoupage_administratif(communes):
    cog = json.loads((SOURCES / "upstream" / "decoupage-administratif" / "communes.json").read_text(encoding="utf-8"))
    current = {c["code"]: c for c in cog if c.get("departement") in DEPARTEMENTS and c["type"] == "commune-actuelle"}
    assert set(communes["code"]) == set(current)
    assert sum(c["population"] for c in current.values()) == LORRAINE_POPULATION
    for row in communes.itertuples():
        assert (row.nom, int(row.population)) == (current[row.code]["nom"], current[row.code]["population"])


@pytest.mark.skipif(SOURCES is None or not SOURCES.is_dir(),
                    reason="upstream sources not available (set TISSU_REFERENCE_SOURCES, see data/README.md)")
def test_committed_files_are_what_the_build_script_produces(tmp_path):
    """Rebuilding from the sources gives byte-identical files (nothing edited by hand, script in sync)."""
    subprocess.run([sys.executable, str(DATA / "build_reference.py"), "--sources", str(SOURCES), "--out",
                    str(tmp_path)], check=True, capture_output=True)
    built = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert built, "the build wrote nothing"
    for relative in built:
        assert (tmp_path / relative).read_bytes() == (DATA / relative).read_bytes(), str(relative)
