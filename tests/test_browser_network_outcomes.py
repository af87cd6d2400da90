"""The staff's Résultats tab and the fiche's Réseau section in Chromium: the funnel is drawn, the period filter
answers, the fiche shows the section without a rendering error; a member sees neither."""

from __future__ import annotations

import pytest
from auth_support import sign_in_page
from browser_support import wait_dash_idle

from dashboard import ids

pytestmark = pytest.mark.browser


def test_staff_see_the_results_funnel_and_filter_the_period(page, live_server):
    sign_in_page(page, live_server, "staff")
    page.goto(f"{live_server}/reseau", wait_until="networkidle")
    page.click(".view-tab:has-text('Résultats')")
    page.wait_for_selector(f"#{ids.NET_OUT_FUNNEL} .js-plotly-plot .ytick", timeout=30000)
    funnel = page.inner_text(f"#{ids.NET_OUT_FUNNEL}")
    assert "Demandée" in funnel and "Commande" in funnel and "\u00a0%" in funnel  # French percentages
    assert "Proxi indus 2027" in page.inner_text(f"#{ids.NET_OUT_RESULTS}")
    page.click(f"#{ids.NET_OUT_PERIOD} label:has-text('3 derniers mois')")
    page.wait_for_selector(f"#{ids.NET_OUT_RESULTS}:has-text('créées : 3 derniers mois')", timeout=30000)
    wait_dash_idle(page)
    page.goto(f"{live_server}/fiche?niveau=departement&code=57", wait_until="networkidle")
    page.wait_for_selector("#fiche-network .js-plotly-plot", timeout=60000)
    assert "Réseau : mises en relation et commandes" in page.inner_text("#fiche-network")
    assert not [e for e in page.errors if "React" in e or "Minified" in e], page.errors


def test_a_member_gets_neither_the_tab_nor_the_fiche_section(page, live_server):
    sign_in_page(page, live_server, "member")
    page.goto(f"{live_server}/reseau", wait_until="networkidle")
    page.wait_for_selector(".view-tab:has-text('Mises en relation')")
    assert page.locator(".view-tab:has-text('Résultats')").count() == 0
    page.goto(f"{live_server}/fiche?niveau=departement&code=57", wait_until="networkidle")
    page.wait_for_selector(".fiche-sheet", timeout=60000)
    assert page.locator("#fiche-network").count() == 0
