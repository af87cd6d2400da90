"""The Compétences page (callbacks called as functions) and its API, on the seeded demo database."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from callbacks import skills as cb
from dashboard.figures.skills import heatmap_figure
from dashboard.services.skills import export_frame, skills_data, tables


def _texts(tree) -> str:
    return json.dumps(tree.to_plotly_json(), default=lambda o: o.to_plotly_json() if hasattr(o, "to_plotly_json")
                      else str(o), ensure_ascii=False)


def test_render_restores_the_query_and_reports_bad_values(service):
    view = cb.skills_view(service, {"departement": ["57"], "territoire": ["DEMO-4408"], "metier": ["DEMO-I01"],
                                    "annee": ["2023"], "indicateur": ["projets"], "industriel": ["non"]})
    assert (view.departement, view.territory, view.trade, view.year, view.indicator, view.industrial_only) == \
        ("57", "DEMO-4408", "DEMO-I01", 2023, "projets", False)
    assert view.notices == [] and view.is_demo
    bad = cb.skills_view(service, {"departement": ["99"], "territoire": ["nowhere"], "metier": ["XX"],
                                   "annee": ["1990"], "indicateur": ["foo"], "industriel": ["peut-être"]})
    assert len(bad.notices) == 6 and bad.year == 2025 and bad.trade.startswith("DEMO-")
    mismatch = cb.skills_view(service, {"departement": ["54"], "territoire": ["DEMO-4408"]})
    assert mismatch.territory is None and "pas dans ce département" in mismatch.notices[0]
    assert "Compétences" in _texts(cb.render(service, {"metier": ["XX"]}))


def test_results_for_forbach_welders(service):
    q = cb.SkillsQuery(departement="57", territory="DEMO-4408", trade="DEMO-I01", year=2025)
    kpis, heat, ranking, trend, hideout, url, sites, employers, legend, title, params, *sources = \
        cb.skills_results(service, q)
    assert params == {"departement": "57", "territoire": "DEMO-4408", "annee": "2025", "metier": "DEMO-I01"}
    assert heat.layout.separators == ", " and len(heat.data) == 2 and url == "/geo/zones_emploi.pbf"
    assert set(hideout["colors"]) == {"4408", "4410", "4416", "4419", "4420", "4424"}  # Moselle zones
    tip = hideout["tips"]["4408"]
    assert tip.startswith("Soudeurs, Forbach : ") and "employeur" in tip and "centre" in tip and "difficiles" in tip
    assert employers["features"] and sites["features"]
    assert title == "Carte : Soudeurs, 2025"
    assert all("fictives" in s for s in sources)
    assert "Soudeurs" in _texts(ranking)


def test_secret_cells_are_shown_as_secret(service):
    data = skills_data(service)
    secret = data.needs[data.needs["projects"].isna()].iloc[0]
    q = cb.SkillsQuery(year=int(secret["year"]), industrial_only=False, trade=secret["trade_code"])
    frame, _ = export_frame(data, q, "heatmap")
    row = frame[(frame["Code métier"] == secret["trade_code"]) & (frame["Code territoire"] == secret["area_code"])]
    assert row["Projets"].tolist() == ["secret statistique"]
    assert 0 not in frame.loc[frame["Projets"] == "secret statistique", "Cellules en secret statistique"].tolist()
    heat = heatmap_figure(tables(data, q)["heatmap"], indicator="difficulte")
    assert any("secret statistique" in t for row in heat.data[1].text for t in row)


@pytest.mark.parametrize("table", ["heatmap", "ranking", "trend", "map"])
def test_exports(service, table):
    params = {"departement": "57", "metier": "DEMO-I01", "annee": "2025"}
    csv = cb.export_table(service, params, table, "csv")
    text = __import__("base64").b64decode(csv["content"]).decode("utf-8")
    assert text.startswith("\ufeff") and ";" in text.splitlines()[0]
    xlsx = cb.export_table(service, params, table, "xlsx")
    book = pd.read_excel(io.BytesIO(__import__("base64").b64decode(xlsx["content"])), sheet_name=None)
    assert "Source" in book and len(book) == 2


def test_dependent_dropdowns(service):
    options, value = cb.on_departement(service, "88", "DEMO-4408")
    assert value is None and {o["value"] for o in options} == {"DEMO-4404", "DEMO-4407", "DEMO-4414", "DEMO-4417"}
    options, value = cb.on_trade_scope(service, "V", [], "DEMO-I01")
    assert value in {o["value"] for o in options} and value != "DEMO-I01"


def test_api_skills(client):
    body = client.get("/api/v1/skills?trade=DEMO-I01&departement=57&year=2025").get_json()
    assert body["is_demo"] and body["year"] == 2025 and body["tension_threshold"] == 0.6
    assert {i["departement"] for i in body["items"]} == {"57"} and {i["trade"] for i in body["items"]} == {"DEMO-I01"}
    item = body["items"][0]
    assert item["difficulty_rate"] == pytest.approx(round(item["difficult"] / item["projects"], 4))
    everything = client.get("/api/v1/skills").get_json()
    secret = [i for i in everything["items"] if i["projects"] is None]
    assert secret and all(i["secret"] and i["difficulty_rate"] is None for i in secret)


@pytest.mark.parametrize("query, parameter", [
    ("foo=1", "foo"), ("trade=XX", "trade"), ("territory=4408", "territory"), ("departement=67", "departement"),
    ("year=abc", "year"), ("year=1990", "year"),
])
def test_api_skills_400(client, query, parameter):
    response = client.get(f"/api/v1/skills?{query}")
    assert response.status_code == 400 and response.get_json()["error"]["parameter"] == parameter


def test_api_trades_and_openapi(client):
    body = client.get("/api/v1/trades?industrial=oui").get_json()
    assert body["total"] == 18 and all(i["industrial"] for i in body["items"])
    welders = next(i for i in body["items"] if i["label"] == "Soudeurs")
    assert welders["local_employers"] > 0
    assert client.get("/api/v1/trades?family=Q").status_code == 400
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/skills" in paths and "/api/v1/trades" in paths
