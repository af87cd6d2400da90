"""template_target: the checks every `tissu template …` makes before writing."""

import pytest

from dashboard.importers.errors import ArgumentError
from dashboard.importers.template_file import template_target


def test_new_path_gets_its_folder(tmp_path):
    target = template_target(str(tmp_path / "sub" / "modele.XLSX"), overwrite=False)
    assert target == tmp_path / "sub" / "modele.XLSX"
    assert target.parent.is_dir() and not target.exists()


def test_other_suffix_is_refused(tmp_path):
    with pytest.raises(ArgumentError, match=r"\.xlsx or \.csv"):
        template_target(tmp_path / "modele.ods", overwrite=True)
    assert list(tmp_path.iterdir()) == []


def test_existing_file_needs_overwrite(tmp_path):
    existing = tmp_path / "modele.csv"
    existing.write_text("x", encoding="utf-8")
    with pytest.raises(ArgumentError, match="--force"):
        template_target(existing, overwrite=False)
    assert template_target(existing, overwrite=True) == existing


def test_template_workbook_has_a_bold_header():
    from dashboard.importers.template_file import template_workbook

    book, sheet = template_workbook("Adhérents", ("SIRET", "Raison sociale"))
    assert book.sheetnames == ["Adhérents"] and sheet is book.active
    assert [c.value for c in sheet[1]] == ["SIRET", "Raison sociale"]
    assert all(c.font.bold for c in sheet[1])
