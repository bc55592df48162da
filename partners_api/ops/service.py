"""Checks behind /ready: the database answers and its schema is at the newest migration."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


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
