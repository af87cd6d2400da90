"""The coverage page in real Chromium: pick a capability and a radius; the map and the ranking follow."""

import pytest
from browser_support import choose_option

pytestmark = pytest.mark.browser


def _kpi_text(page) -> str:
    return page.locator("#coverage-kpis .kpi").first.inner_text()


def test_capability_and_radius_update_the_map_and_the_ranking(page, live_server):
    page.goto(live_server + "/couverture?capability=forge&radius_km=25", wait_until="networkidle")
    page.wait_for_selector("#coverage-ranking .bars path", timeout=20000)
    first = _kpi_text(page)
    assert "25" in first and "Forge" in first

    choose_option(page, "#coverage-capability", "Galvanisation à chaud", typed="Galvanisation")
    page.wait_for_function("() => location.search.includes('capability=galvanisation')", timeout=10000)
    page.wait_for_function("() => document.querySelector('#coverage-kpis').innerText.includes('Galvanisation')",
                           timeout=10000)
    # The chosen capability is the highlighted bar of the ranking.
    page.wait_for_function("""() => [...document.querySelectorAll('#coverage-ranking .bars path')]
        .some(p => (p.style.fill || '').includes('217, 115, 28'))""", timeout=10000)

    page.locator("#coverage-radius").get_by_role("spinbutton").fill("100")
    page.keyboard.press("Tab")
    page.wait_for_function("() => location.search.includes('radius_km=100')", timeout=10000)
    page.wait_for_function("() => document.querySelector('#coverage-kpis').innerText.includes('100')", timeout=10000)
    assert page.locator(".leaflet-tissu-choro-pane canvas").count() == 1  # communes coloured by distance
    assert page.errors == [] and page.foreign_requests == []


def test_supplier_tooltips_open_over_the_commune_colouring(page, live_server):
    page.goto(live_server + "/couverture?capability=forge&radius_km=25", wait_until="networkidle")
    page.wait_for_selector(".leaflet-tissu-choro-pane canvas", timeout=20000)
    page.wait_for_selector("path.coverage-supplier", timeout=20000)
    page.wait_for_timeout(500)  # the colouring's first styling
    supplier = page.locator("path.coverage-supplier").first
    supplier.hover()  # Playwright checks the point itself receives the pointer, not the canvas below
    page.wait_for_selector(".leaflet-tooltip", timeout=5000)
    text = page.locator(".leaflet-tooltip").last.inner_text()
    assert text and "fournisseur le plus proche" not in text and "aucun fournisseur" not in text  # not a commune's
    # Elsewhere the pointer still reaches the communes: their tooltip opens.
    box = page.locator("#coverage-map").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5)
    page.wait_for_function("() => [...document.querySelectorAll('.leaflet-tooltip')]"
                           ".some(t => t.innerText.includes('km du fournisseur') || t.innerText.includes('aucun'))",
                           timeout=5000)
    # The legend is below the map, not over it.
    legend, frame = page.locator("#coverage-legend").bounding_box(), page.locator(".coverage-map").bounding_box()
    assert legend["y"] >= frame["y"] + frame["height"] - 1
    assert page.errors == [] and page.foreign_requests == []
