"""Fixtures of the webhook tests: a receiver on loopback, private targets allowed, a dispatcher."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from partners_api.db import utcnow
from partners_api.webhooks.dispatcher import Dispatcher, Settings
from tests.helpers import bearer
from tests.webhooks.receiver import Receiver, start_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A receiver on a loopback port, stopped after the test."""
    state, server = start_receiver()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def allow_private(app, monkeypatch) -> None:
    """Let subscriptions name loopback targets over http, as in local development."""
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", True)


class Clock:
    """A clock the test moves forward."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    """The dispatcher's clock, starting now."""
    return Clock()


@pytest.fixture
def dispatcher(app, db_connection, clock) -> Dispatcher:
    """A dispatcher in the test's transaction, with short timeouts and retries."""
    settings = Settings(
        timeout=0.5, retry_base=0.05, concurrency=8, lease_seconds=30, allow_private=True
    )
    return Dispatcher(app.extensions["partners_db"], settings, clock=clock)


@pytest.fixture
def subscribe(client, receiver, allow_private):
    """Subscribe a receiver path with a key; the receiver learns its secret."""

    def make(key: str, path: str, event_types: list[str], **fields) -> dict:
        body = {"url": receiver.url + path, "event_types": event_types, **fields}
        response = client.post("/api/v1/webhooks", json=body, headers=bearer(key))
        assert response.status_code == 201, response.json
        receiver.secrets[path] = response.json["secret"]
        return response.json

    return make
