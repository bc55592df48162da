"""Organization services without HTTP: concurrent edits and the demo loader."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm.exc import StaleDataError

from partners_api.changes.models import ChangeEvent
from partners_api.demo import load_demo
from partners_api.organizations import service
from partners_api.organizations.models import Organization


@pytest.fixture
def committed_organization(app):
    """An organization committed outside any test transaction, removed afterwards."""
    db = app.extensions["partners_db"]
    with db.session() as session:
        org = service.create_organization(
            session,
            data={"name": "Concurrency Lab", "sector": "academia", "country": "CL"},
            actor_key_id=None,
        )
        org_id = org.id
    yield org_id
    with db.session() as session:
        session.execute(delete(Organization).where(Organization.id == org_id))
        session.execute(
            delete(ChangeEvent).where(
                ChangeEvent.entity == "organization", ChangeEvent.entity_id == str(org_id)
            )
        )
        session.commit()


def test_two_concurrent_updates_cannot_both_win(app, committed_organization):
    db = app.extensions["partners_db"]
    with db.session() as first, db.session() as second:
        mine = service.get_organization(first, ref=committed_organization)
        theirs = service.get_organization(second, ref=committed_organization)
        first.commit()
        second.commit()  # both have read version 1 and hold no transaction
        service.update_organization(
            first, organization=mine, data={"city": "Santiago"}, actor_key_id=None
        )
        with pytest.raises(StaleDataError):
            service.update_organization(
                second, organization=theirs, data={"city": "Valparaíso"}, actor_key_id=None
            )
    with db.session() as check:
        assert service.get_organization(check, ref=committed_organization).city == "Santiago"


def test_demo_load_is_idempotent_and_broad(session):
    reports = load_demo(session)
    assert all(r.created == 0 and r.updated == 0 for r in reports.values())
    assert reports["organizations"].unchanged >= 60
    assert reports["partnerships"].unchanged >= 80
    assert reports["dialogues"].unchanged >= 5
    facets = service.facets(session, filters={"status": ["active"]})
    assert len(facets["sector"]) == 8
    assert len(facets["country"]) >= 25
    continents = {v["value"] for v in facets["region"]}
    assert {"africa", "americas", "asia", "europe", "oceania"} <= continents


def test_bulk_create_finds_taken_ids_batch_by_batch(session, monkeypatch):
    """Ids are checked in batches (drivers cap the parameters of one statement): an id taken
    in any batch is replaced, a free one kept."""
    monkeypatch.setattr(service, "BULK_BATCH", 2)
    taken = list(session.scalars(select(Organization.id).order_by(Organization.id).limit(3)))
    free = 1 + (session.scalar(select(func.max(Organization.id))) or 0) + 1000
    records = [
        {"id": i, "slug": f"batch-{i}", "name": f"Batch {i}", "sector": "media", "country": "KE"}
        for i in [*taken, free]
    ]
    ids = service.bulk_create(session, records=records, actor_key_id=None)
    assert not set(ids[:3]) & set(taken) and len(set(ids)) == 4
    assert ids[3] == free
