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
