"""Export and import at scale, served over HTTP, beside Datasette and the sqlite3 CLI.

    python -m benchmarks.exports [--organizations 100000]

Builds a synthetic SQLite directory, serves it with gunicorn (one worker), streams each
export format and reports rows per second, how much the worker's peak memory grew and the
worker's CPU time per export; times a CSV import of the whole export into an empty
database; and streams the same table as CSV from Datasette (`?_stream=on`) and from the
sqlite3 command line.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from alembic import command

from benchmarks.servers import admin_key, datasette_command, gunicorn, record, sqlite_directory
from partners_api.ops.service import alembic_config
from partners_api.serving.local import BIN, free_port, running

# The CSV export, the one with a speed target, is streamed three times: the median counts.
REPEATS = {"csv": 3}


def memory_kb(pid: int, field: str) -> int:
    """VmRSS or VmHWM (peak) of a process, in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and all its threads so far, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker_pid(master: int) -> int:
    """The first child of the gunicorn master."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0]) if children else master


def stream(url: str, headers: dict | None = None) -> tuple[float, int]:
    """Seconds to read a whole answer, and its size in bytes."""
    started, size = time.perf_counter(), 0
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {})) as answer:
        while chunk := answer.read(1 << 16):
            size += len(chunk)
    return time.perf_counter() - started, size


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--organizations", type=int, default=100_000)
    args = parser.parse_args()
    rows = args.organizations
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "directory.db"
        url = f"sqlite:///{path}"
        sqlite_directory(path, rows)
        admin = admin_key(url)
        port = free_port()
        base = f"http://127.0.0.1:{port}/api/v1/exports"
        env = {"DATABASE_URL": url, "RATELIMIT_ENABLED": "false"}
        print(f"{rows:,} organizations, gunicorn with one worker")
        csv_seconds = None
        with running(gunicorn("wsgi:app", port), port=port, env=env) as server:
            worker = worker_pid(server.pid)
            stream(f"{base}/organizations?format=csv&q=nothing-matches")
            for export_format in ("csv", "json", "ndjson", "xlsx"):
                before = memory_kb(worker, "VmRSS")
                started_cpu = cpu_seconds(worker)
                runs = [
                    stream(
                        f"{base}/organizations?format={export_format}",
                        {"Authorization": f"Bearer {admin}"},
                    )
                    for _ in range(REPEATS.get(export_format, 1))
                ]
                cpu = (cpu_seconds(worker) - started_cpu) / len(runs)
                grown = (memory_kb(worker, "VmHWM") - before) / 1024
                seconds, size = statistics.median(runs)
                csv_seconds = csv_seconds or seconds
                spread = (
                    f" (median of {len(runs)}: {', '.join(f'{rows / s:,.0f}' for s, _ in runs)})"
                    if len(runs) > 1
                    else ""
                )
                # The worker's CPU time, unlike the wall clock, hardly depends on other load.
                print(
                    f"  export {export_format:6} {rows / seconds:>9,.0f} rows/s  "
                    f"{size / 2**20:6.1f} MB  worker peak +{max(grown, 0):.0f} MB  "
                    f"worker CPU {cpu:.2f} s{spread}"
                )
                target = ">= 100000" if export_format == "csv" else ""
                record(
                    "exports", f"{rows:,}: {export_format} export", rows / seconds, "rows/s", target
                )
            seconds, _ = stream(f"{base}/network?format=graphml")
            print(f"  export graphml {seconds:.1f} s")
            export_file = Path(folder) / "export.csv"
            with urllib.request.urlopen(
                urllib.request.Request(
                    f"{base}/organizations?format=csv", headers={"Authorization": f"Bearer {admin}"}
                )
            ) as answer:
                export_file.write_bytes(answer.read())
        empty = f"sqlite:///{Path(folder) / 'empty.db'}"
        command.upgrade(alembic_config(empty), "head")
        started = time.perf_counter()
        subprocess.run(
            [str(BIN / "partners-api"), "import", "organizations", str(export_file)],
            env={**os.environ, "DATABASE_URL": empty},
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        print(
            f"  import of {rows:,} from CSV: {time.perf_counter() - started:.1f} s (target < 60 s)"
        )
        compare(path, rows, csv_seconds)


def compare(path: Path, rows: int, ours: float) -> None:
    """Datasette's streamed CSV and the sqlite3 CLI on the same file."""
    datasette = BIN / "datasette"
    if datasette.exists():
        port = free_port()
        with running(datasette_command(path, port, time_limit_ms=600_000), port=port):
            seconds, _ = stream(
                f"http://127.0.0.1:{port}/{path.stem}/organizations.csv?_stream=on&_size=max"
            )
        print(
            f"  Datasette CSV stream {rows / seconds:>9,.0f} rows/s; ours / Datasette "
            f"{seconds / ours:.2f}x as fast"
        )
    else:
        print("  Datasette not installed (pip install -e '.[bench]'); comparison skipped")
    sqlite3 = shutil.which("sqlite3")
    if sqlite3:
        started = time.perf_counter()
        subprocess.run(
            [sqlite3, "-csv", "-header", str(path), "SELECT * FROM organizations"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - started
        print(
            f"  sqlite3 CLI CSV      {rows / seconds:>9,.0f} rows/s; ours / sqlite3 "
            f"{seconds / ours:.2f}x as fast"
        )


if __name__ == "__main__":
    main()
