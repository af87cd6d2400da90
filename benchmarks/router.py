"""Server time and size of the router callback (`/_dash-update-component` for the page tree) per page.

Flask test client, no browser: the callback a visitor's browser POSTs on every page view, timed from request to
response bytes (median of `--repeat`, after one warm-up that fills the snapshot caches). Baseline (same run): the
404 page, the router's fixed cost (badge, navigation, JSON encoding) with no page content.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from dashboard import ids
from dashboard.pages import PAGES

NOT_FOUND = "/page-inexistante"
_ACCEPT = {"Accept-Encoding": "gzip, deflate, br"}  # what Chromium sends: the server compresses as for a browser


@dataclass
class RouterFigures:
    scale: float
    establishments: int
    path: str
    median_ms: float
    raw_bytes: int
    wire_bytes: int  # as sent to a browser accepting gzip/br (Flask-Compress)


def _router_body(path: str) -> dict:
    outputs = [{"id": ids.PAGE, "property": "children"}, {"id": ids.DATASET_BADGE, "property": "children"},
               {"id": ids.NAV, "property": "children"}]
    return {"output": "..." .join([""] + [f"{o['id']}.{o['property']}" for o in outputs] + [""])[1:-1],
            "outputs": outputs, "inputs": [{"id": ids.URL, "property": "pathname", "value": path}],
            "state": [{"id": ids.URL, "property": "search", "value": ""}], "changedPropIds": [f"{ids.URL}.pathname"]}


def _app(db: Path, scale: float):
    from dashboard.app import create_app
    from dashboard.bootstrap import load_demo, prepare_database
    from dashboard.database import make_engine
    from dashboard.settings import load_settings

    engine = make_engine(f"sqlite:///{db}")
    if not db.exists() or db.stat().st_size == 0:
        prepare_database(engine)
        load_demo(engine, seed=42, scale=scale)
    settings = load_settings({}, database_url=f"sqlite:///{db}", instance_dir=db.parent, auto_demo=False)
    return create_app(settings, engine)


def measure(scales: list[float], *, repeat: int = 10, paths: list[str] | None = None,
            workdir: Path | None = None) -> list[RouterFigures]:
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        for scale in scales:
            app = _app((workdir or Path(tmp)) / f"router-{scale:g}.sqlite3", scale)
            client = app.server.test_client()
            count = len(app.server.extensions["tissu"].snapshot().establishments)
            for path in [NOT_FOUND, *(paths or [page.path for page in PAGES])]:
                body = _router_body(path)
                client.post("/_dash-update-component", json=body)  # warm the caches, like a second visitor
                times = []
                for _ in range(repeat):
                    started = time.perf_counter()
                    response = client.post("/_dash-update-component", json=body, headers=_ACCEPT)
                    wire = response.get_data()
                    times.append(time.perf_counter() - started)
                    assert response.status_code == 200, (path, response.status_code)
                raw = client.post("/_dash-update-component", json=body).get_data()
                json.loads(raw)
                figures.append(RouterFigures(scale, count, path, 1000 * statistics.median(times), len(raw),
                                             len(wire)))
    return figures


def report(figures: list[RouterFigures]) -> str:
    lines = ["| dataset | establishments | page | router callback (ms, median) | ratio vs 404 page | response (KB) "
             "| on the wire (KB) |", "|---|---|---|---|---|---|---|"]
    base = {}
    for f in figures:
        base.setdefault(f.scale, f)
        b = base[f.scale]
        lines.append(f"| demo scale {f.scale:g} | {f.establishments:,} | `{f.path}` | {f.median_ms:.1f} | "
                     f"{f.median_ms / b.median_ms:.1f}× | {f.raw_bytes / 1024:,.1f} | {f.wire_bytes / 1024:,.1f} |")
    return "\n".join(lines)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Router callback time and size per page (Flask test client).")
    parser.add_argument("--scales", default="1,10", help="demo scales (1 ≈ 10k, 10 ≈ 100k establishments)")
    parser.add_argument("--repeat", type=int, default=10, help="timed requests per page; the median is printed")
    parser.add_argument("--paths", help="comma-separated page paths (default: every page of the registry)")
    parser.add_argument("--workdir", type=Path, help="keep the generated databases here (reused when present)")
    args = parser.parse_args()
    print("## Router callback per page (Flask test client)\n")
    print(report(measure([float(s) for s in args.scales.split(",") if s], repeat=args.repeat,
                         paths=args.paths.split(",") if args.paths else None, workdir=args.workdir)))


if __name__ == "__main__":
    main()
