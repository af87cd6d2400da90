"""The partner page in real Chromium: pick an origin and a need, see the shortlist, share the link."""

import json
import urllib.parse
import urllib.request

import pytest
from browser_support import choose_option

pytestmark = pytest.mark.browser


def test_origin_and_capability_give_a_ranked_list_and_a_shareable_link(page, live_server):
    page.goto(live_server + "/partenaires", wait_until="networkidle")
    page.click("text=Une commune")
    choose_option(page, "#partner-origin-commune", "Commercy (55)", typed="Commercy")
    choose_option(page, "#partner-capability", "Soudure TIG", typed="Soudure TIG")
    page.keyboard.press("Escape")
    page.wait_for_selector(".partner-item", timeout=15000)
    page.wait_for_function("() => location.search.includes('capability=soudure_tig')", timeout=10000)

    with urllib.request.urlopen(f"{live_server}/api/v1/partners?commune=55122&capability=soudure_tig") as response:
        api = json.load(response)
    names = page.locator(".partner-name").all_inner_texts()
    assert names == [i["name"] for i in api["items"]]
    # The first ten are numbered markers, the rest small points (services.partners.NUMBERED_MARKERS).
    assert page.locator(".partner-pin").count() == min(10, len(names))
    assert page.locator("path.partner-dot").count() == max(0, len(names) - 10)
    assert page.locator(".partner-pin span").all_inner_texts() == [str(i) for i in range(1, min(10, len(names)) + 1)]
    assert page.locator(".partner-why").first.inner_text().startswith("1 savoir-faire demandé sur 1")
    assert "Commercy" in page.locator("#partner-summary").inner_text()

    shared = page.url
    params = urllib.parse.parse_qs(urllib.parse.urlparse(shared).query)
    assert params["commune"] == ["55122"] and params["capability"] == ["soudure_tig"]
    page.goto(shared, wait_until="networkidle")
    page.wait_for_selector(".partner-item", timeout=15000)
    assert page.locator(".partner-name").all_inner_texts() == names
    assert page.errors == [] and page.foreign_requests == []


def test_widen_button_doubles_the_radius(page, live_server):
    for query in (f"commune={c}&capability={k}&radius_km=10" for c in ("55122", "88160", "57463")
                  for k in ("soudure_tig", "tournage", "maintenance_industrielle")):
        with urllib.request.urlopen(f"{live_server}/api/v1/partners?{query}") as response:
            narrow = json.load(response)
        if narrow["beyond_radius"] > 0:
            break
    assert narrow["beyond_radius"] > 0, "no query with candidates between 10 and 20 km"
    page.goto(f"{live_server}/partenaires?{query}", wait_until="networkidle")
    page.wait_for_selector("#partner-widen", state="visible", timeout=15000)
    assert page.locator("#partner-widen").inner_text() == "Élargir à 20 km"
    page.click("#partner-widen")
    page.wait_for_function("() => location.search.includes('radius_km=20')", timeout=10000)
    expected = narrow["total_in_radius"] + narrow["beyond_radius"]
    page.wait_for_function("(n) => document.querySelector('#partner-summary strong').innerText.startsWith(n + ' ')",
                           arg=str(expected), timeout=10000)


def test_card_link_opens_the_partner_page_with_the_site_and_its_context(page, live_server):
    with urllib.request.urlopen(f"{live_server}/api/v1/establishments?departement=57&capability=tournage"
                                "&limit=50") as response:
        site = [i for i in json.load(response)["items"] if len(i["capabilities"]) >= 2][0]
    page.goto(f"{live_server}/?etab={site['id']}", wait_until="networkidle")
    page.click("text=Trouver des partenaires près de ce site")
    page.wait_for_url("**/partenaires?site=*", timeout=10000)
    page.wait_for_function("() => location.search.includes('capability=')", timeout=15000)
    params = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    assert params["match"] == ["peers"] and set(params["capability"][0].split(",")) == set(site["capabilities"])
    summary = page.locator("#partner-summary").inner_text()
    assert site["name"] in summary and "Contexte : pairs de" in summary
    assert page.locator("#partner-match input[value=peers]").is_checked()
    peers = page.locator(".partner-name").all_inner_texts()

    page.click("text=Fournisseurs complémentaires")  # the user changes the context: the need and the link follow
    page.wait_for_function("() => location.search.includes('match=complementary')", timeout=10000)
    page.wait_for_function("() => document.querySelector('#partner-summary').innerText"
                           ".includes('fournisseurs complémentaires de')", timeout=10000)
    params = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    assert not set(params["capability"][0].split(",")) & set(site["capabilities"])
    assert page.locator(".partner-name").all_inner_texts() != peers
    assert page.errors == [] and page.foreign_requests == []


def test_export_before_an_origin_is_chosen_explains_instead_of_failing(page, live_server):
    page.goto(live_server + "/partenaires", wait_until="networkidle")
    page.wait_for_selector("#partner-summary .partner-empty", timeout=15000)
    for button in ("#partner-export-csv", "#partner-export-xlsx"):
        page.click(button)
        page.wait_for_function(
            "() => document.querySelector('#partner-summary').innerText.includes('Export impossible')", timeout=10000)
    assert page.errors == []


def test_the_origin_commune_search_ranks_and_ignores_spelling(page, live_server):
    page.goto(live_server + "/partenaires", wait_until="networkidle")
    page.click("text=Une commune")
    page.click("#partner-origin-commune")
    page.keyboard.type("Metz")
    first = ".dash-dropdown-option >> nth=0"
    page.wait_for_function("() => { const o = document.querySelector('.dash-dropdown-option');"
                           " return o && o.innerText.trim().startsWith('Metz (57)'); }", timeout=15000)
    shown = page.locator(".dash-dropdown-option").all_inner_texts()
    assert not any(t.strip().startswith(("Jametz", "Aumetz")) for t in shown)  # 'metz' starts no word of theirs
    page.keyboard.press("Control+A")
    page.keyboard.type("st-die")  # no accent, abbreviated Saint: the server's ranking survives the dropdown's filter
    page.wait_for_function("() => { const o = document.querySelector('.dash-dropdown-option');"
                           " return o && o.innerText.includes('Saint-Dié-des-Vosges'); }", timeout=15000)
    page.click(first)
    page.wait_for_function("() => location.search.includes('commune=88413')", timeout=10000)
    assert page.errors == [] and page.foreign_requests == []


def test_the_starting_point_is_labelled_on_the_map(page, live_server):
    """The origin's label is shown without hovering (a hover never reached the dot, on a canvas under the pins)."""
    page.goto(f"{live_server}/partenaires?commune=55122&capability=soudure_tig", wait_until="networkidle")
    page.wait_for_selector(".partner-item", timeout=15000)
    label = page.locator(".leaflet-tooltip.origin-label")
    label.wait_for(state="visible", timeout=10000)
    assert label.inner_text() == "Départ : Commercy (55)"
    assert page.errors == [] and page.foreign_requests == []
