"""Faults under gunicorn: a worker killed mid-write, a read-only database, an unreachable one.

A worker killed with SIGKILL while it writes leaves all of its write or none of it, and the
master's new worker serves again; both on the suite's kind of database. A database file
no process may write (SQLite) and a PostgreSQL server that cannot be reached give 503
problem documents that tell nothing of the database, never 500s, and the service works
again as soon as the fault is gone, without a restart.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import selectors
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, make_url, select, text
from sqlalchemy.pool import NullPool

from partners_api import create_app
from partners_api.db import close_request_session, get_session
from tests.faults import (
    Pending,
    Probe,
    count,
    empty_the_log,
    migrated_database,
    two_workers,
    wait_for,
)
from tests.polling import Poller
from tests.servers import (
    Answer,
    Server,
    free_port,
    fresh_postgresql,
    is_problem,
    on_postgresql,
    postgres_url,
    prepare,
    serve,
)

IMPORT_ROWS = 3000
OFFERS, SEEKS = ["model-evaluations", "red-teaming"], ["ai-governance", "labor-impacts"]
LANGUAGES, OPERATING = ["en", "sw"], ["eastern-africa"]
GENERIC_503 = "The database is unavailable; try again shortly."


def organization(name: str, slug: str) -> dict:
    """An organization with topics, languages and operating regions: rows in five tables."""
    return {
        "name": name,
        "slug": slug,
        "sector": "academia",
        "country": "KE",
        "offers": OFFERS,
        "seeks": SEEKS,
        "languages": LANGUAGES,
        "operating_regions": OPERATING,
        "description": "Written by a request whose worker is killed before it can answer.",
    }


def written(url: str, like: str) -> dict[str, int]:
    """Rows of the organizations whose slugs are LIKE a pattern, table by table."""
    of = "organization_id IN (SELECT id FROM organizations WHERE slug LIKE :like)"
    queries = {
        "organizations": "SELECT count(*) FROM organizations WHERE slug LIKE :like",
        "topics": f"SELECT count(*) FROM organization_topics WHERE {of}",
        "languages": f"SELECT count(*) FROM organization_languages WHERE {of}",
        "operating regions": f"SELECT count(*) FROM organization_operating_regions WHERE {of}",
        "created events": "SELECT count(*) FROM change_events WHERE entity = 'organization'"
        " AND action = 'created' AND entity_id IN"
        " (SELECT CAST(id AS VARCHAR(100)) FROM organizations WHERE slug LIKE :like)",
    }
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return {
                name: connection.execute(text(sql), {"like": like}).scalar_one()
                for name, sql in queries.items()
            }
    finally:
        engine.dispose()


def complete(organizations: int) -> dict[str, int]:
    """The rows that many organizations made by `organization()` fill."""
    return {
        "organizations": organizations,
        "topics": organizations * (len(OFFERS) + len(SEEKS)),
        "languages": organizations * len(LANGUAGES),
        "operating regions": organizations * len(OPERATING),
        "created events": organizations,
    }


def totals(url: str) -> tuple[int, int]:
    """All change events, and the directory's write counter."""
    return (
        count(url, "SELECT count(*) FROM change_events"),
        count(url, "SELECT value FROM directory_version"),
    )


# --- a worker killed in the middle of writes --------------------------------------------


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Iterator[tuple[str, dict]]:
    """A fresh database of the suite's kind, migrated, and an admin key on it."""
    with migrated_database("test_conc_faults", tmp_path_factory) as prepared:
        yield prepared


@pytest.fixture(scope="module")
def server(database, tmp_path_factory) -> Iterator[Server]:
    """Gunicorn with two workers on that database."""
    with two_workers("faults", database, tmp_path_factory) as running:
        yield running


def test_a_worker_killed_during_an_import_leaves_all_of_it_or_none(database, server, figures):
    url, admin = database
    rows = [organization(f"Killed Import {i}", f"killed-import-{i}") for i in range(IMPORT_ROWS)]
    body = json.dumps(rows).encode()
    before = totals(url)
    empty_the_log(url)
    headers = {**admin, "Content-Type": "application/json"}
    pending = Pending(server, "POST", "/api/v1/imports/organizations", body, headers)
    probe = Probe(url, pending)
    try:
        wait_for(lambda: probe.writing() or not pending.waiting, 120, "the import writing")
    finally:
        probe.close()
    worker = server.worker_serving(pending.socket)
    assert pending.waiting, f"the import ended before the kill: {pending.answer}"
    assert worker is not None, "no worker holds the import's connection"
    os.kill(worker, signal.SIGKILL)
    pending.thread.join(30)
    server.wait_for_workers(2, besides={worker})

    outcome = written(url, "killed-import-%")
    events = totals(url)
    if outcome["organizations"] == 0:
        kept = "none of it"
        assert outcome == complete(0) and events == before, (outcome, events, before)
    else:
        kept = "all of it"
        assert outcome == complete(IMPORT_ROWS), outcome
    assert pending.answer is None, f"the killed worker answered: {pending.answer}"

    again = server.call(
        "POST", "/api/v1/imports/organizations", rows, admin, timeout=300
    )  # the same import, once the worker is replaced
    assert again.status == 200, again.body
    assert written(url, "killed-import-%") == complete(IMPORT_ROWS)
    figures.append(
        f"fault on {'postgresql' if on_postgresql() else 'sqlite'}: worker {worker} killed "
        f"(SIGKILL) while its import of {IMPORT_ROWS} organizations was writing: "
        f"{kept} kept, no answer ({type(pending.error).__name__}); a new worker served "
        f"the same import again: {again.json['created']} created, {again.json['updated']} updated"
    )


@dataclass
class Creator:
    """A client that creates organizations one after another and notes each answer."""

    server: Server
    admin: dict
    number: int
    running: bool = True
    answers: dict[str, int] = field(default_factory=dict)  # slug → status, 0 for none

    def run(self) -> None:
        """Create until stopped."""
        sent = 0
        while self.running:
            slug = f"killed-create-{self.number}-{sent}"
            sent += 1
            body = organization(f"Killed Create {self.number} {sent}", slug)
            try:
                status = self.server.call(
                    "POST", "/api/v1/organizations", body, self.admin, timeout=60
                ).status
            except (OSError, http.client.HTTPException):
                status = 0
            self.answers[slug] = status


def test_workers_killed_during_creates_leave_whole_organizations(database, server, figures):
    url, admin = database
    creators = [Creator(server, admin, n) for n in range(6)]
    threads = [threading.Thread(target=c.run, daemon=True) for c in creators]
    for thread in threads:
        thread.start()
    killed = []
    for _ in range(3):
        wait_for(
            lambda: sum(len(c.answers) for c in creators) > 10 * (len(killed) + 1), 60, "creates"
        )
        worker = server.workers()[len(killed) % 2]
        os.kill(worker, signal.SIGKILL)
        killed.append(worker)
        server.wait_for_workers(2, besides=set(killed))
    for creator in creators:
        creator.running = False
    for thread in threads:
        thread.join(60)

    answers = {slug: status for c in creators for slug, status in c.answers.items()}
    cut = [slug for slug, status in answers.items() if status == 0]
    assert set(answers.values()) <= {201, 0}, answers
    assert cut, "no create was cut short by the kills"
    whole = complete(1)
    existing = []
    for slug, status in answers.items():
        rows = written(url, slug)
        if status == 201 or rows["organizations"]:
            assert rows == whole, (slug, status, rows)
            existing.append(slug)
        else:
            assert rows == complete(0), (slug, rows)
    assert written(url, "killed-create-%") == complete(len(existing))
    figures.append(
        f"fault on {'postgresql' if on_postgresql() else 'sqlite'}: {len(killed)} workers "
        f"killed during {len(answers)} creates by 6 clients: {len(cut)} cut short without "
        f"an answer ({sum(1 for s in cut if s in existing)} of them committed whole, the "
        f"others absent), every organization whole"
    )


# --- a read-only SQLite file ------------------------------------------------------------


def can_make_immutable(directory: Path) -> bool:
    """True when chattr +i works here (root on a file system that keeps the flag)."""
    if shutil.which("chattr") is None:
        return False
    probe = directory / "probe"
    probe.touch()
    try:
        return subprocess.run(["chattr", "+i", probe], capture_output=True).returncode == 0
    finally:
        subprocess.run(["chattr", "-i", probe], capture_output=True)
        probe.unlink()


@dataclass
class Immutable:
    """Makes an SQLite database file and its write-ahead log unwritable, for root too.

    chmod stops neither root nor a process that has the file open for writing already;
    the immutable attribute stops both. The shared-memory index stays writable: it is
    not the database but the lock table that every reader maps.
    """

    database_file: Path
    flagged: list[Path] = field(default_factory=list)

    def impose(self) -> None:
        """Set the attribute on the files there are."""
        for file in (self.database_file, Path(f"{self.database_file}-wal")):
            if file.exists():
                subprocess.run(["chattr", "+i", file], check=True)
                self.flagged.append(file)

    def lift(self) -> float:
        """Clear the attribute; the moment it was cleared."""
        while self.flagged:
            subprocess.run(["chattr", "-i", self.flagged.pop()], check=True)
        return time.monotonic()


def in_parallel(count: int, make) -> list:
    """Call make(i) for each i in threads at once; their results, in order."""
    results: list = [None] * count

    def run(i: int) -> None:
        results[i] = make(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.database_independent
def test_a_read_only_database_file_gives_503_problems_then_recovers(tmp_path, figures):
    if not can_make_immutable(tmp_path):
        pytest.skip("needs chattr +i (root, and a file system with the immutable attribute)")
    file = tmp_path / "read-only.db"
    url = f"sqlite:///{file}"
    admin = prepare(url)
    created, notes = [], []

    def create(server: Server, name: str) -> Answer:
        body = organization(name, name.lower().replace(" ", "-"))
        answer = server.call("POST", "/api/v1/organizations", body, admin)
        if answer.status == 201:
            created.append(answer.json["slug"])
        return answer

    def refused(server: Server, phase: str) -> None:
        """Writes at once (new connections open meanwhile) give 503s; reads still work."""
        answers = in_parallel(8, lambda i: create(server, f"{phase} {i}"))
        for answer in answers:
            assert is_problem(answer, 503), (answer, server.logs())
            assert answer.json["detail"] == GENERIC_503, answer.json
            assert answer.headers["Retry-After"]
        for headers in ({}, admin):
            assert server.call("GET", "/api/v1/organizations", headers=headers).status == 200
        notes.append(f"{phase.lower()}: 8 writes 503 problems, reads 200")

    def accepted(server: Server, phase: str, since: float) -> None:
        """Writes succeed again, through every connection the workers hold."""
        wait_for(lambda: create(server, f"{phase} first").status == 201, 10, "a write")
        recovered = time.monotonic() - since
        answers = in_parallel(16, lambda i: create(server, f"{phase} {i}"))
        assert [a.status for a in answers] == [201] * 16, [a.body for a in answers]
        notes.append(f"restored: writes 201 after {recovered:.1f} s, then 16 at once 201")

    fault = Immutable(file)
    with contextlib.ExitStack() as stack:
        stack.callback(fault.lift)
        fault.impose()  # before the server opens its first connection
        server = stack.enter_context(
            serve("read-only", tmp_path, DATABASE_URL=url, RATELIMIT_ENABLED="false")
        )
        refused(server, "Read only from the start")
        accepted(server, "After the first fault", fault.lift())
        fault.impose()  # now under connections opened for writing
        refused(server, "Made read only while serving")
        accepted(server, "After the second fault", fault.lift())
        logs = server.logs()
    assert "unhandled error" not in logs
    slugs = count(url, "SELECT count(*) FROM organizations")
    assert slugs == len(created), (slugs, len(created))
    with contextlib.closing(sqlite3.connect(file)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    figures.append("fault on sqlite, file made immutable (chattr +i): " + "; ".join(notes))


# --- an unreachable PostgreSQL ----------------------------------------------------------


class Relay:
    """A TCP relay to PostgreSQL that a test cuts, as a network outage would, and restores."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = free_port()
        self.selector = selectors.DefaultSelector()
        self.listener: socket.socket | None = None
        self.peers: dict[socket.socket, socket.socket] = {}
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def open(self) -> None:
        """Listen and relay."""
        listener = socket.create_server(("127.0.0.1", self.port))
        listener.setblocking(False)
        with self.lock:
            self.listener = listener
            self.selector.register(listener, selectors.EVENT_READ)

    def cut(self) -> None:
        """Stop listening and reset every relayed connection: nothing reaches the database."""
        with self.lock:
            if self.listener is not None:
                self.selector.unregister(self.listener)
                self.listener.close()
                self.listener = None
            for sock in list(self.peers):
                self._drop(sock)

    def close(self) -> None:
        """Cut, and stop relaying for good."""
        self.cut()
        self.running = False
        self.thread.join(5)

    def _drop(self, sock: socket.socket) -> None:
        for end in (sock, self.peers.pop(sock, None)):
            if end is not None:
                self.peers.pop(end, None)
                with contextlib.suppress(KeyError, ValueError):
                    self.selector.unregister(end)
                with contextlib.suppress(OSError):
                    end.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                end.close()

    def _serve(self) -> None:
        while self.running:
            for key, _ in self.selector.select(timeout=0.05) if self.selector.get_map() else ():
                with self.lock:
                    self._ready(key.fileobj)
            if not self.selector.get_map():
                time.sleep(0.05)

    def _ready(self, sock: socket.socket) -> None:
        if sock is self.listener:
            with contextlib.suppress(BlockingIOError):
                client, _ = sock.accept()
                try:
                    upstream = socket.create_connection(self.target, timeout=5)
                except OSError:
                    client.close()
                    return
                self.peers[client], self.peers[upstream] = upstream, client
                for end in (client, upstream):
                    end.setblocking(True)
                    self.selector.register(end, selectors.EVENT_READ)
            return
        if sock not in self.peers:
            return
        try:
            data = sock.recv(65536)
            if data:
                self.peers[sock].sendall(data)
                return
        except OSError:
            pass
        self._drop(sock)


def new_topic(number: int) -> dict:
    """A topic to create: a write that leaves organizations alone."""
    return {"slug": f"outage-{number}-{time.monotonic_ns()}", "name": f"Outage {number}"}


@pytest.mark.postgresql
def test_an_unreachable_postgresql_gives_503_problems_then_recovers(tmp_path, figures):
    with fresh_postgresql("test_conc_outage") as direct:
        admin = prepare(direct)
        target = make_url(direct)
        relay = Relay(target.host or "127.0.0.1", target.port or 5432)
        try:
            relay.open()
            through = target.set(port=relay.port).render_as_string(hide_password=False)
            with serve(
                "outage", tmp_path, DATABASE_URL=through, RATELIMIT_ENABLED="false"
            ) as server:
                listing = "/api/v1/organizations?page_size=5"
                pollers = [
                    Poller(server, listing, timeout=20),
                    Poller(server, listing, headers=admin, timeout=20),
                    Poller(server, "/api/v1/topics", "POST", new_topic, headers=admin, timeout=20),
                ]
                for poller in pollers:
                    poller.start()
                wait_for(lambda: all(len(p.answers) >= 5 for p in pollers), 30, "answers")
                relay.cut()
                cut = time.monotonic()
                time.sleep(3)
                ready = server.call("GET", "/api/v1/ready")
                health = server.call("GET", "/api/v1/health")
                relay.open()
                restored = time.monotonic()
                wait_for(
                    lambda: all(p.first_success_after(restored) for p in pollers),
                    15,
                    "recovery",
                )
                settled = time.monotonic()
                time.sleep(1)
                for poller in pollers:
                    poller.stop(30)
                logs = server.logs()
        finally:
            relay.close()

    answers = [a for p in pollers for a in p.answers]
    others = [a for a in answers if a.status >= 500 and a.status != 503]
    assert not others, f"an error other than 503: {others[:3]}"
    assert not [a for a in answers if a.status == 0], "a request without an answer"
    during = [a for p in pollers for a in p.between(cut, restored)]
    assert during and {a[2:] for a in during} == {(503, "application/problem+json", GENERIC_503)}
    assert ready.status == 503 and ready.json["status"] == "unavailable"  # its own document
    assert health.status == 200
    firsts = [p.first_success_after(restored) for p in pollers]
    after = [a for p in pollers for a in p.between(settled)]
    assert after and all(a.status < 300 for a in after), after
    assert "unhandled error" not in logs
    figures.append(
        f"fault on postgresql, relay cut for 3 s: {len(during)} answers meanwhile, all 503 "
        f"problems with a generic detail (/ready 503, /health 200); every poller answered "
        f"2xx again within {max(firsts) - restored:.1f} s of the relay reopening, "
        f"and every answer after that was 2xx"
    )


@pytest.mark.postgresql
def test_a_connection_lost_after_the_answer_ends_the_request_cleanly():
    """The database drops a request's connection after its last statement: teardown's
    failed rollback is no 500, and the next request gets a working connection."""
    url = postgres_url()
    app = create_app({"DATABASE_URL": url})
    try:
        with app.test_request_context():
            session = get_session()
            backend = session.scalar(select(func.pg_backend_pid()))
            with create_engine(url, poolclass=NullPool).connect() as other:
                assert other.scalar(select(func.pg_terminate_backend(backend)))
            close_request_session()
            assert get_session().scalar(select(func.pg_backend_pid())) != backend
            close_request_session()
    finally:
        app.extensions["partners_db"].engine.dispose()


@pytest.mark.postgresql
def test_pooled_connections_the_database_dropped_are_replaced_unseen():
    """The database ends every idle connection of the pool (a restart, an idle timeout):
    the next requests are answered as usual, on new connections (each connection the pool
    lends first reads the directory version, which finds a dropped one)."""
    url = postgres_url()
    app = create_app({"DATABASE_URL": url, "RATELIMIT_ENABLED": False})
    engine = app.extensions["partners_db"].engine
    client = app.test_client()
    try:
        with engine.connect() as first, engine.connect() as second:
            dropped = {c.scalar(select(func.pg_backend_pid())) for c in (first, second)}
        with create_engine(url, poolclass=NullPool).connect() as other:
            for backend in dropped:
                assert other.scalar(select(func.pg_terminate_backend(backend)))
        for path in ("/api/v1/organizations?page_size=5", "/api/v1/organizations/facets"):
            answer = client.get(path)
            assert answer.status_code == 200, answer.json
        with engine.connect() as connection:
            assert connection.scalar(select(func.pg_backend_pid())) not in dropped
    finally:
        engine.dispose()
