"""The partnerships table: one link between two organizations, with its lifecycle."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from partners_api.db import Base, UTCDateTime, utcnow
from partners_api.organizations.models import Organization

KINDS = ("dialogue", "research", "mou", "funding", "network", "advisory")
STATUSES = ("proposed", "active", "declined", "ended")
OPEN_STATUSES = ("proposed", "active")
_OPEN = "status IN ('proposed', 'active')"


class Partnership(Base):
    """A link proposed by one organization to another; at most one open per pair and kind."""

    __tablename__ = "partnerships"
    __table_args__ = (
        CheckConstraint(f"kind IN {KINDS!r}", name="kind"),
        CheckConstraint(f"status IN {STATUSES!r}", name="status"),
        CheckConstraint("proposer_id <> partner_id", name="not_self"),
        CheckConstraint("low_id < high_id", name="ordered_pair"),
        Index(
            "uq_partnerships_open_pair_kind",
            "low_id",
            "high_id",
            "kind",
            unique=True,
            sqlite_where=text(_OPEN),
            postgresql_where=text(_OPEN),
        ),
        Index("ix_partnerships_high_id_status", "high_id", "status"),
        Index("ix_partnerships_low_id_status", "low_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    proposer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    # The pair in id order, so (A, B) and (B, A) share one unique index entry.
    low_id: Mapped[int] = mapped_column()
    high_id: Mapped[int] = mapped_column()
    description: Mapped[str] = mapped_column(Text, default="")
    started_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    # The held dialogue both sides took part in that the link came out of, if any.
    origin_dialogue_id: Mapped[int | None] = mapped_column(
        ForeignKey("dialogues.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    proposer: Mapped[Organization] = relationship(foreign_keys=[proposer_id], lazy="joined")
    partner: Mapped[Organization] = relationship(foreign_keys=[partner_id], lazy="joined")

    def other_side(self, organization_id: int) -> Organization:
        """The organization at the other end of the link from the given one."""
        return self.partner if organization_id == self.proposer_id else self.proposer
