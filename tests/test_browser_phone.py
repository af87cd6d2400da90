"""Every page on a phone (390×844, touch) and a narrow tablet (768 wide): no horizontal scroll, controls in reach."""

import json
import urllib.parse
import urllib.request

import pytest
from auth_support import sign_in_page
from browser_support import choose_option
from playwright.sync_api import expect

from dashboard import ids
from dashboard.pages import PAGES

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}

# Boxes that scroll sideways on purpose: the header's navigation, wide tables in their own scroller, and what
# AG Grid and Leaflet manage inside themselves. Anything else scrolling sideways is a page wider than the screen.
SIDEWAYS_ALLOWED = "#nav, .table-scroll, .skills-table-box, .ag-root-wrapper, .leaflet-container"

_SIDEWAYS = """(allowed) => {
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const overflow = getComputedStyle(el).overflowX;
    if ((overflow === 'auto' || overflow === 'scroll') && el.scrollWidth > el.clientWidth + 1
        && !el.closest(allowed)) {
      wide.push(`${el.tagName.toLowerCase()}.${String(el.className).split(' ')[0]}: ${el.scrollWidth} px`);
    }
  }
  return {page: document.documentElement.scrollWidth, boxes: wide};
}"""


@pytest.fixture()
def phone(browser, live_server):
    """A signed-in (admin) phone page that blocks other hosts, as `page` does."""
    context = browser.new_context(viewport=PHONE, locale="fr-FR", is_mobile=True, has_touch=True)
    page = context.new_page()
    own = urllib.parse.urlparse(live_server).netloc
    page.errors = []
    page.route("**/*", lambda r: r.abort() if urllib.parse.urlparse(r.request.url).netloc not in ("", own)
               else r.continue_())
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


def _open(page, url: str) -> None:
    page.goto(url, wait_until="networkidle")
    page.wait_for_selector("#page > *", timeout=20000)
    page.wait_for_timeout(400)  # late layout: figures and grids size themselves after the first paint


def test_every_page_fits_a_phone_and_a_tablet(phone, live_server):
    sign_in_page(phone, live_server, "admin")  # reserved pages render for the admin, the rest as for anyone
    too_wide = {}
    for size in (PHONE, TABLET):
        phone.set_viewport_size(size)
        for page in PAGES:
            _open(phone, live_server + page.path)
            found = phone.evaluate(_SIDEWAYS, SIDEWAYS_ALLOWED)
            if found["page"] > size["width"] or found["boxes"]:
                too_wide[f"{page.path} at {size['width']}"] = found
    assert not too_wide, too_wide
    assert not phone.errors, phone.errors


def test_the_explorer_folds_its_filters_behind_a_button_then_shows_the_map(phone, live_server):
    _open(phone, live_server + "/")
    toggle, panel = phone.locator("#filter-toggle"), phone.locator("#filter-panel")
    assert toggle.is_visible() and not panel.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    map_box = phone.locator("#explorer-map").bounding_box()
    assert map_box["width"] >= 380 and map_box["height"] >= 380  # a usable map, under the KPIs

    toggle.click()  # a clientside callback answers after the click returns: wait for it, do not sample
    expect(panel).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    choose_option(phone, "#filter-departement", "57 Moselle")
    phone.keyboard.press("Escape")
    phone.wait_for_function("() => document.getElementById('filter-toggle').innerText.includes('Filtres (1)')",
                            timeout=10000)
    phone.wait_for_function("() => location.search.includes('departement=57')", timeout=10000)  # once drawn

    toggle.click()
    expect(panel).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_desktop_explorer_keeps_its_filters_open_without_the_button(page, live_server):
    page.goto(live_server + "/", wait_until="networkidle")
    page.wait_for_selector("#filter-panel", timeout=20000)
    assert page.locator("#filter-panel").is_visible()
    assert not page.locator("#filter-toggle").is_visible()


def test_partners_on_a_phone_list_the_results_before_the_map(phone, live_server):
    _open(phone, live_server + "/partenaires")
    controls = phone.locator(".partners .side-panel").bounding_box()
    results = phone.locator(".partner-results").bounding_box()
    map_box = phone.locator("#partner-map").bounding_box()
    assert controls["y"] < results["y"] < map_box["y"]
    for box in (controls, results, map_box):
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1
    assert map_box["height"] >= 300


def test_the_establishment_card_on_a_phone_covers_the_map_controls(phone, live_server):
    """The card spans the phone's width: the map's zoom buttons must not sit over its title."""
    with urllib.request.urlopen(f"{live_server}/api/v1/establishments?limit=1") as response:
        site_id = json.load(response)["items"][0]["id"]
    _open(phone, f"{live_server}/?etab={site_id}")
    expect(phone.locator(f"#{ids.CARD}.open .card-title")).to_be_visible(timeout=15000)
    zoom_in = phone.locator(f"#{ids.MAP} .leaflet-control-zoom-in").bounding_box()
    card = phone.locator(f"#{ids.CARD}").bounding_box()
    assert card["x"] <= zoom_in["x"] and card["y"] <= zoom_in["y"]  # the card lies over where the buttons are
    on_top = phone.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('.card-drawer') !== null",
                            [zoom_in["x"] + zoom_in["width"] / 2, zoom_in["y"] + zoom_in["height"] / 2])
    assert on_top
