"""Tables of organizations and their topics, languages and regions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from partners_api.db import Base, UTCDateTime, utcnow
from partners_api.topics.models import Topic

SECTORS = (
    "civil_society",
    "academia",
    "government",
    "ai_safety_institute",
    "industry",
    "intergovernmental",
    "philanthropy",
    "media",
)
STATUSES = ("active", "archived", "merged")
# Each sector's and status's number, as the in-memory indexes keep them (their order above).
SECTOR_NUMBERS = {sector: number for number, sector in enumerate(SECTORS)}
STATUS_NUMBERS = {status: number for number, status in enumerate(STATUSES)}
TOPIC_RELATIONS = ("offers", "seeks")


class Organization(Base):
    """An organization of the directory; archived, never deleted."""

    __tablename__ = "organizations"
    __table_args__ = (
        CheckConstraint(f"sector IN {SECTORS!r}", name="sector"),
        CheckConstraint(f"status IN {STATUSES!r}", name="status"),
        Index("ix_organizations_status_sort_name", "status", "sort_name"),
        Index("ix_organizations_status_updated_at", "status", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    acronym: Mapped[str | None] = mapped_column(String(50))
    # Its names in every language: [{"value", "lang", "types"}], see organizations.names.
    names: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    sector: Mapped[str] = mapped_column(String(32), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"), index=True)
    city: Mapped[str | None] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(500))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    founded_year: Mapped[int | None] = mapped_column(Integer)
    open_to_dialogue: Mapped[bool] = mapped_column(Boolean, default=True)
    external_ids: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="active")
    # The organization a merged one was merged into (status `merged`); None otherwise.
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    # Folded name; byte order ("C") on PostgreSQL, as SQLite sorts, so pages agree on both.
    sort_name: Mapped[str] = mapped_column(
        String(300).with_variant(String(300, collation="C"), "postgresql"), default=""
    )
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    topic_links: Mapped[list[OrganizationTopic]] = relationship(
        cascade="all, delete-orphan", order_by="OrganizationTopic.topic_id"
    )
    language_rows: Mapped[list[OrganizationLanguage]] = relationship(
        cascade="all, delete-orphan", order_by="OrganizationLanguage.code"
    )
    operating_region_rows: Mapped[list[OrganizationOperatingRegion]] = relationship(
        cascade="all, delete-orphan", order_by="OrganizationOperatingRegion.region_code"
    )
    region_rows: Mapped[list[OrganizationRegion]] = relationship(
        cascade="all, delete-orphan", order_by="OrganizationRegion.region_code"
    )

    def topic_slugs(self, relation: str) -> list[str]:
        """Slugs of the topics it offers or seeks, sorted."""
        return sorted(link.topic.slug for link in self.topic_links if link.relation == relation)

    @property
    def offers(self) -> list[str]:
        """Slugs of the topics it offers."""
        return self.topic_slugs("offers")

    @property
    def seeks(self) -> list[str]:
        """Slugs of the topics it seeks."""
        return self.topic_slugs("seeks")

    @property
    def languages(self) -> list[str]:
        """ISO 639-1 codes of the languages it works in."""
        return [row.code for row in self.language_rows]

    @property
    def operating_regions(self) -> list[str]:
        """Codes of the regions it says it operates in."""
        return [row.region_code for row in self.operating_region_rows]

    @property
    def regions(self) -> list[str]:
        """Codes of every region it lies in or operates in, with their ancestors."""
        return [row.region_code for row in self.region_rows]


class OrganizationTopic(Base):
    """A topic an organization offers or seeks."""

    __tablename__ = "organization_topics"
    __table_args__ = (
        CheckConstraint(f"relation IN {TOPIC_RELATIONS!r}", name="relation"),
        Index("ix_organization_topics_topic_id_relation", "topic_id", "relation"),
    )

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="RESTRICT"), primary_key=True
    )
    relation: Mapped[str] = mapped_column(String(8), primary_key=True)

    topic: Mapped[Topic] = relationship(lazy="joined")


class OrganizationLanguage(Base):
    """A language an organization works in."""

    __tablename__ = "organization_languages"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(2), primary_key=True, index=True)


class OrganizationOperatingRegion(Base):
    """A region an organization says it operates in."""

    __tablename__ = "organization_operating_regions"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), primary_key=True)


class OrganizationRegion(Base):
    """Derived: a region the organization lies in or operates in, kept for filters."""

    __tablename__ = "organization_regions"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    region_code: Mapped[str] = mapped_column(
        ForeignKey("regions.code"), primary_key=True, index=True
    )


# An organization's own row and the rows of its lists, in the order they are inserted.
ORGANIZATION_MODELS = (
    Organization,
    OrganizationTopic,
    OrganizationLanguage,
    OrganizationOperatingRegion,
    OrganizationRegion,
)


def is_id(ref: str) -> bool:
    """Whether a reference is an organization's id (digits that fit the id column), not a slug."""
    return ref.isascii() and ref.isdigit() and len(ref) <= 18
