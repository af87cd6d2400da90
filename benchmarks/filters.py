"""The explorer's filter mask (`analytics.filters.filter_mask`) with and without the factorized code columns.

`python -m benchmarks.filters --sizes 100000,1000000` times, on the seeded synthetic sites of `benchmarks.records`
(Arrow strings, as the snapshot reads them from Parquet), the mask of each filter a map repaint asks for.
Baseline, same run, same frame: the same function on the frame's own columns (an Arrow `isin` per row, the
division's `str[:2]` first; the size bands at or above the minimum by `isin` too), the best simple way and what
every page used before (with a slower size test: ranks by `map`, 343 ms at 1M). "coded": with
`coded_columns(frame)`, built once per data version (its time and size are printed too). Medians of 7 runs; the
two masks are checked equal before anything is timed.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from benchmarks.records import synthetic
from dashboard.analytics.filters import Criteria, coded_columns, filter_mask

CASES = [
    ("département", Criteria(departements=("57",))),
    ("filière", Criteria(filieres=("F3",))),
    ("taille minimale", Criteria(size_min="03")),
    ("division NAF", Criteria(divisions=("25",))),
    ("code NAF + 2 départements", Criteria(naf=("25.07Z",), departements=("54", "88"))),
    ("EPCI + zone d'emploi", Criteria(epci=("200000003",), zones=("4405",))),
]
ROUNDS = 7


def _median_ms(run, rounds: int = ROUNDS) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def measure(size: int) -> list[str]:
    frame, capabilities, certifications, _ = synthetic(size)
    started = time.perf_counter()
    coded = coded_columns(frame)
    build_ms = 1000 * (time.perf_counter() - started)
    coded_mb = sum(c.codes.nbytes for c in coded.values()) / 2**20
    rows = [f"| {size:,} | (codes built once per data version) | – | {build_ms:.0f} | {coded_mb:.1f} MB | – |"]
    for label, criteria in CASES:
        def plain():
            return filter_mask(frame, criteria, capability_links=capabilities, certification_links=certifications)

        def fast():
            return filter_mask(frame, criteria, capability_links=capabilities, certification_links=certifications,
                               coded=coded)

        matched = plain()
        if not np.array_equal(matched, fast()):
            raise AssertionError(f"coded mask differs for {label}")
        base, ours = _median_ms(plain), _median_ms(fast)
        rows.append(f"| {size:,} | {label} ({int(matched.sum()):,} sites) | {base:.1f} | {ours:.1f} | – | "
                    f"{base / ours:.1f}× faster |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description="The filter mask with and without factorized code columns.")
    parser.add_argument("--sizes", default="100000,1000000", help="synthetic establishments")
    args = parser.parse_args()
    print("| establishments | filter | baseline: per-row tests (ms) | coded (ms) | codes' memory | ratio |")
    print("|---|---|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",") if s):
        for row in measure(size):
            print(row, flush=True)


if __name__ == "__main__":
    main()
