"""Outcomes of held dialogues: links that came out of them, and private would-meet-again signals.

A signal says whether one participant organization would work with another participant
again. Only the two organizations of the pair and conveners (admin, `dialogues:convene`)
may read it; the changes feed names a signal by its id and the fields that changed, never
who said what about whom.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from typing import Any

from sqlalchemy import func, or_, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from partners_api.changes import service as changes
from partners_api.db import fetch_page, lock_for_update, utcnow
from partners_api.dialogues.models import Dialogue, DialogueParticipant, OutcomeSignal
from partners_api.errors import Conflict, Forbidden, NotFound, Unprocessable
from partners_api.keys.auth import Principal
from partners_api.partnerships.models import Partnership
from partners_api.partnerships.signals import partnership_origin
from partners_api.regions import service as regions

ENTITY = "outcome_signal"
SIGNAL_FIELDS = ("again", "note")


def _not_held(dialogue: Dialogue) -> Conflict:
    return Conflict(
        f"Dialogue {dialogue.id} is {dialogue.status}; outcomes are recorded for held dialogues.",
        code="dialogue_not_held",
    )


def _member_ids(session: Session, dialogue_id: int) -> set[int]:
    """Ids of the organizations that took part in a dialogue, in any role."""
    return set(
        session.scalars(
            select(DialogueParticipant.organization_id).where(
                DialogueParticipant.dialogue_id == dialogue_id
            )
        )
    )


@partnership_origin.connect
def check_origin(dialogue_id: int, *, session: Session, organization_ids: tuple[int, int]) -> bool:
    """Vouch for a link's origin: a held dialogue both sides took part in; else raise.

    Receives partnership_origin: 422 `unknown_dialogue`, 409 `dialogue_not_held`, 422
    `not_a_participant` naming the side that did not take part.
    """
    dialogue = session.get(Dialogue, dialogue_id)
    if dialogue is None:
        raise Unprocessable.field(
            "origin_dialogue_id", f"No dialogue {dialogue_id}.", code="unknown_dialogue"
        )
    if dialogue.status != "held":
        raise _not_held(dialogue)
    absent = sorted(set(organization_ids) - _member_ids(session, dialogue_id))
    if absent:
        raise Unprocessable.field(
            "origin_dialogue_id",
            f"Organization {absent[0]} did not take part in dialogue {dialogue_id}.",
            code="not_a_participant",
        )
    return True


def may_read(principal: Principal, signal: OutcomeSignal) -> bool:
    """True for conveners and for the keys of the two organizations of the pair."""
    return principal.is_convener or any(
        principal.can_write_organization(org_id)
        for org_id in (signal.from_organization_id, signal.to_organization_id)
    )


def visible_signals(
    session: Session, *, dialogue_id: int, principal: Principal, page: int, page_size: int
) -> tuple[list[OutcomeSignal], int]:
    """A page of a dialogue's signals that the caller may read, by id."""
    query = select(OutcomeSignal).where(OutcomeSignal.dialogue_id == dialogue_id)
    if not principal.is_convener:
        own = principal.organization_id if "org:write" in principal.scopes else None
        query = query.where(
            or_(
                OutcomeSignal.from_organization_id == own,
                OutcomeSignal.to_organization_id == own,
            )
        )
    return fetch_page(session, query.order_by(OutcomeSignal.id), page=page, page_size=page_size)


def get_signal(
    session: Session, *, dialogue_id: int, from_id: int, to_id: int, principal: Principal
) -> OutcomeSignal:
    """One signal, for a caller who may read it; 404 to everyone else, as if there were none."""
    signal = _find(session, dialogue_id, from_id, to_id)
    if signal is None or not may_read(principal, signal):
        raise NotFound(
            f"No signal from organization {from_id} about {to_id} in dialogue {dialogue_id} "
            "that this caller may read."
        )
    return signal


def _find(session: Session, dialogue_id: int, from_id: int, to_id: int) -> OutcomeSignal | None:
    return session.scalar(
        select(OutcomeSignal).where(
            OutcomeSignal.dialogue_id == dialogue_id,
            OutcomeSignal.from_organization_id == from_id,
            OutcomeSignal.to_organization_id == to_id,
        )
    )


def record_signal(
    session: Session,
    *,
    dialogue: Dialogue,
    from_id: int,
    to_id: int,
    data: dict[str, Any],
    principal: Principal,
) -> tuple[OutcomeSignal, bool]:
    """Record or replace what one participant says of another; True when newly recorded.

    Writers of one dialogue's signals queue on its row, so two writes of the same pair
    both succeed in turn and the last one stands: a PUT replaces the whole signal.
    """
    if not principal.can_write_organization(from_id):
        raise Forbidden("Only the recording organization's own key (or admin) may record this.")
    if from_id == to_id:
        raise Unprocessable.field(
            "to_id", "An organization records signals about others, not itself.", code="self_signal"
        )
    lock_for_update(session, dialogue)
    _check_may_record(session, dialogue, from_id, to_id)
    signal = _find(session, dialogue.id, from_id, to_id)
    data = {"again": data["again"], "note": data.get("note", "")}
    if signal is None:
        signal = OutcomeSignal(
            dialogue_id=dialogue.id, from_organization_id=from_id, to_organization_id=to_id, **data
        )
        changes.add_recorded(
            session,
            signal,
            entity=ENTITY,
            action="recorded",
            fields=SIGNAL_FIELDS,
            actor_key_id=principal.key_id,
        )
        session.commit()
        return signal, True
    changed = [name for name in SIGNAL_FIELDS if getattr(signal, name) != data[name]]
    for name in changed:
        setattr(signal, name, data[name])
    if changed:
        signal.updated_at = utcnow()
    changes.record_update(
        session, entity=ENTITY, entity_id=signal.id, fields=changed, actor_key_id=principal.key_id
    )
    return signal, False


def _check_may_record(session: Session, dialogue: Dialogue, from_id: int, to_id: int) -> None:
    """409 unless held; 403 unless the recorder took part; 422 unless the subject did."""
    if dialogue.status != "held":
        raise _not_held(dialogue)
    members = _member_ids(session, dialogue.id)
    if from_id not in members:
        raise Forbidden(
            f"Organization {from_id} did not take part in dialogue {dialogue.id}.",
            code="recorder_not_participant",
        )
    if to_id not in members:
        raise Unprocessable.field(
            "to_id",
            f"Organization {to_id} did not take part in dialogue {dialogue.id}.",
            code="subject_not_participant",
        )


def summary(session: Session, *, dialogue: Dialogue, principal: Principal) -> dict[str, Any]:
    """What came of a dialogue: its links by kind, status, sectors and regions, and signals.

    Everyone sees how many signals were recorded; conveners also how many say yes and no,
    and the signals themselves; a participant's key sees the signals of its own pairs.
    """
    links = list(
        session.scalars(
            select(Partnership)
            .where(Partnership.origin_dialogue_id == dialogue.id)
            .order_by(Partnership.id)
        )
    )
    signals, _ = visible_signals(
        session, dialogue_id=dialogue.id, principal=principal, page=1, page_size=10**6
    )
    answer = {
        "dialogue_id": dialogue.id,
        "status": dialogue.status,
        "participants": len(dialogue.participants),
        "partnerships": _links_summary(session, links),
        "signals": {"recorded": _count_signals(session, dialogue.id), "items": signals},
    }
    if principal.is_convener:
        said = Counter(signal.again for signal in signals)
        answer["signals"].update({"again": said[True], "not_again": said[False]})
    return answer


def _count_signals(session: Session, dialogue_id: int) -> int:
    return session.scalar(select(func.count()).where(OutcomeSignal.dialogue_id == dialogue_id)) or 0


def _links_summary(session: Session, links: list[Partnership]) -> dict[str, Any]:
    """Counts of links by kind, status and pair of sectors; across sectors and continents."""
    countries = {org.country_code for link in links for org in (link.proposer, link.partner)}
    continent = regions.continents_of(session, countries)
    pairs = Counter(tuple(sorted((link.proposer.sector, link.partner.sector))) for link in links)
    across_regions = sum(
        continent.get(link.proposer.country_code) != continent.get(link.partner.country_code)
        for link in links
    )
    return {
        "total": len(links),
        "by_kind": dict(sorted(Counter(link.kind for link in links).items())),
        "by_status": dict(sorted(Counter(link.status for link in links).items())),
        "by_sector_pair": [
            {"sectors": list(pair), "count": count} for pair, count in sorted(pairs.items())
        ],
        "cross_sector": sum(link.proposer.sector != link.partner.sector for link in links),
        "cross_region": {"yes": across_regions, "no": len(links) - across_regions},
        "items": links,
    }


def led_to_active_partnerships(
    session: Session | Connection, organization_ids: Collection[int] | None = None
) -> dict[int, int]:
    """Per organization, how many distinct dialogues it took part in led to an active link
    of its own (`origin_dialogue_id`); organizations with none are left out.

    One grouped query over active links with an origin (indexed by origin): for matching's
    track record. `organization_ids` narrows the answer to those organizations. A session or
    a bare connection (as the matching index reads) serves.
    """
    active = Partnership.status == "active", Partnership.origin_dialogue_id.is_not(None)
    sides = union_all(
        *(
            select(side.label("organization_id"), Partnership.origin_dialogue_id).where(*active)
            for side in (Partnership.low_id, Partnership.high_id)
        )
    ).subquery()
    query = select(
        sides.c.organization_id, func.count(sides.c.origin_dialogue_id.distinct())
    ).group_by(sides.c.organization_id)
    if organization_ids is not None:
        query = query.where(sides.c.organization_id.in_(list(organization_ids)))
    return dict(session.execute(query).all())


def forget_dialogue(session: Session, *, dialogue: Dialogue, actor_key_id: int | None) -> None:
    """Before a dialogue is deleted: its links lose their origin, its signals go; with events."""
    links = session.scalars(
        select(Partnership).where(Partnership.origin_dialogue_id == dialogue.id)
    ).all()
    for link in links:
        link.origin_dialogue_id = None
        changes.record(
            session,
            entity="partnership",
            entity_id=link.id,
            action="updated",
            fields=["origin_dialogue_id"],
            actor_key_id=actor_key_id,
        )
    signal_ids = session.scalars(
        select(OutcomeSignal.id).where(OutcomeSignal.dialogue_id == dialogue.id)
    ).all()
    if signal_ids:
        changes.record_many(
            session,
            entity=ENTITY,
            entity_ids=signal_ids,
            action="deleted",
            actor_key_id=actor_key_id,
        )


def move_signals(
    session: Session, *, source_id: int, target_id: int, actor_key_id: int | None
) -> None:
    """Give an organization's signals to another (a merge); not committed.

    A signal moves to the target unless the target already has one for the same dialogue
    and counterpart, or it would be about itself (between the two): then it is deleted.
    Each moved or deleted signal has its event.
    """
    rows = session.scalars(
        select(OutcomeSignal)
        .where(
            or_(
                OutcomeSignal.from_organization_id == source_id,
                OutcomeSignal.to_organization_id == source_id,
            )
        )
        .order_by(OutcomeSignal.id)
    ).all()
    for signal in rows:
        ends = [signal.from_organization_id, signal.to_organization_id]
        moved = [target_id if end == source_id else end for end in ends]
        taken = moved[0] == moved[1] or _find(session, signal.dialogue_id, *moved) is not None
        fields = [
            name for name, old, new in zip(("from", "to"), ends, moved, strict=True) if old != new
        ]
        if taken:
            session.delete(signal)
        else:
            signal.from_organization_id, signal.to_organization_id = moved
        changes.record(
            session,
            entity=ENTITY,
            entity_id=signal.id,
            action="deleted" if taken else "merged",
            fields=[] if taken else [f"{end}_organization_id" for end in fields],
            actor_key_id=actor_key_id,
        )
        session.flush()
