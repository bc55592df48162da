"""Readiness: 200 on a migrated database; 503 when it lags a migration or cannot be reached."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.script import ScriptDirectory

from partners_api import create_app
from partners_api.ops.service import alembic_config, head_revision

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/nothing?connect_timeout=2"


@pytest.fixture
def make_app():
    """Build applications on other databases, disposing of their engines after the test."""
    made = []

    def build(url: str):
        made.append(create_app({"DATABASE_URL": url, "RATELIMIT_ENABLED": False}))
        return made[-1]

    yield build
    for app in made:
        app.extensions["partners_db"].engine.dispose()


def test_ready_when_migrated_and_reachable(client):
    response = client.get("/api/v1/ready")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "detail": "ok"}


def test_not_ready_one_migration_behind(make_app, tmp_path):
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    config = alembic_config(url)
    previous = ScriptDirectory.from_config(config).get_revision(head_revision()).down_revision
    command.upgrade(config, previous)
    response = make_app(url).test_client().get("/api/v1/ready")
    assert response.status_code == 503
    assert response.json == {
        "status": "unavailable",
        "detail": f"database at migration {previous}, expected {head_revision()}",
    }


def test_not_ready_and_503_problems_when_the_database_is_unreachable(make_app):
    client = make_app(UNREACHABLE).test_client()
    ready = client.get("/api/v1/ready")
    assert ready.status_code == 503
    assert ready.json["detail"] == "database unavailable: OperationalError"
    assert client.get("/api/v1/health").status_code == 200  # alive all the same
    for url in ("/api/v1/organizations", "/api/v1/countries/KE"):
        response = client.get(url, headers={"X-Request-ID": "while-down"})
        assert response.status_code == 503, url
        assert response.mimetype == "application/problem+json"
        assert response.json["code"] == "database_unavailable"
        assert response.headers["Retry-After"] == "5"
        assert response.headers["X-Request-ID"] == "while-down"
