"""Outcomes of dialogues: partnerships.origin_dialogue_id and outcome_signals.

On SQLite the batch operation rebuilds partnerships (copy and move); its partial unique
index of open links is reflected with its WHERE clause and made again as it was.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORIGIN_FK = "fk_partnerships_origin_dialogue_id_dialogues"
ORIGIN_INDEX = "ix_partnerships_origin_dialogue_id"


def upgrade() -> None:
    """Add the origin of a link and the table of would-work-together-again signals."""
    with op.batch_alter_table("partnerships") as batch:
        batch.add_column(sa.Column("origin_dialogue_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            ORIGIN_FK, "dialogues", ["origin_dialogue_id"], ["id"], ondelete="SET NULL"
        )
    op.create_index(ORIGIN_INDEX, "partnerships", ["origin_dialogue_id"])
    op.create_table(
        "outcome_signals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dialogue_id", sa.Integer(), nullable=False),
        sa.Column("from_organization_id", sa.Integer(), nullable=False),
        sa.Column("to_organization_id", sa.Integer(), nullable=False),
        sa.Column("again", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "from_organization_id <> to_organization_id", name=op.f("ck_outcome_signals_not_self")
        ),
        sa.ForeignKeyConstraint(
            ["dialogue_id"],
            ["dialogues.id"],
            name=op.f("fk_outcome_signals_dialogue_id_dialogues"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_organization_id"],
            ["organizations.id"],
            name=op.f("fk_outcome_signals_from_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["to_organization_id"],
            ["organizations.id"],
            name=op.f("fk_outcome_signals_to_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_signals")),
        sa.UniqueConstraint(
            "dialogue_id",
            "from_organization_id",
            "to_organization_id",
            name=op.f("uq_outcome_signals_dialogue_id_from_organization_id_to_organization_id"),
        ),
    )
    for column in ("from_organization_id", "to_organization_id"):
        op.create_index(op.f(f"ix_outcome_signals_{column}"), "outcome_signals", [column])


def downgrade() -> None:
    """Drop the signals and the origin column."""
    op.drop_table("outcome_signals")
    op.drop_index(ORIGIN_INDEX, table_name="partnerships")
    with op.batch_alter_table("partnerships") as batch:
        batch.drop_constraint(ORIGIN_FK, type_="foreignkey")
        batch.drop_column("origin_dialogue_id")
