"""The change_events table: who changed what, and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from partners_api.db import Base, UTCDateTime, utcnow


class ChangeEvent(Base):
    """One write to one entity, recorded in the same transaction as the write."""

    __tablename__ = "change_events"
    __table_args__ = (
        Index("ix_change_events_entity_entity_id", "entity", "entity_id"),
        Index("ix_change_events_tx_id_id", "tx_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # PostgreSQL: the writing transaction's id, so the feed can wait for slower commits.
    # SQLite commits one writer at a time in id order, so 0 serves.
    tx_id: Mapped[int] = mapped_column(BigInteger, default=0)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(32))
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    actor_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))


class DirectoryVersion(Base):
    """One row counting writes, so each worker knows when its matching index is stale."""

    __tablename__ = "directory_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
