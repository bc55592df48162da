"""Shared pieces of the HTTP benchmarks: a synthetic directory, and servers started and stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from sqlalchemy.orm import Session

from partners_api import create_app
from partners_api.db import database
from partners_api.ops.service import alembic_config
from partners_api.synthetic import generate_directory

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def synthetic_directory(path: Path, organizations: int) -> Iterator[Session]:
    """Migrate a new SQLite file, generate the directory in it and yield a session on it."""
    url = f"sqlite:///{path}"
    command.upgrade(alembic_config(url), "head")
    app = create_app({"DATABASE_URL": url})
    try:
        with app.app_context(), database().session() as session:
            generate_directory(session, organizations=organizations, seed=3)
            yield session
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
