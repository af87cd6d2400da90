"""Real Chromium against a live `tissu serve`, with every other host blocked (offline check)."""

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.smoke  # CI runs this one on PostgreSQL too
def test_home_shows_clusters_attribution_and_demo_label(page, live_server):
    page.goto(live_server + "/", wait_until="networkidle")
    page.wait_for_selector(".marker-cluster", timeout=30000)
    labels = page.locator(".marker-cluster span").all_inner_texts()
    counts = [int(t.replace("\u00a0", "").replace("k", "000")) for t in labels]
    assert len(counts) >= 3 and sum(counts) > 1000
    assert "IGN" in page.locator(".leaflet-control-attribution").inner_text()
    assert "fictives" in page.locator(".badge-demo").inner_text()
    assert page.locator(".leaflet-overlay-pane canvas, .leaflet-overlay-pane svg").count() >= 1
    assert page.errors == []


def test_home_makes_no_request_to_another_host(page, live_server):
    page.goto(live_server + "/", wait_until="networkidle")
    page.wait_for_selector(".marker-cluster", timeout=30000)
    page.mouse.wheel(0, -400)  # zoom in: more clusters, still nothing from outside
    page.wait_for_timeout(800)
    assert page.foreign_requests == []


def test_clicking_a_cluster_zooms_in(page, live_server):
    page.goto(live_server + "/", wait_until="networkidle")
    page.wait_for_selector(".marker-cluster", timeout=30000)
    scale = page.locator(".leaflet-control-scale-line")
    before = scale.evaluate("e => e.innerText + ' ' + e.style.width")
    page.locator(".tissu-cluster-large, .tissu-cluster-medium").first.click()
    # The scale bar's label or width changes when the map zooms in on the cluster.
    page.wait_for_function("(b) => { const e = document.querySelector('.leaflet-control-scale-line');"
                           " return e.innerText + ' ' + e.style.width !== b; }", arg=before, timeout=10000)
    assert scale.evaluate("e => e.innerText + ' ' + e.style.width") != before


def test_unknown_page_is_a_french_404(page, live_server):
    page.goto(live_server + "/nulle-part", wait_until="networkidle")
    # The router's callback may start after "networkidle" (script start-up on a loaded machine): wait for it.
    page.get_by_text("Page introuvable").wait_for(state="visible", timeout=10000)
    assert page.get_by_text("Page introuvable").is_visible()
