"""Dispatcher processes: killed mid-batch and restarted, and two at once on PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import defaultdict
from pathlib import Path

import pytest

from partners_api import create_app
from partners_api.db import database
from partners_api.serving.local import BIN
from partners_api.synthetic import generate_directory
from tests.servers import ROOT, fresh_database, fresh_postgresql, prepare
from tests.webhooks.receiver import Receiver

EVENTS = ["organization.created"]


def subscribe_all(url: str, receiver: Receiver, paths: list[str], organizations: int) -> None:
    """Subscribe each path (admin, the whole directory), then add organizations: committed."""
    admin = prepare(url)
    app = create_app({"DATABASE_URL": url, "RATELIMIT_ENABLED": False})
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    client = app.test_client()
    for path in paths:
        body = {"url": receiver.url + path, "event_types": EVENTS}
        made = client.post("/api/v1/webhooks", json=body, headers=admin)
        assert made.status_code == 201, made.json
        receiver.secrets[path] = made.json["secret"]
    with app.app_context(), database().session() as session:
        generate_directory(session, organizations=organizations, links_per_organization=0)
    app.extensions["partners_db"].engine.dispose()


def dispatcher(url: str, logs: Path, name: str) -> subprocess.Popen:
    """`partners-api webhooks run` on a database, with short leases and timeouts."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": url,
        "WEBHOOKS_ALLOW_PRIVATE": "true",
        "WEBHOOKS_LEASE_SECONDS": "8",
        "WEBHOOKS_TIMEOUT_SECONDS": "5",
        "WEBHOOKS_RETRY_BASE_SECONDS": "0.2",
        "WEBHOOKS_BATCH_SIZE": "40",
        "WEBHOOKS_POLL_SECONDS": "0.1",
    }
    with (logs / f"{name}.out").open("w") as out, (logs / f"{name}.err").open("w") as err:
        return subprocess.Popen(
            [str(BIN / "partners-api"), "webhooks", "run"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=err,
        )


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, and wait for the dispatcher to finish its batches (else SIGKILL)."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def by_organization(receiver: Receiver, path: str) -> dict[int, set[str]]:
    """The webhook-ids each organization's event came with."""
    seen: dict[int, set[str]] = defaultdict(set)
    for got in receiver.of(path):
        assert got.verified, got.headers
        seen[got.json["data"]["id"]].add(got.webhook_id)
    return seen


def test_a_killed_dispatcher_loses_nothing_after_a_restart(tmp_path, receiver, figures):
    paths, count = ["/slow/a", "/slow/b"], 120
    with fresh_database("hooks_kill", tmp_path) as url:
        subscribe_all(url, receiver, paths, count)
        first = dispatcher(url, tmp_path, "first")
        try:
            receiver.wait_for("/slow/a", 30, seconds=180)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        sent_before = sum(len(receiver.of(p)) for p in paths)
        second = dispatcher(url, tmp_path, "second")
        try:
            for path in paths:
                deadline = time.monotonic() + 180
                while len(by_organization(receiver, path)) < count:
                    assert time.monotonic() < deadline, (path, len(receiver.of(path)))
                    time.sleep(0.1)
        finally:
            stop(second)
    duplicates = 0
    for path in paths:
        seen = by_organization(receiver, path)
        assert len(seen) == count
        assert all(len(ids) == 1 for ids in seen.values()), "a duplicate with another webhook-id"
        order = list(dict.fromkeys(r.json["data"]["id"] for r in receiver.of(path)))
        assert order == sorted(order)
        duplicates += len(receiver.of(path)) - count
    figures.append(
        f"webhooks SIGKILL: {sent_before} sent before the kill, {duplicates} sent again "
        f"after the restart (same webhook-id), none lost"
    )


@pytest.mark.postgresql
def test_two_dispatchers_never_send_one_delivery_twice(tmp_path, receiver, figures):
    paths, count = [f"/slow/{n}" for n in range(6)], 60
    with fresh_postgresql("hooks_two") as url:
        subscribe_all(url, receiver, paths, count)
        processes = [dispatcher(url, tmp_path, f"d{n}") for n in range(2)]
        try:
            for path in paths:
                receiver.wait_for(path, count, seconds=180)
            time.sleep(1)  # anything sent twice would arrive now
        finally:
            for process in processes:
                stop(process)
    for path in paths:
        ids = [r.webhook_id for r in receiver.of(path)]
        assert len(ids) == len(set(ids)) == count
        order = [r.json["data"]["id"] for r in receiver.of(path)]
        assert order == sorted(order)
    figures.append(f"webhooks: two dispatchers, {len(paths) * count} deliveries, each sent once")
