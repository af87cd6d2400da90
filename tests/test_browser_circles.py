"""Circles in Chromium: a member asks to join a circle for their site, staff accept, the member registers for a
session to come and the seat count moves."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest
from auth_support import sign_in_page
from browser_support import choose_option, wait_dash_idle

from dashboard import ids

pytestmark = pytest.mark.browser


def _context_page(browser, base_url: str):
    """A second person's page (own cookies), blocking every other host like the `page` fixture."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="fr-FR")
    own = urllib.parse.urlparse(base_url).netloc
    context.route("**/*", lambda r: r.continue_() if urllib.parse.urlparse(r.request.url).netloc in ("", own)
                  else r.abort())
    return context, context.new_page()


def _open_circle(page, live_server: str) -> int:
    """The first circle the member may join that has a session to come with seats left; its page is open."""
    with urllib.request.urlopen(f"{live_server}/api/v1/circles", timeout=60) as response:
        items = json.load(response)["items"]
    for item in items:
        if not any(s["upcoming"] and not s["full"] for s in item["sessions"]):
            continue
        page.goto(f"{live_server}/cercles/cercle?id={item['id']}", wait_until="networkidle")
        if page.locator(f"#{ids.CIRCLE_JOIN_SUBMIT}").count():
            return int(item["id"])
    raise AssertionError("no circle to join")


def test_a_member_joins_is_accepted_and_registers(browser, page, live_server):
    sign_in_page(page, live_server, "member")
    circle_id = _open_circle(page, live_server)
    site_label = page.inner_text(f"#{ids.CIRCLE_JOIN_SITE}").strip()
    site_name = site_label.split(" – ")[0].strip()
    choose_option(page, f"#{ids.CIRCLE_JOIN_SITE}", site_label)  # the member's site (the only one here)
    page.fill(f"#{ids.CIRCLE_JOIN_MESSAGE}", "Nous aimerions partager nos pratiques.")
    page.click(f"#{ids.CIRCLE_JOIN_SUBMIT}")
    page.wait_for_selector(f"#{ids.CIRCLE_MESSAGE}:has-text('Demande envoyée')", timeout=30000)
    assert "Demande en attente" in page.inner_text(f"#{ids.CIRCLE_MEMBERS}")

    context, staff = _context_page(browser, live_server)
    try:
        sign_in_page(staff, live_server, "staff")
        staff.goto(f"{live_server}/cercles/cercle?id={circle_id}", wait_until="networkidle")
        request = staff.locator(f"#{ids.CIRCLE_PENDING} .net-card:has-text('{site_name}')").first
        assert "Nous aimerions partager nos pratiques." in request.inner_text()
        request.locator("button:has-text('Accepter')").click()
        staff.wait_for_selector(f"#{ids.CIRCLE_MESSAGE}:has-text('Demande acceptée')", timeout=30000)
        assert site_name in staff.inner_text(f"#{ids.CIRCLE_MEMBERS}")
    finally:
        context.close()

    page.goto(f"{live_server}/cercles/cercle?id={circle_id}", wait_until="networkidle")
    assert "Membre" in page.inner_text(f"#{ids.CIRCLE_MEMBERS}")
    card = page.locator(f"#{ids.CIRCLE_SESSIONS} .net-card:has(button:has-text('S\\'inscrire'))").first
    before = card.inner_text()
    card.locator("button:has-text('S\\'inscrire')").click()
    page.wait_for_selector(f"#{ids.CIRCLE_MESSAGE}:has-text('Inscription enregistrée')", timeout=30000)
    wait_dash_idle(page)
    assert page.locator(f"#{ids.CIRCLE_SESSIONS} button:has-text('Se désinscrire')").count() == 1
    assert site_name in page.inner_text(f"#{ids.CIRCLE_SESSIONS}") and before
    assert not page.errors, page.errors
