"""The list index answers as SQL would, and follows writes without a full rebuild."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime

import numpy as np
import pytest
from alembic import command
from sqlalchemy import event, select, update

from partners_api import create_app
from partners_api.arrays import bit_rows
from partners_api.changes.models import DirectoryVersion
from partners_api.db import database
from partners_api.matching import index as matching
from partners_api.ops.service import alembic_config
from partners_api.organizations import listing, records
from partners_api.organizations import service as organizations
from partners_api.organizations.models import Organization, OrganizationRegion
from partners_api.organizations.schemas import OrganizationSchema, contact_visibility
from tests.helpers import bearer, new_organization

URL = "/api/v1/organizations"
FILTERS = [
    {},
    {"status": ["archived"]},
    {"status": ["active", "archived"]},
    {"sector": ["academia", "civil_society"]},
    {"country": ["KE", "US", "FR"]},
    {"region": ["africa"]},
    {"region": ["asia", "global-south"], "sector": ["government"]},
    {"topic": ["ai-safety"]},
    {"offers": ["model-evaluations"], "seeks": ["compute-access"]},
    {"language": ["fr", "sw"]},
    {"open_to_dialogue": False},
    {"updated_since": datetime(2000, 1, 1, tzinfo=UTC)},
    {"q": "institute", "region": ["europe"]},
    {"q": "data policy"},
    {"q": "e", "status": ["active", "archived"]},
    {"q": "ins tute ai"},
    {"region": ["africa"], "topic": ["ai-safety"], "sector": ["academia"]},
]
SORTS = ["id", "name", "-name", "created_at", "-updated_at"]


def listed_ids(client, filters: dict, sort: str = "id") -> list[int]:
    """Every id the list endpoint gives for these filters, page after page."""
    query = {**_query(filters), "sort": sort, "page_size": 100}
    ids, page = [], 1
    while True:
        response = client.get(URL, query_string={**query, "page": page})
        assert response.status_code == 200, response.json
        ids += [o["id"] for o in response.json]
        if page >= json.loads(response.headers["X-Pagination"])["total_pages"]:
            return ids
        page += 1


def _query(filters: dict) -> dict:
    return {
        name: value.isoformat() if isinstance(value, datetime) else value
        for name, value in filters.items()
    }


def sql_ids(app, filters: dict, sort: str = "id") -> list[int]:
    """The same selection and order, straight from SQL."""
    column = organizations.SORT_COLUMNS[sort.lstrip("-")]
    direction = (lambda c: c.desc()) if sort.startswith("-") else (lambda c: c.asc())
    query = select(Organization.id).order_by(direction(column), direction(Organization.id))
    with app.app_context(), database().session() as session:
        query = query.where(
            *organizations.filter_clauses(session, {"status": ["active"], **filters})
        )
        return list(session.scalars(query))


def index_now(app) -> listing.ListingIndex:
    """The list index as requests see it now."""
    with app.app_context(), database().session() as session:
        return listing.current_index(session)


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: "&".join(f) or "none")
def test_the_index_selects_what_sql_selects(app, client, filters):
    expected = sql_ids(app, filters)
    assert listed_ids(client, filters) == expected
    if filters == {}:
        assert len(expected) > 50  # the demo directory spans several pages


@pytest.mark.parametrize("sort", SORTS)
def test_the_index_sorts_as_sql_sorts(app, client, sort):
    filters = {"status": ["active", "archived"]}
    assert listed_ids(client, filters, sort) == sql_ids(app, filters, sort)


@pytest.mark.parametrize("filters", FILTERS[:8], ids=lambda f: "&".join(f) or "none")
def test_facets_count_what_the_list_holds(client, filters):
    facets = client.get(f"{URL}/facets", query_string=_query(filters)).json
    items = []
    for page in range(1, 4):
        query = {**_query(filters), "page_size": 100, "page": page}
        items += client.get(URL, query_string=query).json
    expected = {
        "sector": Counter(o["sector"] for o in items),
        "country": Counter(o["country"] for o in items),
        "region": Counter(r for o in items for r in o["regions"]),
        "topic": Counter(t for o in items for t in set(o["offers"]) | set(o["seeks"])),
        "language": Counter(code for o in items for code in o["languages"]),
    }
    assert facets["total"] == len(items)
    for facet, counted in expected.items():
        assert {v["value"]: v["count"] for v in facets[facet]} == counted, facet


def test_writes_reach_the_index_without_a_rebuild(app, client, admin_key):
    before = index_now(app)
    made = new_organization(
        client, admin_key, "Zanzibar Index Lab", sector="media", country="TZ", offers=["ai-safety"]
    )
    found = listed_ids(client, {"sector": ["media"], "country": ["TZ"], "topic": ["ai-safety"]})
    assert made["id"] in found
    after = index_now(app)
    assert after.size == before.size + 1 and after.countries is before.countries  # reloaded one

    etag = client.get(f"{URL}/{made['id']}").headers["ETag"]
    changed = client.patch(
        f"{URL}/{made['id']}",
        json={"sector": "academia"},
        headers={**bearer(admin_key), "If-Match": etag},
    )
    assert changed.status_code == 200, changed.json
    assert made["id"] not in listed_ids(client, {"sector": ["media"], "country": ["TZ"]})
    assert made["id"] in listed_ids(client, {"sector": ["academia"], "country": ["TZ"]})

    reshaped = client.patch(  # its bit columns rewritten in place
        f"{URL}/{made['id']}",
        json={"offers": ["model-evaluations"], "seeks": ["compute-access"]},
        headers={**bearer(admin_key), "If-Match": changed.headers["ETag"]},
    )
    assert reshaped.status_code == 200, reshaped.json
    for filters in FILTERS:
        assert listed_ids(client, filters) == sql_ids(app, filters), filters
    changed = reshaped

    listed_ids(client, {}, "name")  # an order by name, kept while no name changes
    renamed = client.patch(
        f"{URL}/{made['id']}",
        json={"name": "Aardvark Index Lab"},
        headers={**bearer(admin_key), "If-Match": changed.headers["ETag"]},
    )
    assert renamed.status_code == 200, renamed.json
    for sort in ("name", "-name", "-updated_at"):
        assert listed_ids(client, {}, sort) == sql_ids(app, {}, sort)
    changed = renamed

    archived = client.delete(
        f"{URL}/{made['id']}", headers={**bearer(admin_key), "If-Match": changed.headers["ETag"]}
    )
    assert archived.status_code == 204, archived.json
    assert made["id"] not in listed_ids(client, {"country": ["TZ"]})
    assert made["id"] in listed_ids(client, {"country": ["TZ"], "status": ["archived"]})


@pytest.mark.parametrize("as_admin", [False, True], ids=["anonymous", "admin"])
def test_list_items_read_as_their_single_resources(client, admin_key, as_admin):
    """A list item and the single resource say the same, contacts shown to the same callers."""
    new_organization(client, admin_key, "Contact Lab", contact_email="hello@example.org")
    headers = bearer(admin_key) if as_admin else {}
    query = {"status": ["active", "archived"], "page_size": 100}
    items = []
    for page in (1, 2):
        items += client.get(URL, query_string={**query, "page": page}, headers=headers).json
    assert len(items) > 100 and any("contact_email" in item for item in items) == as_admin
    for item in items:
        assert client.get(f"{URL}/{item['id']}", headers=headers).json == item


@pytest.mark.parametrize("contacts", [False, True])
def test_records_dump_as_models(client, admin_key, session, contacts):
    """Reads take plain records, writes answer with models: both dump the same."""
    new_organization(client, admin_key, "Contact Lab", contact_email="hello@example.org")
    models = session.scalars(select(Organization).options(*organizations.LOAD_OPTIONS)).all()
    schema = OrganizationSchema()
    shown = contact_visibility.set(lambda _organization_id: contacts)
    try:
        read = records.read_records(session, [model.id for model in models])
        dumped = [schema.dump(model) for model in models]
        assert [schema.dump(record) for record in read] == dumped
        assert any("contact_email" in item for item in dumped) == contacts
    finally:
        contact_visibility.reset(shown)


@pytest.mark.postgresql
def test_an_organization_committed_during_a_build_waits_for_the_next_refresh(
    app, database_url, committed_organizations
):
    """Each statement of a build sees the commits before it (READ COMMITTED): an organization
    committed after the organizations were read, before its regions were, is left out
    cleanly and comes with the next refresh."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite reads a whole build in one snapshot")
    db = app.extensions["partners_db"]

    def commit_one_between_statements(conn, cursor, statement, *args) -> None:
        if "FROM organization_regions" in statement and not committed_organizations:
            with db.session() as other:
                made = organizations.create_organization(
                    other,
                    data={"name": "Mid-build Lab", "sector": "media", "country": "GH"},
                    actor_key_id=None,
                )
                committed_organizations.append(made.id)

    with app.app_context(), db.session() as session:
        connection = session.connection()
        event.listen(connection, "before_cursor_execute", commit_one_between_statements)
        built = listing.build(session, version=-1)
        event.remove(connection, "before_cursor_execute", commit_one_between_statements)
    assert committed_organizations and committed_organizations[0] not in built.rows.ids
    with app.app_context(), db.session() as session:  # its regions marked on no other row
        last = int(built.rows.ids[-1])
        regions = select(OrganizationRegion.region_code).where(
            OrganizationRegion.organization_id == last
        )
        marked = bit_rows(built.rows.bits["region"], built.size)[-1]
        assert set(session.scalars(regions)) == {
            built.regions.codes[column] for column in np.flatnonzero(marked)
        }
    with app.app_context(), db.session() as session:
        fresh = listing.refreshed(session, built, version=0)
        mask = listing.selected(fresh, {"country": ["GH"], "region": ["africa"]})
        assert committed_organizations[0] in fresh.rows.ids[mask]


def test_each_database_keeps_its_own_index(app, tmp_path):
    """Two databases at the same directory version never share an index (one process may
    serve several, as the benchmarks and tests do)."""
    url = f"sqlite:///{tmp_path / 'other.db'}"
    command.upgrade(alembic_config(url), "head")
    other = create_app({"DATABASE_URL": url})
    with app.app_context(), database().session() as session:
        ours = listing.current_index(session)
    with other.app_context(), database().session() as session:
        session.execute(update(DirectoryVersion).values(value=ours.version))
        session.commit()
        theirs = listing.current_index(session)
        assert theirs.version == ours.version
        assert theirs.size == 0 < ours.size
        assert matching.current_index(session).size == 0
    other.extensions["partners_db"].engine.dispose()
