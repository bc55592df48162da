"""Every benchmark in turn, as `make bench` runs them, then one table: python -m benchmarks.

Each runs in its own process, so that its memory figures are its own. All but
matching_quality and resolve_quality (which build what they measure in memory) and
rotation (on the demo directory) share the synthetic SQLite directories in
BENCH_DIRECTORIES (by default .bench/ in the repository), one file per size and generator
version, kept from one run to the next: the million organizations are generated once,
then copied. Each benchmark prints its own details and records its figures; the table at
the end puts every figure beside its target.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.servers import FIGURES, ROOT, SHARED

MILLION = "1000000"
BENCHMARKS = (
    ("benchmarks.run", "--sizes", "100000", MILLION, "--postgresql-sizes", "100000"),
    ("benchmarks.memory", "--organizations", "100000"),
    ("benchmarks.memory", "--organizations", MILLION, "--workers", "1", "2"),
    ("benchmarks.matching_quality",),
    ("benchmarks.resolve_quality",),
    ("benchmarks.exports",),
    ("benchmarks.throughput",),
    ("benchmarks.throughput", "--request", "get"),
    ("benchmarks.rotation",),
    ("benchmarks.webhooks",),
)
MINUTES_TARGET = 15


def main() -> None:
    """Run the benchmarks, then print the table of every figure and target."""
    started = time.perf_counter()
    folder = Path(os.environ.get(SHARED) or ROOT / ".bench")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / FIGURES).unlink(missing_ok=True)
    environment = {**os.environ, SHARED: str(folder)}
    took = []
    for module, *arguments in BENCHMARKS:
        print(f"\n== python -m {module} {' '.join(arguments)}".rstrip(), flush=True)
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", module, *arguments], env=environment, check=True)
        took.append(f"{module.removeprefix('benchmarks.')} {time.perf_counter() - began:.0f} s")
    seconds = time.perf_counter() - started
    figures = [json.loads(line) for line in (folder / FIGURES).read_text().splitlines()]
    figures.append(
        {
            "part": "bench",
            "figure": "make bench, whole",
            "value": seconds / 60,
            "unit": "min",
            "target": f"< {MINUTES_TARGET}",
        }
    )
    print_table(figures)
    print(f"\nmake bench took {seconds / 60:.1f} min: {', '.join(took)}")


def met(value: float, target: str) -> str:
    """'yes' or 'NO' for a target such as '< 25' or '>= 0.25'; '' without one."""
    if not target:
        return ""
    operator, bound = target.split()
    checks = {"<": value < float(bound), "<=": value <= float(bound), ">=": value >= float(bound)}
    return "yes" if checks[operator] else "NO"


def print_table(figures: list[dict]) -> None:
    """One Markdown table: part, figure, value and unit, target, whether it is met."""
    print(f"\n| {'part':16} | {'figure':58} | {'value':>12} | {'target':>12} | met |")
    print(f"|{'-' * 18}|{'-' * 60}|{'-' * 14}|{'-' * 14}|-----|")
    for f in figures:
        value = f"{f['value']:,.3g}" if abs(f["value"]) < 10 else f"{f['value']:,.0f}"
        target = f"{f['target']} {f['unit']}" if f["target"] else ""
        print(
            f"| {f['part']:16} | {f['figure']:58} | {value + ' ' + f['unit']:>12} |"
            f" {target:>12} | {met(f['value'], f['target']):3} |"
        )


if __name__ == "__main__":
    main()
