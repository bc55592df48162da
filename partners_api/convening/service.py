"""Inviting organizations to a dialogue, their answers, and withdrawing invitations.

Locks, in this order everywhere: the dialogue's row, then the invitation's. Two answers to
one invitation therefore run one after the other: the second finds it answered (409).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from partners_api.changes import service as changes
from partners_api.db import lock_for_update, utcnow
from partners_api.dialogues import invitations
from partners_api.dialogues import service as dialogues
from partners_api.dialogues.models import (
    LIVE_INVITATION_STATUSES,
    Dialogue,
    DialogueParticipant,
    Invitation,
)
from partners_api.errors import Conflict, Forbidden, Unprocessable, unknown_values
from partners_api.keys.auth import Principal
from partners_api.matching import service as matching
from partners_api.organizations.models import Organization

# Which statuses each answer moves from, to which status, and who may give it.
TRANSITIONS = {
    "accept": (("invited",), "accepted", "invitee"),
    "decline": (("invited", "accepted"), "declined", "invitee"),
    "withdraw": (("invited", "accepted"), "withdrawn", "convener"),
}
# The code of the 409 for an answer to an invitation in each status it cannot leave.
CLOSED_CODES = {
    "expired": "invitation_expired",
    "withdrawn": "invitation_withdrawn",
    "declined": "invitation_answered",
    "accepted": "invitation_answered",
}
CREATED_FIELDS = ["dialogue_id", "organization_id", "status", "message", "expires_at"]


def invite(
    session: Session,
    *,
    dialogue: Dialogue,
    organization_ids: Sequence[int],
    message: str,
    expires_at: datetime | None,
    principal: Principal,
) -> list[Invitation]:
    """Invite organizations to a planned dialogue; not committed.

    Refuses unknown ids (422 naming them), archived organizations and those not open to
    dialogue (422), organizations already invited or that declined (409), and a dialogue
    that is not planned or has begun (409).
    """
    lock_for_update(session, dialogue)
    check_open_for_invitations(dialogue)
    expires_at, ids, found = _invitable(session, dialogue, organization_ids, expires_at)
    invitations.expire_overdue(session, dialogue_id=dialogue.id, actor_key_id=principal.key_id)
    _refuse_taken(session, dialogue.id, ids)
    return _add_invitations(session, dialogue, found, ids, message, expires_at, principal)


def invite_reserves(
    session: Session,
    *,
    dialogue: Dialogue,
    organization_ids: Sequence[int],
    message: str,
    expires_at: datetime | None,
    principal: Principal,
) -> list[Invitation]:
    """Invite the reserves a refill chose; not committed.

    As invite(), less what the refill did already under the dialogue's lock: checked the
    dialogue, expired its overdue invitations, and left out every organization it ever
    invited.
    """
    expires_at, ids, found = _invitable(session, dialogue, organization_ids, expires_at)
    return _add_invitations(session, dialogue, found, ids, message, expires_at, principal)


def _invitable(
    session: Session,
    dialogue: Dialogue,
    organization_ids: Sequence[int],
    expires_at: datetime | None,
) -> tuple[datetime | None, list[int], Mapping[int, Organization]]:
    """The invitations' expiry, and the distinct ids with their organizations (refusing
    unknown ids, archived organizations and those not open to dialogue)."""
    ids = list(dict.fromkeys(organization_ids))
    expires_at = _expiry(dialogue, expires_at)
    return expires_at, ids, _organizations(session, ids)


def _add_invitations(
    session: Session,
    dialogue: Dialogue,
    found: Mapping[int, Organization],
    ids: Sequence[int],
    message: str,
    expires_at: datetime | None,
    principal: Principal,
) -> list[Invitation]:
    """Add an invitation of each organization, each with its change event."""
    made = []
    for organization_id in ids:
        invitation = Invitation(
            dialogue_id=dialogue.id,
            organization_id=organization_id,
            organization=found[organization_id],
            status="invited",
            message=message,
            answer_message="",
            invited_by=principal.key_id,
            expires_at=expires_at,
        )
        made.append(
            changes.add_recorded(
                session,
                invitation,
                entity="invitation",
                fields=CREATED_FIELDS,
                actor_key_id=principal.key_id,
            )
        )
    return made


def check_open_for_invitations(dialogue: Dialogue) -> None:
    """409 unless the dialogue is planned and has not begun."""
    if dialogue.status != "planned":
        raise Conflict(
            f"Dialogue {dialogue.id} is {dialogue.status}; only a planned dialogue takes "
            "invitations and answers.",
            code="dialogue_not_planned",
        )
    if dialogue.starts_on is not None and dialogue.starts_on < utcnow().date():
        raise Conflict(
            f"Dialogue {dialogue.id} began on {dialogue.starts_on}.", code="dialogue_started"
        )


def _expiry(dialogue: Dialogue, expires_at: datetime | None) -> datetime | None:
    """The expiry given (in the future), else the start of the dialogue's first day."""
    if expires_at is not None:
        if expires_at <= utcnow():
            raise Unprocessable.field("expires_at", "The expiry must lie in the future.")
        return expires_at
    if dialogue.starts_on is None:
        return None
    return datetime.combine(dialogue.starts_on, time(0), tzinfo=UTC)


def _organizations(session: Session, ids: Sequence[int]) -> dict[int, Organization]:
    """The organizations to invite; 422 for ids unknown, archived or not open to dialogue."""
    found = {o.id: o for o in session.scalars(select(Organization).where(Organization.id.in_(ids)))}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise unknown_values("organization_ids", missing, "See GET /api/v1/organizations.")
    refusals = (
        ("organization_archived", "archived or merged", lambda o: o.status != "active"),
        ("not_open_to_dialogue", "not open to dialogue", lambda o: not o.open_to_dialogue),
    )
    for code, reason, refused in refusals:
        named = [str(i) for i in ids if refused(found[i])]
        if named:
            message = f"Organizations {', '.join(named)} are {reason}."
            raise Unprocessable.field("organization_ids", message, code=code)
    return found


def _refuse_taken(session: Session, dialogue_id: int, ids: Sequence[int]) -> None:
    """409 for organizations holding a live invitation, or that declined this dialogue."""
    rows = session.execute(
        select(Invitation.organization_id, Invitation.status).where(
            Invitation.dialogue_id == dialogue_id,
            Invitation.organization_id.in_(ids),
            Invitation.status.in_((*LIVE_INVITATION_STATUSES, "declined")),
        )
    ).all()
    for status, code, what in (
        (LIVE_INVITATION_STATUSES, "already_invited", "already invited"),
        (("declined",), "declined_before", "declined an invitation"),
    ):
        named = sorted({str(org) for org, s in rows if s in status})
        if named:
            raise Conflict(
                f"Organizations {', '.join(named)} {what} to dialogue {dialogue_id}.",
                errors={"organization_ids": [f"{what}: {', '.join(named)}"]},
                code=code,
            )


def keep_composed(
    dialogue: Dialogue, *, request: Mapping[str, Any], composed: Mapping[str, Any]
) -> list[str]:
    """Keep on the dialogue the compose request and its ranked reserves; the fields set."""
    dialogue.compose_request = dict(request)
    dialogue.reserves = [
        {
            "organization_id": reserve["organization"]["id"],
            "rank": reserve["rank"],
            "keeps": reserve["keeps"],
        }
        for reserve in composed["reserves"]
    ]
    fields = ["compose_request", "reserves"]
    if dialogue.capacity is None:
        dialogue.capacity = request["size"]
        fields.append("capacity")
    dialogue.updated_at = utcnow()
    return fields


def answer(
    session: Session,
    *,
    dialogue: Dialogue,
    invitation: Invitation,
    action: str,
    message: str = "",
    principal: Principal,
) -> Invitation:
    """Accept, decline or withdraw an invitation, and commit.

    403 for a key that is not the invitee's (accept, decline) or a convener's (withdraw);
    409 for an invitation that cannot move so, and for accepting a seat that is gone.
    """
    sources, target, who = TRANSITIONS[action]
    _check_may_answer(principal, invitation, who, action)
    lock_for_update(session, dialogue)
    lock_for_update(session, invitation)
    if invitations.status_of(invitation) == "expired" and invitation.status == "invited":
        invitations.expire(invitation, session, actor_key_id=principal.key_id)
        session.commit()  # the expiry stands; the answer is refused
    if invitation.status not in sources:
        raise Conflict(
            f"Cannot {action} an invitation that is {invitation.status}.",
            code=CLOSED_CODES[invitation.status],
        )
    if action == "accept":
        _check_seat(session, dialogue, invitation)
    was = invitation.status
    _apply(invitation, target, message if who == "invitee" else None, principal)
    _seat_changed(session, dialogue, invitation, was, principal)
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        raise Conflict(
            "The invitation changed at the same moment; fetch it again.", code="invitation_changed"
        ) from None
    return invitation


def _check_may_answer(principal: Principal, invitation: Invitation, who: str, action: str) -> None:
    if who == "convener" and not principal.is_convener:
        raise Forbidden(f"Only a convener (or admin) may {action} an invitation.")
    if who == "invitee" and not principal.can_write_organization(invitation.organization_id):
        raise Forbidden(
            f"Only the invited organization's own key (or admin) may {action} this invitation.",
            code="not_invitee",
        )


def _check_seat(session: Session, dialogue: Dialogue, invitation: Invitation) -> None:
    """409 when the dialogue cannot seat one more: not planned, begun, full, or archived."""
    check_open_for_invitations(dialogue)
    if invitation.organization.status != "active":
        raise Conflict("An archived organization cannot take part.", code="organization_archived")
    seated = sum(1 for p in dialogue.participants if p.role == "participant")
    if dialogue.capacity is not None and seated >= dialogue.capacity:
        raise Conflict(
            f"Dialogue {dialogue.id} is full: {seated} of {dialogue.capacity} seats taken.",
            code="dialogue_full",
        )


def _apply(invitation: Invitation, target: str, message: str | None, principal: Principal):
    now = utcnow()
    invitation.status = target
    invitation.answered_by = principal.key_id
    invitation.answered_at = invitation.updated_at = now
    if message is not None:
        invitation.answer_message = message


def _seat_changed(
    session: Session, dialogue: Dialogue, invitation: Invitation, was: str, principal: Principal
) -> None:
    """Record the answer; seat the organization when it accepts, unseat it when it leaves."""
    changes.record(
        session,
        entity="invitation",
        entity_id=invitation.id,
        action=invitation.status,
        fields=invitations.ANSWER_FIELDS,
        actor_key_id=principal.key_id,
    )
    org_id = invitation.organization_id
    seat = next((p for p in dialogue.participants if p.organization_id == org_id), None)
    if invitation.status == "accepted" and seat is None:
        dialogue.participants.append(
            DialogueParticipant(
                organization_id=org_id, organization=invitation.organization, role="participant"
            )
        )
        action = "participant_set"
    elif was == "accepted" and seat is not None and seat.role == "participant":
        dialogue.participants.remove(seat)
        action = "participant_removed"
    else:
        return
    dialogues.record_participation(session, dialogue, action, org_id, principal.key_id)


def create_invitations(
    session: Session, *, dialogue: Dialogue, data: Mapping[str, Any], principal: Principal
) -> dict[str, Any]:
    """Invite the organizations named, or the roster a compose request composes, and commit.

    With a compose request, the dialogue keeps it and its ranked reserves, and takes
    the roster's size as its capacity when it had none.
    """
    check_open_for_invitations(dialogue)
    composed = None
    ids = data.get("organization_ids", [])
    if "compose" in data:
        composed = matching.compose_roster(session, request=data["compose"])
        ids = [member["organization"]["id"] for member in composed["roster"]]
    made = invite(
        session,
        dialogue=dialogue,
        organization_ids=ids,
        message=data["message"],
        expires_at=data.get("expires_at"),
        principal=principal,
    )
    if composed is not None:
        fields = keep_composed(dialogue, request=data["compose"], composed=composed)
        changes.record_update(
            session,
            entity="dialogue",
            entity_id=dialogue.id,
            fields=fields,
            actor_key_id=principal.key_id,
            commit=False,
        )
    session.commit()
    return {"invitations": made, "composed": composed}
