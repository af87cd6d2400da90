"""Many visitors at once: latency percentiles, throughput and memory of the production and development servers.

    python -m benchmarks.load --quick                      # 50 users, 60 s, scale 1, both servers, both modes
    python -m benchmarks.load --scales 1,10 --users 50 --duration 120
    python -m benchmarks.load --servers production --no-think --users 20 --duration 30

Each simulated user replays, on 127.0.0.1 only, what Chromium sends (benchmarks/load_fixtures.json, recorded by
benchmarks/load_record.py): page views (HTML, /_dash-layout, /_dash-dependencies, the router callback and the
callbacks it chains, the geometry GETs), explorer filter changes, and API calls (/api/v1/establishments with
filters, /api/v1/partners, /api/v1/coverage). Like a browser, a user fetches cacheable files (Dash bundles,
assets, /geo/*) once, on its first page view. With think time a user waits 1-3 s (uniform, seeded) between
actions; saturation mode never waits. A run stops by itself after --duration seconds or --max-requests requests.
The server is a separate process; the client's own CPU per request is measured and printed.

Baseline (same run): the development server (`serve --dev`, or `serve` before gunicorn was merged). Nothing is
asserted; the targets in docs/performance.md are reported against the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import hashlib
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
FIXTURES = Path(__file__).with_name("load_fixtures.json")
DEPARTEMENTS = ["54", "55", "57", "88"]
# Metz, Nancy, Épinal, Bar-le-Duc, Thionville, Lunéville
COMMUNES = ["57463", "54395", "88160", "55029", "57672", "54329"]
REQUEST_TIMEOUT = 60.0
_CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- the server under test ----------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _data_key() -> str:
    """Changes when the schema or the demo generator does, so a cached database is never stale."""
    digest = hashlib.sha1()
    for path in sorted([*ROOT.glob("dashboard/demo/*.py"), *ROOT.glob("dashboard/migrations/versions/*.py")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def prepared_database(scale: float) -> Path:
    """A demo database at `scale`, generated once with `tissu demo` and cached under benchmarks/results/."""
    RESULTS.mkdir(exist_ok=True)
    target = RESULTS / f"load-scale{scale:g}-{_data_key()}.sqlite3"
    if not target.exists():
        with tempfile.TemporaryDirectory(dir=RESULTS) as tmp:
            env = {**os.environ, "TISSU_INSTANCE_DIR": tmp, "TISSU_DATABASE_URL": ""}
            subprocess.run([sys.executable, "-m", "dashboard.cli", "demo", "--scale", f"{scale:g}"], env=env,
                           cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
            os.replace(Path(tmp) / "tissu.sqlite3", target)
    return target


def _serve_help() -> str:
    return subprocess.run([sys.executable, "-m", "dashboard.cli", "serve", "--help"], capture_output=True,
                          text=True, cwd=ROOT).stdout


def server_command(kind: str, port: int, *, workers: int, threads: int) -> tuple[list[str], str]:
    """The command line of `kind` ("production" or "development") and a label saying what it runs.

    Before `serve` ran gunicorn (it had no `--dev`), the production server is gunicorn started here on the
    same app; `serve` itself is then the development server.
    """
    help_text = _serve_help()
    cli = [sys.executable, "-m", "dashboard.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    if "--dev" in help_text:
        if kind == "development":
            return [*cli, "--dev"], "serve --dev"
        sizing = ["--workers", str(workers), "--threads", str(threads)] if "--workers" in help_text else []
        return [*cli, *sizing], f"serve {' '.join(sizing)}".strip()
    if kind == "development":
        return cli, "serve (Flask dev server)"
    return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
            "--threads", str(threads), "--timeout", "300", "--log-level", "warning",
            "benchmarks._wsgi:application"], f"gunicorn {workers}×{threads}"


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants (gunicorn's master and workers)."""
    tree, stack = [], [pid]
    while stack:
        current = stack.pop()
        tree.append(current)
        stack += _children(current)
    return tree


def _tree_kb(pid: int, file: str, field: str) -> int:
    """The sum of one kB field of /proc/<pid>/<file> over the process tree."""
    total_kb = 0
    for p in process_tree(pid):
        try:
            for line in Path(f"/proc/{p}/{file}").read_text().splitlines():
                if line.startswith(field):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb


def tree_rss_mb(pid: int) -> float:
    return _tree_kb(pid, "status", "VmRSS:") / 1024


def tree_pss_mb(pid: int) -> float:
    """Proportional set size of the process tree (MB): a page shared by n processes (a worker's copy-on-write
    inheritance of the master's snapshot) counts 1/n in each, so the sum is the memory the server really holds,
    where summed RSS counts a shared page once per process."""
    return _tree_kb(pid, "smaps_rollup", "Pss:") / 1024


def tree_cpu_seconds(pid: int) -> float:
    total = 0
    for p in process_tree(pid):
        try:
            fields_ = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields_[11]) + int(fields_[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
    return total / _CLK_TCK


class Server:
    """A server subprocess on a copy of the prepared database; stopped (SIGTERM, then SIGKILL) on exit."""

    def __init__(self, kind: str, database: Path, *, workers: int, threads: int):
        self.kind, self.database, self.workers, self.threads = kind, database, workers, threads

    def __enter__(self) -> Server:
        self._tmp = tempfile.TemporaryDirectory()
        db = Path(self._tmp.name) / "tissu.sqlite3"
        shutil.copyfile(self.database, db)
        port = _free_port()
        command, self.label = server_command(self.kind, port, workers=self.workers, threads=self.threads)
        env = {**os.environ, "TISSU_DATABASE_URL": f"sqlite:///{db}", "TISSU_INSTANCE_DIR": self._tmp.name,
               "TISSU_AUTO_DEMO": "0", "TISSU_TILE_URL": "", "TISSU_DEBUG": "0"}
        # A file, not a pipe: the dev server logs every request, and a full pipe would block it.
        self._log = open(Path(self._tmp.name) / "server.log", "wb")
        self.proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}"
        started = time.perf_counter()
        while True:
            try:
                if requests.get(self.url + "/api/v1/meta", timeout=5).ok:
                    break
            except requests.RequestException:
                pass
            if self.proc.poll() is not None or time.perf_counter() - started > 600:
                log = (Path(self._tmp.name) / "server.log").read_text(errors="replace")[-2000:]
                self.__exit__(None, None, None)
                raise RuntimeError(f"{self.label} did not start:\n{log}")
            time.sleep(0.2)
        self.start_seconds = time.perf_counter() - started
        return self

    def __exit__(self, *exc) -> None:
        # The whole tree: `serve --dev` serves from a reloader child that would outlive its parent.
        children = process_tree(self.proc.pid)[1:]
        if self.proc.poll() is None:
            self.proc.terminate()
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()
        self._tmp.cleanup()


# --- the simulated users ------------------------------------------------------------------------------------

@dataclass
class Sample:
    label: str
    ms: float
    ok: bool
    error: str = ""  # HTTP status or exception name when not ok


@dataclass
class Budget:
    """Shared bounds: no request is started after `deadline` (monotonic) or once `remaining` reaches 0."""
    deadline: float
    remaining: int
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> bool:
        with self._lock:
            if self.remaining <= 0 or time.monotonic() >= self.deadline:
                return False
            self.remaining -= 1
            return True


def label_of(request: dict, page: str) -> str:
    """What a recorded request is, for the per-kind breakdown."""
    path = request["path"].split("?")[0]
    if request["kind"] == "static":
        return "static file"
    if request["kind"] == "payload":
        return "payload " + path.rsplit("/", 1)[1].split("-")[0]
    if path.startswith("/geo/"):
        return "geometry " + path.rsplit("/", 1)[1]
    if path in ("/_dash-layout", "/_dash-dependencies"):
        return path.lstrip("/")
    if request["method"] == "POST":
        first = request["body"]["outputs"][0]["id"] if isinstance(request["body"]["outputs"], list) \
            else request["body"]["outputs"]["id"]
        return f"router {page}" if first == "page" else f"callback {first}"
    return f"html {page}"


def _with_departement(body, departement: str):
    """The recorded callback body with the user's department in place of the recorded one."""
    body = copy.deepcopy(body)
    stack = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("departement"):
                node["departement"] = [departement]
            stack += node.values()
        elif isinstance(node, list):
            stack += node
    return body


class User:
    """One visitor: a seeded session of page views, filter changes and API calls, with a browser cache."""

    def __init__(self, index: int, url: str, fixtures: dict, capabilities: list[str], *, think: bool, seed: int,
                 budget: Budget, samples: list[Sample], passes: int | None = None):
        self.passes = passes  # None: until the budget runs out
        self.rng = random.Random(seed * 10_007 + index)
        self.url, self.fixtures, self.capabilities, self.think = url, fixtures, capabilities, think
        self.budget, self.samples = budget, samples
        self.session = requests.Session()
        self.session.headers["Accept-Encoding"] = "gzip, deflate"
        self.cache: set[str] = set()

    def run(self) -> None:
        actions = [self.view_explorer, self.filter_explorer, self.api_establishments, self.view_partners,
                   self.api_partners, self.view_coverage, self.api_coverage]
        try:
            done = 0
            while self.passes is None or done < self.passes:
                done += 1
                for action in actions:
                    if not action():
                        return
                    if self.think:
                        pause = self.rng.uniform(1.0, 3.0)
                        if time.monotonic() + pause >= self.budget.deadline:
                            return
                        time.sleep(pause)
        finally:
            self.session.close()

    def _send(self, method: str, path: str, label: str, body=None) -> bool:
        if not self.budget.take():
            return False
        started = time.perf_counter()
        try:
            response = self.session.request(method, self.url + path, json=body, timeout=REQUEST_TIMEOUT,
                                            stream=True)
            with response:
                response.raw.read()  # every byte, left compressed: the client does not pay for gunzip
            ok, error = response.status_code < 400, f"HTTP {response.status_code}"
        except requests.RequestException as err:
            ok, error = False, type(err).__name__
        self.samples.append(Sample(label, (time.perf_counter() - started) * 1000, ok, "" if ok else error))
        return True

    def _replay(self, requests_: list[dict], page: str) -> bool:
        for request in requests_:
            cacheable = request["kind"] in ("static", "payload") or request["path"].startswith("/geo/")
            if cacheable and request["path"] in self.cache:
                continue  # the browser cache answers
            if cacheable:
                self.cache.add(request["path"])
            if not self._send(request["method"], request["path"], label_of(request, page), request["body"]):
                return False
        return True

    def _view(self, page: str) -> bool:
        return self._replay(self.fixtures["pages"][page], page)

    def view_explorer(self) -> bool:
        return self._view("/")

    def view_partners(self) -> bool:
        return self._view("/partenaires")

    def view_coverage(self) -> bool:
        return self._view("/couverture")

    def filter_explorer(self) -> bool:
        departement = self.rng.choice(DEPARTEMENTS)
        for step in self.fixtures["filters"]:
            replayed = [{**r, "body": _with_departement(r["body"], departement)} for r in step]
            if not self._replay(replayed, "/"):
                return False
        return True

    def api_establishments(self) -> bool:
        query = f"departement={self.rng.choice(DEPARTEMENTS)}&capability={self.rng.choice(self.capabilities)}"
        return self._send("GET", f"/api/v1/establishments?{query}&limit=100", "api establishments")

    def api_partners(self) -> bool:
        query = f"commune={self.rng.choice(COMMUNES)}&capability={self.rng.choice(self.capabilities)}&radius_km=40"
        return self._send("GET", f"/api/v1/partners?{query}", "api partners")

    def api_coverage(self) -> bool:
        query = f"capability={self.rng.choice(self.capabilities)}&radius_km={self.rng.choice([30, 50])}"
        return self._send("GET", f"/api/v1/coverage?{query}", "api coverage")


# --- one measured run ---------------------------------------------------------------------------------------

@dataclass
class RunFigures:
    kind: str  # production or development
    server: str
    scale: float
    users: int
    think: bool
    seconds: float
    samples: list[Sample]
    rss_mb: float  # peak of master + workers
    server_cpu_s: float
    client_cpu_s: float
    start_seconds: float

    @property
    def errors(self) -> int:
        return sum(not s.ok for s in self.samples)

    def percentile(self, q: float, label: str | None = None) -> float:
        values = sorted(s.ms for s in self.samples if label is None or s.label == label)
        return values[min(len(values) - 1, int(q / 100 * len(values)))] if values else float("nan")


def capability_codes(url: str, *, top: int = 12) -> list[str]:
    """The capabilities most establishments have: what visitors pick first."""
    families = requests.get(url + "/api/v1/capabilities", timeout=REQUEST_TIMEOUT).json()["families"]
    capabilities = [c for family in families for c in family["capabilities"]]
    return [c["code"] for c in sorted(capabilities, key=lambda c: -c["establishments"])[:top]]


def _payload_paths(node) -> list[str]:
    """Every `/data/<name>-<etag>.json` string in a decoded JSON answer."""
    if isinstance(node, dict):
        return [p for value in node.values() for p in _payload_paths(value)]
    if isinstance(node, list):
        return [p for value in node for p in _payload_paths(value)]
    return [node] if isinstance(node, str) and re.fullmatch(r"/data/[a-z0-9_]+-[0-9a-f]+\.json", node) else []


def with_current_payloads(url: str, fixtures: dict) -> dict:
    """The recording with its payload URLs (`/data/<name>-<etag>.json`, data-dependent) replaced by the server's.

    The server's URLs are read from its router answers for the recorded pages, as a browser reads them."""
    current: dict[str, str] = {}
    for requests_ in fixtures["pages"].values():
        for request in requests_:
            if request["method"] == "POST" and request["path"].startswith("/_dash-update-component") and \
                    label_of(request, "").startswith("router"):
                answer = requests.post(url + request["path"], json=request["body"], timeout=REQUEST_TIMEOUT).json()
                for found in _payload_paths(answer):
                    current[found.rsplit("/", 1)[1].split("-")[0]] = found

    def replaced(request: dict) -> dict:
        if request["kind"] != "payload":
            return request
        name = request["path"].rsplit("/", 1)[1].split("-")[0]
        return {**request, "path": current.get(name, request["path"])}
    return {**fixtures, "pages": {page: [replaced(r) for r in rs] for page, rs in fixtures["pages"].items()}}


_PAGE_FILES = re.compile(r'<(?:script[^>]*\ssrc|link[^>]*rel="stylesheet"[^>]*\shref)="(/[^"]+)"')


def page_files(html: str) -> list[str]:
    """The same-origin scripts and style sheets an HTML page asks for, in order (what a browser fetches next)."""
    return [path for path in _PAGE_FILES.findall(html) if not path.startswith("//")]


def with_server_files(url: str, fixtures: dict) -> dict:
    """The recording with the files each page's HTML names replaced by those the server's own HTML names.

    A server in debug mode (`serve --dev`) names development bundles (`react@18….js`, `dash_renderer….dev.js`)
    and answers the production names (`*.min.js`) with a 500: replaying a production recording against it
    would count errors no browser sees. The recorded static requests between the HTML and the first dynamic
    request are the HTML's own; those fetched later (lazy chunks, the favicon) are kept as recorded."""
    pages = {}
    for page, requests_ in fixtures["pages"].items():
        end = next(i for i, r in enumerate(requests_[1:], 1) if r["kind"] != "static")
        html = requests.get(url + requests_[0]["path"], timeout=REQUEST_TIMEOUT).text
        named = [{"method": "GET", "path": path, "kind": "static", "body": None} for path in page_files(html)]
        pages[page] = [requests_[0], *named, *requests_[end:]]
    return {**fixtures, "pages": pages}


def measure(server: Server, *, scale: float, users: int, duration: float, think: bool, max_requests: int,
            seed: int, fixtures: dict) -> RunFigures:
    capabilities = capability_codes(server.url)
    fixtures = with_server_files(server.url, with_current_payloads(server.url, fixtures))
    # Warm-up: a few users once through the mix, so every worker has built its snapshot caches (a server
    # that has been up for a while); not measured.
    warm = Budget(time.monotonic() + 300, 10_000)
    with ThreadPoolExecutor(max_workers=server.workers * 2) as pool:
        for i in range(server.workers * 2):
            pool.submit(User(-1 - i, server.url, fixtures, capabilities, think=False, seed=seed, budget=warm,
                             samples=[], passes=1).run)
    samples: list[Sample] = []
    peak_rss, stop = [tree_rss_mb(server.proc.pid)], threading.Event()

    def sample_rss() -> None:
        while not stop.wait(1.0):
            peak_rss.append(tree_rss_mb(server.proc.pid))

    sampler = threading.Thread(target=sample_rss, daemon=True)
    sampler.start()
    cpu_before, client_before = tree_cpu_seconds(server.proc.pid), time.process_time()
    started = time.monotonic()
    budget = Budget(started + duration, max_requests)
    with ThreadPoolExecutor(max_workers=users) as pool:
        futures = [pool.submit(User(i, server.url, fixtures, capabilities, think=think, seed=seed, budget=budget,
                                    samples=samples).run) for i in range(users)]
        for future in futures:
            future.result()
    seconds = time.monotonic() - started
    stop.set()
    sampler.join()
    return RunFigures(server.kind, server.label, scale, users, think, seconds, samples, max(peak_rss),
                      tree_cpu_seconds(server.proc.pid) - cpu_before, time.process_time() - client_before,
                      server.start_seconds)


# --- report -------------------------------------------------------------------------------------------------

def report(runs: list[RunFigures]) -> str:
    lines = ["| server | scale | users | mode | requests | p50 (ms) | p95 (ms) | p99 (ms) | requests/s | errors "
             "| server RSS (MB) | ratio req/s vs dev |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    baselines = {(r.scale, r.think): len(r.samples) / r.seconds for r in runs if r.kind == "development"}
    for r in runs:
        rate = len(r.samples) / r.seconds
        base = baselines.get((r.scale, r.think))
        ratio = f"{rate / base:.2f}×" if base else "–"
        lines.append(f"| {r.server} | {r.scale:g} | {r.users} | {'think 1-3 s' if r.think else 'saturation'} "
                     f"| {len(r.samples):,} | {r.percentile(50):,.0f} | {r.percentile(95):,.0f} "
                     f"| {r.percentile(99):,.0f} | {rate:,.1f} | {r.errors} | {r.rss_mb:,.0f} | {ratio} |")
    return "\n".join(lines)


def overhead_report(runs: list[RunFigures]) -> str:
    lines = ["| server | scale | mode | server start (s) | server CPU (s) | client CPU (s) | client CPU per request "
             "(ms) | server CPU per request (ms) |", "|---|---|---|---|---|---|---|---|"]
    for r in runs:
        n = max(1, len(r.samples))
        lines.append(f"| {r.server} | {r.scale:g} | {'think' if r.think else 'saturation'} | {r.start_seconds:.1f} "
                     f"| {r.server_cpu_s:.1f} | {r.client_cpu_s:.1f} | {r.client_cpu_s / n * 1000:.2f} "
                     f"| {r.server_cpu_s / n * 1000:.1f} |")
    return "\n".join(lines)


def breakdown_report(runs: list[RunFigures], *, top: int = 8) -> str:
    """The request kinds of each run, by total time spent (what a user waits on most)."""
    out = []
    for r in runs:
        by_label: dict[str, list[float]] = defaultdict(list)
        errors: dict[str, int] = defaultdict(int)
        for s in r.samples:
            by_label[s.label].append(s.ms)
            errors[s.label] += not s.ok
        ranked = sorted(by_label.items(), key=lambda kv: -sum(kv[1]))[:top]
        reasons: dict[str, int] = defaultdict(int)
        for s in r.samples:
            reasons[s.error] += not s.ok
        out.append(f"- {r.server}, scale {r.scale:g}, {'think' if r.think else 'saturation'}: " + "; ".join(
            f"{label} ×{len(v)} p50 {statistics.median(v):,.0f} ms p95 {r.percentile(95, label):,.0f} ms"
            + (f" ({errors[label]} errors)" if errors[label] else "") for label, v in ranked)
            + "".join(f"; errors: {n} × {reason}" for reason, n in reasons.items() if n))
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50, help="concurrent simulated users (default: 50)")
    parser.add_argument("--duration", type=float, default=120, help="seconds per measured run (default: 120)")
    parser.add_argument("--max-requests", type=int, default=100_000, help="stop after this many requests per run")
    parser.add_argument("--scales", default="1,10", help="demo scales, comma-separated (default: 1,10)")
    parser.add_argument("--servers", default="production,development",
                        help="production, development or both (default: both)")
    parser.add_argument("--think", action=argparse.BooleanOptionalAction, default=None,
                        help="only with (--think) or without (--no-think) think time; default: both modes")
    parser.add_argument("--workers", type=int, default=2, help="production server workers (default: 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per production worker (default: 4)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--quick", action="store_true", help="50 users, 60 s, scale 1")
    args = parser.parse_args()
    if args.quick:
        args.users, args.duration, args.scales = 50, 60, "1"
    servers = [s.strip() for s in args.servers.split(",")]
    if set(servers) - {"production", "development"}:
        parser.error("--servers: production and/or development")
    modes = [True, False] if args.think is None else [args.think]
    fixtures = json.loads(FIXTURES.read_text(encoding="utf-8"))
    runs = []
    for scale in [float(s) for s in args.scales.split(",")]:
        database = prepared_database(scale)
        for kind in servers:
            with Server(kind, database, workers=args.workers, threads=args.threads) as server:
                for think in modes:
                    runs.append(measure(server, scale=scale, users=args.users, duration=args.duration, think=think,
                                        max_requests=args.max_requests, seed=args.seed, fixtures=fixtures))
                    print(report(runs[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    print(f"Load: {args.users} users, {args.duration:g} s per run, 127.0.0.1, {os.cpu_count()} cores "
          "(client and server share them)\n")
    print(report(runs) + "\n\n" + overhead_report(runs) + "\n\nSlowest request kinds (total time):\n\n"
          + breakdown_report(runs))


if __name__ == "__main__":
    main()
