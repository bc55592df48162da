"""Merges: organizations.successor_id and the status `merged`.

A merged organization points at the one it was merged into. On SQLite the batch
operation rebuilds organizations (copy and move), which drops the FTS5 triggers of
migration 0007 with the old table: they are created again here, after the rebuild. The
FTS5 index itself keeps its rows: the copy keeps every id and search_text.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUS_CHECK = "ck_organizations_status"
SUCCESSOR_FK = "fk_organizations_successor_id_organizations"
# The triggers of migration 0007 that keep organizations_fts in step, as it made them.
SQLITE_FTS_TRIGGERS = (
    """
    CREATE TRIGGER IF NOT EXISTS organizations_fts_insert AFTER INSERT ON organizations BEGIN
        INSERT INTO organizations_fts (rowid, search_text) VALUES (new.id, new.search_text);
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS organizations_fts_delete AFTER DELETE ON organizations BEGIN
        INSERT INTO organizations_fts (organizations_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS organizations_fts_update
    AFTER UPDATE OF id, search_text ON organizations
    BEGIN
        INSERT INTO organizations_fts (organizations_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO organizations_fts (rowid, search_text) VALUES (new.id, new.search_text);
    END
    """,
)


def _restore_fts_triggers() -> None:
    """Create again, on SQLite, the FTS5 triggers a rebuild of organizations dropped."""
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_FTS_TRIGGERS:
            op.execute(statement)


def upgrade() -> None:
    """Add successor_id (a reference to organizations.id) and allow the status `merged`."""
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(sa.Column("successor_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f(SUCCESSOR_FK), "organizations", ["successor_id"], ["id"])
        batch.drop_constraint(op.f(STATUS_CHECK), type_="check")
        batch.create_check_constraint(
            op.f(STATUS_CHECK), sa.text("status IN ('active', 'archived', 'merged')")
        )
    _restore_fts_triggers()


def downgrade() -> None:
    """Archive merged organizations, drop successor_id and allow active and archived only."""
    op.execute("UPDATE organizations SET status = 'archived' WHERE status = 'merged'")
    with op.batch_alter_table("organizations") as batch:
        batch.drop_constraint(op.f(STATUS_CHECK), type_="check")
        batch.drop_constraint(op.f(SUCCESSOR_FK), type_="foreignkey")
        batch.drop_column("successor_id")
        batch.create_check_constraint(
            op.f(STATUS_CHECK), sa.text("status IN ('active', 'archived')")
        )
    _restore_fts_triggers()
