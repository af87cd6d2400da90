"""`tissu import urssaf / indicators / territoires-industrie` on a fresh database."""

from pathlib import Path

import pytest

from dashboard import repository
from dashboard.importers import FileFormatError

FIXTURES = Path(__file__).parent / "fixtures" / "urssaf"


@pytest.fixture(scope="module")
def fresh(databases, prepared_database):
    """One copy of the prepared template for the module (schema and reference data, nothing imported)."""
    db = databases.create(prepared_database)
    yield db.engine
    databases.drop(db)


def _values(engine, code, level):
    frame = repository.indicator_values_frame(engine, codes=[code], level=level)
    return {(r.territory_code, r.period): None if r.value != r.value else r.value for r in frame.itertuples()}


def test_urssaf_department_na38_quarterly(fresh, tmp_path):
    from dashboard.importers.urssaf import import_urssaf

    outcome = import_urssaf(fresh, FIXTURES / "dep_na38_api_fields.csv", report_dir=tmp_path)
    industry = _values(fresh, "emploi_industrie", "departement")
    assert industry[("57", "2024-Q4")] == 30000  # CVS: 20,000 + 10,000 (commerce left out)
    assert industry[("57", "2023-Q4")] is None  # one secret (blank) cell: the total is unknown, not 0
    assert _values(fresh, "emploi_prive", "departement")[("57", "2024-Q4")] == 60000
    assert _values(fresh, "part_industrie", "departement")[("57", "2024-Q4")] == 50.0
    assert ("67", "2024-Q4") not in industry  # outside Lorraine
    assert {i.reason for i in outcome.report.rejected} == {"bad_period", "bad_number"}
    assert sorted(i.line for i in outcome.report.rejected) == [9, 10]
    assert outcome.report_file and outcome.report_file.exists()
    before = len(repository.indicator_values_frame(fresh))
    import_urssaf(fresh, FIXTURES / "dep_na38_api_fields.csv")  # idempotent
    assert len(repository.indicator_values_frame(fresh)) == before


def test_urssaf_commune_ape_with_french_labels(fresh):
    from dashboard.importers.urssaf import import_urssaf

    outcome = import_urssaf(fresh, FIXTURES / "commune_ape_labels.csv")
    communes = _values(fresh, "emploi_industrie", "commune")
    assert communes[("57463", "2022-Q4")] is None  # 120 + a secret cell
    assert _values(fresh, "emploi_industrie", "epci")[("200039865", "2022-Q4")] == 120  # known cells only
    assert _values(fresh, "etablissements_industrie", "departement")[("57", "2023")] == 6  # retail left out
    assert [i.reason for i in outcome.report.rejected] == ["unknown_commune"]


def test_urssaf_wrong_file_is_refused_before_writing(fresh, tmp_path):
    from dashboard.importers.urssaf import import_urssaf

    bad = tmp_path / "bad.csv"
    bad.write_text("a;b;c\n1;2;3\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match="not a URSSAF export"):
        import_urssaf(fresh, bad)
    comma = tmp_path / "comma.csv"
    comma.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(FileFormatError):
        import_urssaf(fresh, comma)


def test_territoires_industrie(fresh):
    from dashboard.importers.territories import import_territories

    outcome = import_territories(fresh, FIXTURES / "territoires_industrie.csv")
    frame = repository.industry_territories_frame(fresh)
    assert frame.set_index("code")["communes"].to_dict() == {"ti-4401": 2, "ti-4402": 1}
    assert [(i.line, i.reason) for i in outcome.report.rejected] == [(6, "unknown_commune")]
    import_territories(fresh, FIXTURES / "territoires_industrie.csv")
    assert len(repository.industry_territory_communes_frame(fresh)) == 3


def test_indicator_template_round_trip(fresh, tmp_path):
    from openpyxl import load_workbook

    from dashboard.importers.indicators import import_indicators, write_indicators_template

    path = write_indicators_template(tmp_path / "modele.xlsx")
    book = load_workbook(path)
    book["Séries"].append(["emploi_industrie", "departement", "99", "2024", "1", "", "", ""])  # unknown department
    book["Projets"].append(["Bad", "agrandissement", "", "57463", "2025-01-01", "", "", "", "", ""])
    book.save(path)
    outcome = import_indicators(fresh, path)
    assert outcome.report.counts["series points written"] == 1
    assert outcome.report.counts["projects written"] == 1
    assert len(outcome.report.rejected) == 2
    projects = repository.investment_projects_frame(fresh)
    assert projects["name"].tolist() == ["Extension d'une usine"]
    import_indicators(fresh, path)
    assert len(repository.investment_projects_frame(fresh)) == 1  # idempotent
    with pytest.raises(FileFormatError):
        import_indicators(fresh, FIXTURES / "territoires_industrie.csv")
