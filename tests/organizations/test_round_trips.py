"""Round trips to the database per request: what warm list pages, reads and facets cost.

Counted below SQLAlchemy, as the database sees them: on SQLite every statement SQLite
runs (BEGIN and ROLLBACK included, through its trace callback); on PostgreSQL every
statement sent on a cursor (the pool's probe included) plus each BEGIN, COMMIT and
ROLLBACK (none in autocommit). On an application of its own, bound to the engine as in
production (the other tests' sessions join one transaction, which hides these).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import event

from partners_api import create_app
from partners_api.organizations import rendering

URL = "/api/v1/organizations"
# Every connection the pool lends first reads this, which also shows it alive (no ping).
VERSION = "SELECT value FROM directory_version"
LIST = f"{URL}?region=africa&sector=academia&sector=civil_society&page_size=50"


@pytest.fixture
def counted(app: Flask, database_url: str) -> Iterator[tuple[Flask, list[str]]]:
    """An application of its own on the test database (the demo directory loaded by `app`),
    and the statements its database runs."""
    app = create_app({"DATABASE_URL": database_url, "RATELIMIT_ENABLED": False})
    engine = app.extensions["partners_db"].engine
    statements: list[str] = []
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _trace(dbapi_connection, _record) -> None:
            dbapi_connection.set_trace_callback(statements.append)

    else:
        import psycopg

        class CountingCursor(psycopg.Cursor):
            def execute(self, query, *args, **kwargs):
                statements.append(str(query))
                return super().execute(query, *args, **kwargs)

        @event.listens_for(engine, "connect")
        def _count(dbapi_connection, _record) -> None:
            dbapi_connection.cursor_factory = CountingCursor

        def _transaction_statement(connection, name: str) -> None:
            if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
                statements.append(name.upper())  # in autocommit, psycopg sends none

        for name in ("begin", "commit", "rollback"):
            event.listen(engine, name, lambda c, name=name: _transaction_statement(c, name))
    try:
        yield app, statements
    finally:
        engine.dispose()


def round_trips(app: Flask, statements: list[str], path: str, headers=None) -> list[str]:
    """The statements one GET runs, after the same GET warmed every cache."""
    client = app.test_client()
    assert client.get(path, headers=headers).status_code == 200
    statements.clear()
    assert client.get(path, headers=headers).status_code == 200
    return list(statements)


def test_a_warm_single_read_asks_only_the_directory_version(counted):
    app, statements = counted
    org = app.test_client().get(f"{URL}?page_size=1").json[0]["id"]
    assert round_trips(app, statements, f"{URL}/{org}") == [VERSION]  # no ping besides


def test_a_warm_list_page_asks_only_the_directory_version(counted):
    app, statements = counted
    assert round_trips(app, statements, LIST) == [VERSION]


def test_a_key_known_at_this_version_is_not_read_again(counted, admin_key_committed):
    app, statements = counted
    org = app.test_client().get(f"{URL}?page_size=1").json[0]["id"]
    admin = {"Authorization": f"Bearer {admin_key_committed}"}
    assert round_trips(app, statements, f"{URL}/{org}", admin) == [VERSION]


def test_warm_facets_ask_only_the_directory_version(counted):
    app, statements = counted
    assert round_trips(app, statements, f"{URL}/facets?region=africa&topic=ai-safety") == [VERSION]


def test_a_new_list_page_reads_its_organizations_in_one_transaction(counted):
    app, statements = counted
    client = app.test_client()
    assert client.get(LIST).status_code == 200
    statements.clear()
    assert client.get(f"{LIST}&page=2&sort=-name").status_code == 200
    transactions = [s for s in statements if s.strip().upper().startswith("BEGIN")]
    assert len(transactions) <= 1, statements
    assert len(statements) <= 12, statements


def transactions(statements: list[str]) -> list[str]:
    """The statements that begin or end a transaction."""
    return [s for s in statements if s.split()[0].upper() in ("BEGIN", "COMMIT", "ROLLBACK")]


def cold_read(app: Flask, statements: list[str], org: int, other: int) -> list[str]:
    """The statements a GET of one organization runs when it was not rendered yet (but
    another one was, since the renderings were last dropped)."""
    client = app.test_client()
    rendering.forget()
    assert client.get(f"{URL}/{other}").status_code == 200
    statements.clear()
    assert client.get(f"{URL}/{org}").status_code == 200
    return list(statements)


def first_ids(app: Flask, count: int) -> list[int]:
    """The ids of the first organizations of the list."""
    return [o["id"] for o in app.test_client().get(f"{URL}?page_size={count}").json]


def test_a_new_single_read_takes_two_statements_and_no_transaction_on_postgresql(counted):
    app, statements = counted
    read = cold_read(app, statements, *first_ids(app, 2))
    assert read[0] == VERSION
    if app.extensions["partners_db"].engine.dialect.name == "postgresql":
        assert len(read) == 2 and not transactions(read), read  # its row and lists in one
    else:
        assert len(transactions(read)) <= 2, read  # one BEGIN, one ROLLBACK


@pytest.mark.parametrize("path", ["network?depth=2", "introductions?to={other}"])
def test_the_network_and_introductions_run_outside_a_transaction_on_postgresql(counted, path):
    app, statements = counted
    org, other = first_ids(app, 2)
    read = round_trips(app, statements, f"{URL}/{org}/{path.format(other=other)}")
    postgresql = app.extensions["partners_db"].engine.dialect.name == "postgresql"
    assert len(transactions(read)) == (0 if postgresql else 2), read
