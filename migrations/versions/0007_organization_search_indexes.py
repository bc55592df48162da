"""Substring indexes for `q`: FTS5 trigrams on SQLite, a pg_trgm GIN index on PostgreSQL.

On SQLite, organizations_fts is an external-content FTS5 table over
organizations.search_text, kept in step by triggers. A later migration that rebuilds
organizations in batch mode (copy and move) drops those triggers with the old table,
and must create them again.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UPGRADE = (
    """
    CREATE VIRTUAL TABLE organizations_fts USING fts5(
        search_text,
        content='organizations',
        content_rowid='id',
        tokenize='trigram case_sensitive 0'
    )
    """,
    """
    CREATE TRIGGER organizations_fts_insert AFTER INSERT ON organizations BEGIN
        INSERT INTO organizations_fts (rowid, search_text) VALUES (new.id, new.search_text);
    END
    """,
    """
    CREATE TRIGGER organizations_fts_delete AFTER DELETE ON organizations BEGIN
        INSERT INTO organizations_fts (organizations_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    END
    """,
    """
    CREATE TRIGGER organizations_fts_update AFTER UPDATE OF id, search_text ON organizations
    BEGIN
        INSERT INTO organizations_fts (organizations_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO organizations_fts (rowid, search_text) VALUES (new.id, new.search_text);
    END
    """,
    # Index the organizations already there.
    "INSERT INTO organizations_fts (organizations_fts) VALUES ('rebuild')",
)
SQLITE_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS organizations_fts_update",
    "DROP TRIGGER IF EXISTS organizations_fts_delete",
    "DROP TRIGGER IF EXISTS organizations_fts_insert",
    "DROP TABLE IF EXISTS organizations_fts",
)
# The operator class is named with the schema the extension lives in, which may be off
# the search path (a database whose tables live in a schema of their own).
PG_TRGM_SCHEMA = (
    "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"
)
POSTGRESQL_INDEX = (
    "CREATE INDEX ix_organizations_search_text_trgm ON organizations "
    "USING gin (search_text {schema}.gin_trgm_ops)"
)
# The extension stays: it may have been there before, and other objects may use it.
POSTGRESQL_DOWNGRADE = ("DROP INDEX IF EXISTS ix_organizations_search_text_trgm",)


def upgrade() -> None:
    """Create the index of the dialect and fill it from the organizations present."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_UPGRADE:
            op.execute(statement)
    elif bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(POSTGRESQL_INDEX.format(schema=bind.scalar(sa.text(PG_TRGM_SCHEMA))))


def downgrade() -> None:
    """Drop the index of the dialect, and on SQLite its triggers."""
    statements = {"sqlite": SQLITE_DOWNGRADE, "postgresql": POSTGRESQL_DOWNGRADE}
    for statement in statements.get(op.get_bind().dialect.name, ()):
        op.execute(statement)
