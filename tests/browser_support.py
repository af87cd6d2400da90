"""Helpers for browser tests that drive Dash widgets the way a person does, robust to a slow server."""

from __future__ import annotations

import contextlib
import json
import time
import urllib.request

from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

OPTION = ".dash-dropdown-option"
SEARCH = "input.dash-dropdown-search:visible"


def option_locator(page: Page, label: str):
    return page.locator(f"{OPTION}:has-text({json.dumps(label, ensure_ascii=False)})").first


def choose_option(page: Page, dropdown: str, label: str, typed: str | None = None, timeout_s: float = 45) -> None:
    """Open the dropdown `dropdown` (a selector), type `typed` into its search if given, click the option `label`.

    A server answer (ranked search results, a payload) replaces a dropdown's options while it is open; a click
    that lands during that re-render finds its element detached, and on a loaded machine the answers can keep
    coming for seconds. So: wait until no callback is pending, click, and on a timeout
    re-open the dropdown (and type again) if the re-render closed it, until `timeout_s`.

    The text goes into the list's search field itself: when a dropdown that has a value re-opens, Dash focuses
    the selected option rather than the search field, so keystrokes alone would not filter anything."""
    option = option_locator(page, label)
    deadline = time.monotonic() + timeout_s
    _open_and_search(page, dropdown, typed)
    while True:
        _settle(page, deadline)
        try:
            option.click(timeout=5000)
            return
        except PlaywrightTimeoutError:
            if time.monotonic() > deadline:
                raise
            if page.locator(OPTION).count() == 0:  # the list closed: open it and search again
                _open_and_search(page, dropdown, typed)
            elif typed:
                _search(page, typed)


def _open_and_search(page: Page, dropdown: str, typed: str | None) -> None:
    page.click(dropdown)
    if typed:
        _search(page, typed)


def _search(page: Page, typed: str) -> None:
    """Type `typed` into the open list's search field as a person does, key by key (Dash filters on input)."""
    field = page.locator(SEARCH).first
    field.wait_for(state="visible", timeout=5000)
    field.fill("")
    field.press_sequentially(typed)


def wait_dash_idle(page: Page, timeout_s: float = 20) -> None:
    """Wait until no Dash callback is pending (the renderer shows `._dash-loading-callback` while one is)."""
    page.wait_for_function("() => !document.querySelector('._dash-loading-callback')", timeout=timeout_s * 1000)


def _settle(page: Page, deadline: float) -> None:
    with contextlib.suppress(PlaywrightTimeoutError):  # still busy: click anyway, the loop retries
        wait_dash_idle(page, max(1.0, min(15.0, deadline - time.monotonic())))


# The choropleth layer's values per unit, as the page last set them (its `hideout`, from Dash's store).
_CHORO_VALUES = """() => { const s = window.store.getState(), path = s.paths.strs['explorer-choropleth'];
    const hideout = path.reduce((node, key) => node[key], s.layout).props.hideout || {};
    return hideout.values || null; }"""


def assert_choropleth_follows_filters(page: Page, server: str) -> None:
    """Colour the explorer's map by department as a person does, then filter: each time the layer's values are
    the API's (`/api/v1/map/units`) for the same filters, the legend is drawn and the address bar says so."""
    def api_values(query: str) -> dict[str, float]:
        url = f"{server}/api/v1/map/units?carte=departements&indicateur=count{query}"
        with urllib.request.urlopen(url) as answer:
            return json.load(answer)["values"]

    choose_option(page, "#choropleth-level", "Départements")
    for query, filiere in (("", None), ("&filiere=auto", ["auto"])):
        if filiere:
            page.evaluate("(v) => window.dash_clientside.set_props('filter-filiere', {value: v})", filiere)
        expected = api_values(query)
        assert sum(expected.values()) > 0
        page.wait_for_function(f"(expected) => {{ const v = ({_CHORO_VALUES})();"
                               " return v && Object.keys(expected).every((k) => v[k] === expected[k]); }",
                               arg=expected, timeout=15000)
        assert page.locator(".choro-row").count() >= 2
        page.wait_for_function("(q) => location.search.includes('carte=departements') && location.search.includes(q)",
                               arg=query.lstrip("&"), timeout=10000)
