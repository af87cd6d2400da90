"""The Compétences page in a real Chromium: heatmap, coloured territories, tooltips, URL state."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_heatmap_and_map(page, live_server):
    page.goto(f"{live_server}/competences?departement=57&metier=DEMO-I01&annee=2025")
    page.wait_for_selector("#skills-heatmap .heatmaplayer", timeout=30_000)
    page.wait_for_selector(".skills-table tbody tr", timeout=30_000)
    ticks = page.locator("#skills-heatmap .ytick text").all_text_contents()
    assert "Soudeurs" in ticks and len(ticks) == 18
    assert set(page.locator("#skills-heatmap .xtick text").all_text_contents()) == {
        "Forbach", "Metz", "Saint-Avold", "Sarrebourg", "Sarreguemines", "Thionville"}
    page.wait_for_function("() => window.tissu.skills.state.hideout && "
                           "Object.keys(window.tissu.skills.state.hideout.colors).length === 6", timeout=30_000)
    tip = page.evaluate("() => window.tissu.skills.state.hideout.tips['4408']")
    assert tip.startswith("Soudeurs, Forbach : ") and "difficiles" in tip
    assert page.locator(".skills-site").count() >= 4  # training sites of Moselle
    page.locator(".skills-site").first.hover()
    assert "(démo)" in page.locator(".leaflet-tooltip").first.inner_text()
    assert page.locator("#skills-map-legend .choro-row").count() >= 7
    assert "metier=DEMO-I01" in page.url and "departement=57" in page.url
    page.locator("#skills-indicator input[value=projets]").check()
    page.wait_for_function("() => window.location.search.includes('indicateur=projets')", timeout=15_000)
    assert page.foreign_requests == [] and page.errors == []
