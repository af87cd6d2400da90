"""Accessibility in real Chromium: axe-core on every page of the registry, the skip link, the map's tab stop.

axe-core is vendored (tests/vendor/axe.min.js, MPL-2.0, see tests/vendor/README.md) and served to the test page from
that file: the page never fetches anything from another host.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from auth_support import sign_in_page

from dashboard import pages
from dashboard.policy import Role, Viewer, can

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = {"serious", "critical"}
# Reserved pages are opened by the least privileged test account allowed on them.
ROLES = ("member", "staff", "admin")


def _role_for(page: pages.Page) -> str | None:
    if page.requires is None:
        return None
    return next(r for r in ROLES if can(Viewer(Role(r), 1, "tests"), page.requires))


def _rendered(page, live_server: str, path: str) -> None:
    page.goto(live_server + path, wait_until="networkidle")
    page.wait_for_function("() => { const p = document.getElementById('page');"
                           " return p && p.children.length > 0 && !document.querySelector('._dash-loading'); }",
                           timeout=30000)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)  # the page's own callbacks (figures, map layers) settle


def _violations(page, live_server: str) -> list[dict]:
    # The app's CSP refuses inline scripts (what add_script_tag(path=...) writes): axe is served from the
    # vendored file at a same-origin address that only this test page answers, so 'self' allows it.
    url = f"{live_server}/tests-vendor/axe.min.js"
    page.route(url, lambda route: route.fulfill(path=AXE, content_type="text/javascript"))
    page.add_script_tag(url=url)
    return page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
    }""")


@pytest.mark.parametrize("path", [p.path for p in pages.PAGES])
def test_no_serious_accessibility_violation(page, live_server, path):
    registered = next(p for p in pages.PAGES if p.path == path)
    role = _role_for(registered)
    if role:
        sign_in_page(page, live_server, role)
    _rendered(page, live_server, path)
    assert page.evaluate("document.documentElement.lang") == "fr"
    blocking = [v for v in _violations(page, live_server) if v["impact"] in BLOCKING]
    assert blocking == [], "\n".join(f"{v['impact']} {v['id']}: {v['help']}\n  " + "\n  ".join(v["nodes"])
                                     for v in blocking)
    assert page.foreign_requests == []


def test_skip_link_is_the_first_tab_stop_and_the_map_is_one(page, live_server):
    _rendered(page, live_server, "/")
    page.wait_for_selector(".marker-cluster", timeout=30000)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.evaluate("document.activeElement.innerText") == "Aller au contenu"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "page"
    # No cluster or marker is a tab stop of its own: Tab reaches the map once, then leaves it.
    markers = page.locator(".leaflet-marker-icon")
    assert markers.count() >= 3
    assert page.locator(".leaflet-marker-icon[tabindex]:not([tabindex='-1'])").count() == 0
    stops = page.evaluate("""() => [...document.querySelectorAll('.leaflet-container, .leaflet-container *')]
        .filter(e => e.tabIndex >= 0 && e.offsetParent !== null && !e.closest('.leaflet-control')).length""")
    assert stops == 1


def test_nav_is_labelled_and_marks_the_current_page(page, live_server):
    _rendered(page, live_server, "/competences")
    nav = page.locator("nav.nav")
    assert nav.get_attribute("aria-label") == "Navigation principale"
    current = page.locator("nav.nav a[aria-current='page']")
    assert current.count() == 1 and current.get_attribute("href") == "/competences"
    assert page.locator("main#page").count() == 1 and page.locator("header.app-header").count() == 1


def test_keyboard_focus_is_visible(page, live_server):
    _rendered(page, live_server, "/partenaires")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the skip link: the brand link of the header
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    width = page.evaluate("parseFloat(getComputedStyle(document.activeElement).outlineWidth)")
    assert outline != "none" and width >= 2


def test_plotly_toolbar_is_french_and_has_no_cloud_button(page, live_server):
    _rendered(page, live_server, "/reindustrialisation")
    page.wait_for_selector(".modebar-btn", state="attached", timeout=30000)
    titles = page.evaluate("[...document.querySelectorAll('.modebar-btn')].map(b => b.getAttribute('data-title'))")
    assert "Télécharger le graphique en PNG" in titles and "Réinitialiser les axes" in titles, titles
    assert not any(t and ("Share" in t or "Chart Studio" in t or "Download plot" in t) for t in titles), titles
    assert page.foreign_requests == []
