"""Partnership links: proposing, the lifecycle, and who may move them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from partners_api.changes import service as changes
from partners_api.db import fetch_page, get_or_not_found, lock_for_update, utcnow
from partners_api.errors import Conflict, Forbidden, NotFound, Unprocessable
from partners_api.keys.auth import Principal
from partners_api.organizations import service as organizations
from partners_api.organizations.signals import organization_archived
from partners_api.partnerships.models import OPEN_STATUSES, Partnership
from partners_api.partnerships.signals import partnership_origin

# Which status each action leaves, from which status, and which side may take it.
TRANSITIONS = {
    "accept": ("proposed", "active", "partner"),
    "decline": ("proposed", "declined", "partner"),
    "end": ("active", "ended", "either"),
}


def list_partnerships(
    session: Session,
    *,
    organization: int | None = None,
    kind: list[str] | None = None,
    status: list[str] | None = None,
    origin_dialogue: int | None = None,
    page: int,
    page_size: int,
) -> tuple[list[Partnership], int]:
    """Return a page of links, filtered by organization, kind, status and origin, by id."""
    query = select(Partnership)
    if origin_dialogue is not None:
        query = query.where(Partnership.origin_dialogue_id == origin_dialogue)
    if organization is not None:
        query = query.where(
            or_(Partnership.low_id == organization, Partnership.high_id == organization)
        )
    if kind:
        query = query.where(Partnership.kind.in_(kind))
    if status:
        query = query.where(Partnership.status.in_(status))
    return fetch_page(session, query.order_by(Partnership.id), page=page, page_size=page_size)


def get_partnership(session: Session, *, partnership_id: int) -> Partnership:
    """Return one link, or raise NotFound."""
    return get_or_not_found(
        session, Partnership, partnership_id, f"No partnership {partnership_id}."
    )


def propose(session: Session, *, data: Mapping[str, Any], principal: Principal) -> Partnership:
    """Propose a link from the proposer to the partner; admin may record it as active."""
    proposer = _active_organization(session, data["proposer_id"], field="proposer_id")
    partner = _active_organization(session, data["partner_id"], field="partner_id")
    if not principal.can_write_organization(proposer.id):
        raise Forbidden("This key may not propose links for that organization.")
    if proposer.id == partner.id:
        raise Unprocessable.field("partner_id", "An organization cannot partner with itself.")
    status = data.get("status", "proposed")
    if status == "active" and not principal.is_admin:
        raise Forbidden("Only admin keys may record an active link directly.")
    origin = data.get("origin_dialogue_id")
    if origin is not None:
        check_origin(session, dialogue_id=origin, organization_ids=(proposer.id, partner.id))
    _refuse_duplicate(session, proposer.id, partner.id, data["kind"])
    partnership = Partnership(
        kind=data["kind"],
        status=status,
        proposer=proposer,
        partner=partner,
        proposer_id=proposer.id,
        partner_id=partner.id,
        low_id=min(proposer.id, partner.id),
        high_id=max(proposer.id, partner.id),
        description=data.get("description", ""),
        started_on=data.get("started_on") or (_today() if status == "active" else None),
        origin_dialogue_id=origin,
    )
    changes.add_recorded(
        session,
        partnership,
        entity="partnership",
        action="proposed" if status == "proposed" else "recorded",
        fields=data.keys(),
        actor_key_id=principal.key_id,
    )
    session.commit()
    return partnership


def record_link(
    session: Session,
    *,
    proposer_id: int,
    partner_id: int,
    kind: str,
    status: str,
    description: str = "",
    started_on: date | None = None,
    ended_on: date | None = None,
    origin_dialogue_id: int | None = None,
    actor_key_id: int | None = None,
) -> Partnership:
    """Record a link with its history as it stands (imports and the demo); not committed.

    An origin is checked as on a proposal: a held dialogue both sides took part in.
    """
    if origin_dialogue_id is not None:
        check_origin(
            session, dialogue_id=origin_dialogue_id, organization_ids=(proposer_id, partner_id)
        )
    link = Partnership(
        kind=kind,
        status=status,
        proposer_id=proposer_id,
        partner_id=partner_id,
        low_id=min(proposer_id, partner_id),
        high_id=max(proposer_id, partner_id),
        description=description,
        started_on=started_on,
        ended_on=ended_on,
        origin_dialogue_id=origin_dialogue_id,
    )
    fields = ["kind", "status", "started_on", "ended_on"]
    return changes.add_recorded(
        session,
        link,
        entity="partnership",
        action="recorded",
        fields=fields + (["origin_dialogue_id"] if origin_dialogue_id is not None else []),
        actor_key_id=actor_key_id,
    )


def check_origin(session: Session, *, dialogue_id: int, organization_ids: tuple[int, int]) -> None:
    """Refuse a link's origin unless the layer that knows dialogues vouches for it."""
    answers = partnership_origin.send(
        dialogue_id, session=session, organization_ids=organization_ids
    )
    if not any(answer for _, answer in answers):
        raise Unprocessable.field(
            "origin_dialogue_id",
            "Origins of links cannot be checked here.",
            code="unknown_dialogue",
        )


def transition(
    session: Session, *, partnership: Partnership, action: str, principal: Principal
) -> Partnership:
    """Accept, decline or end a link; 403 for the wrong side, 409 from the wrong status."""
    source, target, side = TRANSITIONS[action]
    allowed = (
        [partnership.partner_id]
        if side == "partner"
        else [partnership.proposer_id, partnership.partner_id]
    )
    if not any(principal.can_write_organization(org_id) for org_id in allowed):
        who = "the partner" if side == "partner" else "either side"
        raise Forbidden(f"Only {who} or an admin may {action} this link.")
    lock_for_update(session, partnership)
    if partnership.status != source:
        raise Conflict(
            f"Cannot {action} a link that is {partnership.status}; only a {source} link can be.",
            code="illegal_transition",
        )
    partnership.status = target
    fields = ["status"]
    if target == "active":
        partnership.started_on = _today()
        fields.append("started_on")
    if target == "ended":
        partnership.ended_on = _today()
        fields.append("ended_on")
    changes.record(
        session,
        entity="partnership",
        entity_id=partnership.id,
        action=f"{action}ed" if action != "decline" else "declined",
        fields=fields,
        actor_key_id=principal.key_id,
    )
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        raise Conflict(
            "The link changed at the same moment; fetch it again.", code="illegal_transition"
        ) from None
    return partnership


@organization_archived.connect
def close_links_of(organization, *, session: Session, actor_key_id: int | None) -> int:
    """End the active links and decline the proposed ones of an organization being archived.

    Receives organization_archived; adds the changes to the session without committing:
    the archive that sent the signal commits them.
    """
    organization_id = organization.id
    links = session.scalars(
        select(Partnership).where(
            or_(Partnership.low_id == organization_id, Partnership.high_id == organization_id),
            Partnership.status.in_(OPEN_STATUSES),
        )
    ).all()
    for link in links:
        if link.status == "active":
            link.status, link.ended_on = "ended", _today()
        else:
            link.status = "declined"
        changes.record(
            session,
            entity="partnership",
            entity_id=link.id,
            action=link.status,
            fields=["status"],
            actor_key_id=actor_key_id,
        )
    return len(links)


def _active_organization(session: Session, ref: int, *, field: str):
    try:
        organization = organizations.get_organization(session, ref=ref)
    except NotFound:
        raise Unprocessable.field(field, f"No organization {ref}.") from None
    if organization.status != "active":
        raise Unprocessable.field(field, f"Organization {ref} is archived.")
    return organization


def _refuse_duplicate(session: Session, a: int, b: int, kind: str) -> None:
    existing = session.scalar(
        select(Partnership.id).where(
            Partnership.low_id == min(a, b),
            Partnership.high_id == max(a, b),
            Partnership.kind == kind,
            Partnership.status.in_(OPEN_STATUSES),
        )
    )
    if existing is not None:
        raise Conflict(
            f"These organizations already have an open {kind} link (partnership {existing}).",
            code="duplicate_link",
        )


def _today() -> date:
    return utcnow().date()


def move_links(
    session: Session, *, source_id: int, target_id: int, actor_key_id: int | None
) -> dict[str, list[int]]:
    """Move an organization's links to another (a merge); not committed.

    A link between the two cannot join the target to itself: when open it is closed
    (active → ended, proposed → declined) and stays where it is. An open link of the same
    kind with a partner the target already has an open link with is closed the same way,
    the target's own kept, and then moved. Every other link moves. Returns the ids moved,
    closed and kept (closed links between the two) with an event for each changed link.
    """
    links = session.scalars(
        select(Partnership)
        .where(or_(Partnership.low_id == source_id, Partnership.high_id == source_id))
        .order_by(Partnership.id)
    ).all()
    taken = {
        (link.high_id if link.low_id == target_id else link.low_id, link.kind)
        for link in session.scalars(
            select(Partnership).where(
                or_(Partnership.low_id == target_id, Partnership.high_id == target_id),
                Partnership.status.in_(OPEN_STATUSES),
            )
        )
    }
    outcome: dict[str, list[int]] = {"moved": [], "closed": [], "kept": []}
    for link in links:
        other = link.high_id if link.low_id == source_id else link.low_id
        fields = []
        if link.status in OPEN_STATUSES and (other == target_id or (other, link.kind) in taken):
            fields += _close(link)
            outcome["closed"].append(link.id)
        if other == target_id:
            if not fields:
                outcome["kept"].append(link.id)
        else:
            fields += _repoint(link, source_id, target_id)
            outcome["moved"].append(link.id)
        if fields:
            changes.record(
                session,
                entity="partnership",
                entity_id=link.id,
                action="merged",
                fields=fields,
                actor_key_id=actor_key_id,
            )
    return outcome


def _close(link: Partnership) -> list[str]:
    """Close an open link as an archive does: end an active one, decline a proposed one."""
    if link.status == "active":
        link.status, link.ended_on = "ended", _today()
        return ["status", "ended_on"]
    link.status = "declined"
    return ["status"]


def _repoint(link: Partnership, source_id: int, target_id: int) -> list[str]:
    """Put the target in the source's place on a link."""
    field = "proposer_id" if link.proposer_id == source_id else "partner_id"
    setattr(link, field, target_id)
    link.low_id = min(link.proposer_id, link.partner_id)
    link.high_id = max(link.proposer_id, link.partner_id)
    return [field]
