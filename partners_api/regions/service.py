"""Reading regions and countries, and placing organizations in regions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from partners_api.db import database_key, fetch_page, get_or_not_found
from partners_api.errors import unknown_values
from partners_api.regions.models import Country, CountryRegion, Region


def list_regions(
    session: Session,
    *,
    kind: list[str] | None = None,
    parent: str | None = None,
    page: int,
    page_size: int,
) -> tuple[list[Region], int]:
    """Return a page of regions, ordered by code, and the total."""
    query = select(Region)
    if kind:
        query = query.where(Region.kind.in_(kind))
    if parent is not None:
        check_region_codes(session, [parent], field="parent")
        query = query.where(Region.parent_code == parent)
    return fetch_page(session, query.order_by(Region.code), page=page, page_size=page_size)


def get_region(session: Session, *, code: str) -> Region:
    """Return one region by code, or raise NotFound."""
    missing = f"No region with code '{code}'."
    options = [selectinload(Region.children)]
    return get_or_not_found(session, Region, code.lower(), missing, options=options)


@dataclass(frozen=True)
class RegionDetail:
    """A region with the codes of its children and of the countries in it."""

    code: str
    name: str
    kind: str
    m49: str | None
    parent_code: str | None
    description: str | None
    children: list[str]
    countries: list[str]


def region_detail(session: Session, *, code: str) -> RegionDetail:
    """Return one region with its children and countries, or raise NotFound."""
    region = get_region(session, code=code)
    countries = session.scalars(
        select(CountryRegion.country_code)
        .where(CountryRegion.region_code == region.code)
        .order_by(CountryRegion.country_code)
    )
    return RegionDetail(
        code=region.code,
        name=region.name,
        kind=region.kind,
        m49=region.m49,
        parent_code=region.parent_code,
        description=region.description,
        children=[child.code for child in region.children],
        countries=list(countries),
    )


def list_countries(
    session: Session, *, region: list[str] | None = None, page: int, page_size: int
) -> tuple[list[Country], int]:
    """Return a page of countries, optionally those in any of some regions, and the total."""
    query = select(Country).options(selectinload(Country.regions))
    if region:
        check_region_codes(session, region, field="region")
        in_region = select(CountryRegion.country_code).where(CountryRegion.region_code.in_(region))
        query = query.where(Country.code.in_(in_region))
    return fetch_page(session, query.order_by(Country.code), page=page, page_size=page_size)


def get_country(session: Session, *, code: str) -> Country:
    """Return one country by its alpha-2 code, or raise NotFound."""
    missing = f"No country with code '{code}'."
    options = [selectinload(Country.regions)]
    return get_or_not_found(session, Country, code.upper(), missing, options=options)


def check_region_codes(session: Session, codes: Iterable[str], *, field: str) -> None:
    """Raise a 422 naming the field when any code is not a known region."""
    wanted = set(codes)
    known = wanted & reference(session).regions.keys()
    if wanted - known:
        raise unknown_values(field, wanted - known, "See GET /api/v1/regions for region codes.")


@dataclass
class Placement:
    """Country regions and region parents, loaded once, to place many organizations."""

    country_regions: dict[str, set[str]]
    parents: dict[str, str | None]

    @classmethod
    def load(cls, session: Session) -> Placement:
        """Read the (small) reference tables."""
        country_regions: dict[str, set[str]] = {}
        for country, region in session.execute(
            select(CountryRegion.country_code, CountryRegion.region_code)
        ):
            country_regions.setdefault(country, set()).add(region)
        parents = dict(session.execute(select(Region.code, Region.parent_code)).all())
        return cls(country_regions=country_regions, parents=parents)

    def of(self, country: str, operating: Iterable[str]) -> set[str]:
        """Every region an organization lies in (by country) or operates in, with ancestors."""
        codes = set(self.country_regions.get(country, ()))
        for region in operating:
            while region is not None:
                codes.add(region)
                region = self.parents.get(region)
        return codes


@dataclass(frozen=True)
class Reference:
    """The names of every region and country by code, and where each country lies."""

    regions: dict[str, str]
    countries: dict[str, str]
    placement: Placement


_references: dict[str, Reference] = {}


def reference(session: Session) -> Reference:
    """The regions and countries, read once per database and process: only migrations
    change these tables (the API reads them, and nothing else writes them)."""
    key = database_key(session)
    found = _references.get(key)
    if found is None:
        regions = dict(session.execute(select(Region.code, Region.name)).all())
        countries = dict(session.execute(select(Country.code, Country.name)).all())
        found = _references[key] = Reference(regions, countries, Placement.load(session))
    return found


def placement(session: Session, *, country: str, operating: Iterable[str]) -> set[str]:
    """Every region an organization lies in (by country) or operates in, with ancestors."""
    return reference(session).placement.of(country, operating)


def continents_of(session: Session, countries: Iterable[str]) -> dict[str, str]:
    """The M49 continent of each of these countries (alpha-2), for those placed in one."""
    rows = session.execute(
        select(CountryRegion.country_code, CountryRegion.region_code)
        .join(Region, Region.code == CountryRegion.region_code)
        .where(Region.kind == "continent", CountryRegion.country_code.in_(set(countries)))
    )
    return dict(rows.all())
