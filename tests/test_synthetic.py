"""The synthetic directory generator used by benchmarks and scale tests."""

from __future__ import annotations

from sqlalchemy import event, func, inspect, select

from partners_api.matching import service as matching
from partners_api.organizations import service as organizations
from partners_api.organizations.models import Organization, OrganizationRegion
from partners_api.partnerships.models import Partnership
from partners_api.synthetic import LOADED_TABLES, generate_directory, plant_pairs


def test_generate_adds_organizations_links_and_dialogues(session):
    made = generate_directory(session, organizations=60, seed=5, links_per_organization=2)
    assert (made.organizations, made.links, made.dialogues) == (60, 120, 1)
    ids = list(
        session.scalars(select(Organization.id).where(Organization.slug.like("synthetic-5-%")))
    )
    assert len(ids) == 60
    placed = session.scalar(
        select(func.count(func.distinct(OrganizationRegion.organization_id))).where(
            OrganizationRegion.organization_id.in_(ids)
        )
    )
    assert placed == 60  # every organization lies in its country's regions
    links = session.scalar(
        select(func.count()).select_from(Partnership).where(Partnership.low_id.in_(ids))
    )
    assert links == 120


def test_generate_leaves_every_index_of_the_tables_it_loads(session):
    def indexes() -> set[tuple]:
        found = inspect(session.connection())
        return {
            (table, index["name"], tuple(index["column_names"]), bool(index["unique"]))
            for table in LOADED_TABLES
            for index in found.get_indexes(table)
        }

    def note(_connection, _cursor, statement, *_args) -> None:
        statements.append(statement)

    before, statements, bind = indexes(), [], session.get_bind()
    event.listen(bind, "before_cursor_execute", note)
    try:
        generate_directory(session, organizations=30, seed=7)
    finally:
        event.remove(bind, "before_cursor_execute", note)
    assert indexes() == before
    assert len(before) > 10
    made_again = [s for s in statements if s.startswith(("DROP INDEX", "CREATE INDEX"))]
    if bind.dialect.name == "sqlite":  # the load dropped them and made them again
        assert len(made_again) > 10 and made_again[0].startswith("DROP INDEX")
        assert made_again[-1].startswith("CREATE INDEX")
    else:
        assert made_again == []


def test_planted_pairs_are_found(session):
    generate_directory(session, organizations=40, seed=6)
    for pair in plant_pairs(session, pairs=3, seed=6):
        seeker = organizations.get_organization(session, ref=pair.seeker)
        found = matching.match_organization(
            session, organization=seeker, options=matching.MatchOptions(limit=5)
        )
        assert found[0]["organization"]["id"] == pair.partner
