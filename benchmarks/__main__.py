"""Every benchmark in turn, as `make bench` runs them: python -m benchmarks.

Each runs in its own process, so that its memory figures are its own; all but
matching_quality and resolve_quality (which build what they measure in memory) and
rotation (on the demo directory) share one synthetic SQLite directory per size
(BENCH_DIRECTORIES), generated once for the run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from benchmarks.servers import SHARED

BENCHMARKS = (
    "benchmarks.run",
    "benchmarks.matching_quality",
    "benchmarks.resolve_quality",
    "benchmarks.exports",
    "benchmarks.throughput",
    "benchmarks.rotation",
    "benchmarks.webhooks",
)


def main() -> None:
    """Run the benchmarks and print how long each took."""
    started = time.perf_counter()
    took = []
    with tempfile.TemporaryDirectory() as folder:
        environment = {**os.environ, SHARED: folder}
        for module in BENCHMARKS:
            print(f"\n== python -m {module}", flush=True)
            began = time.perf_counter()
            subprocess.run([sys.executable, "-m", module], env=environment, check=True)
            took.append(f"{module.removeprefix('benchmarks.')} {time.perf_counter() - began:.0f} s")
    minutes, seconds = divmod(round(time.perf_counter() - started), 60)
    print(f"\nmake bench took {minutes} min {seconds:02d} s: {', '.join(took)}")


if __name__ == "__main__":
    main()
