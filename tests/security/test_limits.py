"""Resource limits: body size, page size, and rate limits in memory and shared in Redis."""

from __future__ import annotations

import uuid

import pytest
import redis

from partners_api import create_app
from tests.helpers import bearer

REDIS_URL = "redis://127.0.0.1:6379/0"


def limited_app(database_url: str, **settings):
    return create_app(
        {
            "DATABASE_URL": database_url,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            **settings,
        }
    )


def test_a_body_over_the_limit_is_413(client, admin_key):
    big = {"name": "X", "sector": "media", "country": "FR", "description": "x" * 2_000_000}
    response = client.post("/api/v1/organizations", json=big, headers=bearer(admin_key))
    assert response.status_code == 413 and response.json["status"] == 413


def test_page_size_over_100_is_422(client):
    for url in (
        "/api/v1/organizations",
        "/api/v1/regions",
        "/api/v1/partnerships",
        "/api/v1/dialogues",
        "/api/v1/topics",
        "/api/v1/countries",
    ):
        assert client.get(url, query_string={"page_size": 101}).status_code == 422, url


def test_anonymous_calls_are_limited_per_address(database_url):
    app = limited_app(database_url, RATELIMIT_ANONYMOUS="3 per minute")
    client = app.test_client()
    answers = [client.get("/api/v1/regions") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["X-RateLimit-Limit"] == "3"
    assert answers[1].headers["X-RateLimit-Remaining"] == "1"
    refused = answers[3]
    assert int(refused.headers["Retry-After"]) > 0 and refused.json["status"] == 429
    assert refused.mimetype == "application/problem+json"
    other = client.get("/api/v1/regions", environ_overrides={"REMOTE_ADDR": "10.9.8.7"})
    assert other.status_code == 200
    assert client.get("/api/v1/health").status_code == 200  # never limited
    app.extensions["partners_db"].engine.dispose()


@pytest.fixture
def redis_server():
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379")


def test_two_instances_share_limits_through_redis(database_url, redis_server):
    prefix = f"shared-{uuid.uuid4().hex}"
    apps = [
        limited_app(
            database_url,
            RATELIMIT_STORAGE_URI=REDIS_URL,
            RATELIMIT_KEY_PREFIX=prefix,
            RATELIMIT_ANONYMOUS="10 per minute",
        )
        for _ in range(2)
    ]
    clients = [app.test_client() for app in apps]
    statuses = [clients[n % 2].get("/api/v1/regions").status_code for n in range(16)]
    assert statuses.count(200) == 10 and statuses.count(429) == 6
    for app in apps:
        app.extensions["partners_db"].engine.dispose()
