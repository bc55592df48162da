"""A gunicorn worker killed mid-merge leaves the duplicate fully merged or untouched."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, make_url, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from partners_api.db import insert_rows
from partners_api.organizations import service as organizations
from partners_api.organizations.models import Organization
from partners_api.partnerships.models import Partnership
from tests.faults import (
    Pending,
    Probe,
    count,
    empty_the_log,
    migrated_database,
    two_workers,
    wait_for,
)
from tests.servers import Server, on_postgresql

LINKS = 4000


def seed(url: str) -> tuple[int, int]:
    """A duplicate with LINKS active links (bulk helpers) and a survivor; their ids."""
    engine = create_engine(url, poolclass=NullPool)
    records = [
        {"name": name, "slug": slug, "sector": "academia", "country": "KE"}
        for name, slug in (
            ("Killed Merge Duplicate", "killed-merge-duplicate"),
            ("Killed Merge Survivor", "killed-merge-survivor"),
        )
    ] + [
        {"name": f"Killed Merge Partner {i}", "slug": f"killed-merge-partner-{i}"}
        | {"sector": "media", "country": "GH"}
        for i in range(LINKS)
    ]
    with Session(engine) as session:
        duplicate, survivor, *partners = organizations.bulk_create(
            session, records=records, actor_key_id=None
        )
        rows = [
            {
                "kind": "research",
                "status": "active",
                "proposer_id": duplicate,
                "partner_id": partner,
                "low_id": min(duplicate, partner),
                "high_id": max(duplicate, partner),
                "description": "",
            }
            for partner in partners
        ]
        insert_rows(session, Partnership, rows)
        session.commit()
    engine.dispose()
    return duplicate, survivor


class WriteLockProbe(Probe):
    """Probe, but on SQLite: another connection cannot take the write lock (a writer holds it).

    A merge changes rows the page cache holds until its commit, so the write-ahead log
    does not grow while it works; the lock it holds from its first statement shows it.
    """

    def writing(self) -> bool:
        """True once the merge's transaction is seen open for writing."""
        if self.connection is not None:
            return super().writing()
        path = make_url(self.url).database
        with contextlib.closing(sqlite3.connect(path, timeout=0)) as connection:
            try:
                connection.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                return self.pending.waiting
            connection.rollback()
        return False


def state(url: str, duplicate: int, survivor: int) -> dict:
    """The duplicate's status and successor, the links of each side, and merge events."""
    engine = create_engine(url, poolclass=NullPool)
    with Session(engine) as session:
        status, successor = session.execute(
            select(Organization.status, Organization.successor_id).where(
                Organization.id == duplicate
            )
        ).one()
    engine.dispose()
    links = "SELECT count(*) FROM partnerships WHERE proposer_id = :id OR partner_id = :id"
    events = (
        "SELECT count(*) FROM change_events"
        " WHERE entity = 'organization' AND action IN ('merged', 'merged_in')"
    )
    return {
        "status": status,
        "successor_id": successor,
        "duplicate_links": count(url, links, id=duplicate),
        "survivor_links": count(url, links, id=survivor),
        "merge_events": count(url, events),
    }


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Iterator[tuple[str, dict]]:
    """A fresh database of the suite's kind, migrated, and an admin key on it."""
    with migrated_database("test_merge_faults", tmp_path_factory) as prepared:
        yield prepared


@pytest.fixture(scope="module")
def server(database, tmp_path_factory) -> Iterator[Server]:
    """Gunicorn with two workers on that database."""
    with two_workers("merge-faults", database, tmp_path_factory) as running:
        yield running


def test_a_worker_killed_during_a_merge_leaves_it_whole_or_undone(database, server, figures):
    url, admin = database
    duplicate, survivor = seed(url)
    path = f"/api/v1/organizations/{duplicate}"
    etag = server.call("GET", path).headers["ETag"]
    headers = {**admin, "Content-Type": "application/json", "If-Match": etag}
    body = json.dumps({"into": survivor}).encode()
    empty_the_log(url)
    pending = Pending(server, "POST", f"{path}/merge", body, headers)
    probe = WriteLockProbe(url, pending)
    try:
        wait_for(lambda: probe.writing() or not pending.waiting, 120, "the merge writing")
    finally:
        probe.close()
    time.sleep(0.2)  # well into the merge of thousands of links
    worker = server.worker_serving(pending.socket)
    assert pending.waiting, f"the merge ended before the kill: {pending.answer}"
    assert worker is not None, "no worker holds the merge's connection"
    os.kill(worker, signal.SIGKILL)
    pending.thread.join(30)
    server.wait_for_workers(2, besides={worker})

    after = state(url, duplicate, survivor)
    untouched = {
        "status": "active",
        "successor_id": None,
        "duplicate_links": LINKS,
        "survivor_links": 0,
        "merge_events": 0,
    }
    merged = {
        "status": "merged",
        "successor_id": survivor,
        "duplicate_links": 0,
        "survivor_links": LINKS,
        "merge_events": 2,
    }
    assert after in (untouched, merged), after
    assert pending.answer is None, f"the killed worker answered: {pending.answer}"
    if after == untouched:  # the same merge again, once the worker is replaced
        again = server.call("POST", f"{path}/merge", {"into": survivor}, headers, timeout=300)
        assert again.status == 200, again.body
        assert state(url, duplicate, survivor) == merged
    figures.append(
        f"fault on {'postgresql' if on_postgresql() else 'sqlite'}: worker {worker} killed "
        f"(SIGKILL) while it merged an organization with {LINKS} links: "
        f"{'all of it' if after == merged else 'none of it'} kept, then fully merged"
    )
