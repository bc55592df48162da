"""Fixtures: one migrated database per run, one rolled-back transaction per test; figures."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, delete, text

from partners_api import create_app
from partners_api.changes.models import ChangeEvent
from partners_api.db import database
from partners_api.demo import load_demo
from partners_api.identity import duplicates
from partners_api.identity import index as name_index
from partners_api.keys import service as keys
from partners_api.matching import index as matching_index
from partners_api.ops.service import alembic_config
from partners_api.organizations import listing as listing_index
from partners_api.organizations import rendering
from partners_api.organizations.models import Organization
from tests.servers import on_postgresql

FIGURES = pytest.StashKey[list[str]]()


def _reset(url: str) -> None:
    """Give the run an empty database: a dropped and recreated schema on PostgreSQL."""
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """TEST_DATABASE_URL when set (PostgreSQL in CI), else a fresh SQLite file."""
    url = os.environ.get("TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    )
    _reset(url)
    command.upgrade(alembic_config(url), "head")
    return url


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    """The application on the test database, with the demo directory loaded once."""
    application = create_app(
        {"DATABASE_URL": database_url, "TESTING": True, "RATELIMIT_ENABLED": False}
    )
    with application.app_context(), database().session() as session:
        load_demo(session)
    yield application
    application.extensions["partners_db"].engine.dispose()


@pytest.fixture
def db_connection(app: Flask) -> Iterator:
    """A connection in a transaction that every session of the test joins, rolled back after."""
    db = app.extensions["partners_db"]
    original = db.session_factory
    with db.engine.connect() as connection:
        transaction = connection.begin()
        db.bind_to(connection)
        try:
            yield connection
        finally:
            db.session_factory = original
            transaction.rollback()
            # The matching index may have been built from writes that were just undone.
            matching_index.forget()
            listing_index.forget()
            rendering.forget()
            name_index.forget()
            duplicates.forget()
            keys.forget()


@pytest.fixture
def session(app: Flask, db_connection):
    """A session inside the test's transaction, for service-level tests."""
    with app.app_context(), database().session() as session:
        yield session


@pytest.fixture
def client(app: Flask, db_connection) -> FlaskClient:
    """An HTTP client whose writes are rolled back after the test."""
    return app.test_client()


def _issue(app: Flask, **kwargs) -> str:
    with app.app_context(), database().session() as session:
        return keys.create_key(session, **kwargs).secret


@pytest.fixture
def admin_key(app: Flask, db_connection) -> str:
    """The secret of an admin key."""
    return _issue(app, name="test admin", scopes=["admin"])


@pytest.fixture
def admin_key_committed(app: Flask) -> Iterator[str]:
    """An admin key committed outside any test transaction (for tests across connections)."""
    with app.app_context(), database().session() as session:
        issued = keys.create_key(session, name="committed admin", scopes=["admin"])
    yield issued.secret
    with app.app_context(), database().session() as session:
        keys.revoke_keys_named(session, name="committed admin")


@pytest.fixture
def make_key(app: Flask, db_connection):
    """Issue a key with given scopes (and organization); returns its secret."""
    return lambda scopes, organization_id=None: _issue(
        app, name="test key", scopes=scopes, organization_id=organization_id
    )


@pytest.fixture
def committed_organizations(app: Flask) -> Iterator[list[int]]:
    """Ids of organizations a test commits; deleted with their change events afterwards."""
    made: list[int] = []
    yield made
    with app.extensions["partners_db"].session() as session:
        session.execute(delete(Organization).where(Organization.id.in_(made)))
        # Ids may be reused once the rows are gone; their history must go with them.
        session.execute(
            delete(ChangeEvent).where(
                ChangeEvent.entity == "organization",
                ChangeEvent.entity_id.in_([str(i) for i in made]),
            )
        )
        session.commit()
    listing_index.forget()
    rendering.forget()
    matching_index.forget()


@pytest.fixture(scope="session")
def figures(request: pytest.FixtureRequest) -> list[str]:
    """Lines of figures a test reports (counts, outcomes, timings), printed after the run."""
    return request.config.stash.setdefault(FIGURES, [])


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Print the figures tests reported, so CI's log keeps them."""
    lines = config.stash.get(FIGURES, [])
    if lines:
        terminalreporter.section("figures")
        for line in lines:
            terminalreporter.write_line(line)


def pytest_collection_modifyitems(config, items) -> None:
    """On PostgreSQL, skip the tests marked database_independent: the SQLite pass runs them."""
    if not on_postgresql():
        return
    skip = pytest.mark.skip(
        reason="database-independent (it uses no test database): "
        "runs once, in the SQLite pass, not again on PostgreSQL"
    )
    for item in items:
        if item.get_closest_marker("database_independent") is not None:
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With PARTNERS_REQUIRE_SERVICES set (CI), a skip fails, unless CI runs the test elsewhere."""
    outcome = yield
    report = outcome.get_result()
    if (
        report.skipped
        and os.environ.get("PARTNERS_REQUIRE_SERVICES")
        and not _runs_in_the_other_pass(item)
    ):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every service must be present: {report.longrepr}"


def _runs_in_the_other_pass(item) -> bool:
    """True when CI's other database pass runs this test, so a skip in this one is expected.

    A test marked postgresql runs on PostgreSQL only; one marked database_independent runs
    on SQLite only. Any other skip in CI fails: a missing tool or service is an error there.
    """
    if on_postgresql():
        return item.get_closest_marker("database_independent") is not None
    return item.get_closest_marker("postgresql") is not None
