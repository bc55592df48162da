"""Names in every language: organizations.names, filled from each name and acronym.

Each organization's display name becomes a label and its acronym an acronym; its
search_text is made again from its names (with their Latin transliteration) and its
description, as the application makes it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

import json
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from anyascii import anyascii

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5_000


def _fold(text: str) -> str:
    """Lower-case and strip accents (partners_api.text.fold, as of this migration)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())


def _names(name: str, acronym: str | None) -> list[dict]:
    names = [{"value": name, "lang": None, "types": ["label"]}]
    if acronym and acronym != name:
        names.append({"value": acronym, "lang": None, "types": ["acronym"]})
    return names


def _searchable(names: list[dict], description: str | None) -> str:
    values = [n["value"] for n in names]
    romanized = [anyascii(v) for v in values if not v.isascii()]
    return _fold(" ".join(filter(None, (*values, *romanized, description))))


def upgrade() -> None:
    """Add the column and fill it, a batch of organizations at a time."""
    op.add_column(
        "organizations", sa.Column("names", sa.JSON(), nullable=False, server_default="[]")
    )
    connection = op.get_bind()
    organizations = sa.table(
        "organizations",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("acronym", sa.String),
        sa.column("description", sa.Text),
        sa.column("names", sa.JSON),
        sa.column("search_text", sa.Text),
    )
    # JSON text as given: SQLite stores it so; PostgreSQL casts it to json.
    names_value = sa.bindparam("names", type_=sa.Text)
    if connection.dialect.name == "postgresql":
        names_value = sa.cast(names_value, sa.JSON)
    last = 0
    while rows := connection.execute(
        sa.select(
            organizations.c.id,
            organizations.c.name,
            organizations.c.acronym,
            organizations.c.description,
        )
        .where(organizations.c.id > last)
        .order_by(organizations.c.id)
        .limit(BATCH)
    ).all():
        updates = []
        for row in rows:
            names = _names(row.name, row.acronym)
            updates.append(
                {
                    "row_id": row.id,
                    "names": json.dumps(names, ensure_ascii=False),
                    "text": _searchable(names, row.description),
                }
            )
        connection.execute(
            organizations.update()
            .where(organizations.c.id == sa.bindparam("row_id"))
            .values(names=names_value, search_text=sa.bindparam("text")),
            updates,
        )
        last = rows[-1].id


def downgrade() -> None:
    """Drop the column (search_text keeps the transliterations until rewritten)."""
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("names")
