"""Where the load benchmark's requests spend their time: cProfile, in-process, with Flask's test client.

    python -m benchmarks.load_profile --scale 1            # the mix once cold, then warm; top functions

Replays the same recorded session as benchmarks/load.py (one user, no network, no concurrency), first on cold
caches (what the first visitors after a start or an import pay), then warm (what every later visitor pays), and
prints per request kind the mean time of each pass and, for the most expensive kinds of the warm pass, the
functions with the largest cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

from benchmarks import load

_OWN_CODE = r"/(dashboard|callbacks|layouts)/"


def _session(fixtures: dict, capabilities: list[str]) -> list[tuple[str, str, str, dict | None]]:
    """(label, method, path, body) of one user's pass through the mix, with a browser cache."""
    sent: list[tuple[str, str, str, dict | None]] = []
    user = load.User(0, "", fixtures, capabilities, think=False, seed=1,
                     budget=load.Budget(time.monotonic() + 3600, 10_000), samples=[], passes=1)

    def record(method, path, label, body=None):
        sent.append((label, method, path, body))
        return True

    user._send = record  # type: ignore[method-assign]
    user.session = SimpleNamespace(close=lambda: None)  # type: ignore[assignment]
    user.run()
    return sent


def profile(scale: float, *, top_kinds: int = 4, top_functions: int = 12) -> str:
    from dashboard.app import create_app
    from dashboard.settings import load_settings

    fixtures = json.loads(load.FIXTURES.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings({}, database_url=f"sqlite:///{load.prepared_database(scale)}",
                                 instance_dir=Path(tmp), auto_demo=False)
        client = create_app(settings).server.test_client()
        families = client.get("/api/v1/capabilities").get_json()["families"]
        capabilities = [c["code"] for c in sorted((c for f in families for c in f["capabilities"]),
                                                  key=lambda c: -c["establishments"])[:12]]
        requests_ = _session(fixtures, capabilities)
        out = []
        passes: dict[str, dict[str, list[float]]] = {}
        profiles: dict[str, cProfile.Profile] = defaultdict(cProfile.Profile)
        for name in ("cold", "warm", "profiled"):  # profiled: warm again, under cProfile (slower, not timed)
            times: dict[str, list[float]] = defaultdict(list)
            for label, method, path, body in requests_:
                profiler = profiles[label] if name == "profiled" else None
                started = time.perf_counter()
                if profiler:
                    profiler.enable()
                response = client.open(path, method=method, json=body, headers={"Accept-Encoding": "gzip"})
                if profiler:
                    profiler.disable()
                times[label].append((time.perf_counter() - started) * 1000)
                if response.status_code >= 400:
                    raise RuntimeError(f"{path}: HTTP {response.status_code}")
            passes[name] = times
    lines = [f"Scale {scale:g}, one user's pass, in-process (no network):", "",
             "| request kind | count | cold mean (ms) | warm mean (ms) | warm total (ms) |", "|---|---|---|---|---|"]
    warm = passes["warm"]
    ranked = sorted(warm, key=lambda k: -sum(warm[k]))
    for label in ranked:
        cold = passes["cold"][label]
        lines.append(f"| {label} | {len(warm[label])} | {sum(cold) / len(cold):,.1f} | "
                     f"{sum(warm[label]) / len(warm[label]):,.1f} | {sum(warm[label]):,.0f} |")
    out.append("\n".join(lines))
    for label in ranked[:top_kinds]:
        stream = io.StringIO()
        stats = pstats.Stats(profiles[label], stream=stream)
        stats.sort_stats("tottime").print_stats(top_functions)
        stats.sort_stats("cumulative").print_stats(_OWN_CODE, top_functions)  # tissu's own frames
        out.append(f"### {label} (warm)\n\n" + "\n".join(line for line in stream.getvalue().splitlines()
                                                        if line.strip() and "Ordered by" not in line))
    return "\n\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--kinds", type=int, default=4, help="request kinds profiled in detail")
    args = parser.parse_args()
    print(profile(args.scale, top_kinds=args.kinds))


if __name__ == "__main__":
    main()
