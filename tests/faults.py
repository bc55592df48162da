"""Faults under gunicorn: a request awaited in a thread, its transaction seen writing.

Shared by the fault tests (tests/ops/test_faults.py, tests/ops/test_merge_faults.py).
"""

from __future__ import annotations

import contextlib
import http.client
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from tests.servers import Answer, Server, fresh_database, prepare, serve


@contextlib.contextmanager
def migrated_database(name: str, tmp_path_factory) -> Iterator[tuple[str, dict]]:
    """A fresh database of the suite's kind, migrated, and an admin key on it."""
    with fresh_database(name, tmp_path_factory.mktemp(name)) as url:
        yield url, prepare(url)


@contextlib.contextmanager
def two_workers(name: str, database: tuple[str, dict], tmp_path_factory) -> Iterator[Server]:
    """Gunicorn with two workers on that database, the admin key's use already recorded."""
    url, admin = database
    logs = tmp_path_factory.mktemp(f"{name}-logs")
    with serve(name, logs, DATABASE_URL=url, RATELIMIT_ENABLED="false") as running:
        running.call("GET", "/api/v1/keys", headers=admin)  # the key's use is recorded now
        yield running


def count(url: str, sql: str, **params) -> int:
    """One number read from the database directly."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql), params).scalar_one()
    finally:
        engine.dispose()


class Pending:
    """A request sent on a connection of its own, its answer awaited in a thread."""

    def __init__(self, server: Server, method: str, path: str, body: bytes, headers: dict):
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
        self.connection.connect()
        self.socket = self.connection.sock
        self.connection.request(method, path, body=body, headers=headers)
        self.answer: Answer | None = None
        self.error: Exception | None = None
        self.thread = threading.Thread(target=self._wait, daemon=True)
        self.thread.start()

    def _wait(self) -> None:
        try:
            response = self.connection.getresponse()
            self.answer = Answer(response.status, dict(response.headers), response.read())
        except (OSError, http.client.HTTPException) as error:
            self.error = error

    @property
    def waiting(self) -> bool:
        """True while no answer (nor error) has come."""
        return self.thread.is_alive()


def wait_for(check, seconds: float, what: str) -> None:
    """Wait until check() holds."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
        time.sleep(0.005)


class Probe:
    """Whether a request's transaction has written rows it has not committed yet.

    PostgreSQL: a backend of the database holds a transaction id, which it takes at its
    first write (nothing else writes there meanwhile). SQLite: the write-ahead log, emptied
    before, has grown while no answer has come: the import's pages spill to it before it
    commits.
    """

    def __init__(self, url: str, pending: Pending) -> None:
        self.url, self.pending = url, pending
        self.connection = None
        if url.startswith("postgresql"):  # autocommit: each query sees the activity anew
            engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
            self.connection = engine.connect()

    def writing(self) -> bool:
        """True once the transaction is seen writing."""
        if self.connection is None:
            wal = Path(make_url(self.url).database + "-wal")
            return wal.exists() and wal.stat().st_size > 256 * 1024 and self.pending.waiting
        return bool(
            self.connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND backend_xid IS NOT NULL"
                    " AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
        )

    def close(self) -> None:
        """Let go of the database."""
        if self.connection is not None:
            self.connection.close()
            self.connection.engine.dispose()


def empty_the_log(url: str) -> None:
    """SQLite: copy the write-ahead log into the database and truncate it."""
    if url.startswith("sqlite"):
        with contextlib.closing(sqlite3.connect(make_url(url).database)) as connection:
            busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            assert busy == 0
