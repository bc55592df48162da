"""One export read on several connections at once, every one on the same snapshot.

An export whose cells the database renders is bound by the database's work on one
connection: SQLite runs a query on the thread that asks, PostgreSQL on the connection's
one server process. So the export's batches are read in turns by a few connections on
threads of their own (the drivers let go of the GIL while the database works), and handed
on in order: a few batches in memory at a time, whatever the size.

The connections must see the same data. On PostgreSQL the export's own session begins a
REPEATABLE READ transaction and exports its snapshot, which the others take
(SET TRANSACTION SNAPSHOT): the very same data, every statement. A SQLite file admits
many readers, but cannot share a snapshot: each connection begins its transaction and
reads the directory version, which every write bumps; if they differ, a write came in
between, and the export is read on its own session alone.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.orm import Session

from partners_api.changes.models import DirectoryVersion
from partners_api.db import Database, sqlite_file

T = TypeVar("T")

# Connections (and threads) reading one export: the two cores of a small server.
READERS = 2
# What pg_export_snapshot() answers, written into SET TRANSACTION SNAPSHOT (no parameters).
SNAPSHOT_ID = re.compile(r"[0-9A-F]+(-[0-9A-F]+)+")


@contextmanager
def snapshot_sessions(session: Session, database: Database) -> Iterator[list[Session]]:
    """`session` and READERS - 1 more sessions that see exactly what it sees; call it
    before `session` reads anything.

    Only `session` on a connection that tests share, in memory, when `session` had begun
    already (on PostgreSQL), or when a write came in while the others began (on SQLite).
    """
    bind = session.get_bind()
    if READERS < 2 or not isinstance(bind, Engine):
        yield [session]
    elif bind.dialect.name == "postgresql":
        with _shared_snapshot(session, database) as sessions:
            yield sessions
    elif sqlite_file(bind):
        with _same_version(session, database) as sessions:
            yield sessions
    else:
        yield [session]


@contextmanager
def _shared_snapshot(session: Session, database: Database) -> Iterator[list[Session]]:
    """On PostgreSQL: `session` begun in REPEATABLE READ, and the others on its snapshot."""
    if session.in_transaction():
        yield [session]
        return
    snapshot = _begin_repeatable_read(session).scalar(text("SELECT pg_export_snapshot()"))
    if not SNAPSHOT_ID.fullmatch(snapshot):
        raise ValueError(f"unexpected snapshot id {snapshot!r}")
    with ExitStack() as stack:
        others = [stack.enter_context(database.session()) for _ in range(READERS - 1)]
        for other in others:
            _begin_repeatable_read(other).exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
        yield [session, *others]


def _begin_repeatable_read(session: Session) -> Connection:
    """The session's connection, its transaction begun in REPEATABLE READ: one snapshot for
    every statement."""
    return session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


@contextmanager
def _same_version(session: Session, database: Database) -> Iterator[list[Session]]:
    """On SQLite: `session` and the others, if all read the same directory version."""
    with ExitStack() as stack:
        others = [stack.enter_context(database.session()) for _ in range(READERS - 1)]
        sessions = [session, *others]
        if len({snapshot_version(s) for s in sessions}) > 1:
            stack.close()  # a write came in between: the others' snapshots are of no use
            sessions = [session]
        yield sessions


def snapshot_version(session: Session) -> int:
    """The directory version as this session's transaction sees it (begun here if need be)."""
    return session.connection().scalar(select(DirectoryVersion.value)) or 0


def in_turns(
    sessions: list[Session], read: Callable[[Session, Any], T], parts: Iterable[Any]
) -> Iterator[T]:
    """read(session, part) for each part, in order; the sessions take turns, each on a
    thread of its own, at most one part ahead each."""
    if len(sessions) == 1:
        yield from (read(sessions[0], part) for part in parts)
        return
    with ThreadPoolExecutor(len(sessions), thread_name_prefix="export") as pool:
        pending: deque = deque()
        for n, part in enumerate(parts):
            if len(pending) == len(sessions):  # the session of part n is free again after
                yield pending.popleft().result()
            pending.append(pool.submit(read, sessions[n % len(sessions)], part))
        while pending:
            yield pending.popleft().result()
