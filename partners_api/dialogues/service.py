"""Dialogues: listing, editing, and who takes part."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from partners_api.changes import service as changes
from partners_api.db import (
    assign_changed,
    fetch_page,
    get_locked,
    get_or_not_found,
    lock_for_update,
    utcnow,
)
from partners_api.dialogues import invitations, outcomes
from partners_api.dialogues.models import Dialogue, DialogueParticipant, DialogueTopic
from partners_api.errors import Forbidden, NotFound, Unprocessable
from partners_api.keys.auth import Principal
from partners_api.organizations.models import Organization
from partners_api.topics import service as topics

SCALAR_FIELDS = (
    "title",
    "description",
    "status",
    "starts_on",
    "ends_on",
    "city",
    "virtual",
    "country",
    "capacity",
)
COLUMNS = {"country": "country_code"}  # fields stored under another name
LOAD_OPTIONS = (selectinload(Dialogue.topic_rows), selectinload(Dialogue.participants))


def list_dialogues(
    session: Session,
    *,
    topic: list[str] | None = None,
    status: list[str] | None = None,
    organization: int | None = None,
    page: int,
    page_size: int,
) -> tuple[list[Dialogue], int]:
    """Return a page of dialogues by id, filtered by topic (with those below), status, member."""
    query = select(Dialogue).options(*LOAD_OPTIONS)
    if topic:
        topic_ids = topics.with_descendants(session, topic, field="topic")
        query = query.where(
            Dialogue.id.in_(
                select(DialogueTopic.dialogue_id).where(DialogueTopic.topic_id.in_(topic_ids))
            )
        )
    if status:
        query = query.where(Dialogue.status.in_(status))
    if organization is not None:
        query = query.where(
            Dialogue.id.in_(
                select(DialogueParticipant.dialogue_id).where(
                    DialogueParticipant.organization_id == organization
                )
            )
        )
    return fetch_page(session, query.order_by(Dialogue.id), page=page, page_size=page_size)


def get_dialogue(session: Session, *, dialogue_id: int) -> Dialogue:
    """Return one dialogue with its topics and participants, or raise NotFound."""
    missing = f"No dialogue {dialogue_id}."
    return get_or_not_found(session, Dialogue, dialogue_id, missing, options=LOAD_OPTIONS)


def lock_dialogue(session: Session, *, dialogue_id: int) -> Dialogue:
    """Return one dialogue for a write on its invitations, or raise NotFound: its row held
    until the transaction ends (see db.lock_for_update), its participants joined to it
    in the same statement (its topics, which such a write does not read, load if asked)."""
    missing = f"No dialogue {dialogue_id}."
    options = (joinedload(Dialogue.participants),)
    return get_locked(session, Dialogue, dialogue_id, missing, options=options)


def history(session: Session, *, dialogue: Dialogue, page: int, page_size: int):
    """Return one page of a dialogue's change events and its invitations', newest first."""
    return changes.history(
        session,
        entity="dialogue",
        entity_id=dialogue.id,
        related=[("invitation", invitations.history_ids(dialogue_id=dialogue.id))],
        page=page,
        page_size=page_size,
    )


def create_dialogue(
    session: Session, *, data: Mapping[str, Any], actor_key_id: int | None
) -> Dialogue:
    """Create a dialogue (participants are added one by one afterwards)."""
    dialogue = Dialogue(status="planned", description="", virtual=False)
    _apply(session, dialogue, data)
    changes.add_recorded(
        session, dialogue, entity="dialogue", fields=data.keys(), actor_key_id=actor_key_id
    )
    session.commit()
    return dialogue


def update_dialogue(
    session: Session, *, dialogue: Dialogue, data: Mapping[str, Any], actor_key_id: int | None
) -> list[str]:
    """Apply a partial update and return the changed fields."""
    changed = _apply(session, dialogue, data)
    changes.record_update(
        session, entity="dialogue", entity_id=dialogue.id, fields=changed, actor_key_id=actor_key_id
    )
    return changed


def delete_dialogue(session: Session, *, dialogue: Dialogue, actor_key_id: int | None) -> None:
    """Delete a dialogue, its participation records and signals; its links lose their origin."""
    outcomes.forget_dialogue(session, dialogue=dialogue, actor_key_id=actor_key_id)
    changes.record(
        session,
        entity="dialogue",
        entity_id=dialogue.id,
        action="deleted",
        actor_key_id=actor_key_id,
    )
    session.delete(dialogue)
    session.commit()


def set_participant(
    session: Session,
    *,
    dialogue: Dialogue,
    organization: Organization,
    role: str,
    principal: Principal,
) -> tuple[DialogueParticipant, bool]:
    """Add an organization to a dialogue or change its role; True when newly added."""
    _check_may_manage(principal, organization.id)
    if organization.status != "active":
        raise Unprocessable.field("org_id", "An archived organization cannot take part.")
    lock_for_update(session, dialogue)
    current = _participant(dialogue, organization.id)
    if current is not None and current.role == role:
        return current, False
    added = current is None
    if added:
        current = DialogueParticipant(
            organization_id=organization.id, organization=organization, role=role
        )
        dialogue.participants.append(current)
    else:
        current.role = role
    _participation_changed(session, dialogue, "participant_set", organization.id, principal)
    return current, added


def remove_participant(
    session: Session, *, dialogue: Dialogue, organization_id: int, principal: Principal
) -> None:
    """Take an organization out of a dialogue."""
    _check_may_manage(principal, organization_id)
    lock_for_update(session, dialogue)
    current = _participant(dialogue, organization_id)
    if current is None:
        raise NotFound(f"Organization {organization_id} is not in dialogue {dialogue.id}.")
    dialogue.participants.remove(current)
    _participation_changed(session, dialogue, "participant_removed", organization_id, principal)


def _participation_changed(
    session: Session, dialogue: Dialogue, action: str, organization_id: int, principal: Principal
) -> None:
    """Bump the dialogue's version (its ETag), record the event and commit."""
    record_participation(session, dialogue, action, organization_id, principal.key_id)
    session.commit()


def record_participation(
    session: Session,
    dialogue: Dialogue,
    action: str,
    organization_id: int,
    actor_key_id: int | None,
) -> None:
    """Bump the dialogue's version and record a participant's change; not committed."""
    dialogue.updated_at = utcnow()
    changes.record(
        session,
        entity="dialogue",
        entity_id=dialogue.id,
        action=action,
        fields=[f"participants.{organization_id}"],
        actor_key_id=actor_key_id,
    )


def _check_may_manage(principal: Principal, organization_id: int) -> None:
    if not principal.can_write_organization(organization_id):
        raise Forbidden("This key may only manage its own organization's participation.")


def _participant(dialogue: Dialogue, organization_id: int) -> DialogueParticipant | None:
    return next((p for p in dialogue.participants if p.organization_id == organization_id), None)


def _apply(session: Session, dialogue: Dialogue, data: Mapping[str, Any]) -> list[str]:
    """Set the given fields on a dialogue; return the names of those that changed."""
    changed = assign_changed(dialogue, data, SCALAR_FIELDS, columns=COLUMNS)
    if "topics" in data and sorted(data["topics"]) != dialogue.topics:
        found = topics.topics_by_slug(session, data["topics"], field="topics")
        dialogue.topic_rows = [DialogueTopic(topic=t, topic_id=t.id) for t in found.values()]
        changed.append("topics")
    if dialogue.starts_on and dialogue.ends_on and dialogue.ends_on < dialogue.starts_on:
        raise Unprocessable.field("ends_on", "A dialogue cannot end before it starts.")
    if changed:
        dialogue.updated_at = utcnow()
    return changed


ROLE_STRENGTH = {"host": 3, "participant": 2, "observer": 1}


def move_participations(
    session: Session, *, source_id: int, target_id: int, actor_key_id: int | None
) -> list[int]:
    """Move an organization's places in dialogues to another (a merge); not committed.

    Where both took part, the target keeps the stronger role of the two (host >
    participant > observer); the source's outcome signals go to the target as well.
    Returns the ids of the dialogues changed, each with an event.
    """
    rows = session.scalars(
        select(DialogueParticipant)
        .where(DialogueParticipant.organization_id == source_id)
        .order_by(DialogueParticipant.dialogue_id)
    ).all()
    changed = []
    for row in rows:
        dialogue = session.get(Dialogue, row.dialogue_id)
        target = _participant(dialogue, target_id)
        if target is None:
            target = DialogueParticipant(
                organization_id=target_id, role=row.role, created_at=row.created_at
            )
            dialogue.participants.append(target)
        elif ROLE_STRENGTH[row.role] > ROLE_STRENGTH[target.role]:
            target.role = row.role
        dialogue.participants.remove(row)
        dialogue.updated_at = utcnow()
        changes.record(
            session,
            entity="dialogue",
            entity_id=dialogue.id,
            action="participant_merged",
            fields=[f"participants.{source_id}", f"participants.{target_id}"],
            actor_key_id=actor_key_id,
        )
        changed.append(dialogue.id)
    outcomes.move_signals(
        session, source_id=source_id, target_id=target_id, actor_key_id=actor_key_id
    )
    return changed
