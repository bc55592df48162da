"""Migrations are the schema: models agree with them; reference data is complete."""

from __future__ import annotations

import pycountry
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select

from partners_api.models import Base
from partners_api.ops.service import head_revision
from partners_api.organizations import search
from partners_api.regions.models import Country, CountryRegion, Region
from partners_api.topics.models import Topic


def test_models_and_migrations_agree(db_connection):
    context = MigrationContext.configure(
        db_connection, opts={"compare_type": True, "include_name": search.include_name}
    )
    assert compare_metadata(context, Base.metadata) == []
    assert context.get_current_revision() == head_revision()


def test_every_iso_country_is_placed_in_m49(session):
    codes = set(session.scalars(select(Country.code)))
    assert codes == {c.alpha_2 for c in pycountry.countries}
    continents = set(session.scalars(select(Region.code).where(Region.kind == "continent")))
    placed = {
        country: region
        for country, region in session.execute(
            select(CountryRegion.country_code, CountryRegion.region_code).where(
                CountryRegion.region_code.in_(continents)
            )
        )
    }
    assert codes - set(placed) == {"AQ"}  # Antarctica belongs to no M49 continent
    assert placed["KE"] == "africa" and placed["MX"] == "americas" and placed["TW"] == "asia"


def test_m49_kinds_codes_and_groupings(session):
    kinds = dict(session.execute(select(Region.kind, func.count()).group_by(Region.kind)).all())
    assert kinds == {"world": 1, "continent": 5, "subregion": 17, "intermediate": 8, "grouping": 9}
    assert session.get(Region, "eastern-africa").m49 == "014"
    members = dict(
        session.execute(
            select(CountryRegion.region_code, func.count())
            .where(CountryRegion.region_code.in_(["eu", "g7", "g20", "oecd", "african-union"]))
            .group_by(CountryRegion.region_code)
        ).all()
    )
    assert members == {"eu": 27, "g7": 7, "g20": 19, "oecd": 38, "african-union": 55}


def test_topic_taxonomy_is_a_tree_of_at_least_30(session):
    topics = {t.slug: t for t in session.scalars(select(Topic))}
    assert len(topics) >= 30
    roots = {slug for slug, t in topics.items() if t.parent is None}
    assert {
        "ai-safety",
        "ai-governance",
        "rights-and-society",
        "security",
        "sectoral-uses",
        "capacity-building",
    } <= roots
    assert topics["dangerous-capability-evaluations"].parent.parent.slug == "ai-safety"


def test_reference_data_in_the_database_matches_the_package(session):
    """A change to the shipped reference data needs a migration that brings it in."""
    from partners_api.regions import reference

    regions = {
        r.code: (r.name, r.kind, r.m49, r.parent_code) for r in session.scalars(select(Region))
    }
    assert regions == {
        r["code"]: (r["name"], r["kind"], r["m49"], r["parent_code"])
        for r in reference.region_rows()
    }
    placed = set(
        session.execute(select(CountryRegion.country_code, CountryRegion.region_code)).all()
    )
    assert placed == {
        (r["country_code"], r["region_code"]) for r in reference.country_region_rows()
    }
