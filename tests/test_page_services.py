"""The rule "services compute, layouts present, callbacks wire" for the skills, indicators, coverage, partners
and event pages: services answer without Dash, callbacks stay wiring, and the services' results read alone."""

from __future__ import annotations

import ast
import math
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.policy import ANONYMOUS
from dashboard.services import coverage as coverage_svc
from dashboard.services import indicators as indicators_svc
from dashboard.services import partners as partners_svc
from dashboard.services import skills as skills_svc
from dashboard.services.partners import PartnerQuery

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("skills", "indicators", "coverage", "partners", "event")


def test_page_services_import_no_dash_layouts_or_callbacks():
    code = ("import sys\n"
            + "".join(f"import dashboard.services.{p}\n" for p in PAGES)
            + "import dashboard.scorecard, dashboard.exports\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'dash', 'dash_leaflet', 'dash_ag_grid', "
            "'layouts', 'callbacks'})\n"
            "print(','.join(bad))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("page", PAGES)
def test_callbacks_modules_only_wire(page):
    path = ROOT / "callbacks" / f"{page}.py"
    source = path.read_text(encoding="utf-8")
    imported = {alias.name for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ImportFrom)
                 and node.module}
    assert not {m for m in imported if m.split(".")[0] in {"pandas", "numpy"} or m.startswith("dashboard.repository")}
    assert "repository" not in source and len(source.splitlines()) < 150


def test_skills_map_classes_and_labels():
    breaks = [0.4, 0.5, 0.6, 0.7, 0.8]
    assert [skills_svc.value_class(v, breaks) for v in (0.1, 0.4, 0.65, 0.8, 0.95)] == [0, 1, 3, 5, 5]
    assert skills_svc.value_class(float("nan"), breaks) is None and skills_svc.value_class(None, breaks) is None
    labels = skills_svc.class_labels("difficulte", breaks)
    assert len(labels) == len(breaks) + 1
    assert labels[0] == "moins de 40\u00a0%" and labels[-1] == "80\u00a0% et plus"
    assert skills_svc.class_labels("projets", []) == ["0 et plus"]


def test_skills_results_are_named_numbers(service):
    results = skills_svc.skills_results(service, skills_svc.SkillsQuery(departement="57", trade="DEMO-I01",
                                                                        year=2025))
    assert isinstance(results, skills_svc.SkillsResults)
    assert results.trade_label == "Soudeurs" and results.scope_label == "Moselle"
    ranking = results.tables["ranking"]
    assert results.kpis.trades == len(ranking) and results.kpis.tension == int(ranking["tension"].sum())
    assert set(results.map.area_class) == set(results.map.area_row) and results.map.url == skills_svc.AREAS_URL
    assert all(c is None or 0 <= c < len(results.map.class_labels) for c in results.map.area_class.values())


def test_indicator_results_sum_the_projects_they_show(service):
    q = indicators_svc.IndicatorQuery(departements=("57",))
    results = indicators_svc.page_results(service, q)
    assert [k.code for k in results.kpis] == list(indicators_svc.KPI_CODES)
    assert [key for _, key, _ in results.lines] == ["57", "region"]
    # The card's definition (projets_emplois): investment projects, France 2030 and deeptech left out.
    shown = results.projects[results.projects["programme"].fillna("").isin(["", "investissement"])]
    jobs = shown["jobs"].fillna(0)
    sign = shown["kind"].map(indicators_svc.PROJECT_SIGN).fillna(0)
    assert results.net_jobs == pytest.approx(float((sign * jobs).sum()))
    card = next(k for k in results.kpis if k.code == "projets_emplois")
    assert results.recent_net_jobs == (card.kpi.period, card.kpi.value) and card.kpi.period == "2021–2025"
    assert results.fiche_href == "/fiche?niveau=departement&code=57" and results.params == {"departement": "57"}


def test_coverage_page_keeps_its_tables_and_reports_bad_queries(service):
    page = coverage_svc.capability_page(service, "forge", 50.0, "jobs", "departement")
    assert isinstance(page, coverage_svc.CapabilityPage)
    assert len(page.suppliers) == len(page.result.suppliers) and len(page.unit_rows) == 4
    rates = [r["rate"] for r in page.unit_rows]
    assert rates == sorted(rates)  # weakest first
    failure = coverage_svc.capability_page(service, "nope", 50.0, "jobs", "epci")
    assert isinstance(failure, coverage_svc.CapabilityError) and failure.params["capability"] == "nope"


def test_partner_results_bounds_and_failures(service):
    south_west, north_east = partners_svc.bounds_around(49.0, 6.0, 50.0)
    assert north_east[0] - south_west[0] == pytest.approx(100 / 111.2)
    assert north_east[1] - south_west[1] == pytest.approx(100 / (111.2 * math.cos(math.radians(49.0))))
    failure = partners_svc.partner_results(service, PartnerQuery(), ANONYMOUS)
    assert isinstance(failure, partners_svc.PartnerFailure) and "point de départ" in failure.message
    found = partners_svc.partner_results(service, PartnerQuery(commune="57463", radius_km=30), ANONYMOUS)
    assert isinstance(found, partners_svc.PartnerResults)
    assert [r["rank"] for r in found.records] == list(range(1, len(found.records) + 1))
    assert len(found.records) <= partners_svc.RESULT_LIMIT
