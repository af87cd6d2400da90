"""Helpers for browser tests that drive Dash widgets the way a person does, robust to a slow server."""

from __future__ import annotations

import contextlib
import json
import time

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
