"""Réindustrialisation: API (with every 400), page callbacks called as functions, the one-page PDF."""

import io
import re

import pytest

from callbacks import indicators as page
from dashboard.scorecard import fiche_scope
from dashboard.services.indicators import KPI_CODES, indicator_data


def test_catalog_lists_definitions(client):
    body = client.get("/api/v1/indicators/catalog").get_json()
    codes = {i["code"]: i for i in body["items"]}
    assert {"emploi_industrie", "sirene_solde", "sirene_solde_10", "france2030_laureats",
            "deeptech_creations"} <= set(codes)
    assert codes["sirene_fermetures"]["higher_is_better"] is False
    assert codes["sirene_solde"]["computed"] is True


def test_series_of_a_department(client):
    body = client.get("/api/v1/indicators?code=emploi_industrie&level=departement&territory=57&from=2022-Q1&to=2022-Q4"
                      ).get_json()
    assert [i["period"] for i in body["items"]] == ["2022-Q1", "2022-Q2", "2022-Q3", "2022-Q4"]
    assert body["items"][-1]["value"] == 62239 and body["is_demo"] is True and "fictives" in body["notice"]
    assert body["territory_name"] == "Moselle" and re.fullmatch(r"\d{4}-\d\d-\d\d", body["source_date"])


def test_computed_series_default_to_lorraine(client):
    body = client.get("/api/v1/indicators?code=sirene_solde&from=2020").get_json()
    assert body["level"] == "region" and body["territory"] == "41"
    assert [i["period"] for i in body["items"]][0] == "2020"


@pytest.mark.parametrize("url, parameter", [
    ("/api/v1/indicators", "code"),
    ("/api/v1/indicators?code=nope", "code"),
    ("/api/v1/indicators?code=emploi_industrie&level=planet", "level"),
    ("/api/v1/indicators?code=emploi_industrie&level=departement", "territory"),
    ("/api/v1/indicators?code=emploi_industrie&level=departement&territory=75", "territory"),
    ("/api/v1/indicators?code=emploi_industrie&from=2024-Q9", "from"),
    ("/api/v1/indicators?code=emploi_industrie&from=2024&to=2020", "from"),
    ("/api/v1/indicators?code=sirene_solde&filiere=nope", "filiere"),
    ("/api/v1/indicators?code=emploi_industrie&foo=1", "foo"),
    ("/api/v1/indicators/catalog?x=1", "x"),
])
def test_bad_parameters_are_400(client, url, parameter):
    response = client.get(url)
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == parameter


def test_url_values_are_checked_with_notices(service):
    view = page.page_view(service, {"departement": ["57,99"], "debut": ["1990"], "serie": ["x"]})
    assert view.departements == ["57"]
    assert len(view.notices) == 3 and any("99" in n for n in view.notices)


def test_page_outputs_cards_and_figures(service):
    q = page.IndicatorQuery(departements=("57",), index100=True, threshold=True)
    scope, cards, evolution, flows, deeptech, dge, markers, summary, fiche, params = page.page_outputs(service, q)
    assert len(cards) == len(KPI_CODES)
    assert evolution.layout.separators == ", "
    assert {t.name for t in evolution.data} == {"Moselle", "Lorraine"}
    assert all(abs(t.y[0] - 100) < 1e-9 for t in evolution.data)
    assert [t.name for t in flows.data] == ["Ouvertures", "Fermetures", "Solde"]
    assert list(flows.data[2].y) == [o - c for o, c in zip(flows.data[0].y, flows.data[1].y)]
    assert markers and "projet" in summary
    # National context: the published deeptech figures on their own axis, beside the target; the DGE balance alone.
    points = dict(zip(deeptech.data[0].x, deeptech.data[0].y))
    assert points == {2018: 168.0, 2023: 340.0}
    assert list(deeptech.data[1].y) == [500] and deeptech.layout.yaxis.range[1] >= 500
    assert [t.name for t in dge.data] == ["Solde industriel (France)"]
    assert dict(zip(dge.data[0].x, dge.data[0].y)) == {"2022": 176.0, "2023": 201.0, "2024": 89.0}
    # Both job balances name their period: the page's and the card's 5 years.
    assert summary.startswith("2012–2025 : ") and "sur 2021–2025 (carte « Emplois annoncés ») : " in summary
    assert fiche == "/fiche?niveau=departement&code=57"
    assert params == {"departement": "57", "base100": "1", "seuil": "10"}


def test_export_csv_is_french(service):
    sent = page.export_indicators(service, {"departement": "55"}, "csv")
    text = (sent["content"] if isinstance(sent["content"], bytes) else __import__("base64").b64decode(sent["content"])
            ).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Indicateur;Code;Niveau;Territoire")
    assert "Meuse" in text and ";oui" in text  # demo rows say they are fictional


def test_fiche_page_and_bad_values(service):
    tree = str(page.render_fiche(service, {"niveau": ["epci"], "code": ["200039865"]}))
    assert "Fiche territoire" in tree and "Télécharger en PDF" in tree
    level, code, notices = fiche_scope(indicator_data(service), service, {"niveau": ["lune"]})
    assert (level, code) == ("region", "41") and notices


def test_pdf_is_one_page_with_several_elements(client):
    from pypdf import PdfReader

    response = client.get("/fiche.pdf?niveau=departement&code=88")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # A4 landscape
    text = reader.pages[0].extract_text()
    for expected in ("Fiche territoire : Vosges", "Emploi salarié industriel", "Ouvertures et fermetures",
                     "Projets annoncés", "Carte du territoire", "Sources", "fictives"):
        assert expected in text
    assert client.get("/fiche.pdf?niveau=epci&code=1").status_code == 400
