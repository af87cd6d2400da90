#!/usr/bin/env python3
"""Screenshot a page of a running tissu in headless Debian Chromium, offline, and report problems.

Adapted from the project's shared tooling: viewport presets, a `--chromium` default taken from
`TISSU_CHROMIUM`, and a structure that tests can import.

Usage (in the project's venv, which has `playwright`; Chromium from `apt-get install -y chromium`):
    python scripts/shot.py http://127.0.0.1:8050/ home.png [--viewport desktop|phone|kiosk|WxH]
        [--wait ".marker-cluster"] [--click "text=Réinitialiser"] [--settle 1500] [--full-page]

Every request to a host other than the page's own is blocked and listed (the app must work offline);
console errors and uncaught exceptions are printed. Exit code: 0 clean, 1 blocked requests or errors,
2 bad arguments or the page could not be loaded. Then open the PNG and look at it as a user would.
Playwright never downloads a browser here: it drives the Chromium binary given by `--chromium`.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

VIEWPORTS = {"desktop": (1600, 1000), "phone": (390, 844), "kiosk": (1920, 1080)}
DEFAULT_VIEWPORT = "desktop"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def parse_viewport(text: str) -> tuple[int, int]:
    """(width, height) in CSS pixels from a preset name (desktop, phone, kiosk) or `WIDTHxHEIGHT`."""
    preset = VIEWPORTS.get(text.strip().lower())
    if preset:
        return preset
    match = re.fullmatch(r"\s*(\d{2,5})\s*[xX×]\s*(\d{2,5})\s*", text)
    if not match:
        raise ValueError(f"viewport {text!r}: expected one of {', '.join(VIEWPORTS)} or WIDTHxHEIGHT (e.g. 1280x800)")
    return int(match.group(1)), int(match.group(2))


def is_foreign(request_url: str, own_netloc: str) -> bool:
    """True for a request to another host (or port) than the page's; data: and blob: URLs have no host."""
    netloc = urllib.parse.urlparse(request_url).netloc
    return bool(netloc) and netloc != own_netloc


@dataclass
class ShotResult:
    png: Path
    size: tuple[int, int]
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.foreign and not self.errors


def take_screenshot(url: str, png: Path, *, size: tuple[int, int], chromium: str, wait: str | None = None,
                    clicks: tuple[str, ...] = (), settle_ms: int = 1000, full_page: bool = False,
                    sign_in: tuple[str, str] | None = None) -> ShotResult:
    """Load `url` at `size`, block other hosts, optionally sign in first (e-mail, password: through the sign-in
    form, as a person does), wait and click, then save the PNG."""
    from playwright.sync_api import sync_playwright

    own = urllib.parse.urlparse(url).netloc
    width, height = size
    result = ShotResult(png=png, size=size)
    png.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            phone = width < 600  # narrow viewports get the mobile meta-viewport and touch behaviour
            context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR",
                                          is_mobile=phone, has_touch=phone)
            page = context.new_page()

            def route(r):
                if is_foreign(r.request.url, own):
                    result.foreign.append(r.request.url)
                    return r.abort()
                return r.continue_()

            page.route("**/*", route)
            page.on("console", lambda m: result.errors.append(f"console: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: result.errors.append(f"exception: {e}"))
            if sign_in:
                parts = urllib.parse.urlparse(url)
                page.goto(f"{parts.scheme}://{parts.netloc}/connexion", wait_until="networkidle", timeout=60_000)
                page.fill("#login-email", sign_in[0])
                page.fill("#login-password", sign_in[1])
                with page.expect_navigation():
                    page.click("#login-submit")
                page.wait_for_selector(".account-name", timeout=30_000)
            page.goto(url, wait_until="networkidle", timeout=60_000)
            if wait:
                page.wait_for_selector(wait, timeout=30_000)
            for selector in clicks:
                page.click(selector, timeout=15_000)
                page.wait_for_timeout(settle_ms)
            page.wait_for_timeout(settle_ms)
            page.screenshot(path=str(png), full_page=full_page)
        finally:
            browser.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="page to shoot, e.g. http://127.0.0.1:8050/partenaires")
    parser.add_argument("png", type=Path, help="output PNG file")
    parser.add_argument("--viewport", "--size", default=DEFAULT_VIEWPORT,
                        help=f"{', '.join(f'{k} ({w}x{h})' for k, (w, h) in VIEWPORTS.items())} or WIDTHxHEIGHT "
                             f"(default {DEFAULT_VIEWPORT})")
    parser.add_argument("--wait", help="CSS selector to wait for before the screenshot")
    parser.add_argument("--click", action="append", default=[], help="selector to click, in order (repeatable)")
    parser.add_argument("--settle", type=int, default=1000, help="milliseconds to wait after load and each click")
    parser.add_argument("--full-page", action="store_true", help="capture the whole scrollable page")
    parser.add_argument("--sign-in", nargs=2, metavar=("EMAIL", "PASSWORD"),
                        help="sign in through /connexion before loading the page")
    parser.add_argument("--chromium", default=os.environ.get("TISSU_CHROMIUM", "/usr/bin/chromium"),
                        help="Chromium binary (default: $TISSU_CHROMIUM or /usr/bin/chromium)")
    args = parser.parse_args(argv)
    try:
        size = parse_viewport(args.viewport)
    except ValueError as error:
        parser.error(str(error))
    if not Path(args.chromium).exists():
        print(f"error: no Chromium at {args.chromium} (apt-get install -y chromium, or --chromium PATH)",
              file=sys.stderr)
        return 2
    from playwright.sync_api import Error as PlaywrightError

    try:
        result = take_screenshot(args.url, args.png, size=size, chromium=args.chromium, wait=args.wait,
                                 clicks=tuple(args.click), settle_ms=args.settle, full_page=args.full_page,
                                 sign_in=tuple(args.sign_in) if args.sign_in else None)
    except PlaywrightError as error:
        print(f"error: {args.url}: {str(error).splitlines()[0]}", file=sys.stderr)
        return 2
    print(f"saved {result.png} ({size[0]}x{size[1]})")
    for url in sorted(set(result.foreign)):
        print(f"blocked request to another host: {url}")
    for message in result.errors:
        print(message)
    return 0 if result.clean else 1


if __name__ == "__main__":
    sys.exit(main())
