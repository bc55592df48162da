"""The illustrative demo directory: real, public organizations, their links and dialogues."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from partners_api.dialogues import service as dialogues
from partners_api.dialogues.models import Dialogue, DialogueParticipant
from partners_api.dialogues.schemas import DialogueCreateSchema
from partners_api.organizations import service as organizations
from partners_api.organizations.models import Organization
from partners_api.organizations.schemas import OrganizationCreateSchema
from partners_api.partnerships import service as partnerships
from partners_api.partnerships.models import Partnership
from partners_api.regions.reference import read_data_file


@dataclass(frozen=True)
class LoadReport:
    """How many records of one kind were created, updated or already current."""

    created: int
    updated: int
    unchanged: int


def load_demo(session: Session) -> dict[str, LoadReport]:
    """Load organizations (upserted by slug), links and dialogues; twice changes nothing."""
    reports = {"organizations": _load_organizations(session)}
    ids = dict(session.execute(select(Organization.slug, Organization.id)).all())
    reports["partnerships"] = _load_partnerships(session, ids)
    reports["dialogues"] = _load_dialogues(session, ids)
    return reports


def _load_organizations(session: Session) -> LoadReport:
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


def _load_partnerships(session: Session, ids: dict[str, int]) -> LoadReport:
    """Record each demo link unless a link of that pair, kind and start date exists."""
    records = read_data_file("demo/partnerships.json")
    existing = set(
        session.execute(
            select(
                Partnership.proposer_id,
                Partnership.partner_id,
                Partnership.kind,
                Partnership.started_on,
            )
        ).all()
    )
    created = 0
    for record in records:
        started = date.fromisoformat(record["started_on"]) if record["started_on"] else None
        ended = date.fromisoformat(record["ended_on"]) if record["ended_on"] else None
        key = (ids[record["proposer"]], ids[record["partner"]], record["kind"], started)
        if key in existing:
            continue
        partnerships.record_link(
            session,
            proposer_id=key[0],
            partner_id=key[1],
            kind=record["kind"],
            status=record["status"],
            description=record["description"],
            started_on=started,
            ended_on=ended,
        )
        existing.add(key)
        created += 1
    session.commit()
    return LoadReport(created=created, updated=0, unchanged=len(records) - created)


def _load_dialogues(session: Session, ids: dict[str, int]) -> LoadReport:
    """Create each demo dialogue, with its participants, unless one has its title."""
    records = read_data_file("demo/dialogues.json")
    titles = set(session.scalars(select(Dialogue.title)))
    created = 0
    schema = DialogueCreateSchema()
    for record in records:
        if record["title"] in titles:
            continue
        data = schema.load({k: v for k, v in record.items() if k != "participants"})
        dialogue = dialogues.create_dialogue(session, data=data, actor_key_id=None)
        dialogue.participants = [
            DialogueParticipant(organization_id=ids[p["organization"]], role=p["role"])
            for p in record["participants"]
        ]
        session.commit()
        created += 1
    return LoadReport(created=created, updated=0, unchanged=len(records) - created)
