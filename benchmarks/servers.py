"""Shared pieces of the HTTP benchmarks: a synthetic directory, an admin key, gunicorn's command."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from alembic import command
from flask import Flask
from sqlalchemy import make_url

from partners_api import create_app
from partners_api.db import database
from partners_api.keys import service as keys
from partners_api.ops.service import alembic_config
from partners_api.serving import local
from partners_api.synthetic import generate_directory

ROOT = Path(__file__).resolve().parents[1]


# Set by `python -m benchmarks`: a folder where the benchmarks of one run share the
# synthetic SQLite directories they generate, one file per size.
SHARED = "BENCH_DIRECTORIES"
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def sqlite_directory(path: Path, organizations: int) -> None:
    """Write the synthetic SQLite directory of this size, migrated to head, at `path`.

    Generated with the size as seed; when BENCH_DIRECTORIES names a folder, copied from
    the file an earlier benchmark of the run left there, or else generated and left there.
    """
    shared = os.environ.get(SHARED)
    kept = Path(shared) / f"directory-{organizations}.db" if shared else None
    if kept is None or not kept.exists():
        generate(f"sqlite:///{kept or path}", organizations)
    if kept is not None:
        with closing(sqlite3.connect(kept)) as source, closing(sqlite3.connect(path)) as copy:
            source.backup(copy)


def generate(url: str, organizations: int) -> None:
    """Migrate the database to head and generate the directory there, the size as seed."""
    command.upgrade(alembic_config(url), "head")
    with _app(url) as app, app.app_context(), database().session() as session:
        started = time.perf_counter()
        generate_directory(session, organizations=organizations, seed=organizations)
        seconds = time.perf_counter() - started
    backend = make_url(url).get_backend_name()
    kind = NAMES.get(backend, backend)
    print(f"  generated {organizations:,} organizations on {kind} in {seconds:.0f} s")


def admin_key(url: str) -> str:
    """Issue an admin key in the database at `url`; return its secret."""
    with _app(url) as app, app.app_context(), database().session() as session:
        return keys.create_key(session, name="bench", scopes=["admin"]).secret


@contextmanager
def _app(url: str) -> Iterator[Flask]:
    """The app on this database, its connections closed afterwards."""
    app = create_app({"DATABASE_URL": url})
    try:
        yield app
    finally:
        app.extensions["partners_db"].engine.dispose()


def gunicorn(
    app: str, port: int, *, workers: int = 1, timeout: int = 300, config: str | None = None
) -> list[str]:
    """The command serving a WSGI app of the repository: sync workers, or a config's."""
    return local.gunicorn(
        app, config=config, port=port, workers=workers, timeout=timeout, chdir=ROOT
    )


def datasette_command(
    path: Path, port: int, *, immutable: bool = False, time_limit_ms: int = 10_000
) -> list[str]:
    """Datasette serving an SQLite file, mutable unless asked, with room for slow queries."""
    return [
        str(local.BIN / "datasette"),
        "serve",
        *(["-i"] if immutable else []),
        str(path),
        "--port",
        str(port),
        "--setting",
        "sql_time_limit_ms",
        str(time_limit_ms),
    ]
