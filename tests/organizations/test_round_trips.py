"""Round trips to the database per request: what warm list pages, reads and facets cost.

Counted below SQLAlchemy, as the database sees them: on SQLite every statement SQLite
runs (BEGIN and ROLLBACK included, through its trace callback); on PostgreSQL every
statement each connection sends (the pool's probe, BEGIN, COMMIT and ROLLBACK included),
read from libpq's trace of its messages. On an application of its own, bound to the engine
as in production (the other tests' sessions join one transaction, which hides these).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from typing import IO

import pytest
from flask import Flask
from sqlalchemy import event

from partners_api import create_app
from partners_api.organizations import rendering
from tests.servers import on_postgresql

URL = "/api/v1/organizations"
# Every connection the pool lends first reads this, which also shows it alive (no ping).
VERSION = "SELECT value FROM directory_version"
LIST = f"{URL}?region=africa&sector=academia&sector=civil_society&page_size=50"

# One message of libpq's trace: direction, length, type and fields (a statement's text
# may span lines); the next message starts a line.
MESSAGE = re.compile(r"^([FB])\t\d+\t(\w+)\t?(.*?)(?=^[FB]\t\d+\t|\Z)", re.M | re.S)
# The fields of the messages read: a query's text; a prepared statement's name and text;
# a run's portal and prepared statement (names never hold a quote, texts may).
FIELDS = {
    "Query": re.compile(r' "(.*)"\s*$', re.S),
    "Parse": re.compile(r' "([^"]*)" "(.*)" \d+[ \w]*$', re.S),
    "Bind": re.compile(r' "([^"]*)" "([^"]*)"'),
}


class WireStatements:
    """The statements a PostgreSQL database was sent, from libpq's trace of every connection:
    each simple query, and each run of a prepared statement (by the text it was prepared
    with); `clear` forgets those sent so far."""

    def __init__(self, trace: IO[str]) -> None:
        self.trace = trace
        self.start = 0

    def follow(self, dbapi_connection) -> None:
        """Trace a new connection's messages."""
        from psycopg.pq import Trace

        dbapi_connection.pgconn.trace(self.trace.fileno())
        dbapi_connection.pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS | Trace.REGRESS_MODE)

    def clear(self) -> None:
        self.start = self.trace.seek(0, 2)

    def __iter__(self) -> Iterator[str]:
        self.trace.seek(0)
        text, prepared = self.trace.read(), {}
        for message in MESSAGE.finditer(text):
            direction, kind, fields = message.groups()
            if direction != "F" or kind not in FIELDS:
                continue
            values = FIELDS[kind].match(fields).groups()
            if kind == "Parse":
                prepared[values[0]] = values[1]
            elif message.start() >= self.start:
                yield values[0] if kind == "Query" else prepared[values[1]]


@pytest.fixture
def counted(app: Flask, database_url: str) -> Iterator[tuple[Flask, list[str] | WireStatements]]:
    """An application of its own on the test database (the demo directory loaded by `app`),
    and the statements its database runs."""
    app = create_app({"DATABASE_URL": database_url, "RATELIMIT_ENABLED": False})
    engine = app.extensions["partners_db"].engine
    with tempfile.TemporaryFile("w+") as trace:
        statements: list[str] | WireStatements
        if engine.dialect.name == "sqlite":
            statements = []

            @event.listens_for(engine, "connect")
            def _trace(dbapi_connection, _record) -> None:
                dbapi_connection.set_trace_callback(statements.append)

        else:
            statements = wire = WireStatements(trace)
            event.listen(engine, "connect", lambda connection, _record: wire.follow(connection))
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
    sent = list(statements)
    begun = [s for s in sent if s.strip().upper().startswith("BEGIN")]
    assert len(begun) <= 1, sent
    assert len(sent) <= 12, sent


@pytest.mark.postgresql
@pytest.mark.skipif(not on_postgresql(), reason="prepared statements of PostgreSQL")
def test_the_version_read_is_prepared_again_when_deallocated(counted):
    """psycopg deallocates every prepared statement of a connection after a ROLLBACK TO
    SAVEPOINT or a DROP: the probe prepares its statement again, with no other read."""
    app, statements = counted
    assert round_trips(app, statements, LIST) == [VERSION]
    with app.extensions["partners_db"].engine.connect() as connection:  # the one just used
        connection.exec_driver_sql("DEALLOCATE ALL")
    statements.clear()
    assert app.test_client().get(LIST).status_code == 200
    assert list(statements) == [VERSION, VERSION]  # refused, then run once prepared again


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


@pytest.mark.parametrize(
    ("path", "organizations"), [("network?depth=2", 1), ("introductions?to={other}", 2)]
)
def test_the_network_and_introductions_run_outside_a_transaction_on_postgresql(
    counted, path, organizations
):
    app, statements = counted
    org, other = first_ids(app, 2)
    read = round_trips(app, statements, f"{URL}/{org}/{path.format(other=other)}")
    postgresql = app.extensions["partners_db"].engine.dialect.name == "postgresql"
    assert len(transactions(read)) == (0 if postgresql else 2), read
    # Each organization named is looked up once, for the merged check and the view alike.
    standings = [s for s in read if s.startswith("SELECT organizations.id, organizations.status")]
    assert len(standings) == organizations, read


def test_warm_matches_ask_only_the_directory_version(counted):
    app, statements = counted
    org = first_ids(app, 1)[0]
    assert round_trips(app, statements, f"{URL}/{org}/matches") == [VERSION]
