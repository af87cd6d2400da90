"""The network in Chromium: a member posts a need, a supplier's member sees it in "Mes opportunités" and asks
for an introduction, the buyer accepts, and both then see each other's contacts."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest
from auth_support import SUPPLIER, nearest_supplier, sign_in_page
from browser_support import choose_option, wait_dash_idle

from dashboard import ids

pytestmark = pytest.mark.browser

BUYER_EMAIL = "member@tests.tissu.example"
SUPPLIER_EMAIL = f"{SUPPLIER}@tests.tissu.example"


def _context_page(browser, base_url: str):
    """A second person's page (own cookies), blocking every other host like the `page` fixture."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="fr-FR")
    own = urllib.parse.urlparse(base_url).netloc
    context.route("**/*", lambda r: r.continue_() if urllib.parse.urlparse(r.request.url).netloc in ("", own)
                  else r.abort())
    return context, context.new_page()


def _supplier_and_label(live_server: str) -> tuple[str, str]:
    """The supplier account's establishment and the label of the capability the need asks for."""
    with urllib.request.urlopen(f"{live_server}/api/v1/establishments?limit=10000", timeout=60) as response:
        records = json.load(response)["items"]
    site, code = nearest_supplier(records)
    with urllib.request.urlopen(f"{live_server}/api/v1/capabilities", timeout=30) as response:
        labels = {c["code"]: c["label"] for f in json.load(response)["families"] for c in f["capabilities"]}
    return site, labels[code]


def _open_tab(page, label: str) -> None:
    page.click(f".view-tab:has-text('{label}')")
    wait_dash_idle(page)


def test_a_posted_need_reaches_a_supplier_who_asks_and_is_accepted(browser, page, live_server):
    _, label = _supplier_and_label(live_server)
    title = "Besoin du test navigateur"
    sign_in_page(page, live_server, "member")
    page.goto(f"{live_server}/reseau", wait_until="networkidle")
    page.click(".net-form-summary")
    page.fill(f"#{ids.NET_NEED_TITLE}", title)
    choose_option(page, f"#{ids.NET_NEED_CAPABILITIES}", label, typed=label[:6])
    page.fill(f"#{ids.NET_NEED_RADIUS}", "60")
    page.click(f"#{ids.NET_NEED_SUBMIT}")
    page.wait_for_selector(f"#{ids.NET_NEED_MESSAGE}:has-text('publié')", timeout=30000)
    assert page.locator(f"#{ids.NET_MATCHES} .net-card").count() > 0  # the suppliers, with their "pourquoi"
    assert "Pourquoi" in page.inner_text(f"#{ids.NET_MATCHES}")

    context, other = _context_page(browser, live_server)
    try:
        sign_in_page(other, live_server, SUPPLIER)
        other.goto(f"{live_server}/reseau", wait_until="networkidle")
        _open_tab(other, "Mes opportunités")
        card = other.locator(f"#{ids.NET_OPPORTUNITIES} .net-card:has-text('{title}')")
        card.locator("button").click()
        other.wait_for_selector(f"#{ids.NET_ASK_MESSAGE}:has-text('Demande envoyée')", timeout=30000)
        _open_tab(other, "Mises en relation")
        assert "Coordonnées visibles dès que les deux parties ont accepté" in other.inner_text(f"#{ids.NET_INTRO_LIST}")
        assert BUYER_EMAIL not in other.content()

        page.goto(f"{live_server}/reseau", wait_until="networkidle")
        _open_tab(page, "Mises en relation")
        request = page.locator(f"#{ids.NET_INTRO_LIST} .net-card:has-text('{title}')").first
        assert SUPPLIER_EMAIL not in page.content()
        request.locator("button:has-text('Accepter')").click()
        page.wait_for_selector(f"#{ids.NET_INTRO_MESSAGE}:has-text('acceptée')", timeout=30000)
        accepted = page.locator(f"#{ids.NET_INTRO_LIST} .net-card:has-text('{title}')").first.inner_text()
        assert SUPPLIER_EMAIL in accepted and BUYER_EMAIL in accepted

        other.goto(f"{live_server}/reseau", wait_until="networkidle")
        _open_tab(other, "Mises en relation")
        seen = other.locator(f"#{ids.NET_INTRO_LIST} .net-card:has-text('{title}')").first.inner_text()
        assert BUYER_EMAIL in seen and SUPPLIER_EMAIL in seen
        _open_tab(other, "Besoins")  # the supplier sees the need, never its "Modifier" nor "Clore"
        theirs = other.locator(f"#{ids.NET_NEEDS_LIST} .net-card:has-text('{title}')")
        assert theirs.count() == 1 and theirs.locator("button:has-text('Modifier')").count() == 0
        assert theirs.locator("button:has-text('Clore')").count() == 0
    finally:
        context.close()
    _edit_then_close(page, live_server, title)
    assert not page.errors, page.errors


def _edit_then_close(page, live_server: str, title: str) -> None:
    """The buyer selects the need (highlighted), edits it through the pre-filled form (a bad radius is refused in
    French, then a good change is saved), then closes it after the confirmation: it leaves the list."""
    page.goto(f"{live_server}/reseau", wait_until="networkidle")
    card = page.locator(f"#{ids.NET_NEEDS_LIST} .net-card:has-text('{title}')")
    card.locator("button:has-text('Fournisseurs proches')").click()
    page.wait_for_selector(f"#{ids.NET_NEEDS_LIST} .net-card-selected:has-text('{title}')", timeout=30000)
    page.wait_for_selector(".net-point-buyer", state="attached", timeout=30000)  # its marker on the map
    card = page.locator(f"#{ids.NET_NEEDS_LIST} .net-card:has-text('{title}')")
    card.locator("button:has-text('Modifier')").click()
    page.wait_for_selector(f"#{ids.NET_NEED_EDIT_TITLE}", timeout=30000)
    assert page.input_value(f"#{ids.NET_NEED_EDIT_TITLE}") == title  # pre-filled
    assert page.input_value(f"#{ids.NET_NEED_EDIT_RADIUS}") == "60"
    page.fill(f"#{ids.NET_NEED_EDIT_RADIUS}", "900")
    page.click(f"#{ids.NET_NEED_EDITOR} button:has-text('Enregistrer')")
    page.wait_for_selector(f"#{ids.NET_NEED_MESSAGE}:has-text('Rayon')", timeout=30000)
    edited = f"{title} (modifié)"
    page.fill(f"#{ids.NET_NEED_EDIT_RADIUS}", "70")
    page.fill(f"#{ids.NET_NEED_EDIT_TITLE}", edited)
    page.click(f"#{ids.NET_NEED_EDITOR} button:has-text('Enregistrer')")
    page.wait_for_selector(f"#{ids.NET_NEED_MESSAGE}:has-text('modifié')", timeout=30000)
    assert page.locator(f"#{ids.NET_NEEDS_LIST} .net-card-selected:has-text('{edited}')").count() == 1
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.locator(f"#{ids.NET_NEEDS_LIST} .net-card:has-text('{edited}') button:has-text('Clore')").click()
    page.wait_for_selector(f"#{ids.NET_NEED_MESSAGE}:has-text('clos')", timeout=30000)
    assert asked and "Clore le besoin" in asked[0]
    assert page.locator(f"#{ids.NET_NEEDS_LIST} .net-card:has-text('{edited}')").count() == 0


def test_a_member_asks_a_partner_search_result_who_accepts(browser, page, live_server):
    """From /partenaires, a member asks the supplier found near their site; the supplier accepts on /reseau; both
    then see each other's contacts, which neither saw before."""
    import re

    with urllib.request.urlopen(f"{live_server}/api/v1/establishments?limit=10000", timeout=60) as response:
        site, capability = nearest_supplier(json.load(response)["items"])
    sign_in_page(page, live_server, "member")
    page.goto(f"{live_server}/partenaires?site=DEMO-0000001&capability={capability}", wait_until="networkidle")
    ask = page.locator(f".partner-item[data-id='{site}'] .partner-ask")
    ask.wait_for(timeout=30000)
    ask.click()
    page.wait_for_selector(f"#{ids.PARTNER_ASK_MESSAGE}:has-text('envoyée')", timeout=30000)
    number = re.search(r"n° (\d+)", page.inner_text(f"#{ids.PARTNER_ASK_MESSAGE}")).group(1)
    card = f"#net-intro-{number}"

    context, other = _context_page(browser, live_server)
    try:
        sign_in_page(other, live_server, SUPPLIER)
        other.goto(f"{live_server}/reseau", wait_until="networkidle")
        _open_tab(other, "Mises en relation")
        assert "Recherche de partenaires" in other.inner_text(card)
        assert BUYER_EMAIL not in other.inner_text(card)
        other.locator(f"{card} button:has-text('Accepter')").click()
        other.wait_for_selector(f"#{ids.NET_INTRO_MESSAGE}:has-text('acceptée')", timeout=30000)
        seen = other.inner_text(card)
        assert BUYER_EMAIL in seen and SUPPLIER_EMAIL in seen
    finally:
        context.close()
    page.goto(f"{live_server}/reseau", wait_until="networkidle")
    _open_tab(page, "Mises en relation")
    mine = page.inner_text(card)
    assert BUYER_EMAIL in mine and SUPPLIER_EMAIL in mine and "Acceptée" in mine
    assert not page.errors, page.errors
