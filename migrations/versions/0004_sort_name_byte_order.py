"""Sort names in byte order on PostgreSQL, as SQLite does, so both order pages alike.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Give organizations.sort_name the "C" collation on PostgreSQL."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE organizations ALTER COLUMN sort_name TYPE varchar(300) COLLATE "C"')


def downgrade() -> None:
    """Return organizations.sort_name to the database's default collation."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE organizations ALTER COLUMN sort_name TYPE varchar(300)")
