"""Run the benchmarks and print Markdown tables: `python -m benchmarks.run [--scales 1,10] [--repeat 3]`."""

from __future__ import annotations

import argparse
import platform
import time

from benchmarks import page_load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="1,10", help="demo scales to measure (1 ≈ 10k, 10 ≈ 100k establishments)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; medians are printed")
    args = parser.parse_args()
    scales = [float(s) for s in args.scales.split(",") if s]
    print(f"# tissu benchmarks, {time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}, "
          f"Python {platform.python_version()}\n")
    print("## Page load (headless Chromium, localhost)\n")
    print(page_load.report(page_load.measure(scales, repeat=args.repeat)))


if __name__ == "__main__":
    main()
