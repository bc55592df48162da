"""Memory of a gunicorn server with 1, 2 and 4 workers, and a new worker's time to its first list.

    python -m benchmarks.memory [--organizations 100000] [--workers 1 2 4] [--database PATH]

Serves one synthetic SQLite directory with the project's gunicorn configuration, grown
or shrunk to each number of workers in turn by gunicorn's TTIN and TTOU signals, has
every worker answer lists, facets, matches and a resolve (so that each holds what serving
them takes), then reads each process's memory from /proc: RSS, and PSS (proportional set
size, /proc/<pid>/smaps_rollup), which counts a page shared by n processes as 1/n in each,
so that the PSS of the master and its workers adds up to what the server really takes.
With one worker, the worker is then killed and the time until a list answers again is the
start-up time of its replacement.
"""

from __future__ import annotations

import argparse
import os
import signal
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from benchmarks.servers import ROOT, record, temporary_directory
from partners_api.serving.local import HOST, free_port, gunicorn, healthy, running

API = "/api/v1/organizations"
TOUCH = (
    f"{API}?page_size=50",
    f"{API}?region=africa&topic=ai-safety&sector=academia&page_size=50&sort=name",
    f"{API}/facets",
    f"{API}/1/matches",
    f"{API}/resolve?name=University%20of%20Nairobi",
)


@dataclass
class Memory:
    """Megabytes of each process of one server."""

    master_rss: float
    master_pss: float
    workers_rss: list[float]
    workers_pss: list[float]

    @property
    def total_pss(self) -> float:
        """The server's memory: the PSS of the master and of every worker."""
        return self.master_pss + sum(self.workers_pss)


def kilobytes(pid: int, field: str) -> float:
    """One field of /proc/<pid>/smaps_rollup (Rss, Pss), in megabytes."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def children(pid: int) -> list[int]:
    """The live child processes of a process (gunicorn's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] not in "ZX":
                found.append(int(entry.name))
    return sorted(found)


def get(url: str) -> None:
    """One GET that must answer 200 (a new connection each time, so workers take turns)."""
    with urllib.request.urlopen(url, timeout=120) as answer:
        answer.read()


def measure(base: str, master: int, workers: int) -> Memory:
    """Memory once every worker has answered each kind of request a few times."""
    for _ in range(6 * workers):
        for path in TOUCH:
            get(base + path)
    pids = children(master)
    return Memory(
        master_rss=kilobytes(master, "Rss"),
        master_pss=kilobytes(master, "Pss"),
        workers_rss=[kilobytes(pid, "Rss") for pid in pids],
        workers_pss=[kilobytes(pid, "Pss") for pid in pids],
    )


def restart_seconds(base: str, master: int) -> float:
    """Kill the only worker; seconds until a list answers again (its replacement's start)."""
    (worker,) = children(master)
    started = time.perf_counter()
    os.kill(worker, signal.SIGKILL)
    while True:
        try:
            get(base + TOUCH[0])
            return time.perf_counter() - started
        except OSError:
            time.sleep(0.02)


def serve(path: Path, workers: int, root: Path, preload: bool):
    """A running gunicorn with the project's configuration on the SQLite file."""
    port = free_port()
    env = {
        "DATABASE_URL": f"sqlite:///{path}",
        "RATELIMIT_ENABLED": "false",
        "PRELOAD": "true" if preload else "false",
        "PYTHONPATH": str(root),
        "LOG_LEVEL": "warning",
    }
    command = gunicorn(port=port, workers=workers, timeout=600, chdir=root)
    base = f"http://{HOST}:{port}"
    server = running(
        command, port=port, env=env, cwd=root, ready=lambda: healthy(base), seconds=900
    )
    return base, server


def report(path: Path, counts: list[int], root: Path, preload: bool) -> list[tuple]:
    """Serve with each number of workers in turn; print and return the figures.

    One server serves them all: gunicorn adds a worker on SIGTTIN and drops one on
    SIGTTOU, each new worker forked from the same master as at start-up, so that the
    indexes the master prepares are built once rather than once per count.
    """
    rows = []
    base, server = serve(path, counts[0], root, preload)
    with server as process:
        current = counts[0]
        for workers in counts:
            resize(process.pid, current, workers)
            current = workers
            memory = measure(base, process.pid, workers)
            restart = restart_seconds(base, process.pid) if workers == 1 else None
            rows.append((workers, memory, restart))
            print_memory(workers, memory, restart)
    return rows


def resize(master: int, current: int, wanted: int) -> None:
    """Have gunicorn's master go from `current` workers to `wanted`, one signal at a time
    (two sent at once may arrive as one), waiting for each to take effect."""
    change, step = (signal.SIGTTIN, 1) if wanted > current else (signal.SIGTTOU, -1)
    while True:
        deadline = time.monotonic() + 120
        while len(children(master)) != current and time.monotonic() < deadline:
            time.sleep(0.05)
        if current == wanted:
            return
        os.kill(master, change)
        current += step


def print_memory(workers: int, memory: Memory, restart: float | None) -> None:
    """One line of figures for one number of workers."""
    print(
        f"  {workers} worker{'s' * (workers > 1)}: total PSS {memory.total_pss:,.0f} MB"
        f" (master {memory.master_pss:,.0f});"
        f" per worker PSS {', '.join(f'{m:,.0f}' for m in memory.workers_pss)} MB,"
        f" RSS {', '.join(f'{m:,.0f}' for m in memory.workers_rss)} MB"
        + (f"; a new worker answered its first list in {restart:.2f} s" if restart else ""),
        flush=True,
    )


def record_figures(organizations: int, rows: list[tuple]) -> None:
    """The figures for the run's table, with the issue's targets."""
    size = f"{organizations:,}"
    for workers, memory, restart in rows:
        label = f"{size}, {workers} worker{'s' * (workers > 1)}"
        record("memory", f"{label}: total PSS", memory.total_pss, "MB")
        large = "< 500" if organizations >= 1_000_000 else ""
        record("memory", f"{label}: largest worker PSS", max(memory.workers_pss), "MB", large)
        record("memory", f"{label}: largest worker RSS", max(memory.workers_rss), "MB")
        if restart is not None:
            record("memory", f"{size}: new worker's first list", restart, "s", "< 1")
    totals = {workers: memory.total_pss for workers, memory, _ in rows}
    if 1 in totals and len(totals) > 1:
        most = max(totals)
        ratio = totals[most] / totals[1]
        record("memory", f"{size}: total PSS, {most} workers / 1", ratio, "x", "< 1.3")


def main() -> None:
    """Print the memory of 1, 2 and 4 workers, with and without PRELOAD if asked."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--organizations", type=int, default=100_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--database", help="SQLite file to reuse, or to generate and keep")
    parser.add_argument("--root", default=str(ROOT), help="checkout to serve (to compare)")
    parser.add_argument("--no-preload", action="store_true", help="each worker builds its own")
    args = parser.parse_args()
    with temporary_directory(args.database, args.organizations) as path:
        rows = report(path, args.workers, Path(args.root), not args.no_preload)
    record_figures(args.organizations, rows)


if __name__ == "__main__":
    main()
