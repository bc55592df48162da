"""Shared pieces of the HTTP benchmarks: a synthetic directory, and servers started and stopped."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from alembic import command
from flask import Flask
from sqlalchemy import make_url

from partners_api import create_app
from partners_api.db import database
from partners_api.keys import service as keys
from partners_api.ops.service import alembic_config
from partners_api.synthetic import generate_directory

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]


# Set by `python -m benchmarks`: a folder where the benchmarks of one run share the
# synthetic SQLite directories they generate, one file per size.
SHARED = "BENCH_DIRECTORIES"
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def sqlite_directory(path: Path, organizations: int) -> None:
    """Write the synthetic SQLite directory of this size, migrated to head, at `path`.

    Generated with the size as seed; when BENCH_DIRECTORIES names a folder, copied from
    the file an earlier benchmark of the run left there, or else generated and left there.
    """
    shared = os.environ.get(SHARED)
    kept = Path(shared) / f"directory-{organizations}.db" if shared else None
    if kept is None or not kept.exists():
        generate(f"sqlite:///{kept or path}", organizations)
    if kept is not None:
        with closing(sqlite3.connect(kept)) as source, closing(sqlite3.connect(path)) as copy:
            source.backup(copy)


def generate(url: str, organizations: int) -> None:
    """Migrate the database to head and generate the directory there, the size as seed."""
    command.upgrade(alembic_config(url), "head")
    with _app(url) as app, app.app_context(), database().session() as session:
        started = time.perf_counter()
        generate_directory(session, organizations=organizations, seed=organizations)
        seconds = time.perf_counter() - started
    backend = make_url(url).get_backend_name()
    kind = NAMES.get(backend, backend)
    print(f"  generated {organizations:,} organizations on {kind} in {seconds:.0f} s")


def admin_key(url: str) -> str:
    """Issue an admin key in the database at `url`; return its secret."""
    with _app(url) as app, app.app_context(), database().session() as session:
        return keys.create_key(session, name="bench", scopes=["admin"]).secret


@contextmanager
def _app(url: str) -> Iterator[Flask]:
    """The app on this database, its connections closed afterwards."""
    app = create_app({"DATABASE_URL": url})
    try:
        yield app
    finally:
        app.extensions["partners_db"].engine.dispose()


def free_port() -> int:
    """A TCP port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn(
    app: str, port: int, *, workers: int = 1, timeout: int = 300, config: str | None = None
) -> list[str]:
    """The command serving a WSGI app of the repository: sync workers, or a config's."""
    settings = ["-c", config] if config else ["--worker-class", "sync"]
    return [
        str(BIN / "gunicorn"),
        *settings,
        "--chdir",
        str(ROOT),
        "--workers",
        str(workers),
        "--timeout",
        str(timeout),
        "--bind",
        f"127.0.0.1:{port}",
        app,
    ]


@contextmanager
def serve(args: list[str], port: int, env: dict | None = None):
    """Run a server until it answers on the port; stop it afterwards."""
    process = subprocess.Popen(
        args,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError(f"{Path(args[0]).name} exited with {process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                    break
            except OSError:
                time.sleep(0.1)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
