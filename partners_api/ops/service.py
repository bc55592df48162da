"""Checks behind /ready (the database answers, its schema is at the newest migration), and
the warm-up of the in-memory indexes when a worker starts."""

from __future__ import annotations

import ctypes
import logging
import os
import pickle
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from partners_api.changes import versioned
from partners_api.db import database

logger = logging.getLogger(__name__)

# glibc's mallopt: blocks of LARGE_BLOCK bytes or more (a request's arrays over a large
# directory) are mapped apart and unmapped when freed, not kept in the heap of the process
# (by default the threshold rises with the blocks freed, up to 32 MB, and each thread's heap
# then keeps the largest arrays it has used).
M_MMAP_THRESHOLD = -3
LARGE_BLOCK = 256 * 1024
SMALLEST_BLOCK = 24  # the least glibc's malloc hands out (a chunk of 32 bytes)

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"

REHEARSED = (  # see rehearse; and the matches of the first organization indexed
    "/api/v1/organizations?page_size=50",
    "/api/v1/organizations?region=africa&sector=academia&page_size=50&sort=name",
    "/api/v1/organizations?q=institute&page_size=50",
    "/api/v1/organizations/facets",
    "/api/v1/organizations/resolve?name=University",
)


def alembic_config(database_url: str) -> Config:
    """An Alembic configuration for the project's migrations and this database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    """The newest migration of the project."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def readiness(engine: Engine) -> tuple[bool, str]:
    """Return whether the database answers and is migrated to head, with a reason."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = MigrationContext.configure(connection).get_current_revision()
    except Exception as error:  # any driver error means not ready
        return False, f"database unavailable: {type(error).__name__}"
    head = head_revision()
    if current != head:
        return False, f"database at migration {current}, expected {head}"
    return True, "ok"


def warm_up(app: Flask, *, names: bool = False) -> None:
    """Build the list and matching indexes (and the name index, if asked) now, so that no
    request waits for them.

    A database that is not ready yet is left for the first request to find.
    """
    from partners_api.identity import index as name_index
    from partners_api.matching import index as matching
    from partners_api.organizations import listing

    try:
        with app.app_context(), database().session() as session:
            listing.current_index(session).prepare()
            matching.current_index(session).prepare()
            if names:
                name_index.current(session)
    except SQLAlchemyError as error:
        logger.warning("indexes not built at start: %s", type(error).__name__)


def warm_up_apart(app: Flask) -> None:
    """Build every index as warm_up(names=True) does, but in a forked child, and take them
    over from it through a pipe, pickled.

    Building allocates and frees far more than the indexes keep, and leaves this process's
    heap in pages partly used that no trim gives back (half a gigabyte at a million
    organizations); taken over, the indexes are laid out in memory one after another.
    Builds here instead if the child fails.
    """
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read)
        _build_and_send(app, write)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        try:
            versioned.adopt(pickle.load(pipe))
        except (EOFError, pickle.UnpicklingError):
            logger.warning("indexes not built apart, building them here")
            warm_up(app, names=True)
    os.waitpid(child, 0)


def _build_and_send(app: Flask, pipe: int) -> None:
    """In the forked child: build, send every store's values, and exit at once."""
    status = 1
    try:
        with app.app_context():  # new connections: the parent's are left to it, unclosed
            database().engine.dispose(close=False)
        warm_up(app, names=True)
        with os.fdopen(pipe, "wb") as sending:
            pickle.dump(versioned.every_value(), sending, protocol=pickle.HIGHEST_PROTOCOL)
        status = 0
    finally:
        os._exit(status)  # no exit handler, no finalizer of the parent's objects


def rehearse(app: Flask) -> None:
    """Answer one request of each kind the indexes serve (lists, facets, matches, a resolve)
    through the test client, uncounted, and drop the answers.

    In the gunicorn master before it forks: what a first request sets up (the modules it
    imports, compiled statements, schemas, the interpreter's specialized bytecode) is then
    made once and shared, instead of made again, and so kept apart, by every worker (about
    a third of a worker's private memory). A failed request is only logged, and nothing is
    asked of a database not ready.
    """
    from partners_api.matching import index as matching
    from partners_api.observability import UNCOUNTED

    try:
        with app.app_context(), database().session() as session:
            ids = matching.current_index(session).ids
    except SQLAlchemyError as error:  # a database not ready: nothing to rehearse
        logger.warning("requests not rehearsed: %s", type(error).__name__)
        return
    paths = [*REHEARSED, *([f"/api/v1/organizations/{ids[0]}/matches"] if len(ids) else [])]
    with app.test_client() as client:
        for path in paths:
            status = client.get(path, environ_base={UNCOUNTED: True}).status_code
            if status != 200:
                logger.warning("rehearsal of %s answered %s", path, status)


class MallocInfo(ctypes.Structure):
    """glibc's struct mallinfo2: what malloc holds, in bytes (mallinfo2(3))."""

    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            *("arena", "ordblks", "smblks", "hblks", "hblkhd"),
            *("usmblks", "fsmblks", "uordblks", "fordblks", "keepcost"),
        )
    ]


def release_free_memory() -> None:
    """Hand the free pages of the C heap back to the system (glibc's malloc_trim).

    Building the indexes of a large directory allocates and frees far more than they keep;
    without this the master keeps those pages, and with PRELOAD every worker inherits them.
    From then on blocks of LARGE_BLOCK bytes or more are mapped apart (M_MMAP_THRESHOLD).
    Nothing happens on a C library without malloc_trim.
    """
    libc = ctypes.CDLL(None)  # the C library already loaded, without searching for it
    if hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)
        libc.mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK)


def fill_heap_holes() -> int:
    """Allocate, for good, every free block left inside the C heap (glibc's main arena);
    return how many blocks were taken.

    In the gunicorn master, just before it forks: the blocks the builds freed lie between
    live ones, on pages the workers share. A worker's malloc would reuse them first, and so
    write to (and copy) those shared pages; filled, its blocks come from the heap's top,
    pages of its own laid out one after another (about 1.5 MB less for each worker at
    100,000 organizations). It costs nothing: the blocks are already the process's, and
    the pages release_free_memory gave back inside them stay unwritten but for a header.
    Takes blocks as large as can be found, then smaller, and keeps each that did not come
    from the heap's top (mallinfo2's keepcost). Nothing happens without mallinfo2 (glibc
    before 2.33, or another C library).
    """
    libc = ctypes.CDLL(None)
    if not hasattr(libc, "mallinfo2"):
        return 0
    libc.mallinfo2.restype = MallocInfo
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    taken, size = 0, LARGE_BLOCK - 64
    while size >= SMALLEST_BLOCK:
        while _took_a_hole(libc, size):
            taken += 1
        size = size * 4 // 5 // 8 * 8 if size > 40 else size - 8
    return taken


def _took_a_hole(libc: ctypes.CDLL, size: int) -> bool:
    """Allocate `size` bytes and keep them if they came from a free block inside the heap;
    give them back if they came from its top (or from a new mapping)."""
    before = libc.mallinfo2()
    block = libc.malloc(size)
    after = libc.mallinfo2()
    from_top = after.keepcost < before.keepcost or after.arena > before.arena
    if from_top or after.hblks > before.hblks or not block:
        libc.free(block)
        return False
    return True
