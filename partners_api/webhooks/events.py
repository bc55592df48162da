"""Which changes become webhook events, whom they concern, and what they carry."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from partners_api.changes.models import ChangeEvent
from partners_api.convening.schemas import InvitationSchema
from partners_api.db import json_text
from partners_api.dialogues import service as dialogues
from partners_api.dialogues.models import Invitation
from partners_api.dialogues.schemas import DialogueSchema
from partners_api.errors import NotFound
from partners_api.organizations import records
from partners_api.organizations import service as organizations
from partners_api.organizations.schemas import OrganizationSchema, contact_visibility
from partners_api.partnerships import service as partnerships
from partners_api.partnerships.schemas import PartnershipSchema

# The event type of each (entity, action) of the changes feed; other changes send nothing.
EVENT_TYPES: dict[tuple[str, str], str] = {
    ("partnership", "proposed"): "partnership.proposed",
    ("partnership", "recorded"): "partnership.recorded",
    ("partnership", "accepted"): "partnership.accepted",
    ("partnership", "declined"): "partnership.declined",
    ("partnership", "ended"): "partnership.ended",
    ("organization", "created"): "organization.created",
    ("organization", "updated"): "organization.updated",
    ("organization", "merged_in"): "organization.updated",
    ("organization", "archived"): "organization.archived",
    ("organization", "merged"): "organization.merged",
    ("dialogue", "created"): "dialogue.created",
    ("dialogue", "updated"): "dialogue.updated",
    ("dialogue", "participant_merged"): "dialogue.updated",
    ("dialogue", "deleted"): "dialogue.deleted",
    ("dialogue", "participant_set"): "participant.added",
    ("dialogue", "participant_removed"): "participant.removed",
    ("invitation", "created"): "invitation.created",
    ("invitation", "accepted"): "invitation.accepted",
    ("invitation", "declined"): "invitation.declined",
    ("invitation", "withdrawn"): "invitation.withdrawn",
    ("invitation", "expired"): "invitation.expired",
}
KNOWN_EVENT_TYPES = tuple(sorted(set(EVENT_TYPES.values())))
# Schemas hold no state between dumps: one of each serves every event.
SCHEMAS = {
    "organization": OrganizationSchema(),
    "partnership": PartnershipSchema(),
    "invitation": InvitationSchema(),
    "dialogue": DialogueSchema(),
}


def event_type(change: ChangeEvent) -> str | None:
    """The webhook event type of a change, or None when it is not sent."""
    return EVENT_TYPES.get((change.entity, change.action))


def preload_organizations(session, changes: Iterable[ChangeEvent]) -> dict[str, dict]:
    """The organizations that changes name, read together, by entity id; gone ones absent.

    A page of the feed holds up to hundreds of organization changes: reading them in one
    go, rather than one at a time, is most of what fanning them out costs.
    """
    ids = sorted(
        {int(c.entity_id) for c in changes if c.entity == "organization" and c.entity_id.isdigit()}
    )
    return {str(record["id"]): record for record in records.read_records(session, ids)}


class Snapshot:
    """What one change concerns and carries: read once, shared by every subscription."""

    def __init__(self, session, change: ChangeEvent, organizations: dict | None = None) -> None:
        """Read the change's entity, or take it from `organizations` (preload_organizations)."""
        self.change = change
        if organizations is not None and change.entity == "organization":
            self.entity: Any = organizations.get(change.entity_id)
        else:
            self.entity = _load(session, change)

    def organizations(self) -> set[int]:
        """The organizations an event concerns: a subscription of one of them receives it."""
        change, entity = self.change, self.entity
        if change.entity == "organization":
            return {int(change.entity_id)}
        if change.entity == "partnership" and entity is not None:
            return {entity.proposer_id, entity.partner_id}
        if change.entity == "invitation" and entity is not None:
            return {entity.organization_id}  # private: the invitee's, never other participants'
        if change.entity == "dialogue":
            named = {_participant_named(change)} - {None}
            present = {p.organization_id for p in entity.participants} if entity else set()
            return named | present
        return set()

    def payloads(self, event_type: str) -> tuple[str, str | None]:
        """The JSON payload, and the same with contact e-mails (None where there are none)."""
        public = json_text(self._envelope(event_type, self._data(lambda _id: False)))
        if self.change.entity != "organization":
            return public, None
        full = json_text(self._envelope(event_type, self._data(lambda _id: True)))
        return public, (full if full != public else None)

    def _envelope(self, event_type: str, data: dict) -> dict:
        change = self.change
        return {
            "type": event_type,
            "timestamp": change.at.isoformat(),
            "data": data,
            "change": {
                "id": change.id,
                "entity": change.entity,
                "entity_id": change.entity_id,
                "action": change.action,
                "fields": list(change.fields),
            },
        }

    def _data(self, contacts: Callable[[int], bool]) -> dict:
        change, entity = self.change, self.entity
        if entity is None:
            return {"id": _id_or_text(change.entity_id)}
        if change.entity == "organization":
            token = contact_visibility.set(contacts)
            try:
                return SCHEMAS["organization"].dump(entity)
            finally:
                contact_visibility.reset(token)
        if change.entity in ("partnership", "invitation"):
            return SCHEMAS[change.entity].dump(entity)
        dialogue = SCHEMAS["dialogue"].dump(entity)
        organization_id = _participant_named(change)
        if organization_id is None:
            return dialogue
        role = next(
            (p.role for p in entity.participants if p.organization_id == organization_id), None
        )
        return {"organization_id": organization_id, "role": role, "dialogue": dialogue}


def _load(session, change: ChangeEvent):
    """The entity as it stands now, or None when it is gone."""
    try:
        if change.entity == "organization":
            return organizations.read_organization(session, ref=int(change.entity_id))
        if change.entity == "partnership":
            return partnerships.get_partnership(session, partnership_id=int(change.entity_id))
        if change.entity == "dialogue":
            return dialogues.get_dialogue(session, dialogue_id=int(change.entity_id))
        if change.entity == "invitation":
            return session.get(Invitation, int(change.entity_id))
    except (NotFound, ValueError):
        return None
    return None


def _participant_named(change: ChangeEvent) -> int | None:
    """The organization a participant event names in its fields (`participants.<id>`)."""
    if not change.action.startswith("participant_"):
        return None
    for field in change.fields:
        prefix, _, rest = field.partition(".")
        if prefix == "participants" and rest.isdigit():
            return int(rest)
    return None


def _id_or_text(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def parse_payload(text: str) -> dict:
    """A stored payload back as JSON (for the deliveries list)."""
    return json.loads(text)
