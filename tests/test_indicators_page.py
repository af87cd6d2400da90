"""Réindustrialisation: API (with every 400), page callbacks called as functions, the one-page PDF."""

import io
import re

import pytest

from callbacks import indicators as page
from dashboard.scorecard import FicheQueryError, fiche_content, fiche_scope, panels
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
    for panel in ("Établissements et filières", "Couverture fournisseurs à 50 km", "Métiers en tension (BMO 2025)",
                  "Réindustrialisation"):
        assert panel in tree
    with pytest.raises(FicheQueryError, match="Niveau « lune » inconnu.*departement"):
        fiche_scope(indicator_data(service), service, {"niveau": ["lune"]})
    with pytest.raises(FicheQueryError, match="Territoire « 99 » inconnu au niveau Département"):
        fiche_scope(indicator_data(service), service, {"niveau": ["departement"], "code": ["99"]})
    # No Territoire d'industrie imported: the level is refused with the command that imports the list.
    with pytest.raises(FicheQueryError, match="tissu import territoires-industrie"):
        fiche_scope(indicator_data(service), service, {"niveau": ["ti"]})
    bad = str(page.render_fiche(service, {"niveau": ["lune"]}))
    assert "Niveau « lune » inconnu" in bad and "Lorraine affichée" not in bad and "fiche-sheet" in bad


def test_fiche_content_is_the_territorys_one_page(service):
    """One content for screen and PDF: establishments and filières, coverage, trades in tension, indicators."""
    data = indicator_data(service)
    content = fiche_content(service, data, "departement", "88")
    p = content.profile
    snap = service.snapshot().establishments
    vosges = snap[snap["department_code"] == "88"]
    assert p.establishments == len(vosges) and p.jobs == pytest.approx(vosges["headcount_estimate"].sum())
    assert p.region_share == pytest.approx(len(vosges) / len(snap))
    assert [f.jobs for f in p.filieres] == sorted((f.jobs for f in p.filieres), reverse=True)
    assert sum(f.establishments for f in p.filieres) <= p.establishments
    assert 0 < p.capabilities <= len(service.lookups.capabilities) and 0 <= p.well_covered <= p.capabilities
    assert [r.rate for r in p.weakest] == sorted(r.rate for r in p.weakest)  # weakest first
    assert all(0 <= r.rate < 1 for r in p.weakest)
    # The /couverture definition restricted to the territory's establishments (weighted by jobs).
    from dashboard.services import coverage as coverage_svc

    caps = service.lookups.capabilities
    for row in p.weakest[:2]:
        code = caps.loc[caps["label"] == row.label, "code"].iloc[0]
        points = coverage_svc.capability_coverage(service, capability=code, radius_km=50.0, weighting="jobs").points
        points = points[points["commune_code"].isin(set(vosges["commune_code"]))]
        assert row.rate == pytest.approx((points["weight"] * points["covered"]).sum() / points["weight"].sum())
    # Skills: the department's bassins, as /competences reads them; the transregional one says so.
    assert "Épinal" in p.skills_areas and "Chaumont – bassin transrégional" in p.skills_areas
    assert "Bassin transrégional" in p.skills_note and p.skills_year == 2025
    rates = [t.difficulty_rate for t in p.tensions]
    assert rates == sorted(rates, reverse=True) and len(p.tensions) == 5
    titles = [title for title, _, _ in panels(content)]
    assert titles == ["Établissements et filières", "Couverture fournisseurs à 50 km", "Métiers en tension (BMO 2025)"]
    assert content.sources[0].startswith("Établissements : ") and content.sources[1].startswith("Métiers en tension")
    assert [f.code for f in content.figures][0] == "emploi_industrie"
    # An EPCI reads the bassins holding its communes; its coverage counts its own establishments only.
    epci = fiche_content(service, data, "epci", "200039865").profile
    assert epci.establishments < p.establishments and len(epci.skills_areas) >= 1


def test_fiche_urls_answer_400_with_what_is_wrong(client):
    for url in ("/fiche.pdf?niveau=lune", "/fiche?niveau=lune"):
        response = client.get(url)
        text = response.get_data(as_text=True)
        assert response.status_code == 400 and "Niveau « lune » inconnu" in text, url
        assert "Lorraine affichée" not in text and "departement" in text
    response = client.get("/fiche?niveau=epci&code=1")
    assert response.status_code == 400 and "Territoire « 1 » inconnu au niveau EPCI" in response.get_data(as_text=True)
    assert client.get("/fiche?niveau=departement&code=57").status_code == 200
    assert client.get("/fiche").status_code == 200  # defaults: Moselle


def test_pdf_is_one_page_with_several_elements(client):
    from pypdf import PdfReader

    response = client.get("/fiche.pdf?niveau=departement&code=88")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # A4 landscape
    text = " ".join(reader.pages[0].extract_text().split())  # lines wrap where the width ends
    for expected in ("Fiche territoire : Vosges", "Emploi salarié industriel", "Ouvertures et fermetures",
                     "Projets annoncés", "Carte du territoire", "Sources", "fictives",
                     "Établissements et filières", "Couverture fournisseurs à 50 km", "Métiers en tension (BMO 2025)",
                     "métiers industriels en tension", "Bassin transrégional"):
        assert expected in text, expected
    assert "−" in text and not re.search(r"(?<![\w–])-\d", text)  # negative numbers with the minus sign, as on screen
    service = client.application.extensions["tissu"]
    profile = fiche_content(service, indicator_data(service), "departement", "88").profile
    assert profile.tensions and profile.tensions[0].label[:12] in text  # the hardest industrial trade, by name
    assert profile.filieres[0].label[:12] in text and profile.weakest[0].label[:12] in text
    bad = client.get("/fiche.pdf?niveau=epci&code=1")
    assert bad.status_code == 400 and "Territoire « 1 » inconnu" in bad.get_data(as_text=True)
