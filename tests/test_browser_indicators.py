"""Réindustrialisation in real Chromium: KPI cards and charts render, offline."""

import pytest

from dashboard import ids

pytestmark = pytest.mark.browser


def test_indicator_page_shows_cards_and_charts(page, live_server):
    page.goto(f"{live_server}/reindustrialisation?departement=57&base100=1")
    page.wait_for_selector(".ikpi .ikpi-value", timeout=30_000)
    assert page.locator(".ikpi").count() == 7
    assert page.locator(".ikpi-change.bad, .ikpi-change.good").count() >= 1
    page.wait_for_selector(f"#{ids.IND_SERIES_GRAPH} .scatterlayer .trace", timeout=30_000)
    page.wait_for_selector(f"#{ids.IND_FLOWS_GRAPH} .barlayer .trace", timeout=30_000)
    assert page.locator(f"#{ids.IND_PROJECTS_LAYER} path, .leaflet-interactive").count() > 0
    assert "departement=57" in page.url
    assert not page.foreign_requests
    assert not [e for e in page.errors if "favicon" not in e]
