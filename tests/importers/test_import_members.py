"""`tissu import members`, `tissu template members` and `tissu import idcc` on an imported Sirene dataset."""

from __future__ import annotations

import pytest
from import_support import GEOLOC, IDCC, MEMBERS, SIRENE, UNITS, siret, snapshot
from sqlalchemy import event

from dashboard import repository
from dashboard.cli import main
from dashboard.importers.errors import ArgumentError, FileFormatError, NoTargetDataset
from dashboard.importers.idcc import agreement_flag, import_idcc
from dashboard.importers.members import TEMPLATE_COLUMNS, import_members, read_member_rows, siret_is_valid
from dashboard.importers.sirene import SireneOptions, import_sirene
from dashboard.importers.taxonomy import Vocabulary
from dashboard.importers.templates import write_members_template
from dashboard.reference import load_reference


@pytest.fixture
def sirene_db(db):
    import_sirene(db, SireneOptions(etablissements=SIRENE / "StockEtablissement_utf8.csv", geoloc=GEOLOC,
                                    unites_legales=UNITS), progress=False)
    return db


def _state(engine) -> dict[str, tuple]:
    """SIRET -> (is_member, metallurgy_agreement, {capability: origin}, {certifications})."""
    info = repository.active_dataset(engine)
    frame = repository.establishments_frame(engine, info.id, include_closed=True)
    caps = repository.establishment_capabilities(engine, info.id)
    certs = repository.establishment_certifications(engine, info.id)
    out = {}
    for row in frame.to_dict("records"):
        mine = caps[caps["establishment_id"] == row["id"]]
        agreement = None if row["metallurgy_agreement"] is None or row["metallurgy_agreement"] != \
            row["metallurgy_agreement"] else bool(row["metallurgy_agreement"])
        out[row["siret"]] = (bool(row["is_member"]), agreement, dict(zip(mine["capability_code"], mine["origin"])),
                             set(certs[certs["establishment_id"] == row["id"]]["certification_code"]))
    return out


# --- Members -----------------------------------------------------------------------------------

def test_member_list_adds_declared_capabilities_certifications_and_flag(sirene_db):
    version = repository.active_dataset(sirene_db).version
    outcome = import_members(sirene_db, MEMBERS / "adherents.csv")
    assert outcome.exit_code == 0 and not outcome.report.issues
    state = _state(sirene_db)
    assert state[siret(1)] == (True, None, {"tournage": "declared", "fraisage_3axes": "declared",
                                           "fraisage_5axes": "declared", "soudure_tig": "declared"},
                               {"iso9001", "en9100"})
    assert state[siret(2)] == (True, None, {"emboutissage": "declared", "decoupe_laser": "declared"}, {"iatf16949"})
    assert state[siret(7)] == (False, None, {"maintenance_industrielle": "presumed"}, set())  # adhérent: non
    assert state[siret(6)] == (False, None, {"soudure_mig_mag": "presumed"}, set())  # not in the file: unchanged
    assert repository.active_dataset(sirene_db).version == version + 1  # caches rebuild


def test_member_rows_with_problems_are_rejected_with_suggestions(sirene_db, tmp_path):
    before = _state(sirene_db)
    outcome = import_members(sirene_db, MEMBERS / "adherents_errors.csv", report_dir=tmp_path)
    rejected = {(i.line, i.reason): i for i in outcome.report.rejected}
    assert set(rejected) == {(3, "unknown_capability"), (4, "unknown_certification"), (5, "unknown_siret"),
                             (6, "invalid_siret"), (7, "invalid_member_flag"), (8, "duplicate_siret")}
    assert 'unknown capability "soudage TIG": did you mean "Soudure TIG"' in rejected[(3, "unknown_capability")].detail
    assert '"ISO 9001"' in rejected[(4, "unknown_certification")].detail
    assert "wrong check digit" in rejected[(6, "invalid_siret")].detail
    assert outcome.exit_code == 1 and outcome.report_file.exists()
    after = _state(sirene_db)
    assert after[siret(2)] == (True, None, {"emboutissage": "declared"}, set())  # the one valid row
    assert {s: v for s, v in after.items() if s != siret(2)} == {s: v for s, v in before.items() if s != siret(2)}


def test_member_row_is_the_full_state_and_reimport_is_idempotent(sirene_db, tmp_path):
    import_members(sirene_db, MEMBERS / "adherents.csv")
    first = snapshot(sirene_db, with_ids=False)
    import_members(sirene_db, MEMBERS / "adherents.csv")
    second = snapshot(sirene_db, with_ids=False)
    assert first == second
    update = tmp_path / "update.csv"
    update.write_text(f"SIRET;Savoir-faire;Adhérent UIMM\n{siret(1)};;non\n", encoding="utf-8")
    import_members(sirene_db, update)
    assert _state(sirene_db)[siret(1)] == (False, None, {"tournage": "presumed", "fraisage_3axes": "presumed"}, set())


def test_template_xlsx_filled_in_excel_style(sirene_db, tmp_path):
    from openpyxl import load_workbook

    path = write_members_template(tmp_path / "modele.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["Adhérents", "Savoir-faire", "Certifications", "Mode d'emploi"]
    sheet = book["Adhérents"]
    assert [c.value for c in sheet[1]] == list(TEMPLATE_COLUMNS)
    for column, value in enumerate([siret(1), "MPN", "Soudure MIG/MAG;Tournage", "ISO 3834", "Oui"], start=1):
        sheet.cell(row=2, column=column, value=value)
    for column, value in enumerate([int(siret(2)), "Emboutissage", "emboutissage", None, True], start=1):
        sheet.cell(row=3, column=column, value=value)  # the SIRET typed as a number: leading zeros lost
    book.save(path)
    outcome = import_members(sirene_db, path)
    assert outcome.exit_code == 0
    assert [(i.line, i.reason) for i in outcome.report.adjusted] == [(3, "leading_zeros_restored")]
    state = _state(sirene_db)
    assert state[siret(1)][2] == {"soudure_mig_mag": "declared", "tournage": "declared", "fraisage_3axes": "presumed"}
    assert state[siret(1)][3] == {"iso3834"} and state[siret(2)][0] is True


def test_template_command(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["template", "members"]) == 0
    assert (tmp_path / "modele-adherents.xlsx").exists() and "tissu import members" in capsys.readouterr().out
    assert main(["template", "members"]) == 2  # never overwrites
    assert "already exists" in capsys.readouterr().err
    assert main(["template", "members", "adherents.csv"]) == 0
    assert (tmp_path / "adherents.csv").read_text(encoding="utf-8-sig") == ";".join(TEMPLATE_COLUMNS) + "\n"
    assert main(["template", "members", "adherents.ods"]) == 2
    with pytest.raises(ArgumentError):
        write_members_template(tmp_path / "x.txt")


def test_member_import_needs_a_real_active_dataset(demo_db, cli_reports, fresh_db, capsys):
    with pytest.raises(NoTargetDataset, match="the demo"):
        import_members(demo_db, MEMBERS / "adherents.csv")
    with pytest.raises(NoTargetDataset, match="missing"):
        import_idcc(fresh_db, IDCC, progress=False)
    assert main(["import", "members", str(MEMBERS / "adherents.csv")]) == 2
    assert "tissu import sirene" in capsys.readouterr().err


@pytest.mark.parametrize(("content", "problem"), [
    ("SIRET;Savoir-faire\n00000001800010;Décolletage\n".encode("latin-1"), "is not UTF-8"),
    (b"Nom;Savoir-faire\nACME;Tournage\n", "no SIRET column"),
    (b"PK\x03\x04broken", "not a readable XLSX"),
    (b"", "the file is empty"),
])
def test_bad_member_files_fail_before_touching_the_database(sirene_db, tmp_path, content, problem):
    path = tmp_path / "members.csv"
    path.write_bytes(content)
    before = snapshot(sirene_db)
    with pytest.raises(FileFormatError, match=problem):
        import_members(sirene_db, path)
    assert snapshot(sirene_db) == before


def test_interrupted_member_import_leaves_no_trace(sirene_db):
    before = snapshot(sirene_db)

    def before_execute(conn, cursor, statement, *args):
        if statement.startswith("INSERT INTO establishment_certifications"):
            raise KeyboardInterrupt
    event.listen(sirene_db, "before_cursor_execute", before_execute)
    with pytest.raises(KeyboardInterrupt):
        import_members(sirene_db, MEMBERS / "adherents.csv")
    event.remove(sirene_db, "before_cursor_execute", before_execute)
    assert snapshot(sirene_db) == before


def test_member_file_reading_details(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text('\ufeffN° SIRET,Raison sociale,Savoir faire,Adherent\n'
                    f'"{siret(1)}","ACME, SA","Tournage;\nPliage",x\n\n{siret(2)},B,,\n', encoding="utf-8")
    rows = read_member_rows(path)
    assert [(r.line, r.siret, r.name, r.capabilities, r.member) for r in rows] == [
        (2, siret(1), "ACME, SA", "Tournage;\nPliage", "x"), (5, siret(2), "B", "", "")]


def test_vocabulary_matches_leniently_and_suggests_accent_insensitively():
    ref = load_reference()
    capabilities = Vocabulary.from_frame("capability", ref.capabilities)
    assert capabilities.resolve("soudure mig mag") == "soudure_mig_mag"
    assert capabilities.resolve("ELECTROEROSION") == "electroerosion"
    assert capabilities.resolve("soudage TIG") is None
    assert capabilities.suggest("soudage TIG")[0] == "Soudure TIG"
    assert capabilities.suggest("electro erosion")[0] == "Électroérosion"
    certifications = Vocabulary.from_frame("certification", ref.certifications)
    assert certifications.resolve("ISO9001") == certifications.resolve("iso 9001") == "iso9001"


def test_siret_check_digit():
    assert siret_is_valid(siret(1)) and not siret_is_valid(siret(1)[:-1] + str((int(siret(1)[-1]) + 1) % 10))
    assert not siret_is_valid(siret(1)[:-1]) and not siret_is_valid("abcdefghijklmn")


# --- IDCC --------------------------------------------------------------------------------------

def test_idcc_marks_the_metallurgy_agreement(sirene_db, cli_reports, capsys):
    assert main(["import", "idcc", str(IDCC), "--no-progress"]) == 1  # one invalid IDCC
    out = capsys.readouterr().out
    assert "establishments under IDCC 3248" in out and "invalid_idcc" in out
    state = _state(sirene_db)
    assert state[siret(1)][1] is True  # 3248, padded with spaces
    assert state[siret(2)][1] is True  # 9999 and 3248
    assert state[siret(4)][1] is False  # 2614 only
    assert state[siret(7)][1] is None  # 9999 only: unknown
    assert state[siret(10)][1] is None  # its only row was rejected
    assert state[siret(6)][1] is None  # absent from the file
    report = next(cli_reports.glob("import-idcc-*.csv")).read_text(encoding="utf-8")
    assert f"conventions_collectives.csv,7,{siret(10)},rejected,invalid_idcc" in report
    first = snapshot(sirene_db, with_ids=False)
    assert main(["import", "idcc", str(IDCC), "--no-progress"]) == 1
    assert snapshot(sirene_db, with_ids=False) == first


def test_idcc_file_without_its_columns_is_refused(sirene_db, tmp_path):
    path = tmp_path / "idcc.csv"
    path.write_text(f"MOIS,SIRET,DATE_MAJ\n2025-11,{siret(1)},2025/12/20\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match="missing mandatory column IDCC"):
        import_idcc(sirene_db, path, progress=False)
    with pytest.raises(FileFormatError, match="wrong separator"):
        import_idcc(sirene_db, MEMBERS / "adherents.csv", progress=False)


def test_agreement_flag():
    assert agreement_flag({"3248", "9999"}) is True
    assert agreement_flag({"2614"}) is False
    assert agreement_flag({"9999"}) is None and agreement_flag(set()) is None
