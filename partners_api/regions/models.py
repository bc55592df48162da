"""Tables of regions, countries and the regions each country lies in."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from partners_api.db import Base

REGION_KINDS = ("world", "continent", "subregion", "intermediate", "grouping")


class Region(Base):
    """An M49 region (world, continent, subregion, intermediate) or a grouping."""

    __tablename__ = "regions"
    __table_args__ = (CheckConstraint(f"kind IN {REGION_KINDS!r}", name="kind"),)

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), index=True)
    m49: Mapped[str | None] = mapped_column(String(3), unique=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    description: Mapped[str | None] = mapped_column(String(500))

    parent: Mapped[Region | None] = relationship(remote_side=[code], back_populates="children")
    children: Mapped[list[Region]] = relationship(back_populates="parent", order_by="Region.code")


class Country(Base):
    """An ISO 3166-1 country, placed in its lowest M49 region."""

    __tablename__ = "countries"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    alpha3: Mapped[str] = mapped_column(String(3), unique=True)
    numeric: Mapped[str] = mapped_column(String(3))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)

    regions: Mapped[list[Region]] = relationship(
        secondary="country_regions", order_by="Region.code", viewonly=True
    )


class CountryRegion(Base):
    """Every region a country lies in: its M49 ancestors and its groupings."""

    __tablename__ = "country_regions"

    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"), primary_key=True)
    region_code: Mapped[str] = mapped_column(
        ForeignKey("regions.code"), primary_key=True, index=True
    )
