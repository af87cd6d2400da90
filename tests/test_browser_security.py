"""The Content-Security-Policy in a real Chromium: every page renders, opens its tabs, cards, maps and charts,
and the browser reports no violation (no script, style or image the policy did not foresee).

A positive control on each page proves the policy is enforced: an inline script added to the page is
refused and reported, so "no violation" is not the absence of a policy."""

from __future__ import annotations

import json
import urllib.request

import pytest

pytestmark = pytest.mark.browser

# Collected before any of the page's scripts run.
COLLECT = """(() => {
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__csp.push({directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample,
                       source: e.sourceFile + ':' + e.lineNumber});
  });
})();"""


def _get(live_server: str, path: str) -> dict:
    with urllib.request.urlopen(live_server + path) as response:
        return json.load(response)


def _explorer(page, base):
    site = _get(base, "/api/v1/establishments?departement=57&limit=1")["items"][0]
    page.goto(f"{base}/?etab={site['id']}", wait_until="networkidle")
    page.wait_for_selector(".marker-cluster", timeout=30000)
    page.wait_for_selector(".card-drawer.open .card-title", timeout=15000)  # the establishment card
    page.locator(".marker-cluster").first.hover(force=True)
    page.click("#explorer-view-tabs >> text=Tableau")  # loads the lazy dash-ag-grid bundle
    page.wait_for_function("() => document.querySelectorAll('.ag-row').length > 0", timeout=20000)
    page.goto(f"{base}/?carte=communes", wait_until="networkidle")  # the choropleth and its legend
    page.wait_for_selector(".choro-row", timeout=30000)


def _partners(page, base):
    page.goto(f"{base}/partenaires?commune=55122&capability=soudure_tig&radius_km=30", wait_until="networkidle")
    page.wait_for_selector(".partner-item", timeout=20000)
    page.locator(".partner-pin").first.hover(force=True)


def _coverage(page, base):
    page.goto(f"{base}/couverture?capability=forge&radius_km=25", wait_until="networkidle")
    page.wait_for_selector("#coverage-ranking .bars path", timeout=20000, state="attached")
    page.wait_for_selector(".ag-row", timeout=20000)


def _skills(page, base):
    page.goto(f"{base}/competences?departement=57&metier=DEMO-I01&annee=2025", wait_until="networkidle")
    page.wait_for_selector("#skills-heatmap .heatmaplayer", timeout=30000)
    page.locator("#skills-heatmap .nsewdrag").first.hover()  # Plotly's hover label
    page.locator(".skills-site").first.hover()


def _indicators(page, base):
    page.goto(f"{base}/reindustrialisation?departement=57&base100=1", wait_until="networkidle")
    page.wait_for_selector(".ikpi .ikpi-value", timeout=30000)
    page.wait_for_selector(".js-plotly-plot .scatterlayer .trace", timeout=30000)
    page.locator(".js-plotly-plot .nsewdrag").first.hover()  # Plotly's hover label
    page.goto(f"{base}/fiche?niveau=departement&code=57", wait_until="networkidle")
    page.wait_for_selector("a[href*='.pdf']", timeout=30000)


def _event(page, base):
    page.goto(f"{base}/evenement", wait_until="networkidle")
    page.wait_for_selector(".ev-wall .ev-big", timeout=20000)
    visitor = _get(base, "/api/v1/event/meetings?limit=1")["items"][0]["visitor_id"]
    page.goto(f"{base}/evenement/agenda?participant={visitor}", wait_until="networkidle")
    page.wait_for_selector(".ag-table", timeout=15000)


def _kiosk(page, base):
    page.goto(f"{base}/evenement/kiosque?duree=1", wait_until="networkidle")
    page.wait_for_selector("#kiosk-deck .kiosk-slide", timeout=15000)
    page.wait_for_timeout(3500)  # a few slides: the map, the charts, the counters


def _login(page, base):
    page.goto(f"{base}/connexion", wait_until="networkidle")
    page.wait_for_selector("form input[type=password]", timeout=15000)


VISITS = {"explorer": _explorer, "partenaires": _partners, "couverture": _coverage, "competences": _skills,
          "indicateurs": _indicators, "evenement": _event, "kiosque": _kiosk, "connexion": _login}


@pytest.mark.parametrize("name", list(VISITS))
def test_no_page_violates_the_content_security_policy(page, live_server, name):
    page.add_init_script(COLLECT)
    main = page.goto(live_server + "/", wait_until="commit")
    assert "script-src 'self' 'sha256-" in main.headers["content-security-policy"]
    VISITS[name](page, live_server)
    page.wait_for_timeout(500)
    violations = page.evaluate("() => window.__csp")
    assert violations == [], violations
    assert [e for e in page.errors if "Content Security Policy" in e] == []
    # Control: an injected inline script is refused, and reported as the listener above would report it.
    ran = page.evaluate("""() => { const s = document.createElement('script');
        s.textContent = 'window.__inlineRan = true'; document.body.appendChild(s); return !!window.__inlineRan; }""")
    page.wait_for_function("() => window.__csp.length > 0", timeout=5000)
    assert ran is False and page.evaluate("() => window.__csp[0].directive") == "script-src-elem"
    assert page.foreign_requests == []
