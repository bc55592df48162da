"""One export read on several SQLite connections at once, every one on the same snapshot.

SQLite runs a query on the thread that asks, one connection at a time; an export whose
cells the database renders is bound by that. A SQLite file admits many readers, so the
export's batches are read in turns by a few connections on threads of their own (the
driver lets go of the GIL while SQLite works), and handed on in order: a few batches in
memory at a time, whatever the size. The connections must see the same data: each
begins its transaction and reads the directory version, which every write bumps; if they
differ, a write came in between, and the export is read on its own session alone.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from typing import Any, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from partners_api.changes.models import DirectoryVersion
from partners_api.db import Database, sqlite_file

T = TypeVar("T")

# Connections (and threads) reading one export: the two cores of a small server.
READERS = 2


@contextmanager
def snapshot_sessions(session: Session, database: Database) -> Iterator[list[Session]]:
    """`session` and READERS - 1 more sessions that see exactly what it sees.

    Only `session` on PostgreSQL (the server runs the query on a process of its own), on
    a connection that tests share, or when a write came in while the others began.
    """
    bind = session.get_bind()
    if READERS < 2 or not isinstance(bind, Engine) or not sqlite_file(bind):
        yield [session]
        return
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
