"""Invitations to dialogues, and what a dialogue keeps of the roster it was composed from.

A dialogue gains `capacity` (seats for invited participants), `compose_request` (the
compose body its invitations came from) and `reserves` (the ranked reserves of that
compose, for refills). Invitations hold one organization's invitation and its answer; a
partial unique index keeps at most one live (invited or accepted) invitation per
organization and dialogue.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = "status IN ('invited', 'accepted')"


def upgrade() -> None:
    """Add the invitations table and the dialogue's capacity, compose request and reserves."""
    with op.batch_alter_table("dialogues") as batch:
        batch.add_column(sa.Column("capacity", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("compose_request", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("reserves", sa.JSON(), nullable=True))
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dialogue_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("answer_message", sa.Text(), nullable=False),
        sa.Column("invited_by", sa.Integer(), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('invited', 'accepted', 'declined', 'withdrawn', 'expired')",
            name=op.f("ck_invitations_status"),
        ),
        sa.ForeignKeyConstraint(
            ["dialogue_id"],
            ["dialogues.id"],
            name=op.f("fk_invitations_dialogue_id_dialogues"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_invitations_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["invited_by"], ["api_keys.id"], name=op.f("fk_invitations_invited_by_api_keys")
        ),
        sa.ForeignKeyConstraint(
            ["answered_by"], ["api_keys.id"], name=op.f("fk_invitations_answered_by_api_keys")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
    )
    op.create_index(
        "uq_invitations_live_dialogue_organization",
        "invitations",
        ["dialogue_id", "organization_id"],
        unique=True,
        sqlite_where=sa.text(LIVE),
        postgresql_where=sa.text(LIVE),
    )
    op.create_index(
        "ix_invitations_organization_id_status", "invitations", ["organization_id", "status"]
    )
    op.create_index("ix_invitations_dialogue_id_status", "invitations", ["dialogue_id", "status"])


def downgrade() -> None:
    """Drop the invitations table and the dialogue's capacity, compose request and reserves."""
    op.drop_index("ix_invitations_dialogue_id_status", table_name="invitations")
    op.drop_index("ix_invitations_organization_id_status", table_name="invitations")
    op.drop_index("uq_invitations_live_dialogue_organization", table_name="invitations")
    op.drop_table("invitations")
    with op.batch_alter_table("dialogues") as batch:
        batch.drop_column("reserves")
        batch.drop_column("compose_request")
        batch.drop_column("capacity")
