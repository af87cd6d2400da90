"""Record, once, what Chromium sends for the page views and filter changes that benchmarks/load.py replays.

    python -m benchmarks.load_record          # rewrites benchmarks/load_fixtures.json (about 1 minute)

Each page is opened in a fresh browser context (nothing cached) and every same-origin request is kept in
order: method, path with query, JSON body. Requests for static files (Dash's component bundles, assets/)
are kept apart: a new visitor fetches them once, then the browser cache serves them. Re-record after a
change to a page's callbacks (the replayed payloads must match the app's callback map).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.page_load import ARGS, CHROMIUM
from dashboard import ids

FIXTURES = Path(__file__).with_name("load_fixtures.json")
PAGES = ["/", "/partenaires", "/couverture"]
_STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/", "/_favicon")


def _kind(path: str) -> str:
    if path.startswith("/data/"):  # a per-dataset payload: its URL depends on the data, load.py resolves it
        return "payload"
    return "static" if path.startswith(_STATIC_PREFIXES) else "dynamic"


class _Recorder:
    """Keeps the page's same-origin requests, in order, in whichever list `bucket` is."""

    def __init__(self, page, origin: str):
        self.origin = origin
        self.bucket: list[dict] = []
        page.on("request", self._on_request)

    def _on_request(self, request) -> None:
        parts = urlsplit(request.url)
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            return
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        body = json.loads(request.post_data) if request.method == "POST" and request.post_data else None
        self.bucket.append({"method": request.method, "path": path, "kind": _kind(parts.path), "body": body})


def _settle(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1500)  # chained callbacks after the first render
    page.wait_for_load_state("networkidle")


def record(url: str) -> dict:
    from playwright.sync_api import sync_playwright

    out: dict = {"pages": {}, "filters": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for path in PAGES:
            context = browser.new_context(viewport={"width": 1600, "height": 1000})
            page = context.new_page()
            recorder = _Recorder(page, url)
            page.goto(url + path, wait_until="load")
            _settle(page)
            out["pages"][path] = recorder.bucket
            if path == "/":
                out["filters"] = _explorer_filters(page, recorder)
            context.close()
        browser.close()
    return out


def _explorer_filters(page, recorder: _Recorder) -> list[list[dict]]:
    """Filter changes on the map page (a department, the table tab, a size band): their server requests."""
    steps = [(ids.FILTER_DEPARTEMENT, ["57"]), (ids.VIEW_TABS, "tableau"), (ids.FILTER_SIZE, "12")]
    recorded = []
    for component, value in steps:
        recorder.bucket = []
        page.evaluate("([id, value]) => window.dash_clientside.set_props(id, {value: value})", [component, value])
        _settle(page)
        recorded.append([r for r in recorder.bucket if r["kind"] == "dynamic"])
    return recorded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="a running tissu, e.g. http://127.0.0.1:8050")
    args = parser.parse_args()
    fixtures = record(args.url.rstrip("/"))
    FIXTURES.write_text(json.dumps(fixtures, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    dynamic = sum(1 for reqs in fixtures["pages"].values() for r in reqs if r["kind"] == "dynamic")
    print(f"{FIXTURES}: {len(fixtures['pages'])} pages, {dynamic} dynamic requests, "
          f"{len(fixtures['filters'])} filter changes", file=sys.stderr)


if __name__ == "__main__":
    main()
