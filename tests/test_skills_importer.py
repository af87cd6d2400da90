"""BMO and training importers on hand-written fixtures (both BMO column generations, XLSX and CSV)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from dashboard import models as m
from dashboard import repository
from dashboard.importers import FileFormatError
from dashboard.importers.bmo import BmoOptions, canonical, import_bmo, is_industrial
from dashboard.importers.training import import_training, write_training_template

FIXTURES = Path(__file__).parent / "fixtures" / "bmo"


@pytest.fixture(scope="module")
def fresh_engine(databases, prepared_database):
    """One copy of the prepared template for the module (schema and reference data, nothing imported)."""
    db = databases.create(prepared_database)
    yield db.engine
    databases.drop(db)


def _needs(engine) -> pd.DataFrame:
    return repository.recruitment_needs_frame(engine, demo=False).set_index(["year", "trade_code", "area_code"])


def _xlsx(path: Path, csv_path: Path, sheet: str) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Description_des_variables"
    data = book.create_sheet(sheet)
    for line in csv_path.read_text(encoding="utf-8").splitlines():
        data.append([int(v) if v.isdigit() and i in (0, 11, 12, 13) else v for i, v in enumerate(line.split(";"))])
    book.save(path)
    return path


def test_column_names_of_both_generations():
    assert canonical("Code métier BMO") == canonical("metier") == "trade_code"
    assert canonical("BE25") == canonical("be19") == "area_code"
    assert canonical("NOMBE20") == "area_name"
    assert canonical("Commentaire") is None
    assert is_industrial("G1X80", "T") and is_industrial("X0X00", "I") and not is_industrial("V5X10", "S")


def test_import_2025_csv_secret_merge_rejections_and_idempotence(fresh_engine, tmp_path):
    outcome = import_bmo(fresh_engine, BmoOptions(FIXTURES / "bmo_2025_open_data.csv"), report_dir=tmp_path,
                         progress=False)
    report = outcome.report
    rejected = {(i.line, i.reason) for i in report.rejected}
    assert rejected == {(9, "invalid_number"), (10, "difficult_exceeds_projects")}
    assert {i.reason for i in report.adjusted} == {"merged_departments"}
    assert report.counts["cells imported"] == 5
    assert report.counts["rows outside the departments"] == 2
    assert report.counts["secret values (stored as NULL)"] == 5
    assert any(k.startswith("unknown columns ignored (Commentaire") for k in report.counts)
    assert outcome.exit_code == 1 and outcome.report_file.exists()
    needs = _needs(fresh_engine)
    assert len(needs) == 5
    forbach = needs.loc[(2025, "D1X40", "4408")]
    assert (forbach["projects"], forbach["difficult"]) == (14, 10) and pd.isna(forbach["seasonal"])
    assert needs.loc[(2025, "D1X40", "4410"), "projects"] == 97 + 20  # Moselle + Meurthe-et-Moselle parts
    assert needs.loc[(2025, "D2X20", "4408")][["projects", "difficult", "seasonal"]].isna().all()  # never 0
    areas = repository.bmo_areas_frame(fresh_engine, demo=False).set_index("code")
    assert areas.at["4410", "department_code"] == "57"
    trades = repository.trades_frame(fresh_engine, demo=False).set_index("code")
    assert bool(trades.at["G1X80", "is_industrial"]) and not bool(trades.at["V5X10", "is_industrial"])
    before = repository.skills_version(fresh_engine)
    import_bmo(fresh_engine, BmoOptions(FIXTURES / "bmo_2025_open_data.csv"), progress=False)
    assert repository.skills_version(fresh_engine) == before  # idempotent


def test_import_2020_layout_keeps_other_years(fresh_engine):
    outcome = import_bmo(fresh_engine, BmoOptions(FIXTURES / "bmo_2020_open_data.csv"), progress=False)
    assert outcome.exit_code == 0
    needs = _needs(fresh_engine)
    assert needs.loc[(2020, "D1Z41", "4408"), "projects"] == 11
    assert needs.loc[(2020, "D1Z41", "4424")][["projects", "difficult"]].isna().all()
    assert (2020, "D1Z41", "6701") not in needs.index  # Bas-Rhin is not kept
    assert (2025, "D1X40", "4408") in needs.index  # the 2025 rows are untouched


def test_stripped_codes_are_padded(fresh_engine):
    outcome = import_bmo(fresh_engine, BmoOptions(FIXTURES / "bmo_2025_open_data.csv", departements=("01",)),
                         progress=False)
    details = [i.detail for i in outcome.report.adjusted if i.reason == "code_padded"]
    assert "Dept '1' read as '01' (leading zero lost)" in details
    assert "bassin '101' read as '0101' (leading zero lost)" in details
    assert (2025, "D1X40", "0101") in _needs(fresh_engine).index


def test_xlsx_with_the_official_sheet(fresh_engine, tmp_path):
    path = _xlsx(tmp_path / "Base_open_data_BMO_2025.xlsx", FIXTURES / "bmo_2025_open_data.csv", "BMO_2025_open_data")
    outcome = import_bmo(fresh_engine, BmoOptions(path), progress=False)
    assert outcome.report.counts["cells imported"] == 5
    assert {i.line for i in outcome.report.rejected} == {9, 10}


def test_wrong_sheet_name_is_a_clear_error(fresh_engine, tmp_path):
    path = _xlsx(tmp_path / "bmo.xlsx", FIXTURES / "bmo_2025_open_data.csv", "Feuil1")
    with pytest.raises(FileFormatError, match="has no sheet named like BMO_2025_open_data.*Feuil1"):
        import_bmo(fresh_engine, BmoOptions(path), progress=False)
    with pytest.raises(FileFormatError, match="no sheet 'Données'"):
        import_bmo(fresh_engine, BmoOptions(path, sheet="Données"), progress=False)


def test_wrong_file_is_a_clear_error_and_changes_nothing(fresh_engine, tmp_path):
    before = repository.skills_version(fresh_engine)
    other = tmp_path / "adherents.csv"
    other.write_text("SIRET;Raison sociale;Savoir-faire;Certifications;Adhérent;Autre\n1;2;3;4;5;6\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match="is not a BMO open-data table: missing column"):
        import_bmo(fresh_engine, BmoOptions(other), progress=False)
    with pytest.raises(FileFormatError, match="file not found"):
        import_bmo(fresh_engine, BmoOptions(tmp_path / "absent.xlsx"), progress=False)
    assert repository.skills_version(fresh_engine) == before


def test_training_template_and_import(fresh_engine, tmp_path):
    template = write_training_template(tmp_path / "modele.csv")
    rows = ["Lycée A;Lycée professionnel;57227;;;D1X40;2025;12;5",
            "Lycée A;Lycée professionnel;57227;;;D2X20;2025;4;",
            "CFA B;CFA;99999;;;D1X40;2025;3;1",
            "CFA C;CFA;57463;49.1;6.2;ZZZ;2025;3;1"]
    template.write_text(template.read_text(encoding="utf-8-sig") + "\r\n".join(rows) + "\r\n", encoding="utf-8")
    outcome = import_training(fresh_engine, template)
    assert {(i.line, i.reason) for i in outcome.report.rejected} == {(4, "unknown_commune"), (5, "unknown_trade")}
    sites = repository.training_sites_frame(fresh_engine, demo=False)
    assert sites["name"].tolist() == ["Lycée A"]
    offers = repository.training_offers_frame(fresh_engine, demo=False)
    assert sorted(offers["graduates"].tolist()) == [4, 12]
    import_training(fresh_engine, template)  # idempotent
    with fresh_engine.connect() as conn:
        real_sites = select(func.count()).select_from(m.TrainingSite).where(m.TrainingSite.is_demo.is_(False))
        assert conn.scalar(real_sites) == 1
