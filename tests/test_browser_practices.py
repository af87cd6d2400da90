"""Practice sheets in Chromium: a member writes a sheet (a hostile one is refused in French) and submits it, staff
publish it from the review queue, the public finds it by an unaccented search and reads it without the contact;
and sheets whose stored Markdown is hostile render as text: no dialog, no script, no foreign request."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest
from auth_support import sign_in_page
from browser_support import choose_option, wait_dash_idle

from dashboard import ids

pytestmark = pytest.mark.browser

PATH = "/cercles/pratiques"
TITLE = "Récupération des eaux de lavage en tôlerie (test navigateur)"
CONTACT = "contact-navigateur@usine-test.example"


def _context_page(browser, base_url: str):
    """A second person's page (own cookies), blocking every other host like the `page` fixture."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="fr-FR")
    own = urllib.parse.urlparse(base_url).netloc
    context.route("**/*", lambda r: r.continue_() if urllib.parse.urlparse(r.request.url).netloc in ("", own)
                  else r.abort())
    return context, context.new_page()


def _watch(page) -> list[str]:
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return dialogs


def _fill_sheet(page, problem: str) -> None:
    page.fill(f"#{ids.PRAC_TITLE}", TITLE)
    page.fill(f"#{ids.PRAC_PROBLEM}", problem)
    page.fill(f"#{ids.PRAC_ACTIONS}", "- Bac de décantation\n- Filtre à **poches**")
    page.fill(f"#{ids.PRAC_RESULTS}", "Eau achetée : −45 %. Voir [le guide](https://www.ademe.fr).")
    page.fill(f"#{ids.PRAC_CONTACT}", CONTACT)


def test_a_member_writes_staff_publish_the_public_reads_without_the_contact(browser, page, live_server):
    dialogs = _watch(page)
    sign_in_page(page, live_server, "member")
    page.goto(f"{live_server}{PATH}?onglet=mes-fiches", wait_until="networkidle")
    page.fill(f"#{ids.PRAC_PROBLEM}", "a" * (1 << 20))  # a 1 MB paste stops at the field's cap
    assert page.eval_on_selector(f"#{ids.PRAC_PROBLEM}", "(e) => e.value.length") == 6000
    _fill_sheet(page, "<script>window.__pwned=1</script> Trop d'eau **perdue**.")
    choose_option(page, f"#{ids.PRAC_THEMES}", "Énergie et décarbonation", typed="energ")
    page.click(f"#{ids.PRAC_SUBMIT}")
    page.wait_for_selector(f"#{ids.PRAC_FORM_MESSAGE}:has-text(\"le HTML n'est pas accepté\")", timeout=30000)
    page.fill(f"#{ids.PRAC_PROBLEM}", "Trop d'eau **perdue** au dégraissage.")
    page.click(f"#{ids.PRAC_SUBMIT}")
    page.wait_for_selector(f"#{ids.PRAC_FORM_MESSAGE}:has-text('soumise à la relecture')", timeout=30000)
    assert page.locator(f"#{ids.PRAC_MINE} .prac-card:has-text('{TITLE}') .prac-status").inner_text() == "En relecture"

    context, staff = _context_page(browser, live_server)
    try:
        sign_in_page(staff, live_server, "staff")
        staff.goto(f"{live_server}{PATH}?onglet=relecture", wait_until="networkidle")
        card = staff.locator(f"#{ids.PRAC_QUEUE} .prac-review:has-text('{TITLE}')")
        assert card.locator("strong:has-text('perdue')").count() == 1  # the Markdown, rendered
        card.locator("button:has-text('Publier')").click()
        staff.wait_for_selector(f"#{ids.PRAC_REVIEW_MESSAGE}:has-text('publiée')", timeout=30000)
        wait_dash_idle(staff)
        assert staff.locator(f"#{ids.PRAC_QUEUE} .prac-review:has-text('{TITLE}')").count() == 0
    finally:
        context.close()

    context, public = _context_page(browser, live_server)
    try:
        public.goto(f"{live_server}{PATH}", wait_until="networkidle")
        public.fill(f"#{ids.PRAC_SEARCH}", "recuperation eaux lavage")
        public.keyboard.press("Enter")
        link = public.locator(f"#{ids.PRAC_LIST} a.prac-card-title:has-text('{TITLE}')")
        link.wait_for(timeout=30000)
        link.click()
        public.wait_for_selector(f"#{ids.PRAC_SHEET} .prac-sheet-title:has-text('{TITLE}')", timeout=30000)
        sheet = public.locator(f"#{ids.PRAC_SHEET}")
        assert sheet.locator("a[href='https://www.ademe.fr'][rel='noopener noreferrer nofollow']").count() == 1
        assert "Contact visible des adhérents connectés" in sheet.inner_text()
        assert CONTACT not in public.content()
    finally:
        context.close()
    page.goto(f"{live_server}{PATH}?onglet=mes-fiches", wait_until="networkidle")
    assert page.locator(f"#{ids.PRAC_MINE} .prac-card:has-text('{TITLE}') .prac-status").inner_text() == "Publiée"
    assert page.evaluate("() => window.__pwned") is None and dialogs == []
    assert not page.errors, page.errors


def test_hostile_stored_markdown_renders_as_text(hostile_page, hostile_server):
    from hostile_data import MARKDOWN

    page = hostile_page
    dialogs = _watch(page)
    with urllib.request.urlopen(f"{hostile_server}/api/v1/practices?limit=20", timeout=30) as response:
        sheets = json.load(response)["items"]
    assert len(sheets) >= 4
    for item in sheets[:4]:
        page.goto(f"{hostile_server}{PATH}?fiche={item['id']}", wait_until="networkidle")
        page.wait_for_selector(f"#{ids.PRAC_SHEET} .prac-sheet", timeout=20000)
        page.wait_for_timeout(500)  # a broken <img> fires onerror asynchronously
        sheet = page.locator(f"#{ids.PRAC_SHEET}")
        assert sheet.locator("script, img, svg, iframe, [onerror], [onload], [style]").count() == 0
        hrefs = sheet.locator(".rich-text a").evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
        assert all(h is None or h.startswith(("https://", "http://", "mailto:")) for h in hrefs), hrefs
        assert "<script>" in sheet.inner_text()  # not vacuous: the payload is on screen, as text
    assert page.evaluate("() => window.__pwned") is None
    assert dialogs == [] and page.foreign_requests == []
    assert any("javascript:" in m for m in MARKDOWN)
