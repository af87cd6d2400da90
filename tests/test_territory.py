"""TISSU_TERRITORY: the setting's parser, and the bundled geography each territory loads (issue 18, part 2).

Expected counts come from `tests/fixtures/territory/commune_counts.json`, counted in decoupage-administratif's
communes.json (its `source` says how); the bundled files are built from the same sources by data/build_reference.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard import reference, territory
from dashboard.settings import SettingsError, load_settings
from dashboard.territory import TerritoryError, parse_territory

EXPECTED = json.loads((Path(__file__).parent / "fixtures" / "territory" / "commune_counts.json").read_text("utf-8"))


@pytest.fixture(autouse=True)
def _restore_default_territory():
    """Every other test runs on Lorraine: put it back whatever a test activated."""
    yield
    territory.activate(parse_territory(""))


@pytest.mark.parametrize(("raw", "spec", "label", "departments"), [
    ("", "54,55,57,88", "Lorraine", ("54", "55", "57", "88")),
    ("88, 57,55,54", "54,55,57,88", "Lorraine", ("54", "55", "57", "88")),
    ("lorraine", "54,55,57,88", "Lorraine", ("54", "55", "57", "88")),
    ("44", "44", "Grand Est", tuple(EXPECTED["regions_departements"]["44"])),
    ("68,67", "67,68", "départements 67, 68", ("67", "68")),
    ("44,", "44", "Loire-Atlantique (44)", ("44",)),
    ("2a", "2A", "Corse-du-Sud (2A)", ("2A",)),
    ("France", "france", "France", None),
])
def test_parser_accepts_regions_departments_and_france(raw, spec, label, departments):
    parsed = parse_territory(raw)
    assert (parsed.spec, parsed.label) == (spec, label)
    if departments is None:
        assert len(parsed.departments) == 96 and "2B" in parsed.departments and "971" not in parsed.departments
    else:
        assert parsed.departments == departments
    assert parsed.is_default == (spec == "54,55,57,88")


@pytest.mark.parametrize("raw", ["zz", "971", "54,99", ",", "44;45", "corse du sud"])
def test_parser_refuses_other_values_in_one_line(raw):
    with pytest.raises(TerritoryError) as error:
        parse_territory(raw)
    assert "\n" not in str(error.value) and "TISSU_TERRITORY" in str(error.value)


def test_bad_setting_is_a_settings_error_and_the_cli_exits_2(monkeypatch, capsys):
    with pytest.raises(SettingsError):
        load_settings({"TISSU_TERRITORY": "54,999"})
    assert load_settings({"TISSU_TERRITORY": "67,68"}).territory.departments == ("67", "68")
    from dashboard.cli import main

    monkeypatch.setenv("TISSU_TERRITORY", "nowhere")
    assert main(["serve"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: TISSU_TERRITORY='nowhere'") and "\n" not in err


def test_default_keeps_lorraine_and_its_2321_communes():
    ref = reference.load_reference()
    assert territory.active().is_default and len(ref.communes) == 2321
    assert sum(EXPECTED["departements"][d] for d in territory.LORRAINE) == 2321
    assert reference.layer_geojson("communes") == reference.geojson_path("communes").read_bytes()


@pytest.mark.parametrize("spec", ["67,68", "44"])
def test_territory_loads_exactly_its_communes(spec):
    chosen = parse_territory(spec)
    territory.activate(chosen)
    ref = reference.load_reference()
    communes = ref.communes
    expected = (EXPECTED["regions"][spec] if spec in EXPECTED["regions"]
                else sum(EXPECTED["departements"][d] for d in chosen.departments))
    assert len(communes) == communes["code"].nunique() == expected
    for d in chosen.departments:
        if d in EXPECTED["departements"]:
            assert (communes["departement"] == d).sum() == EXPECTED["departements"][d]
    assert set(communes["departement"]) == set(chosen.departments) == set(ref.departments["code"])
    assert chosen.commune_count() == expected
    # Every commune has a zone and a point inside the territory; the EPCI and zones tables cover them all.
    assert set(communes["zone_emploi"]) == set(ref.zones["code"])
    assert ref.zones["nb_communes_lorraine"].sum() == expected
    assert ref.epci["nb_communes_lorraine"].sum() == (communes["epci"] != "").sum()
    west, south, east, north = chosen.bounds()
    assert communes["lon"].between(west, east).all() and communes["lat"].between(south, north).all()
    polygons = reference.load_polygons("communes")
    assert set(polygons["code"]) <= set(communes["code"]) and len(polygons) >= expected - 7
    assert polygons.geometry.is_valid.all()
    assert len(reference.load_polygons("departements")) == len(chosen.departments)


def test_alsace_populations_match_the_cog():
    territory.activate(parse_territory("67,68"))
    departments = reference.load_reference().departments.set_index("code")["population"]
    assert departments.to_dict() == EXPECTED["population"]


def test_lorraine_inside_grand_est_keeps_its_real_zones():
    territory.activate(parse_territory("44"))
    communes = reference.load_reference().communes
    lorraine = communes[communes["departement"].isin(territory.LORRAINE)]
    assert lorraine["zone_emploi"].str.match(r"^\d{4}$").all()
    others = communes[~communes["departement"].isin(territory.LORRAINE)]
    assert (others["zone_emploi"] == "D" + others["departement"]).all()


def test_bundled_department_table_matches_the_cog():
    table = territory.departments_table()
    assert len(table) == 96 and sum(d.communes for d in table.values()) == EXPECTED["metropole"]
    assert {d: table[d].communes for d in EXPECTED["departements"]} == EXPECTED["departements"]


def test_an_app_of_another_territory_serves_its_label_and_communes(new_database, tmp_path):
    from dashboard.app import create_app

    db = new_database()
    settings = load_settings({"TISSU_TERRITORY": "67,68"}, database_url=db.url, instance_dir=tmp_path,
                             auto_demo=False)
    client = create_app(settings, db.engine).server.test_client()
    meta = client.get("/api/v1/meta").get_json()
    assert meta["territory"] == {"setting": "67,68", "label": "départements 67, 68", "departements": ["67", "68"]}
    page = client.get("/api/v1/communes?departement=68&limit=1000").get_json()
    assert page["total"] == EXPECTED["departements"]["68"]
    assert client.get("/api/v1/communes?departement=57").status_code == 400
    assert client.get("/geo/communes.geojson").get_json()["features"][0]["properties"]["code"].startswith("67")
