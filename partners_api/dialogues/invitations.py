"""Invitations to dialogues as stored: reading them, their status as of now, and expiry.

The lifecycle that needs roster composition (inviting, answering, refilling) lives in
partners_api.convening, above matching; this lower module serves the reads every layer
may need (matching may weigh how organizations answer) and writes expiry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import String, and_, case, cast, select
from sqlalchemy.orm import Session

from partners_api.changes import service as changes
from partners_api.db import fetch_page, get_or_not_found, utcnow
from partners_api.dialogues.models import LIVE_INVITATION_STATUSES, Invitation
from partners_api.errors import NotFound
from partners_api.organizations.signals import organization_archived, organization_history

ANSWER_FIELDS = ["status", "answered_at", "answered_by", "answer_message"]


def overdue(now: datetime):
    """The condition of invitations still invited after their expiry time."""
    return and_(
        Invitation.status == "invited",
        Invitation.expires_at.is_not(None),
        Invitation.expires_at <= now,
    )


def current_status(now: datetime):
    """An invitation's status as of now, in SQL: an overdue invitation reads as expired."""
    return case((overdue(now), "expired"), else_=Invitation.status)


def status_of(invitation: Invitation, now: datetime | None = None) -> str:
    """An invitation's status as of now: an overdue invitation reads as expired."""
    now = now or utcnow()
    expired = invitation.expires_at is not None and invitation.expires_at <= now
    return "expired" if invitation.status == "invited" and expired else invitation.status


def list_invitations(
    session: Session,
    *,
    dialogue_id: int | None = None,
    organization_id: int | None = None,
    status: Sequence[str] | None = None,
    page: int,
    page_size: int,
) -> tuple[list[Invitation], int]:
    """Return a page of invitations by id, of a dialogue or an organization, by status now."""
    query = select(Invitation)
    if dialogue_id is not None:
        query = query.where(Invitation.dialogue_id == dialogue_id)
    if organization_id is not None:
        query = query.where(Invitation.organization_id == organization_id)
    if status:
        query = query.where(current_status(utcnow()).in_(status))
    return fetch_page(session, query.order_by(Invitation.id), page=page, page_size=page_size)


def get_invitation(session: Session, *, dialogue_id: int, invitation_id: int) -> Invitation:
    """Return one invitation of a dialogue, or raise NotFound."""
    missing = f"No invitation {invitation_id} to dialogue {dialogue_id}."
    invitation = get_or_not_found(session, Invitation, invitation_id, missing)
    if invitation.dialogue_id != dialogue_id:
        raise NotFound(missing)
    return invitation


def of_dialogue(session: Session, dialogue_id: int) -> list[Invitation]:
    """Every invitation of a dialogue, by id."""
    return list(
        session.scalars(
            select(Invitation).where(Invitation.dialogue_id == dialogue_id).order_by(Invitation.id)
        )
    )


def expire(invitation: Invitation, session: Session, *, actor_key_id: int | None = None) -> None:
    """Write an overdue invitation's expiry and record it; not committed."""
    invitation.status = "expired"
    invitation.updated_at = utcnow()
    changes.record(
        session,
        entity="invitation",
        entity_id=invitation.id,
        action="expired",
        fields=["status"],
        actor_key_id=actor_key_id,
    )


def expire_overdue(
    session: Session, *, dialogue_id: int | None = None, actor_key_id: int | None = None
) -> list[int]:
    """Write the expiry of every overdue invitation (of one dialogue, or all); not committed."""
    query = select(Invitation).where(overdue(utcnow())).order_by(Invitation.id)
    if dialogue_id is not None:
        query = query.where(Invitation.dialogue_id == dialogue_id)
    expired = list(session.scalars(query))
    for invitation in expired:
        expire(invitation, session, actor_key_id=actor_key_id)
    return [invitation.id for invitation in expired]


def move_invitations(
    session: Session, *, source_id: int, target_id: int, actor_key_id: int | None
) -> list[int]:
    """Move an organization's invitations to another (a merge); not committed.

    A live invitation of the source to a dialogue the target holds a live invitation to
    is withdrawn and stays where it is. Returns the ids moved, each with an event.
    """
    held = set(
        session.scalars(
            select(Invitation.dialogue_id).where(
                Invitation.organization_id == target_id,
                Invitation.status.in_(LIVE_INVITATION_STATUSES),
            )
        )
    )
    moved = []
    rows = select(Invitation).where(Invitation.organization_id == source_id)
    for invitation in session.scalars(rows.order_by(Invitation.id)).all():
        live = invitation.status in LIVE_INVITATION_STATUSES
        if live and invitation.dialogue_id in held:
            invitation.status, action, fields = "withdrawn", "withdrawn", ["status"]
        else:
            invitation.organization_id, action, fields = target_id, "merged", ["organization_id"]
            moved.append(invitation.id)
        invitation.updated_at = utcnow()
        changes.record(
            session,
            entity="invitation",
            entity_id=invitation.id,
            action=action,
            fields=fields,
            actor_key_id=actor_key_id,
        )
    return moved


def history_ids(*, dialogue_id: int | None = None, organization_id: int | None = None):
    """The ids (as change-event entity ids) of a dialogue's or an organization's invitations."""
    query = select(cast(Invitation.id, String))
    if dialogue_id is not None:
        query = query.where(Invitation.dialogue_id == dialogue_id)
    if organization_id is not None:
        query = query.where(Invitation.organization_id == organization_id)
    return query


@organization_history.connect
def invitations_in_history(organization, *, session: Session):
    """Receives organization_history: an organization's history shows its invitations."""
    return "invitation", history_ids(organization_id=organization.id)


@organization_archived.connect
def withdraw_invitations_of(organization, *, session: Session, actor_key_id: int | None) -> int:
    """Receives organization_archived: its open invitations are withdrawn; not committed.

    An archived organization cannot answer; places it already accepted stay, as its
    record and history do.
    """
    pending = session.scalars(
        select(Invitation).where(
            Invitation.organization_id == organization.id, Invitation.status == "invited"
        )
    ).all()
    for invitation in pending:
        invitation.status, invitation.updated_at = "withdrawn", utcnow()
        changes.record(
            session,
            entity="invitation",
            entity_id=invitation.id,
            action="withdrawn",
            fields=["status"],
            actor_key_id=actor_key_id,
        )
    return len(pending)
