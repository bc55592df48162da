"""Declarative base, engine, one session per request, and the SQLite pragmas."""

from __future__ import annotations

import _sqlite3
import contextvars
import ctypes
import functools
import json
import logging
import os
import sqlite3
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app, g
from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    MetaData,
    Select,
    TypeDecorator,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DBAPIError, DisconnectionError, InvalidatePoolError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from partners_api.errors import NotFound

logger = logging.getLogger(__name__)

T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# sqlite3_config's option for SQLite's count of the memory it holds.
SQLITE_CONFIG_MEMSTATUS = 9

# Set while a request that writes runs, so SQLite takes the write lock up front.
write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)


class Base(DeclarativeBase):
    """Base of every model; constraints get stable names from the convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware, SQLite included."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        """Convert to UTC before storing."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC times")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        """Attach UTC to values the driver returns without a zone."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def json_text(value: Any) -> str:
    """JSON as stored: names in any script stay readable (in exports too), not escaped."""
    return json.dumps(value, ensure_ascii=False)


# Where a connection keeps the answer of the probe it ran when the pool lent it.
_PROBE_ANSWER = "partners_probe_answer"
NO_ANSWER = object()  # what probe_answer gives when there is none
_NEW = "partners_new"  # marks a connection not yet lent
_SEEN_ALIVE = "partners_seen_alive"  # when a connection last answered (time.monotonic)


def make_engine(url: str, *, echo: bool = False, probe: str | None = None) -> Engine:
    """Create the engine for a database URL, tuned for its dialect.

    `probe`, a statement of one value, answers `probe_answer` (see `_probe_at_checkout`);
    on PostgreSQL it then stands for the pool's pre-ping. The pool lends the connection
    returned last (LIFO): the one a request's probe just checked, for its session next.
    """
    if url.startswith("sqlite"):
        stop_sqlite_memory_count()
        engine = create_engine(url, echo=echo, json_serializer=json_text)
        if path := sqlite_file(engine):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        _configure_sqlite(engine)
    else:
        engine = create_engine(
            url,
            echo=echo,
            json_serializer=json_text,
            pool_pre_ping=probe is None,
            pool_use_lifo=True,
            pool_size=5,
            max_overflow=10,
        )
    if probe is not None:
        _probe_at_checkout(engine, probe, liveness=engine.dialect.name != "sqlite")
    return engine


# Set while probe_answer borrows a connection: the pool probes it whatever its age.
_answer_wanted: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "answer_wanted", default=False
)
ALIVE_FOR = 1.0  # seconds a connection seen working is lent unchecked, for a session


def probe_answer(engine: Engine) -> Any:
    """The probe's answer on a connection the pool lends for it: read as it was lent,
    outside any transaction; NO_ANSWER when the probe failed (on any error but a lost
    connection, which the pool replaces) or the engine has no probe."""
    token = _answer_wanted.set(True)
    try:
        pooled = engine.raw_connection()
    finally:
        _answer_wanted.reset(token)
    try:
        return pooled.info.get(_PROBE_ANSWER, NO_ANSWER)
    finally:
        pooled.close()


def _probe_at_checkout(engine: Engine, probe: str, *, liveness: bool) -> None:
    """Run the probe on a connection the pool lends for probe_answer, and (with
    `liveness`) on one not seen working for ALIVE_FOR seconds, outside any transaction.

    The probe is the request's first statement anyway (the directory version), so it is
    also the check that the connection is alive: one round trip where a pre-ping took two.
    A pooled connection the database dropped fails it and is replaced, the other pooled
    ones with it, as after a failed pre-ping; a new one that fails it raises the driver's
    error (the database is unreachable: a 503). Any other error leaves no answer, and the
    reader asks again where the error is reported. A session's connection lent just after
    the probe, or just after the last statement on it, goes unchecked: the connection
    probed for its request's version, with the pool lending the last one returned.
    """
    run = _probe_runner(engine, probe)

    @event.listens_for(engine, "connect")
    def _new(_dbapi_connection, record) -> None:
        record.info[_NEW] = True

    @event.listens_for(engine, "checkin")
    def _returned(dbapi_connection, record) -> None:
        if dbapi_connection is not None:
            record.info[_SEEN_ALIVE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _probe(dbapi_connection, record, _proxy) -> None:
        info = record.info
        info.pop(_PROBE_ANSWER, None)
        new = info.pop(_NEW, False)
        stale = liveness and time.monotonic() - info.get(_SEEN_ALIVE, 0.0) > ALIVE_FOR
        if not (_answer_wanted.get() or (stale and not new)):
            return
        try:
            info[_PROBE_ANSWER] = run(dbapi_connection, info)
        except engine.dialect.loaded_dbapi.Error as error:
            if not engine.dialect.is_disconnect(error, dbapi_connection, None):
                return  # no answer: the reader asks again, where the error is reported
            if new:
                raise  # lost as soon as made: the database is unreachable, say so
            raise InvalidatePoolError(str(error)) from error  # the pool connects anew
        info[_SEEN_ALIVE] = time.monotonic()


def _probe_runner(engine: Engine, probe: str) -> Callable[[Any, dict], Any]:
    """How the probe runs on a driver connection, given the pool's record of it."""
    if engine.dialect.driver == "psycopg":
        return _prepared_runner(probe)
    return lambda dbapi_connection, _info: _run_outside_transaction(dbapi_connection, probe)


def _run_outside_transaction(dbapi_connection, statement: str) -> Any:
    """The first value of a statement run in autocommit mode: the statement alone, no BEGIN."""
    manual = getattr(dbapi_connection, "autocommit", None) is False  # psycopg; SQLite autocommits
    if manual:
        dbapi_connection.autocommit = True
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(statement)
            row = cursor.fetchone()
        finally:
            cursor.close()
    finally:
        if manual:
            dbapi_connection.autocommit = False
    return row[0] if row else None


# Marks a PostgreSQL connection on which the probe's statement is prepared.
_PREPARED = "partners_probe_prepared"
NOT_PREPARED = b"26000"  # PostgreSQL's invalid_sql_statement_name


def _prepared_runner(statement: str) -> Callable[[Any, dict], Any]:
    """The statement's first value on a psycopg connection lent by the pool, prepared once
    per connection and run straight through libpq (which lets other threads run meanwhile).

    Through psycopg's cursor, in autocommit mode, the same read spent more time in Python
    than in its round trip. The pool lends a connection in no transaction: the statement
    runs alone, no BEGIN. It is prepared again when gone (psycopg deallocates every
    prepared statement of a connection after a ROLLBACK TO SAVEPOINT or a DROP). A failure
    is raised as psycopg raises it (a lost connection shows as broken, as there).
    """
    from psycopg.errors import error_from_result  # psycopg only where PostgreSQL is used
    from psycopg.pq import DiagnosticField, ExecStatus, Format

    name = b"partners_probe"

    def prepare(pgconn, info: dict) -> None:
        result = pgconn.prepare(name, statement.encode())
        if result.status != ExecStatus.COMMAND_OK:
            raise error_from_result(result)
        info[_PREPARED] = True

    def run(connection, info: dict) -> Any:
        pgconn = connection.pgconn
        if not info.get(_PREPARED):
            prepare(pgconn, info)
        result = pgconn.exec_prepared(name, None)
        if result.error_field(DiagnosticField.SQLSTATE) == NOT_PREPARED:
            prepare(pgconn, info)
            result = pgconn.exec_prepared(name, None)
        if result.status != ExecStatus.TUPLES_OK:
            raise error_from_result(result)
        return first_value(connection, result) if result.ntuples else None

    def first_value(connection, result) -> Any:
        type_oid = result.ftype(0)
        loader = connection.adapters.get_loader(type_oid, Format.TEXT)(type_oid, connection)
        return loader.load(result.get_value(0, 0))

    return run


def sqlite_library() -> ctypes.CDLL:
    """The sqlite3 driver and the SQLite it is linked with, through ctypes (a driver built
    into the interpreter has no file: then the interpreter's own symbols)."""
    return ctypes.CDLL(getattr(_sqlite3, "__file__", None))


@functools.cache  # once: with the count off, "no memory held" can no longer be told
def stop_sqlite_memory_count() -> bool:
    """Turn off SQLite's count of the memory it holds, if nothing uses SQLite yet: True if
    turned off.

    With the count on (SQLite's default), each allocation SQLite makes takes one lock of
    the whole process: connections working on several threads at once (an export's
    readers, a worker's threads) spend as much time on that lock as on their work. The
    count changes only while SQLite is shut down, safe only while it holds no memory at
    all; it stays on where the driver does not expose SQLite's functions.
    """
    library = sqlite_library()
    if not hasattr(library, "sqlite3_config"):
        return False
    library.sqlite3_memory_used.restype = ctypes.c_int64
    if library.sqlite3_memory_used() != 0:  # a connection is open (or was left open)
        return False
    library.sqlite3_shutdown()
    library.sqlite3_config(SQLITE_CONFIG_MEMSTATUS, ctypes.c_int(0))
    return library.sqlite3_initialize() == 0


def sqlite_file(engine: Engine) -> str | None:
    """The path of a SQLite database file; None in memory or for a `file:` URI."""
    path = engine.url.database
    return None if path in (None, "", ":memory:") or path.startswith("file:") else path


def _configure_sqlite(engine: Engine) -> None:
    """Turn on foreign keys, WAL and a busy timeout; let SQLAlchemy own transactions.

    SQLite opens a file it may not write read-only, and such a connection stays read-only
    after the file can be written again: it is marked when opened, replaced at checkout
    once the file is writable, and dropped when a write finds it read-only.
    """
    path = sqlite_file(engine)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, record) -> None:
        # pysqlite's own transaction handling breaks SAVEPOINT; we emit BEGIN ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 10000")
        if path:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            if not os.access(path, os.W_OK):
                record.info["read_only"] = True
        cursor.close()

    @event.listens_for(engine, "checkout")
    def _on_checkout(_dbapi_connection, record, _proxy) -> None:
        if record.info.get("read_only") and os.access(path, os.W_OK):
            raise DisconnectionError("opened read-only, and the file can be written now")

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")

    @event.listens_for(engine, "handle_error")
    def _on_error(context: ExceptionContext) -> None:
        code = getattr(context.original_exception, "sqlite_errorcode", None)
        if code is not None and code & 0xFF == sqlite3.SQLITE_READONLY:
            context.is_disconnect = True  # this connection alone, not the whole pool
            context.invalidate_pool_on_disconnect = False


# Set while a request that only reads runs (its view says so): see Database.read_session_factory.
read_only_request: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "read_only_request", default=False
)


class Database:
    """The engine and session factories of one application.

    `read_session_factory` makes the sessions of requests that only read. On PostgreSQL
    their statements run outside any transaction (autocommit): no BEGIN and no ROLLBACK,
    two round trips of the three or four a single read takes. Each statement sees what
    was committed when it began, as it would in a transaction at PostgreSQL's default
    level (READ COMMITTED), so the answers are the same. On SQLite, whose transaction
    costs no round trip and whose reads in one transaction see one snapshot, they are
    the usual sessions.
    """

    def __init__(self, url: str, *, echo: bool = False, probe: str | None = None) -> None:
        self.engine = make_engine(url, echo=echo, probe=probe)
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.read_session_factory = self.session_factory
        if self.engine.dialect.name == "postgresql":
            reader = self.engine.execution_options(isolation_level="AUTOCOMMIT")
            self.read_session_factory = sessionmaker(bind=reader, expire_on_commit=False)

    def bind_to(self, connection: Connection) -> None:
        """Make sessions join an outer transaction on a connection (used by tests)."""
        self.session_factory = self.read_session_factory = sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Yield a session outside a request, closed at the end."""
        with self.session_factory() as session:
            yield session

    def init_app(self, app: Flask) -> None:
        """Register the database on the app and close the request session at teardown."""
        app.extensions["partners_db"] = self
        app.teardown_appcontext(close_request_session)


def database() -> Database:
    """Return the Database of the current application."""
    return current_app.extensions["partners_db"]


def get_session() -> Session:
    """Return the session of the current request, opening it on first use: one that only
    reads when the request only reads (read_only_request)."""
    if "db_session" not in g:
        db = database()
        factory = db.read_session_factory if read_only_request.get() else db.session_factory
        g.db_session = factory()
    return g.db_session


def close_request_session(_exc: BaseException | None = None) -> None:
    """End the request's session now (it is also ended at teardown).

    A connection the database dropped since the session's last statement fails its
    rollback; its transaction is gone all the same, so the session is discarded with the
    connection (the pool opens a new one) and the answer already made stands.
    """
    session = g.pop("db_session", None)
    if session is None:
        return
    try:
        session.close()
    except DBAPIError as error:
        logger.warning("request session closed on a lost connection: %s", error.orig)
        session.invalidate()


def database_key(session: Session) -> str:
    """Which database a session reads (its URL, password hidden): keeps caches apart."""
    return _url_text(session.get_bind().engine)


# Each live engine's URL as text, made once (every request asks); weak, so that a
# cached engine never outlives its application with its pooled connections.
_URL_TEXTS: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def _url_text(engine: Engine) -> str:
    """An engine's URL as text, made once per engine."""
    known = _URL_TEXTS.get(engine)
    if known is None:
        known = _URL_TEXTS[engine] = str(engine.url)
    return known


def assign_changed(
    instance: Base,
    data: Mapping[str, Any],
    fields: Iterable[str],
    *,
    columns: Mapping[str, str] | None = None,
) -> list[str]:
    """Set each field the data gives a different value; return their names, in field order.

    `columns` names the attribute a field is stored in where the two differ.
    """
    changed = []
    for name in fields:
        attribute = (columns or {}).get(name, name)
        if name in data and getattr(instance, attribute) != data[name]:
            setattr(instance, attribute, data[name])
            changed.append(name)
    return changed


def get_or_not_found(
    session: Session, model: type[T], key: object, missing: str, *, options: Sequence = ()
) -> T:
    """Return the row of a model with this primary key, or raise NotFound saying `missing`."""
    row = session.get(model, key, options=options)
    if row is None:
        raise NotFound(missing)
    return row


# Keys of session.info that hold what a session read, forgotten when it flushes, commits or
# rolls back (forget_on_write): a write's own request then reads anew what its write made.
_READ_MEMOS: list[str] = []


def forget_on_write(name: str) -> str:
    """Register `name` as a session.info key dropped when the session writes or its
    transaction ends; returns the name."""
    _READ_MEMOS.append(name)
    return name


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
@event.listens_for(Session, "after_soft_rollback")
def _forget_read_memos(session: Session, *_args) -> None:
    for name in _READ_MEMOS:
        session.info.pop(name, None)


# Where a session keeps the identities of the rows it locked, until its transaction ends.
_LOCKED = "partners_locked"


def lock_for_update(session: Session, instance: Base) -> None:
    """Hold an instance's row until the transaction ends, and reload it as committed.

    A request that reads a row, checks its state and then changes it would otherwise race
    on PostgreSQL: when another transaction commits a change of the row in between, the
    version column makes the write fail, which answers 412 to a request that sent no
    If-Match. On SQLite a writing request holds the write lock from its first statement
    (BEGIN IMMEDIATE), so what it read is current already. A row this transaction locked
    already is current too: no other transaction can have changed it since.
    """
    if session.get_bind().dialect.name == "sqlite":
        return
    key = inspect(instance).identity_key
    locked = session.info.setdefault(_LOCKED, set())
    if key in locked:
        return
    # One statement: reload the row FOR UPDATE OF its own table (not of eagerly joined ones).
    session.refresh(instance, with_for_update={"of": type(instance)})
    locked.add(key)


def get_locked(
    session: Session, model: type[T], key: object, missing: str, *, options: Sequence = ()
) -> T:
    """get_or_not_found, the row held until the transaction ends (see lock_for_update):
    read FOR UPDATE in the first place on PostgreSQL, rather than read, then read again."""
    if session.get_bind().dialect.name == "sqlite":
        return get_or_not_found(session, model, key, missing, options=options)
    row = session.get(
        model, key, options=options, with_for_update={"of": model}, populate_existing=True
    )
    if row is None:
        raise NotFound(missing)
    session.info.setdefault(_LOCKED, set()).add(inspect(row).identity_key)
    return row


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
@event.listens_for(Session, "after_soft_rollback")
def _forget_locked(session: Session, *_args) -> None:
    session.info.pop(_LOCKED, None)


def insert_rows(
    session: Session, model: type[Base], rows: Sequence[Mapping], *, batch: int = 5_000
) -> None:
    """Insert many rows of one table in the session's transaction, a batch per statement.

    Rows go through Core, not the ORM's bulk insert: the ORM leaves out the None values
    of each row and so splits rows with different empty fields into separate statements,
    tens of thousands of round trips for a large load on PostgreSQL. Every row must carry
    the same keys.
    """
    connection = session.connection()
    if rows and connection.dialect.name == "sqlite" and _plain_columns(model.__table__, rows[0]):
        _insert_sqlite(connection, model.__table__, rows, batch)
        return
    for chunk in in_chunks(rows, batch):
        connection.execute(insert(model.__table__), chunk)


def _plain_columns(table, row: Mapping) -> bool:
    """Whether the row names columns of the table only, and every column it leaves out has
    no default computed in Python (which only Core's insert would fill in)."""
    names = set(table.c.keys())
    return set(row) <= names and all(table.c[n].default is None for n in names - set(row))


def _insert_sqlite(connection: Connection, table, rows: Sequence[Mapping], batch: int) -> None:
    """executemany on the driver's cursor, each value converted by its column's type as Core
    would: at a million rows, Core's per-row parameter handling is most of a bulk load."""
    keys = list(rows[0])
    processors = [table.c[k].type._cached_bind_processor(connection.dialect) for k in keys]
    quote = connection.dialect.identifier_preparer.quote
    columns = ", ".join(quote(table.c[k].name) for k in keys)
    statement = f"INSERT INTO {table.name} ({columns}) VALUES ({', '.join('?' * len(keys))})"
    values_of = itemgetter(*keys) if len(keys) > 1 else lambda row: (row[keys[0]],)
    for chunk in in_chunks(rows, batch):
        by_column = zip(*map(values_of, chunk), strict=True)
        converted = [_converted(c, p) for c, p in zip(by_column, processors, strict=True)]
        connection.exec_driver_sql(statement, list(zip(*converted, strict=True)))


def _converted(values: Sequence, processor) -> Sequence:
    """A column's values as bound: a value repeated down the whole column (a load's one
    timestamp) converted once."""
    if processor is None:
        return values
    if values.count(values[0]) == len(values):
        return [processor(values[0])] * len(values)
    return [processor(value) for value in values]


@contextmanager
def indexes_built_after(session: Session, tables: Iterable[str]) -> Iterator[None]:
    """On SQLite, the tables' own indexes (not those of their constraints) are dropped for
    the block and made again after it, in the session's transaction: for a bulk load, one
    sorted build each instead of a random insert into each per row, twice as fast. If the
    block raises, they are not made again: rolling the transaction back restores them."""
    indexes = []
    if session.get_bind().dialect.name == "sqlite":
        query = text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN (SELECT value FROM json_each(:tables))"
        )
        indexes = session.execute(query, {"tables": json.dumps(list(tables))}).all()
    quote = session.get_bind().dialect.identifier_preparer.quote
    for name, _ in indexes:
        session.execute(text(f"DROP INDEX {quote(name)}"))
    yield
    for _, sql in indexes:
        session.execute(text(sql))


def keyset_rows(session: Session, query: Select, key, *, batch: int = 500) -> Iterator[Any]:
    """A query's rows in batches by its unique key (also its first column), never all at once."""
    for rows in keyset_batches(session, query, key, batch=batch):
        yield from rows


def keyset_batches(session: Session, query: Select, key, *, batch: int = 500) -> Iterator[list]:
    """A query's rows by its unique key (also its first column), a list of `batch` at a time."""
    last = 0
    while rows := session.execute(query.where(key > last).order_by(key).limit(batch)).all():
        yield rows
        last = rows[-1][0]


def plain_batches(connection: Connection, query: Select, *, batch: int = 10_000) -> Iterator[list]:
    """A query's rows as the driver's plain tuples, a batch at a time, with no Row objects
    and no result processing: for the in-memory indexes, which read whole tables of numbers
    and short strings (never dates, whose SQLite values would come as text)."""
    compiled = query.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    params = compiled.construct_params()
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    statement, cursor = str(compiled), connection.connection.cursor()
    # The cursor events still fire, for whoever listens for the statements a connection runs.
    event = (connection, cursor, statement, params, None, False)
    try:
        connection.dispatch.before_cursor_execute(*event)
        cursor.execute(statement, params)
        connection.dispatch.after_cursor_execute(*event)
        while rows := cursor.fetchmany(batch):
            yield rows
    except connection.dialect.loaded_dbapi.Error as error:  # as SQLAlchemy would raise it
        base = connection.dialect.loaded_dbapi.Error
        raise DBAPIError.instance(statement, params, error, base) from error
    finally:
        cursor.close()


def in_chunks(values: Sequence[T], size: int = 5_000) -> Iterator[Sequence[T]]:
    """The values in slices of at most `size`, in order: IN lists within drivers' limits.

    SQLite allows 32,766 bound parameters per statement and psycopg 65,535; a select per
    slice keeps a long list of ids or slugs well under both.
    """
    for start in range(0, len(values), size):
        yield values[start : start + size]


def fetch_page(session: Session, query: Select, *, page: int, page_size: int) -> tuple[list, int]:
    """Run an ordered query for one page; return its rows and the total count."""
    counted = query.order_by(None).subquery()
    total = session.scalar(select(func.count()).select_from(counted)) or 0
    offset = (page - 1) * page_size
    if offset >= total:  # past the end: nothing to fetch, and no huge OFFSET to send
        return [], total
    return list(session.scalars(query.limit(page_size).offset(offset))), total
