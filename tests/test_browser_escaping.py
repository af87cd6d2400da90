"""Untrusted names stay text in every tooltip the browser builds (assets/*.js share one escapeHtml).

A hostile name (`<img src=x onerror=...>`) is injected into the server's responses on their way to the
page, then the real tooltips are opened: no element is created from the name, no script runs."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest

pytestmark = pytest.mark.browser

HOSTILE = '<img src=x onerror="window.__xss = (window.__xss || 0) + 1; alert(1)"><b>gras</b>'

# Leaflet assigns window.L once complete: catch it to keep every map the page creates (window.__maps).
CATCH_MAPS = """(() => {
  let real;
  Object.defineProperty(window, 'L', {configurable: true, get() { return real; }, set(value) {
    real = value;
    if (value && value.Map && !value.__tissuCaught) {
      value.__tissuCaught = true;
      value.Map.addInitHook(function () { (window.__maps = window.__maps || []).push(this); });
    }
  }});
})();"""


def _watch(page) -> list[str]:
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return dialogs


def _inject(page, rename) -> None:
    """Pass every Dash callback response and fetched payload through `rename(payload)` before the page sees it."""
    def handle(route):
        response = route.fetch()
        try:
            payload = response.json()
        except ValueError:  # a 204 "no update" has no body
            return route.fulfill(response=response)
        headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-encoding")}
        route.fulfill(response=response, body=json.dumps(rename(payload)), headers=headers)
    page.route(lambda url: "/_dash-update-component" in url or "/data/" in url, handle)  # callbacks and payloads


def _walk(node, visit) -> None:
    if isinstance(node, dict):
        visit(node)
        for value in node.values():
            _walk(value, visit)
    elif isinstance(node, list):
        for value in node:
            _walk(value, visit)


def _assert_inert(page, dialogs: list[str]) -> None:
    page.wait_for_timeout(500)  # a broken <img> fires onerror asynchronously
    assert page.evaluate("() => window.__xss") is None
    assert page.evaluate("() => document.querySelectorAll('img[src=\"x\"], .leaflet-tooltip b').length") == 0
    assert dialogs == []


def test_every_tooltip_builder_writes_names_as_text(page, live_server):
    """Each dash-leaflet function of assets/ gets the hostile name, its tooltip is opened on a scratch map."""
    dialogs = _watch(page)
    page.goto(live_server + "/?carte=communes", wait_until="networkidle")  # the choropleth tooltip has values
    page.wait_for_selector(".choro-row", timeout=30000)
    shown = page.evaluate("""(hostile) => {
        const div = document.createElement('div');
        div.style.cssText = 'position: fixed; left: 0; top: 0; width: 400px; height: 300px';
        document.body.appendChild(div);
        const map = L.map(div, {renderer: L.svg()}).setView([48.7, 6.2], 9);
        const at = L.latLng(48.7, 6.2);
        const feature = (properties) => ({type: 'Feature', properties: properties,
                                          geometry: {type: 'Point', coordinates: [6.2, 48.7]}});
        const t = window.tissu, layers = {
            coverageSupplier: t.coverage.supplier(feature({name: hostile, id: 'x'}), at),
            explorerPoint: t.map.pointToLayer(feature({n: hostile, f: 0, i: 0}), at, {hideout: {colors: []}}),
            partnerPin: t.map.partnerToLayer(feature({rank: 1, name: hostile, km: 3.2}), at),
            skillsSite: t.skills.siteToLayer(feature({tooltip: hostile, teaches: true}), at),
            skillsEmployer: t.skills.employerToLayer(feature({tooltip: hostile}), at),
        };
        const onEach = {coverageCommune: t.coverage.communeTooltip, choropleth: t.map.choroTooltip,
                        skillsArea: t.skills.areaTooltip};
        Object.keys(onEach).forEach((k) => {
            const layer = L.circleMarker(at);
            onEach[k](feature({nom: hostile, code: '54395'}), layer);
            layers[k] = layer;
        });
        const out = {};
        Object.keys(layers).forEach((k) => {
            const layer = layers[k].addTo(map);
            layer.openTooltip(at);
            const el = layer.getTooltip().getElement();
            out[k] = {text: el.textContent, elements: el.querySelectorAll('img, b').length};
            map.removeLayer(layer);
        });
        out.helper = t.coverage.supplierTooltipHtml(hostile);
        return out;
    }""", HOSTILE)
    helper = shown.pop("helper")
    assert "<" not in helper and helper.startswith("&lt;img")
    assert set(shown) == {"coverageSupplier", "explorerPoint", "partnerPin", "skillsSite", "skillsEmployer",
                          "coverageCommune", "choropleth", "skillsArea"}
    for name, tooltip in shown.items():
        assert HOSTILE in tooltip["text"], name  # the name is shown, as typed
        assert tooltip["elements"] == 0, name
    _assert_inert(page, dialogs)
    assert page.errors == []


def test_a_hostile_supplier_name_on_the_coverage_map_is_text(page, live_server):
    dialogs = _watch(page)
    page.add_init_script(CATCH_MAPS)

    def rename(payload):
        def visit(node):
            if node.get("type") == "Feature" and "name" in node.get("properties", {}):
                node["properties"]["name"] = HOSTILE
        _walk(payload, visit)
        return payload

    _inject(page, rename)
    page.goto(live_server + "/couverture?capability=forge&radius_km=25", wait_until="networkidle")
    page.wait_for_selector("#coverage-ranking .bars path", timeout=20000, state="attached")
    page.wait_for_function("() => (window.__maps || []).some((m) => { let n = 0;"
                           " m.eachLayer((l) => { if (l.getTooltip && l.getTooltip() && l.feature) { n++; } });"
                           " return n > 0; })", timeout=20000)
    tooltip = page.evaluate("""() => {
        for (const map of window.__maps) {
            let supplier = null;
            map.eachLayer((l) => { if (!supplier && l.feature && l.feature.properties.id && l.getTooltip()) { supplier = l; } });
            if (supplier) {
                supplier.openTooltip();
                const el = supplier.getTooltip().getElement();
                return {text: el.textContent, elements: el.querySelectorAll('*').length};
            }
        }
        return null;
    }""")
    assert tooltip == {"text": HOSTILE, "elements": 0}
    assert page.locator(".leaflet-tooltip").first.inner_text() == HOSTILE
    _assert_inert(page, dialogs)
    assert page.foreign_requests == []


def test_a_hostile_establishment_name_in_the_explorer_is_text(page, live_server):
    with urllib.request.urlopen(f"{live_server}/api/v1/establishments?departement=55&limit=1") as response:
        target = json.load(response)["items"][0]
    dialogs = _watch(page)

    def rename(payload):
        def visit(node):
            if "lat" in node and isinstance(node.get("n"), list):  # the explorer's point store
                node["n"] = [name + " " + HOSTILE if name == target["name"] else name for name in node["n"]]
        _walk(payload, visit)
        return payload

    _inject(page, rename)
    query = urllib.parse.urlencode({"q": target["name"], "lat": target["lat"], "lon": target["lon"], "zoom": 13})
    page.goto(f"{live_server}/?{query}", wait_until="networkidle")
    page.wait_for_selector("path.tissu-point", timeout=30000)
    page.locator("path.tissu-point").first.hover(force=True)
    page.wait_for_selector(".leaflet-tooltip", timeout=10000)
    tooltip = page.locator(".leaflet-tooltip").first
    assert tooltip.inner_text() == target["name"] + " " + HOSTILE
    assert tooltip.evaluate("e => e.querySelectorAll('*').length") == 0
    _assert_inert(page, dialogs)
    assert page.foreign_requests == []
