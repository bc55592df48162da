"""The illustrative demo directory: real, public organizations loaded by slug."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from partners_api.organizations import service as organizations
from partners_api.organizations.models import Organization
from partners_api.organizations.schemas import OrganizationCreateSchema
from partners_api.regions.reference import read_data_file


@dataclass(frozen=True)
class LoadReport:
    """How many demo organizations were created, updated or already current."""

    created: int
    updated: int
    unchanged: int


def load_demo(session: Session) -> LoadReport:
    """Create or update the demo organizations by slug; loading twice changes nothing."""
    records = OrganizationCreateSchema(many=True).load(read_data_file("demo/organizations.json"))
    existing = {
        o.slug: o
        for o in session.scalars(
            select(Organization)
            .where(Organization.slug.in_([r["slug"] for r in records]))
            .options(*organizations.LOAD_OPTIONS)
        )
    }
    created = updated = 0
    for record in records:
        current = existing.get(record["slug"])
        if current is None:
            organizations.create_organization(session, data=record, actor_key_id=None)
            created += 1
        elif organizations.update_organization(
            session, organization=current, data=record, actor_key_id=None
        ):
            updated += 1
    return LoadReport(created=created, updated=updated, unchanged=len(records) - created - updated)
