"""A live server for clients outside the test process: generated clients and a browser.

The server is gunicorn with the project's configuration on a fresh SQLite file, migrated
and loaded with the demo directory by the command line, with an admin key made there
too. Two static servers stand for the origins of other web applications: CORS_ORIGINS
names the first and not the second. All of it lives for the tests of this folder.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.request import urlopen

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PAGES = Path(__file__).resolve().parent / "pages"
SPEC = ROOT / "openapi" / "openapi.json"


@dataclass
class LiveApi:
    """A running API server."""

    url: str
    admin_key: str
    database_url: str
    logs: Path

    def log_tail(self) -> str:
        """The end of what the server wrote, to explain a failure."""
        return self.logs.read_text(errors="replace")[-4000:]


@dataclass
class Origin:
    """A static web server standing for another web application."""

    url: str
    server: http.server.ThreadingHTTPServer


def tool(name: str, why: str) -> str:
    """The path of a command-line tool, or skip saying what it is needed for."""
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"`{name}` is not installed here ({why}); .ci/run installs it in CI")
    return found


def cli(database_url: str, *args: str) -> str:
    """Run `partners-api` on a database and return what it printed."""
    done = subprocess.run(
        [str(BIN / "partners-api"), *args],
        env={**os.environ, "DATABASE_URL": database_url},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:
        pass


@contextlib.contextmanager
def static_origin() -> Iterator[Origin]:
    """Serve tests/clients/pages on a port of its own until the block ends."""
    handler = functools.partial(_QuietHandler, directory=str(PAGES))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Origin(f"http://127.0.0.1:{server.server_address[1]}", server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="package")
def allowed_origin() -> Iterator[Origin]:
    """A web application's origin that the API server lists in CORS_ORIGINS."""
    with static_origin() as origin:
        yield origin


@pytest.fixture(scope="package")
def other_origin() -> Iterator[Origin]:
    """A web application's origin that the API server does not list."""
    with static_origin() as origin:
        yield origin


@pytest.fixture(scope="package")
def live_api(tmp_path_factory, allowed_origin: Origin) -> Iterator[LiveApi]:
    """Gunicorn with two workers on a fresh SQLite file with the demo directory."""
    folder = tmp_path_factory.mktemp("live")
    database_url = f"sqlite:///{folder / 'clients.db'}"
    cli(database_url, "db", "upgrade")
    cli(database_url, "demo", "load")
    printed = cli(database_url, "keys", "create", "--name", "clients", "--scope", "admin")
    admin_key = printed.strip().splitlines()[-1]

    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    environment.update(
        DATABASE_URL=database_url,
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        LOG_FORMAT="json",
        CORS_ORIGINS=allowed_origin.url,
    )
    logs = folder / "gunicorn.log"
    with logs.open("wb") as out:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "python:partners_api.serving.gunicorn_conf", "wsgi:app"],
            env=environment,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    api = LiveApi(f"http://127.0.0.1:{port}", admin_key, database_url, logs)
    try:
        _wait_until_alive(api, process)
        yield api
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_alive(api: LiveApi, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"gunicorn exited:\n{api.log_tail()}"
        with contextlib.suppress(OSError), urlopen(f"{api.url}/api/v1/health", timeout=1) as r:
            if r.status == 200:
                return
        time.sleep(0.1)
    raise AssertionError(f"gunicorn did not answer in {seconds} s:\n{api.log_tail()}")
