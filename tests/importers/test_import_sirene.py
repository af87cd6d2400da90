"""`tissu import sirene` on fixtures in the official formats: every case, every rejection, safety."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from import_support import GEOLOC, IDCC, MEMBERS, SIRENE, UNITS, luhn_ok, siret, snapshot
from sqlalchemy import event

from dashboard import repository
from dashboard.cli import main
from dashboard.importers.errors import ArgumentError, FileFormatError, ImportFailed
from dashboard.importers.report import Progress
from dashboard.importers.sirene import SireneOptions, import_sirene, parse_date, parse_departments, parse_sections

MESSY = SIRENE / "StockEtablissement_utf8.csv"  # 54 columns, CRLF, rows to reject
CLEAN = SIRENE / "StockEtablissement_clean_utf8.csv"  # 53 columns (no NAF25), LF


def _import(engine, path=MESSY, *, geoloc=GEOLOC, units=UNITS, report_dir=None, **options):
    return import_sirene(engine, SireneOptions(etablissements=path, geoloc=geoloc, unites_legales=units, **options),
                         report_dir=report_dir, progress=False)


def _rows(engine) -> dict[str, dict]:
    info = repository.active_dataset(engine)
    frame = repository.establishments_frame(engine, info.id, include_closed=True)
    frame = frame.astype(object).where(frame.notna(), None)
    return {r["siret"]: r for r in frame.to_dict("records")}


def _capabilities(engine) -> set[tuple[str, str, str]]:
    info = repository.active_dataset(engine)
    links = repository.establishment_capabilities(engine, info.id)
    ids = dict(zip(repository.establishment_keys(engine, info.id)["id"],
                   repository.establishment_keys(engine, info.id)["siret"]))
    return {(ids[i], c, o) for i, c, o in zip(links["establishment_id"], links["capability_code"], links["origin"])}


# --- What is imported --------------------------------------------------------------------------

def test_fresh_database_every_case(fresh_db):
    outcome = _import(fresh_db)
    info = repository.active_dataset(fresh_db)
    assert (info.name, info.is_demo, info.source_date) == ("sirene", False, dt.date(2025, 12, 6))
    assert info.source_name.startswith("INSEE – base Sirene des entreprises et de leurs établissements (stock)")
    assert outcome.exit_code == 1
    rows = _rows(fresh_db)
    assert len(rows) == 17 and sum(r["state"] == "A" for r in rows.values()) == 14
    out_of_scope = {siret(n) for n in (13, 14, 15, 16, 17, 18)}  # Bas-Rhin, section G, 2A, 974, Paris, NAP
    assert not out_of_scope & set(rows)

    mpn = rows[siret(1)]  # geolocated (quality 11), company name from the legal-units file
    assert (mpn["name"], mpn["naf_code"], mpn["filiere_code"], mpn["size_band_code"], mpn["headcount_estimate"]) == \
        ("MECANIQUE DE PRECISION NANCEIENNE", "25.62B", "metal", "11", 15)
    assert (mpn["location_quality"], mpn["location_approximate"], mpn["name_is_personal"]) == ("11", False, False)
    assert mpn["lat"] == pytest.approx(48.690095, abs=2e-6) and mpn["lon"] == pytest.approx(6.175921, abs=2e-6)
    assert mpn["address"] == "4 RUE DE LA GARE, 54000 NANCY" and mpn["created_on"] == dt.date(1998, 3, 2)

    hidden = rows[siret(3)]  # partial diffusion: [ND] address and coordinates, [ND] personal names
    assert (hidden["lat"], hidden["lon"], hidden["location_approximate"]) == (48.16316, 6.47976, True)
    assert hidden["name"] == f"Établissement {siret(3)}" and not hidden["name_is_personal"]
    assert hidden["address"] == "88000 EPINAL"

    closed = rows[siret(4)]
    assert (closed["state"], closed["closed_on"], closed["size_band_code"]) == ("F", dt.date(2019, 6, 30), None)
    assert siret(4) not in set(repository.establishments_frame(fresh_db, info.id)["siret"])  # hidden from the map

    old = rows[siret(5)]
    assert (old["naf_code"], old["naf_raw"], old["naf_nomenclature"], old["filiere_code"]) == \
        (None, "28.5D", "NAFRev1", None)

    quoted = rows[siret(6)]
    assert quoted["address"] == "9 RUE DES FORGES, ZONE INDUSTRIELLE, 88100 SAINT-DIE-DES-VOSGES"
    assert quoted["name"] == "CHARPENTES METALLIQUES DEODATIENNES"

    sole = rows[siret(7)]  # sole trader with no other name; geolocation quality 33
    assert (sole["name"], sole["name_is_personal"]) == ("JEAN MARTIN", True)
    assert (sole["location_quality"], sole["location_approximate"]) == ("33", True)
    assert (sole["size_band_code"], sole["headcount_estimate"]) == ("NN", None)

    sign = rows[siret(8)]  # sole trader with a sign: the sign, not the person
    assert (sign["name"], sign["name_is_personal"], sign["naf_code"], sign["naf_raw"]) == \
        ("SOUDURE JM", False, "33.11Z", "3311Z")

    projected = rows[siret(9)]  # geolocation with x, y only (Lambert-93): converted with pyproj
    assert (projected["naf_code"], projected["location_quality"]) == ("35.11Z", "21")
    assert projected["lat"] == pytest.approx(49.12846, abs=1e-4)
    assert projected["lon"] == pytest.approx(6.71247, abs=1e-4)
    assert rows[siret(10)]["name"] == "SYNDICAT MIXTE DE TRAITEMENT DES DECHETS DU BARROIS"
    assert rows[siret(11)]["naf_code"] == "08.12Z"
    stock = rows[siret(2, 2)]  # not in the geolocation file: the stock's own Lambert-93 columns
    assert (stock["location_approximate"], stock["location_quality"]) == (False, None)
    assert stock["lat"] == pytest.approx(49.3744, abs=1e-3)

    assert (siret(1), "tournage", "presumed") in _capabilities(fresh_db)
    assert (siret(6), "soudure_mig_mag", "presumed") in _capabilities(fresh_db)
    assert not [c for c in _capabilities(fresh_db) if c[0] == siret(5)]  # old nomenclature: nothing presumed


def test_every_rejected_and_adjusted_row_is_reported(db, tmp_path):
    outcome = _import(db, report_dir=tmp_path)
    rejected = {(i.line, i.siret, i.reason) for i in outcome.report.rejected}
    assert rejected == {
        (21, "0012345678901", "invalid_siret"),
        (22, siret(1), "duplicate_siret"),
        (23, siret(21), "unknown_commune"),
        (24, siret(22), "unknown_naf"),
        (25, siret(23), "invalid_state"),
        (26, "", "malformed_line"),
    }
    adjusted = {(i.siret, i.reason) for i in outcome.report.adjusted}
    assert adjusted == {
        (siret(3), "no_coordinates"), (siret(3), "no_name"), (siret(5), "old_nomenclature"),
        (siret(5), "no_coordinates"), (siret(7), "personal_name"), (siret(7), "approximate_location"),
        (siret(12), "no_coordinates"), (siret(25), "coordinates_outside"), (siret(25), "no_name"),
        (siret(26), "invalid_date"), (siret(26), "no_name"), (siret(27), "unknown_size_band"),
        (siret(27), "no_name"), (siret(28), "missing_closing_date"), (siret(28), "no_name"),
    }
    outside = _rows(db)[siret(25)]
    assert (outside["lat"], outside["lon"], outside["location_approximate"]) == (48.69, 6.17544, True)
    assert _rows(db)[siret(26)]["created_on"] is None
    with open(outcome.report_file, encoding="utf-8", newline="") as handle:
        report = list(csv.DictReader(handle))
    assert outcome.report_file.parent == tmp_path and outcome.report_file.name.startswith("import-sirene-")
    assert len(report) == len(outcome.report.issues) == 21
    assert report[0].keys() == {"file", "line", "siret", "action", "reason", "detail"}
    assert {"file": "StockEtablissement_utf8.csv", "line": "23", "siret": siret(21), "action": "rejected",
            "reason": "unknown_commune"}.items() <= next(r for r in report if r["reason"] == "unknown_commune").items()


@pytest.mark.parametrize("name", ["StockEtablissement_utf8.zip", "StockEtablissement_utf8.parquet"])
def test_zip_and_parquet_give_the_same_dataset_as_the_csv(new_database, prepared_database, name):
    frames = []
    for path in (CLEAN, SIRENE / name):
        engine = new_database(prepared_database).engine
        assert _import(engine, path).exit_code == 0
        frames.append(snapshot(engine, with_ids=False))
    frames[1]["datasets"] = frames[0]["datasets"]  # the parameters name the file
    assert frames[0] == frames[1]


def test_clean_file_without_naf25_column_is_accepted(db):
    outcome = _import(db, CLEAN)
    assert outcome.exit_code == 0 and not outcome.report.rejected
    assert len(_rows(db)) == 13


def test_older_48_column_layout(db):
    outcome = _import(db, SIRENE / "StockEtablissement_48cols_utf8.csv")
    rows = _rows(db)
    assert outcome.exit_code == 0 and len(rows) == 13
    assert rows[siret(1)]["location_quality"] == "11"  # from the geolocation file
    assert rows[siret(2, 2)]["location_approximate"]  # no Lambert columns, not geolocated: centroid
    assert rows[siret(2, 2)]["lat"] == 49.3759


def test_geolocation_column_names_are_matched_case_insensitively(db):
    _import(db, CLEAN)
    lower = {s: (r["lat"], r["lon"], r["location_quality"]) for s, r in _rows(db).items()}
    _import(db, CLEAN, geoloc=SIRENE / "Geolocalisation_upper_case_utf8.csv")
    assert {s: (r["lat"], r["lon"], r["location_quality"]) for s, r in _rows(db).items()} == lower


def test_without_optional_files(db):
    outcome = _import(db, CLEAN, geoloc=None, units=None)
    rows = _rows(db)
    assert rows[siret(8)]["name"] == "SOUDURE JM"
    assert rows[siret(10)]["name"] == "DECHETERIE DU BARROIS"
    assert rows[siret(1)]["name"] == f"Établissement {siret(1)}"
    assert (rows[siret(1)]["location_approximate"], rows[siret(1)]["location_quality"]) == (False, None)
    assert rows[siret(7)]["name_is_personal"] is False
    assert "no legal-units file given" in next(i.detail for i in outcome.report.adjusted if i.reason == "no_name")
    assert outcome.exit_code == 0


def test_departments_sections_and_date_options(db):
    _import(db, CLEAN, departements=("57",), sections=("D",), source_date=dt.date(2026, 1, 2))
    info = repository.active_dataset(db)
    assert set(_rows(db)) == {siret(9)} and info.source_date == dt.date(2026, 1, 2)
    assert "sections=D" in info.parameters and info.label.endswith("(57)")
    with pytest.raises(ImportFailed, match="nothing imported"):
        _import(db, CLEAN, departements=("55",), sections=("B",))


@pytest.mark.parametrize(("parse", "text"), [(parse_departments, "54,67"), (parse_departments, ""),
                                             (parse_sections, "C,G"), (parse_date, "2025-13-01")])
def test_bad_options(parse, text):
    with pytest.raises(ArgumentError):
        parse(text)


def test_option_parsing():
    assert parse_departments("57, 54,57") == ("57", "54") and parse_sections("c,b") == ("C", "B")


# --- Safety: fail fast, atomic, idempotent ------------------------------------------------------

@pytest.mark.parametrize(("name", "problem"), [
    ("StockEtablissement_semicolon.csv", "wrong separator"),
    ("StockEtablissement_latin1.csv", "is not UTF-8"),
    ("StockEtablissement_no_siret.csv", "missing mandatory column siret"),
    ("StockEtablissement_truncated.zip", "damaged or truncated zip"),
    ("StockUniteLegale_utf8.csv", "missing mandatory columns siret, codeCommuneEtablissement"),
    ("absent.csv", "file not found"),
])
def test_bad_file_fails_fast_and_leaves_the_database_unchanged(demo_db, cli_reports, capsys, name, problem):
    before = snapshot(demo_db)
    code = main(["import", "sirene", "--etablissements", str(SIRENE / name), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and problem in err and name in err and "database is unchanged" in err
    assert snapshot(demo_db) == before
    assert not list(cli_reports.glob("import-*.csv"))


def test_bad_optional_file_fails_before_reading_or_touching_a_fresh_database(fresh_target):
    engine = fresh_target.engine
    with pytest.raises(FileFormatError, match="is not a Sirene geolocation file"):
        _import(engine, CLEAN, geoloc=UNITS)
    with pytest.raises(FileFormatError, match="is not a Sirene legal units file"):
        _import(engine, CLEAN, units=GEOLOC)
    fresh_target.dispose()
    assert fresh_target.is_untouched()  # the SQLite file is not even created


def _interrupt_on(engine, table: str, error: BaseException):
    def before_execute(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith(f"INSERT INTO {table}"):
            raise error
    event.listen(engine, "before_cursor_execute", before_execute)
    return lambda: event.remove(engine, "before_cursor_execute", before_execute)


@pytest.mark.parametrize("error", [KeyboardInterrupt(), RuntimeError("disk full")])
def test_interrupted_load_leaves_the_database_exactly_as_before(demo_db, error):
    _import(demo_db, CLEAN)  # a previous real import, replaced by the one that fails
    repository.activate_dataset(demo_db, "demo")
    before = snapshot(demo_db)
    # The old rows are already deleted and the new establishments inserted when the links fail.
    remove = _interrupt_on(demo_db, "establishment_capabilities", error)
    with pytest.raises(type(error)):
        _import(demo_db)
    remove()
    assert snapshot(demo_db) == before
    assert repository.active_dataset(demo_db).name == "demo"


def test_failure_while_reading_leaves_the_database_as_before(demo_db, monkeypatch):
    from dashboard.importers import sirene

    before = snapshot(demo_db)
    monkeypatch.setattr(sirene, "_locate", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        _import(demo_db)
    assert snapshot(demo_db) == before


def test_ctrl_c_through_the_cli_is_exit_code_2(demo_db, cli_reports, monkeypatch, capsys):
    before = snapshot(demo_db)
    remove = _interrupt_on(demo_db, "establishments", KeyboardInterrupt())
    monkeypatch.setattr("dashboard.cli._engine", lambda settings: demo_db)
    code = main(["import", "sirene", "--etablissements", str(CLEAN), "--no-progress"])
    remove()
    assert code == 2 and "interrupted" in capsys.readouterr().err
    assert snapshot(demo_db) == before


def test_same_file_twice_gives_the_same_database(db):
    _import(db)
    first = snapshot(db, with_ids=False)
    _import(db)
    assert snapshot(db, with_ids=False) == first


def test_demo_is_kept_and_can_be_switched_back(demo_db, cli_reports, capsys):
    demo_before = snapshot(demo_db)["establishments"]
    assert main(["import", "sirene", "--etablissements", str(CLEAN), "--geoloc", str(GEOLOC),
                 "--unites-legales", str(UNITS), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "Dataset 'sirene'" in out and "tissu dataset use demo" in out and "rows read" in out
    report = next(cli_reports.glob("import-sirene-*.csv"))
    assert f"Report (every rejected or adjusted row): {report}" in out
    names = {d.name: d for d in repository.list_datasets(demo_db)}
    assert set(names) == {"demo", "sirene"} and repository.active_dataset(demo_db).name == "sirene"
    assert main(["dataset", "use", "demo"]) == 0
    assert repository.active_dataset(demo_db).is_demo
    assert [r for r in snapshot(demo_db)["establishments"] if r[2].startswith("DEMO-")] == \
        list(demo_before)
    assert main(["import", "sirene", "--etablissements", str(MESSY), "--no-progress"]) == 1
    assert "exit code 1" in capsys.readouterr().out


def test_reimport_keeps_member_and_idcc_data(db):
    from dashboard.importers.idcc import import_idcc
    from dashboard.importers.members import import_members

    _import(db)
    import_members(db, MEMBERS / "adherents.csv")
    import_idcc(db, IDCC, progress=False)
    enriched = snapshot(db, with_ids=False)
    _import(db)
    assert snapshot(db, with_ids=False) == enriched
    rows = _rows(db)
    assert rows[siret(1)]["is_member"] and rows[siret(1)]["metallurgy_agreement"] is True
    assert (siret(1), "soudure_tig", "declared") in _capabilities(db)


def test_progress_bar_shows_rows_read_kept_and_speed():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    bar = Progress("StockEtablissement_utf8.zip", stream=stream, interval=0)
    bar.update(rows_read=1_200_000, rows_kept=3_400, fraction=0.5)
    bar.close()
    text = stream.getvalue()
    assert text.startswith("\rStockEtablissement_utf8.zip  [##########..........]  50%  1,200,000 rows read  "
                           "3,400 kept  ")
    assert "M rows/s" in text and text.endswith("\n")
    assert Progress("x", stream=Terminal(), enabled=False).line()  # nothing printed when disabled


# --- Fixtures and mapping ------------------------------------------------------------------------

def test_fixtures_follow_the_published_headers_and_use_fake_identifiers():
    shared = Path(__file__).resolve().parents[3] / "shared" / "data" / "reference"
    if shared.is_dir():
        for fixture, reference in (("StockEtablissement_utf8.csv", "sirene_StockEtablissement_header_only.csv"),
                                   ("StockUniteLegale_utf8.csv", "sirene_StockUniteLegale_QUOTED_sample.csv"),
                                   (GEOLOC.name, "sirene_geolocalisation_header_only.csv")):
            header = (SIRENE / fixture).read_text(encoding="utf-8").splitlines()[0]
            assert header == (shared / reference).read_text(encoding="utf-8").splitlines()[0]
    from dashboard.importers.sirene import STOCK_ETABLISSEMENT_COLUMNS

    with open(MESSY, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == STOCK_ETABLISSEMENT_COLUMNS
    sirets = [r["siret"] for r in rows if r["siret"] and len(r["siret"]) == 14 and r["siret"] != siret(24)]
    assert sirets and all(s.startswith("00") and luhn_ok(s) and luhn_ok(s[:9]) for s in sirets)
    assert MESSY.read_bytes().count(b"\r\n") == MESSY.read_bytes().count(b"\n")
    import zipfile

    with zipfile.ZipFile(SIRENE / "StockEtablissement_utf8.zip") as archive:
        assert archive.read("StockEtablissement_utf8.csv") == CLEAN.read_bytes()


def test_presumed_capability_mapping_is_consistent():
    from dashboard.importers.taxonomy import PRESUMED_CAPABILITIES_FILE
    from dashboard.reference import load_reference

    ref = load_reference()
    naf = dict(zip(ref.naf["subclass"], ref.naf["subclass_label"]))
    capabilities = dict(zip(ref.capabilities["code"], ref.capabilities["label"]))
    with open(PRESUMED_CAPABILITIES_FILE, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and list(rows[0]) == ["naf_code", "capability_code", "naf_label", "capability_label", "rationale"]
    pairs = [(r["naf_code"], r["capability_code"]) for r in rows]
    assert len(pairs) == len(set(pairs)) and pairs == sorted(pairs, key=lambda p: p[0])
    for r in rows:
        assert naf[r["naf_code"]] == r["naf_label"] and capabilities[r["capability_code"]] == r["capability_label"]
        assert r["rationale"].strip()
