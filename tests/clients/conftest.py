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
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.servers import ROOT, cli, serve

PAGES = Path(__file__).resolve().parent / "pages"
SPEC = ROOT / "openapi" / "openapi.json"


@dataclass
class LiveApi:
    """A running API server."""

    url: str
    admin_key: str


@dataclass
class Origin:
    """A static web server standing for another web application."""

    url: str


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
        yield Origin(f"http://127.0.0.1:{server.server_address[1]}")
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

    with serve(
        "clients", folder, DATABASE_URL=database_url, CORS_ORIGINS=allowed_origin.url
    ) as server:
        yield LiveApi(server.url, admin_key)
