"""Server start, bytes transferred and time until clusters are visible, in headless Chromium.

Baseline (same run): the same app on an empty dataset, where "ready" is the basemap drawn with the
empty-state notice. Ratios say what the establishments cost on top of the app's fixed cost.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = os.environ.get("TISSU_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

# Records when the first cluster (or, on an empty dataset, the empty-state notice) enters the DOM.
_OBSERVER = """
window.__tissuReady = null;
new MutationObserver((_, obs) => {
  if (document.querySelector('.marker-cluster, .empty-state')) {
    window.__tissuReady = performance.now(); obs.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""


@dataclass
class PageFigures:
    label: str
    establishments: int
    load_seconds: float  # demo generation + database load
    start_seconds: float  # process spawn -> first API answer (median)
    ready_ms: float  # navigation start -> first cluster visible (median)
    transfer_bytes: int  # bytes on the wire (compressed) for the whole page load
    repaint_ms: float | None = None  # department toggled -> clusters redrawn (median), no server round-trip
    filter_js_ms: float | None = None  # of which: the clientside filter + GeoJSON build
    repaint_filiere_ms: float | None = None  # filière toggled (a filter that never moves the map), median


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prepare(db: Path, scale: float) -> tuple[int, float]:
    from dashboard.bootstrap import load_demo, prepare_database
    from dashboard.database import make_engine
    from dashboard.repository import establishment_counts

    engine = make_engine(f"sqlite:///{db}")
    prepare_database(engine)
    started = time.perf_counter()
    count = 0
    if scale > 0:
        info = load_demo(engine, seed=42, scale=scale)
        count = establishment_counts(engine, info.id)["active"]
    elapsed = time.perf_counter() - started
    engine.dispose()
    return count, elapsed


def _start_server(db: Path, env_extra: dict[str, str] | None = None,
                  timeout_s: float = 180) -> tuple[subprocess.Popen, str, float]:
    port = _free_port()
    env = {**os.environ, "TISSU_DATABASE_URL": f"sqlite:///{db}", "TISSU_PORT": str(port), "TISSU_AUTO_DEMO": "0",
           "TISSU_TILE_URL": "", **(env_extra or {})}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "dashboard.cli", "serve"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    while True:
        try:
            urllib.request.urlopen(url + "/api/v1/meta", timeout=2)
            return proc, url, time.perf_counter() - started
        except OSError as error:
            if proc.poll() is not None or time.perf_counter() - started > timeout_s:
                proc.kill()
                raise RuntimeError("server did not start") from error
            time.sleep(0.05)


# Toggle the department filter through Dash (the path a user's click takes) and time until the
# cluster layer has been redrawn; also time the clientside filter function itself.
_REPAINT = """async ([control, value]) => {
  const ns = window.dash_clientside.tissu, original = ns.applyFilters;
  let jsMs = 0;
  ns.applyFilters = function () { const t = performance.now(); const r = original.apply(this, arguments);
    jsMs = performance.now() - t; return r; };
  const pane = document.querySelector('.leaflet-marker-pane');
  const start = performance.now();
  const done = new Promise(resolve => {
    const obs = new MutationObserver(() => { obs.disconnect();
      requestAnimationFrame(() => resolve(performance.now() - start)); });
    obs.observe(pane, {childList: true, subtree: true});
  });
  window.dash_clientside.set_props(control, {value: value});
  const total = await done;
  ns.applyFilters = original;
  return [total, jsMs];
}"""


def _repaint(browser, url: str, *, rounds: int = 6, control: str = "filter-departement",
             value: str = "57") -> tuple[float, float]:
    """Median time from a filter change to the clusters redrawn, and of the clientside function, over `rounds`
    toggles (set, cleared, set...). The department moves the map on its first choice (the flight starts after the
    redraw); a filière never moves it."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.goto(url + "/", wait_until="networkidle")
    page.wait_for_selector(".marker-cluster", timeout=120000)
    totals, js = [], []
    for round_ in range(rounds):
        total, js_ms = page.evaluate(_REPAINT, [control, [value] if round_ % 2 == 0 else []])
        totals.append(total)
        js.append(js_ms)
        page.wait_for_timeout(300)
    context.close()
    return statistics.median(totals), statistics.median(js)


def _page_once(browser, url: str) -> tuple[float, int]:
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.add_init_script(_OBSERVER)
    page.goto(url + "/", wait_until="load")
    page.wait_for_function("() => window.__tissuReady !== null", timeout=120000)
    page.wait_for_load_state("networkidle")
    ready = page.evaluate("() => window.__tissuReady")
    transferred = page.evaluate("""() => {
      const nav = performance.getEntriesByType('navigation').map(e => e.transferSize);
      const res = performance.getEntriesByType('resource').map(e => e.transferSize);
      return nav.concat(res).reduce((a, b) => a + b, 0);
    }""")
    context.close()
    return ready, int(transferred)


def measure(scales: list[float], *, repeat: int = 3) -> list[PageFigures]:
    from playwright.sync_api import sync_playwright

    figures = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for scale in [0.0, *scales]:
            db = Path(tmp) / f"bench-{scale:g}.sqlite3"
            count, load_seconds = _prepare(db, scale)
            starts, readies, transfers, repaint, by_filiere = [], [], [], (None, None), None
            for attempt in range(repeat):
                proc, url, start = _start_server(db)
                try:
                    _page_once(browser, url)  # warm the server's snapshot cache, like a second visitor
                    ready, transferred = _page_once(browser, url)
                    if scale > 0 and attempt == 0:
                        repaint = _repaint(browser, url)
                        by_filiere = _repaint(browser, url, control="filter-filiere", value="auto")[0]
                finally:
                    proc.terminate()
                    proc.wait(timeout=10)
                starts.append(start)
                readies.append(ready)
                transfers.append(transferred)
            label = "baseline: empty dataset (basemap only)" if scale == 0 else f"demo scale {scale:g}"
            figures.append(PageFigures(label, count, load_seconds, statistics.median(starts),
                                       statistics.median(readies), int(statistics.median(transfers)), *repaint,
                                       by_filiere))
        browser.close()
    return figures


def report(figures: list[PageFigures]) -> str:
    return _load_table(figures) + "\n\n" + _repaint_table(figures)


def _repaint_table(figures: list[PageFigures]) -> str:
    measured = [f for f in figures if f.repaint_ms is not None]
    if not measured:
        return ""
    base = measured[0]
    lines = ["| dataset | establishments | department → clusters redrawn (ms, median of 6) | ratio vs smallest "
             "| of which clientside filter + GeoJSON (ms) | filière → clusters redrawn (ms, median of 6) |",
             "|---|---|---|---|---|---|"]
    for f in measured:
        filiere = f"{f.repaint_filiere_ms:.0f}" if f.repaint_filiere_ms is not None else "–"
        lines.append(f"| {f.label} | {f.establishments:,} | {f.repaint_ms:.0f} | {f.repaint_ms / base.repaint_ms:.2f}× "
                     f"| {f.filter_js_ms:.1f} | {filiere} |")
    return "\n".join(lines)


def _load_table(figures: list[PageFigures]) -> str:
    base = figures[0]
    lines = ["| dataset | establishments | demo load (s) | server start (s) | clusters visible (ms) "
             "| ratio vs baseline "
             "| transferred (KB, compressed) | ratio vs baseline |",
             "|---|---|---|---|---|---|---|---|"]
    for f in figures:
        lines.append(f"| {f.label} | {f.establishments:,} | {f.load_seconds:.1f} | {f.start_seconds:.2f} | "
                     f"{f.ready_ms:.0f} | {f.ready_ms / base.ready_ms:.2f}× | {f.transfer_bytes / 1024:,.0f} | "
                     f"{f.transfer_bytes / base.transfer_bytes:.2f}× |")
    return "\n".join(lines)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Page load and filter repaint in headless Chromium.")
    parser.add_argument("--scales", default="1,10", help="demo scales (1 ≈ 10k, 10 ≈ 100k establishments)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; medians are printed")
    args = parser.parse_args()
    print("## Page load and filter repaint (headless Chromium, localhost)\n")
    print(report(measure([float(s) for s in args.scales.split(",") if s], repeat=args.repeat)))


if __name__ == "__main__":
    main()
