"""Across the border in real Chromium (issue 18): the explorer shows a supplier abroad and the NUTS-3 regions."""

import pytest

pytestmark = pytest.mark.browser


def test_explorer_shows_sites_abroad_and_the_nuts_regions(page, live_server):
    page.goto(live_server + "/?lat=49.75&lon=6.1&zoom=10", wait_until="networkidle")  # central Luxembourg
    page.wait_for_selector(".border-site", timeout=20000)
    page.locator(".border-site").first.hover(force=True)
    tooltip = page.locator(".border-tooltip").last
    tooltip.wait_for(timeout=5000)
    text = tooltip.inner_text()
    assert "(fictif)" in text and "Luxembourg" in text
    box = page.locator("#explorer-map").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5 + 40, box["y"] + box["height"] * 0.5 + 40)  # no site there
    page.wait_for_function("() => [...document.querySelectorAll('.border-tooltip')]"
                           ".some(t => t.innerText.includes('NUTS LU000'))", timeout=5000)
    assert "EuroGeographics" in page.locator(".leaflet-control-attribution").inner_text()
    assert page.errors == [] and page.foreign_requests == []


def test_a_click_on_a_site_abroad_opens_its_card_and_its_partner_search(page, live_server):
    page.goto(live_server + "/?lat=49.75&lon=6.1&zoom=10", wait_until="networkidle")
    page.wait_for_selector(".border-site", timeout=20000)
    page.locator(".border-site").first.click(force=True)
    card = page.locator("#establishment-card")
    page.wait_for_function("() => document.querySelector('#establishment-card').className.includes('open')",
                           timeout=10000)
    text = card.inner_text()
    assert "Pays" in text and "Région (NUTS 3)" in text and "immatriculation" in text and "SIRET" not in text
    card.get_by_text("Trouver des partenaires près de ce site").click()
    page.wait_for_selector(".partner-name", timeout=20000)
    origin = page.locator("#partner-origin-site").inner_text()
    assert "(Luxembourg)" in origin or "Allemagne" in origin or "Belgique" in origin, origin
    assert page.errors == [] and page.foreign_requests == []
