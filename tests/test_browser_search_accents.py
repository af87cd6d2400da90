"""Dropdowns filtered in the browser find a place however its accents and case are typed (Dash filters the
options with the typed text as is: each option's `search` field carries the plain spellings)."""

import pytest
from browser_support import choose_option

pytestmark = pytest.mark.browser


def _wait_param(page, name: str, value: str) -> None:
    page.wait_for_function("([n, v]) => new URLSearchParams(location.search).get(n) === v", arg=[name, value],
                           timeout=20000)


def test_accented_and_plain_typing_find_the_same_bassin(page, live_server):
    page.goto(live_server + "/competences", wait_until="networkidle")
    page.wait_for_selector("#skills-territory", timeout=30000)
    for typed, other in (("épinal", "Metz (57)"), ("Epinal", "Nancy (54)"), ("epinal", "Metz (57)"),
                         ("ÉPINAL", "Nancy (54)")):
        choose_option(page, "#skills-territory", other, typed=other.split(" ")[0].lower())
        _wait_param(page, "territoire", "DEMO-4410" if other.startswith("Metz") else "DEMO-4412")
        choose_option(page, "#skills-territory", "Épinal (88)", typed=typed)
        _wait_param(page, "territoire", "DEMO-4407")
    assert page.errors == [] and page.foreign_requests == []


def test_the_fiche_and_the_explorer_find_saint_die_without_its_accent(page, live_server):
    page.goto(live_server + "/fiche?niveau=zone_emploi&code=4410", wait_until="networkidle")
    page.wait_for_selector("#fiche-territory", timeout=30000)
    choose_option(page, "#fiche-territory", "Saint-Dié-des-Vosges", typed="saint-die")
    page.wait_for_function("() => document.getElementById('fiche-open').getAttribute('href').endsWith('code=4417')",
                           timeout=20000)
    page.goto(live_server + "/", wait_until="networkidle")
    page.wait_for_selector(".marker-cluster", timeout=30000)
    choose_option(page, "#filter-zone-emploi", "Épinal", typed="epinal")
    page.keyboard.press("Escape")
    _wait_param(page, "zone_emploi", "4407")
    assert page.errors == [] and page.foreign_requests == []


def test_the_territoire_d_industrie_filter_counts_what_the_api_counts(ti_page, ti_server):
    """Once the ANCT list is imported, the explorer's filter selects the territory's communes in the browser, as
    the API does, and the link keeps it."""
    import json
    import urllib.request

    def api_total(query: str) -> int:
        with urllib.request.urlopen(f"{ti_server}/api/v1/establishments?{query}&limit=1") as response:
            return json.load(response)["total"]

    def kpi_is(n: int) -> None:
        ti_page.wait_for_function("(n) => { const e = document.getElementById('kpi-establishments');"
                                  " return e && e.innerText.replace(/\\D/g, '') === String(n); }", arg=n,
                                  timeout=20000)

    ti_page.goto(ti_server + "/", wait_until="networkidle")
    ti_page.wait_for_selector(".marker-cluster", timeout=30000)
    choose_option(ti_page, "#filter-territoire-industrie", "Nord Lorraine", typed="nord")
    ti_page.keyboard.press("Escape")
    kpi_is(api_total("territoire_industrie=ti-4401"))
    _wait_param(ti_page, "territoire_industrie", "ti-4401")
    ti_page.goto(ti_server + "/?territoire_industrie=ti-4402", wait_until="networkidle")
    ti_page.wait_for_selector(".marker-cluster", timeout=30000)
    kpi_is(api_total("territoire_industrie=ti-4402"))
    assert ti_page.errors == [] and ti_page.foreign_requests == []
