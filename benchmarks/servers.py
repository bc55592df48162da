"""Shared pieces of the HTTP benchmarks: a synthetic directory, an admin key, gunicorn's command."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from alembic import command
from flask import Flask
from sqlalchemy import Connection, create_engine, make_url, text
from sqlalchemy.pool import NullPool

from partners_api import create_app
from partners_api.db import database
from partners_api.keys import service as keys
from partners_api.ops.service import alembic_config
from partners_api.serving import local
from partners_api.synthetic import generate_directory

ROOT = Path(__file__).resolve().parents[1]


# Set by `python -m benchmarks`: a folder where the benchmarks share the synthetic SQLite
# directories they generate, one file per size and version of the generator, kept from one
# run to the next (a million organizations take minutes to generate).
SHARED = "BENCH_DIRECTORIES"
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# What a generated directory depends on: the generator, its names, and the schema.
GENERATOR_SOURCES = ("partners_api/synthetic.py", "partners_api/synthetic_names.py", "migrations")


FIGURES = "figures.jsonl"  # in BENCH_DIRECTORIES: the figures of the run, for its table


def record(part: str, figure: str, value: float, unit: str, target: str = "") -> None:
    """Keep a figure for the one table `python -m benchmarks` prints, with its target if it
    has one ("< 25", ">= 100000", in the figure's unit); nothing outside such a run."""
    shared = os.environ.get(SHARED)
    if not shared:
        return
    line = {"part": part, "figure": figure, "value": value, "unit": unit, "target": target}
    with (Path(shared) / FIGURES).open("a") as figures:
        figures.write(json.dumps(line) + "\n")


def generator_version() -> str:
    """A digest of the generator's code and of the migrations: a kept file of another
    version is generated anew."""
    digest = hashlib.sha256()
    for name in GENERATOR_SOURCES:
        root = ROOT / name
        for path in sorted(root.rglob("*.py")) if root.is_dir() else [root]:
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def sqlite_directory(path: Path, organizations: int) -> None:
    """Write the synthetic SQLite directory of this size, migrated to head, at `path`.

    Generated with the size as seed; when BENCH_DIRECTORIES names a folder, copied from
    the file kept there for this size and generator version, or else generated and kept.
    """
    shared = os.environ.get(SHARED)
    if not shared:
        generate(f"sqlite:///{path}", organizations)
        return
    kept = Path(shared) / f"directory-{organizations}-{generator_version()}.db"
    if not kept.exists():
        kept.parent.mkdir(parents=True, exist_ok=True)
        partial = kept.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        generate(f"sqlite:///{partial}", organizations)
        with closing(sqlite3.connect(partial)) as connection:  # the whole file, no WAL
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        partial.rename(kept)
    shutil.copyfile(kept, path)


def postgresql_directory(url: str, organizations: int) -> None:
    """Make the PostgreSQL database at `url` a new copy of the synthetic directory of this
    size, migrated to head.

    The directory is generated once per size and generator version, into a template
    database named after the one at `url`; each run then drops that database and makes it
    again from the template: seconds, where generating takes a minute at 100,000.
    """
    target = make_url(url)
    name = target.database
    template = f"{name}_directory_{organizations}_{generator_version()}"
    # Autocommit, as CREATE and DROP DATABASE need; no pool, so no connection lingers.
    server = create_engine(
        target.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    with server.connect() as connection:
        quote = connection.dialect.identifier_preparer.quote
        present = set(connection.scalars(text("SELECT datname FROM pg_database")))
        for old in present:
            if old.startswith(f"{name}_directory_{organizations}_") and old != template:
                connection.execute(text(f"DROP DATABASE {quote(old)} WITH (FORCE)"))
        if template not in present:
            _generate_template(connection, target, template, organizations)
        connection.execute(text(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(template)}"))


def _generate_template(server: Connection, target, template: str, organizations: int) -> None:
    """Generate the directory into a new database, vacuum it, and name it `template` (only
    once complete, so that an interrupted run leaves no template)."""
    quote = server.dialect.identifier_preparer.quote
    partial = f"{template}_partial"
    server.execute(text(f"DROP DATABASE IF EXISTS {quote(partial)} WITH (FORCE)"))
    server.execute(text(f"CREATE DATABASE {quote(partial)}"))
    url = target.set(database=partial)
    generate(url.render_as_string(hide_password=False), organizations)
    # As after any bulk load: vacuum now, rather than leave autovacuum to busy a core
    # while the benchmarks run; the copies inherit its statistics.
    engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE"))
    server.execute(text(f"ALTER DATABASE {quote(partial)} RENAME TO {quote(template)}"))


@contextmanager
def temporary_directory(database: str | None, organizations: int) -> Iterator[Path]:
    """The file to serve: `database` if it exists (migrated to head), else a new directory
    of this size, kept at `database` when given."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(database or Path(folder) / "directory.db").resolve()
        if path.exists():
            command.upgrade(alembic_config(f"sqlite:///{path}"), "head")
        else:
            sqlite_directory(path, organizations)
        yield path


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
    target = "< 600" if organizations >= 1_000_000 and backend == "sqlite" else ""
    record("generate", f"{kind}, {organizations:,} organizations", seconds, "s", target)


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
