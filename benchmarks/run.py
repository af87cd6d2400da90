"""Run every benchmark, each in its own process, and print their Markdown tables.

    python -m benchmarks.run                 # everything (about 35 minutes on 2 cores)
    python -m benchmarks.run --quick         # smaller sizes (about 10 minutes)
    python -m benchmarks.run --only partners,coverage

Each benchmark prints ratios against a baseline measured in the same run; nothing is asserted.
Paste the tables into docs/performance.md.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import time

# name -> (full arguments, quick arguments)
BENCHMARKS = {
    "page_load": ([], ["--scales", "1", "--repeat", "2"]),
    "router": ([], ["--scales", "1"]),
    "partners": ([], ["--sizes", "10000,100000", "--queries", "100"]),
    "coverage": ([], ["--sizes", "10000"]),
    "importer": ([], ["--rows", "1000000", "--no-zip"]),
    "event": ([], ["--repeat", "1"]),
    "load": ([], ["--quick"]),
    "network": ([], ["--sites", "10000", "--offers", "2000", "--queries", "30"]),
    "records": ([], ["--sizes", "100000"]),
    "filters": ([], ["--sizes", "100000"]),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help=f"comma-separated subset of {', '.join(BENCHMARKS)}")
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    args = parser.parse_args()
    names = args.only.split(",") if args.only else list(BENCHMARKS)
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    print(f"# tissu benchmarks, {time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}, "
          f"Python {platform.python_version()}, {'quick' if args.quick else 'full'} sizes\n", flush=True)
    failed = []
    for name in names:
        full, quick = BENCHMARKS[name]
        result = subprocess.run([sys.executable, "-m", f"benchmarks.{name}", *(quick if args.quick else full)])
        if result.returncode:
            failed.append(name)
        print(flush=True)
    if failed:
        sys.exit(f"benchmarks that failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
