"""The explorer's map at 10k, 100k and 1M establishments: today's design (every point in the browser) beside the
server-side clusters, in the same run, on the same database.

`python -m benchmarks.map_scale --sizes 10000,100000,1000000` prints, per size and design: restart (process spawn
-> first answer, which includes the snapshot load and the warm-up) and server memory (master + worker: RSS summed,
which counts the pages a worker shares with the master twice, and PSS, which counts them once), the map page's
bytes on the wire (compressed), time to the first cluster, filter repaint and pan (headless Chromium, loopback;
medians of eight: the first two toggles of a filter are cold, four would leave the median to them),
and the server's time per viewport request. Designs:
- "today": `TISSU_CLIENT_POINTS_MAX` above the size (the point store is sent), snapshot loaded with SQL (a fresh
  instance folder: no Parquet copy) — what main does;
- "server clusters": the threshold at 0 (the browser asks for each view's clusters), snapshot read from its
  Parquet copy (a second start on the same instance folder; the first one wrote it).
Databases are the seeded demo at the scale giving each size (`benchmarks/page_load.py`), kept in `--data-dir` and
reused by later runs (building 1M takes a long while).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from benchmarks.load import tree_pss_mb, tree_rss_mb
from benchmarks.page_load import ARGS, CHROMIUM, _page_once, _prepare, _repaint, _start_server

ACTIVE_PER_DEMO_SCALE = 9_850  # active establishments of the demo at scale 1
VIEWS = [  # (label, bounds south,west,north,east, zoom): the first view, a city, a street-level view
    ("Lorraine, zoom 8.5", "47.4,3.9,50.1,8.4", 8.5),
    ("Metz, zoom 11", "49.02,6.0,49.21,6.35", 11),
    ("Nancy, zoom 14", "48.68,6.17,48.70,6.21", 14),
]
FILTERS = ["", "&departement=57", "&size_min=11&capability_mode=any"]

# Pan: an arrow key on the focused map (Leaflet pans 80 px; right, then left, so the map stays inside its bounds)
# and the time until the marker pane changes.
_PAN = """async (key) => {
  const map = document.getElementById('explorer-map'), pane = map.querySelector('.leaflet-marker-pane');
  map.focus();
  const start = performance.now();
  const done = new Promise(resolve => {
    const obs = new MutationObserver(() => { obs.disconnect();
      requestAnimationFrame(() => resolve(performance.now() - start)); });
    obs.observe(pane, {childList: true, subtree: true});
    setTimeout(() => { obs.disconnect(); resolve(null); }, 15000);
  });
  const code = key === 'ArrowRight' ? 39 : 37;
  map.dispatchEvent(new KeyboardEvent('keydown', {key: key, code: key, keyCode: code, bubbles: true}));
  return await done;
}"""


@dataclass
class Run:
    size: int
    design: str
    establishments: int
    restart_s: float
    rss_mb: float
    pss_mb: float
    page_kb: float | None = None
    first_cluster_ms: float | None = None
    repaint_ms: float | None = None
    pan_ms: float | None = None
    view_cold_ms: float | None = None
    view_warm_ms: float | None = None
    view_kb: float | None = None


def _start(db: Path, instance: Path, threshold: int) -> tuple[subprocess.Popen, str, float]:
    return _start_server(db, {"TISSU_INSTANCE_DIR": str(instance), "TISSU_WORKERS": "1",
                              "TISSU_CLIENT_POINTS_MAX": str(threshold)}, timeout_s=900)


def _active(db: Path) -> int:
    from dashboard import repository
    from dashboard.database import make_engine

    engine = make_engine(f"sqlite:///{db}")
    try:
        version = repository.dataset_version(engine)
        return repository.establishment_counts(engine, version[0])["active"] if version else 0
    finally:
        engine.dispose()


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def _views(url: str) -> tuple[float, float, float]:
    """Median cold (first request of a filter) and warm (same filters again) time of a viewport request, ms,
    and the median answer size (KB, uncompressed)."""
    cold, warm, sizes = [], [], []
    for filters in FILTERS:
        for _, bounds, zoom in VIEWS:
            address = f"{url}/api/v1/map/clusters?bounds={bounds}&zoom={zoom}{filters}"
            for series in (cold, warm, warm):
                started = time.perf_counter()
                with urllib.request.urlopen(address, timeout=120) as answer:
                    body = answer.read()
                series.append(1000 * (time.perf_counter() - started))
            sizes.append(len(body) / 1024)
    return statistics.median(cold), statistics.median(warm), statistics.median(sizes)


def _pan(browser, url: str, rounds: int = 8) -> float | None:
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.goto(url + "/", wait_until="networkidle")
    page.wait_for_selector(".marker-cluster", timeout=300000)
    times = []
    for _ in range(rounds):
        ms = page.evaluate(_PAN, "ArrowRight" if len(times) % 2 == 0 else "ArrowLeft")
        if ms is not None:
            times.append(ms)
        page.wait_for_timeout(400)
    context.close()
    return statistics.median(times) if times else None


def measure(sizes: list[int], data_dir: Path, *, browser_max: int) -> list[Run]:
    from playwright.sync_api import sync_playwright

    data_dir.mkdir(parents=True, exist_ok=True)
    runs = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for size in sizes:
            db = data_dir / f"map-{size}.sqlite3"
            if not db.exists():
                partial = db.with_suffix(".partial")
                _prepare(partial, size / ACTIVE_PER_DEMO_SCALE)
                partial.rename(db)
            for design, threshold in (("today", 100_000_000), ("server clusters", 0)):
                with tempfile.TemporaryDirectory() as tmp:
                    instance = Path(tmp)
                    if design == "server clusters":  # a first start writes the Parquet copy; restart reads it
                        proc, _, _ = _start(db, instance, threshold)
                        _stop(proc)
                    proc, url, restart = _start(db, instance, threshold)
                    try:
                        run = Run(size, design, _active(db), restart, tree_rss_mb(proc.pid), tree_pss_mb(proc.pid))
                        if size <= browser_max:
                            _page_once(browser, url)  # warm the browser-independent server caches
                            ready, transferred = _page_once(browser, url)
                            run.first_cluster_ms, run.page_kb = ready, transferred / 1024
                            run.repaint_ms = _repaint(browser, url, rounds=8)[0]
                            run.pan_ms = _pan(browser, url)
                        if design == "server clusters":
                            run.view_cold_ms, run.view_warm_ms, run.view_kb = _views(url)
                        run.rss_mb = max(run.rss_mb, tree_rss_mb(proc.pid))
                        run.pss_mb = max(run.pss_mb, tree_pss_mb(proc.pid))
                    finally:
                        _stop(proc)
                    runs.append(run)
                    print(_row(run), flush=True)
        browser.close()
    return runs


def _fmt(value: float | None, spec: str = ",.0f") -> str:
    return "–" if value is None else format(value, spec)


HEADER = ("| establishments | design | restart (s) | server RSS / PSS (MB) | page (KB, compressed) "
          "| first clusters (ms) | filter repaint (ms) | pan (ms) | viewport request cold / warm (ms) | answer (KB) |\n"
          "|---|---|---|---|---|---|---|---|---|---|")


def _row(r: Run) -> str:
    view = "–" if r.view_cold_ms is None else f"{r.view_cold_ms:.1f} / {r.view_warm_ms:.1f}"
    return (f"| {r.establishments:,} | {r.design} | {r.restart_s:.1f} | {r.rss_mb:,.0f} / {r.pss_mb:,.0f} | "
            f"{_fmt(r.page_kb)} | {_fmt(r.first_cluster_ms)} | {_fmt(r.repaint_ms)} | {_fmt(r.pan_ms)} | {view} | "
            f"{_fmt(r.view_kb, '.1f')} |")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="The map at scale: today's design beside server-side clusters.")
    parser.add_argument("--sizes", default="10000,100000,1000000", help="establishments (demo at that scale)")
    parser.add_argument("--data-dir", default=str(Path(tempfile.gettempdir()) / "tissu-map-scale"),
                        help="where the databases are built and kept for later runs")
    parser.add_argument("--browser-max", type=int, default=10**9,
                        help="skip the browser measurements above this size (the viewport requests still run)")
    parser.add_argument("--clean", action="store_true", help="remove the kept databases at the end")
    args = parser.parse_args()
    print("## The map at scale (headless Chromium, loopback)\n")
    print(HEADER, flush=True)
    measure([int(s) for s in args.sizes.split(",") if s], Path(args.data_dir), browser_max=args.browser_max)
    if args.clean:
        shutil.rmtree(args.data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
