"""Gunicorn servers for tests: fresh databases, keys made by the command line, HTTP calls.

A server runs the project's gunicorn configuration (gthread workers) in a child process on
a database of its own, so that what is tested is what production runs: several worker
processes, their connection pools, their crashes and restarts.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.pool import NullPool

from partners_api import create_app
from partners_api.db import database
from partners_api.demo import load_demo
from partners_api.keys import service as keys
from partners_api.ops.service import alembic_config
from partners_api.serving.local import (
    BIN,
    HOST,
    free_port,
    gunicorn,
    healthy,
    running,
    wait_until_ready,
)
from tests.helpers import bearer

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Answer:
    """One HTTP answer."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self):
        """The body as JSON."""
        return json.loads(self.body)


@dataclass
class Server:
    """A running gunicorn server and its logs."""

    url: str
    process: subprocess.Popen
    stdout: Path
    stderr: Path

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self.url.rsplit(":", 1)[1])

    def call(self, method: str, path: str, body=None, headers=None, timeout=10) -> Answer:
        """Send one request and return its answer, errors included."""
        data = None if body is None else json.dumps(body).encode()
        request = Request(f"{self.url}{path}", data=data, method=method, headers=headers or {})
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urlopen(request, timeout=timeout) as response:
                return Answer(response.status, dict(response.headers), response.read())
        except HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read())

    def workers(self) -> list[int]:
        """The process ids of the master's live workers."""
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError):
                # Fields after the command name, which may hold spaces: state, ppid, …
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.process.pid and fields[0] not in "ZX":
                    children.append(int(entry.name))
        return sorted(children)

    def wait_for_workers(self, count: int, *, besides: set[int] = frozenset(), seconds=30) -> None:
        """Wait until `count` workers run, none of them in `besides`, and /health answers."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            live = set(self.workers())
            if len(live) == count and not live & besides:
                break
            time.sleep(0.05)
        else:
            raise AssertionError(f"workers {self.workers()}, not {count} new ones:\n{self.logs()}")
        wait_until_alive(self)

    def worker_serving(self, client: socket.socket) -> int | None:
        """The worker that holds the server's end of a client's TCP connection, if any."""
        inode = _socket_inode(self.port, client.getsockname()[1])
        if inode is None:
            return None
        for pid in self.workers():
            with contextlib.suppress(OSError):
                for fd in Path(f"/proc/{pid}/fd").iterdir():
                    if os.readlink(fd) == f"socket:[{inode}]":
                        return pid
        return None

    def logs(self) -> str:
        """The tail of what the server wrote, to explain a failure."""
        return self.logs_of(self.stdout, self.stderr)

    @staticmethod
    def logs_of(*paths: Path) -> str:
        """The tail of each of these log files."""
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in paths)


def _socket_inode(local_port: int, remote_port: int) -> str | None:
    """The inode of the IPv4 TCP socket from local_port to remote_port on this host."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, inode = fields[1], fields[2], fields[9]
        if int(local.split(":")[1], 16) == local_port and int(remote.split(":")[1], 16) == (
            remote_port
        ):
            return inode
    return None


def postgres_url() -> str:
    """TEST_DATABASE_URL when it names PostgreSQL, else skip."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("needs TEST_DATABASE_URL on PostgreSQL")
    return url


def on_postgresql() -> bool:
    """True when the suite runs on PostgreSQL (CI's second pass)."""
    return os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


def _postgresql_admin(url: str) -> Engine:
    return create_engine(
        make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )


@contextlib.contextmanager
def fresh_postgresql(prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database beside the suite's, dropped afterwards (its URL)."""
    url = make_url(postgres_url())
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = _postgresql_admin(postgres_url())
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def fresh_database(prefix: str, directory: Path) -> Iterator[str]:
    """A new, empty database of the suite's kind: PostgreSQL, or an SQLite file (its URL)."""
    if on_postgresql():
        with fresh_postgresql(prefix) as url:
            yield url
    else:
        yield f"sqlite:///{directory / f'{prefix}.db'}"


def prepare(database_url: str, *, demo: bool = False) -> dict[str, str]:
    """Migrate a database, load the demo directory if asked; the header of an admin key.

    Done in this process, which has the application loaded already: the command line
    would do the same in a few seconds more.
    """
    command.upgrade(alembic_config(database_url), "head")
    app = create_app({"DATABASE_URL": database_url, "RATELIMIT_ENABLED": False})
    try:
        with app.app_context(), database().session() as session:
            if demo:
                load_demo(session)
            issued = keys.create_key(session, name="servers admin", scopes=["admin"])
    finally:
        app.extensions["partners_db"].engine.dispose()
    return bearer(issued.secret)


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


def cli_key(database_url: str, name: str, scope: str = "admin") -> dict[str, str]:
    """The Authorization header of a key made with the command line."""
    printed = cli(database_url, "keys", "create", "--name", name, "--scope", scope)
    return bearer(printed.strip().splitlines()[-1])


@contextlib.contextmanager
def serve(name: str, logs: Path, *, workers: int = 2, **env: str) -> Iterator[Server]:
    """Run gunicorn with the project's configuration until the block ends."""
    port = free_port()
    url = f"http://{HOST}:{port}"
    stdout, stderr = logs / f"{name}.out", logs / f"{name}.err"
    settings = dict(BIND=f"{HOST}:{port}", WEB_CONCURRENCY=str(workers), LOG_FORMAT="json")
    with running(
        gunicorn(),
        port=port,
        ready=functools.partial(healthy, url),
        env={**settings, **env},
        cwd=ROOT,
        stdout=stdout,
        stderr=stderr,
        explain=functools.partial(Server.logs_of, stdout, stderr),
    ) as process:
        yield Server(url, process, stdout, stderr)


def wait_until_alive(server: Server, seconds: float = 30) -> None:
    """Wait for /health to answer 200."""
    ready = functools.partial(healthy, server.url)
    wait_until_ready(server.process, ready, seconds=seconds, explain=server.logs)


def is_problem(answer: Answer, status: int) -> bool:
    """True for an RFC 9457 problem document with this status."""
    return (
        answer.status == status
        and answer.headers.get("Content-Type") == "application/problem+json"
        and answer.json["status"] == status
    )
