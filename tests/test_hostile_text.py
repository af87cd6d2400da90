"""Hostile text outside the browser: the fiche PDF prints it literally, the import report keeps it inert.

(Every CSV/XLSX download on hostile data: tests/test_exports.py; pages, tooltips and popups in Chromium:
tests/test_browser_escaping.py.)"""

from __future__ import annotations

import csv
import io
import re

import pytest
from hostile_data import FORMULAS, PDF_SOURCE, SCRIPTS

from dashboard import exports
from dashboard.importers.report import ImportReport


@pytest.fixture(scope="module")
def hostile_client(hostile_database, databases, tmp_path_factory):
    from dashboard.app import create_app
    from dashboard.settings import load_settings

    db = databases.create(hostile_database)
    settings = load_settings({}, database_url=db.url, instance_dir=tmp_path_factory.mktemp("inst"), auto_demo=False)
    yield create_app(settings, db.engine).server.test_client()
    db.dispose()
    databases.drop(db)


def test_the_fiche_pdf_prints_hostile_sources_literally(hostile_client):
    from pypdf import PdfReader

    response = hostile_client.get("/fiche.pdf?niveau=departement&code=55")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(response.data)).pages[0].extract_text().split())
    # reportlab's canvas draws strings as they are (no Paragraph markup): the tags are on the page as text.
    assert "<b>Source</b>" in text and '<img src=x onerror="alert(1)">' in text
    assert "<font color=red>rouge</font>" in text, PDF_SOURCE


def test_the_import_report_keeps_rejected_values_inert_for_a_spreadsheet(tmp_path):
    report = ImportReport("members")
    hostile = FORMULAS + SCRIPTS
    for line, value in enumerate(hostile, start=2):
        report.reject(value, line, value, "invalid_siret", value)
    path = report.write_csv(tmp_path / "import-members.csv")
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["file", "line", "siret", "action", "reason", "detail"]
    cells = [cell for row in rows[1:] for cell in row]
    assert [c for c in cells if exports.is_formula_like(c)] == []
    # Only the quote was added: the report still says what the file held.
    details = [row[5] for row in rows[1:]]
    assert sorted(d.removeprefix("'") for d in details) == sorted(hostile)
    assert all(re.fullmatch(r"\d+", row[1]) for row in rows[1:])
