"""Tables of dialogues, their topics, their participants and the invitations to them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from partners_api.db import Base, UTCDateTime, utcnow
from partners_api.organizations.models import Organization
from partners_api.topics.models import Topic

STATUSES = ("planned", "held", "cancelled")
ROLES = ("host", "participant", "observer")
INVITATION_STATUSES = ("invited", "accepted", "declined", "withdrawn", "expired")
LIVE_INVITATION_STATUSES = ("invited", "accepted")
_LIVE = "status IN ('invited', 'accepted')"
MESSAGE_LENGTH = 1000


class Dialogue(Base):
    """A convening: its topics, dates, place and participants."""

    __tablename__ = "dialogues"
    __table_args__ = (
        CheckConstraint(f"status IN {STATUSES!r}", name="status"),
        CheckConstraint(
            "ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="dates_in_order"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), index=True)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    country_code: Mapped[str | None] = mapped_column(ForeignKey("countries.code"))
    city: Mapped[str | None] = mapped_column(String(200))
    virtual: Mapped[bool] = mapped_column(Boolean, default=False)
    # Seats for invited participants: set by hand, or the size of the roster composed.
    capacity: Mapped[int | None] = mapped_column()
    # The compose request the invitations were made from, and the reserves it ranked
    # ([{"organization_id", "rank", "keeps": [quota names]}]), for refills.
    compose_request: Mapped[dict | None] = mapped_column(JSON)
    reserves: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    topic_rows: Mapped[list[DialogueTopic]] = relationship(
        cascade="all, delete-orphan", order_by="DialogueTopic.topic_id"
    )
    participants: Mapped[list[DialogueParticipant]] = relationship(
        cascade="all, delete-orphan", order_by="DialogueParticipant.organization_id"
    )

    @property
    def topics(self) -> list[str]:
        """Slugs of its topics, sorted."""
        return sorted(row.topic.slug for row in self.topic_rows)

    @property
    def country(self) -> str | None:
        """Where it takes place (ISO alpha-2), or None when virtual."""
        return self.country_code


class DialogueTopic(Base):
    """A topic on a dialogue's agenda."""

    __tablename__ = "dialogue_topics"

    dialogue_id: Mapped[int] = mapped_column(
        ForeignKey("dialogues.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="RESTRICT"), primary_key=True, index=True
    )

    topic: Mapped[Topic] = relationship(lazy="joined")


class DialogueParticipant(Base):
    """An organization taking part in a dialogue, with its role."""

    __tablename__ = "dialogue_participants"
    __table_args__ = (CheckConstraint(f"role IN {ROLES!r}", name="role"),)

    dialogue_id: Mapped[int] = mapped_column(
        ForeignKey("dialogues.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship(lazy="joined")


class Invitation(Base):
    """An organization asked to take part in a dialogue, and its answer.

    At most one live (invited or accepted) invitation per organization and dialogue.
    """

    __tablename__ = "invitations"
    __table_args__ = (
        CheckConstraint(f"status IN {INVITATION_STATUSES!r}", name="status"),
        Index(
            "uq_invitations_live_dialogue_organization",
            "dialogue_id",
            "organization_id",
            unique=True,
            sqlite_where=text(_LIVE),
            postgresql_where=text(_LIVE),
        ),
        Index("ix_invitations_organization_id_status", "organization_id", "status"),
        Index("ix_invitations_dialogue_id_status", "dialogue_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogues.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    status: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text, default="")  # from the convener
    answer_message: Mapped[str] = mapped_column(Text, default="")  # from the invitee
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    organization: Mapped[Organization] = relationship(lazy="joined")


class OutcomeSignal(Base):
    """Whether one participant of a held dialogue would work with another again; private."""

    __tablename__ = "outcome_signals"
    __table_args__ = (
        CheckConstraint("from_organization_id <> to_organization_id", name="not_self"),
        UniqueConstraint("dialogue_id", "from_organization_id", "to_organization_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogues.id", ondelete="CASCADE"))
    from_organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    to_organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    again: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    from_organization: Mapped[Organization] = relationship(
        foreign_keys=[from_organization_id], lazy="joined"
    )
    to_organization: Mapped[Organization] = relationship(
        foreign_keys=[to_organization_id], lazy="joined"
    )
