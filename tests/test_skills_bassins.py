"""Real BMO bassins drawn from the imported commune → bassin mapping (`tissu import bassins`)."""

from pathlib import Path

import pytest

from callbacks import skills as cb
from dashboard import repository
from dashboard.importers.bassins import import_bassins
from dashboard.importers.bmo import BmoOptions, import_bmo
from dashboard.importers.errors import FileFormatError
from dashboard.services import DataService
from dashboard.services.skills import COMMUNES_URL

FIXTURES = Path(__file__).parent / "fixtures" / "bmo"
MAPPING = ("Code commune;Code bassin;Nom bassin\n"
           "57227;4408;FORBACH\n"       # Forbach
           "57463;4410;METZ\n"          # Metz
           "57672;4410;METZ\n"          # Thionville, deliberately in the Metz bassin here
           "67482;6701;STRASBOURG\n"    # outside Lorraine: skipped, counted
           "57999;4410;METZ\n"          # not a commune: rejected
           "57463;4408;FORBACH\n"       # conflicts with line 3: rejected
           "54395;;\n")                 # no bassin: rejected


@pytest.fixture()
def real_engine(new_database, demo_database):
    engine = new_database(demo_database).engine
    import_bmo(engine, BmoOptions(FIXTURES / "bmo_2025_open_data.csv"), progress=False)
    return engine


def test_import_reports_every_bad_row_and_is_idempotent(real_engine, tmp_path):
    path = tmp_path / "bassins.csv"
    path.write_text(MAPPING, encoding="utf-8")
    outcome = import_bassins(real_engine, path, report_dir=tmp_path)
    counts = outcome.report.counts
    assert (counts["communes mapped"], counts["bassins"], counts["communes outside Lorraine (skipped)"]) == (3, 2, 1)
    assert sorted((i.line, i.reason) for i in outcome.report.rejected) == \
        [(6, "unknown_commune"), (7, "conflicting_bassin"), (8, "missing_bassin")]
    assert outcome.exit_code == 1 and outcome.report_file.exists()
    first = repository.bmo_area_communes_frame(real_engine).sort_values("commune_code").reset_index(drop=True)
    import_bassins(real_engine, path)
    again = repository.bmo_area_communes_frame(real_engine).sort_values("commune_code").reset_index(drop=True)
    assert first.equals(again)
    real = first[first["area_code"].isin(["4408", "4410"])]
    assert dict(zip(real["commune_code"], real["area_code"])) == {"57227": "4408", "57463": "4410", "57672": "4410"}


def test_wrong_file_is_refused_before_writing(real_engine, tmp_path):
    path = tmp_path / "autre.csv"
    path.write_text("siret;nom\n1;x\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match="Code commune"):
        import_bassins(real_engine, path)


def test_the_map_colours_the_communes_of_each_real_bassin(real_engine, tmp_path, settings):
    path = tmp_path / "bassins.csv"
    path.write_text(MAPPING, encoding="utf-8")
    import_bassins(real_engine, path)
    service = DataService(real_engine, settings)
    q = cb.SkillsQuery(departement="57", territory=None, trade="D1X40", year=2025)
    results = cb.skills_results(service, q)
    hideout, url, title = results[4], results[5], results[9]
    assert url == COMMUNES_URL
    assert {"57227", "57463", "57672"} <= set(hideout["colors"])
    assert hideout["colors"]["57463"] == hideout["colors"]["57672"]  # same bassin, same colour
    assert hideout["tips"]["57227"].startswith("Soudeurs, ")
    assert "indisponibles" not in title


def test_cross_region_bassins_are_labelled_everywhere(service, client):
    """Chaumont, Sedan and Vitry-le-François Saint-Dizier have their pole outside Lorraine: the page, the
    exports and the API name them « bassin transrégional » and say why; the Lorraine bassins are untouched."""
    import pandas as pd

    from dashboard.analytics import skills as sk
    from dashboard.reference import DATA_DIR
    from dashboard.services import skills as skills_svc

    communes = pd.read_csv(DATA_DIR / "ref" / "communes.csv", dtype=str)
    zones = pd.read_csv(DATA_DIR / "ref" / "zones_emploi.csv", dtype=str).set_index("code")["nom"]
    names = set(communes["nom"])
    for code in sk.CROSS_REGION_ZONES:  # the pole (first commune of the zone's name) is not a Lorraine commune
        assert zones[code].split(" ")[0] not in names
    assert {"Épinal", "Metz", "Nancy", "Verdun"} <= names
    data = skills_svc.skills_data(service)
    flagged = data.areas[data.areas["cross_region"]]
    assert sorted(flagged["name"]) == sorted(f"{zones[c]}{sk.CROSS_REGION_SUFFIX}" for c in sk.CROSS_REGION_ZONES)
    assert not data.areas.loc[~data.areas["cross_region"], "name"].str.contains("transrégional").any()
    view = skills_svc.page_view(service, {})
    labels = [o["label"] for o in view.territory_options]
    assert sum("bassin transrégional" in lab for lab in labels) == 3 and view.has_cross_region
    file = skills_svc.export_file(service, {}, "map")
    assert file.frame["Territoire"].str.contains("bassin transrégional").sum() == 3
    assert sk.CROSS_REGION_NOTE in set(file.extra_sheets["Source"]["Informations"])
    body = client.get("/api/v1/skills").get_json()
    crossing = {i["territory_name"] for i in body["items"] if i["cross_region"]}
    assert crossing == set(flagged["name"]) and body["cross_region_note"] == sk.CROSS_REGION_NOTE
    assert all(i["cross_region"] == ("transrégional" in i["territory_name"]) for i in body["items"])
