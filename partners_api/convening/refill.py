"""Refilling a dialogue's open seats from the reserves its compose request ranked.

A seat is open when the live invitations (invited or accepted) and the seated
participants number fewer than the dialogue's capacity. Each open seat goes to the best
ranked reserve, not yet invited to the dialogue, still active and open to dialogue, after
which every quota of the stored compose request can still be met: no maximum exceeded,
and no minimum short by more than the seats left to fill.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from partners_api.convening.service import check_open_for_invitations, invite_reserves
from partners_api.db import lock_for_update, utcnow
from partners_api.dialogues import invitations
from partners_api.dialogues.models import LIVE_INVITATION_STATUSES, Dialogue, Invitation
from partners_api.errors import Conflict, Unprocessable
from partners_api.keys.auth import Principal
from partners_api.matching import record
from partners_api.organizations.models import Organization, OrganizationRegion


@dataclass(frozen=True)
class Seat:
    """What the quotas of a compose request look at in one organization."""

    organization_id: int
    sector: str
    country: str
    regions: frozenset[str]
    newcomer: bool = False  # no participation in a held dialogue of the last 24 months


@dataclass(frozen=True)
class Bound:
    """One quota of a compose request: who counts towards it, and its bound."""

    name: str
    counts: Callable[[Seat], bool]
    bound: int


def minimums(request: Mapping[str, Any]) -> list[Bound]:
    """The request's minimums: per sector, per region, then newcomers."""
    sectors = [
        Bound(f"sector_min.{s}", lambda m, s=s: m.sector == s, n)
        for s, n in sorted(request.get("sector_min", {}).items())
    ]
    regions = [
        Bound(f"region_min.{r}", lambda m, r=r: r in m.regions, n)
        for r, n in sorted(request.get("region_min", {}).items())
    ]
    bounds = sectors + regions
    if request.get("min_newcomers"):
        bounds.append(Bound("min_newcomers", lambda m: m.newcomer, request["min_newcomers"]))
    return bounds


def maximums(request: Mapping[str, Any]) -> list[Bound]:
    """The request's maximums per sector."""
    return [
        Bound(f"sector_max.{s}", lambda m, s=s: m.sector == s, n)
        for s, n in sorted(request.get("sector_max", {}).items())
    ]


def broken_quota(
    request: Mapping[str, Any], members: Sequence[Seat], seats_left: int
) -> str | None:
    """The first quota no completion of these members by `seats_left` more can meet."""
    for bound in maximums(request):
        if sum(bound.counts(m) for m in members) > bound.bound:
            return bound.name
    per_country = request.get("max_per_country")
    if per_country and max(Counter(m.country for m in members).values(), default=0) > per_country:
        return "max_per_country"
    short = {b.name: b.bound - sum(b.counts(m) for m in members) for b in minimums(request)}
    for name, missing in short.items():
        if missing > seats_left:
            return name
    sector_short = [(n, s) for n, s in short.items() if n.startswith("sector_min") and s > 0]
    if sum(s for _, s in sector_short) > seats_left:
        return sector_short[0][0]  # sectors do not overlap: their shortfalls add up
    countries = len({m.country for m in members})
    if request.get("min_countries", 0) - countries > seats_left:
        return "min_countries"
    return None


def constraint_report(request: Mapping[str, Any], members: Sequence[Seat]) -> list[dict]:
    """Each quota of the request with its target, the members' value and whether it holds."""
    report = []
    for bounds, holds in ((minimums(request), int.__ge__), (maximums(request), int.__le__)):
        for bound in bounds:
            actual = sum(bound.counts(m) for m in members)
            report.append(
                {
                    "name": bound.name,
                    "target": bound.bound,
                    "actual": actual,
                    "satisfied": holds(actual, bound.bound),
                }
            )
    if request.get("max_per_country"):
        most = max(Counter(m.country for m in members).values(), default=0)
        target = request["max_per_country"]
        report.append(
            {
                "name": "max_per_country",
                "target": target,
                "actual": most,
                "satisfied": most <= target,
            }
        )
    if request.get("min_countries"):
        distinct, target = len({m.country for m in members}), request["min_countries"]
        report.append(
            {
                "name": "min_countries",
                "target": target,
                "actual": distinct,
                "satisfied": distinct >= target,
            }
        )
    return report


def seats_of(session: Session, ids: Sequence[int]) -> tuple[dict[int, Seat], set[int]]:
    """The sector, country and regions of each organization (one statement), and those
    among them a refill may invite: active and open to dialogue."""
    regions: dict[int, set[str]] = {i: set() for i in ids}
    rows: dict[int, tuple[str, str]] = {}
    open_ids, active = set(), []
    for org_id, sector, country, status, open_to_dialogue, code in session.execute(
        select(
            Organization.id,
            Organization.sector,
            Organization.country_code,
            Organization.status,
            Organization.open_to_dialogue,
            OrganizationRegion.region_code,
        )
        .outerjoin(OrganizationRegion, OrganizationRegion.organization_id == Organization.id)
        .where(Organization.id.in_(ids))
    ):
        if code is not None:
            regions[org_id].add(code)
        if org_id not in rows:
            rows[org_id] = (sector, country)
            if status == "active":
                active.append(org_id)
                if open_to_dialogue:
                    open_ids.add(org_id)
    fresh = newcomers(session, active)
    seats = {
        i: Seat(i, sector, country, frozenset(regions[i]), i in fresh)
        for i, (sector, country) in rows.items()
    }
    return seats, open_ids


def newcomers(session: Session, active: Sequence[int]) -> set[int]:
    """The organizations among these (active ones) with no held dialogue in 24 months.

    Read for these organizations alone, not from the matching index, which a refill (just
    after the decline that opened its seat) would otherwise rebuild whole.
    """
    recent = record.recent_participations_of(session.connection(), sorted(active), utcnow().date())
    return {i for i in active if recent[i] == 0}


def refill(
    session: Session,
    *,
    dialogue: Dialogue,
    message: str,
    expires_at: datetime | None,
    principal: Principal,
) -> dict[str, Any]:
    """Invite the best feasible reserve for every open seat, and commit; the report.

    409 when the dialogue is not planned or was not composed; 422 naming the quota no
    reserve can keep.
    """
    lock_for_update(session, dialogue)
    check_open_for_invitations(dialogue)
    request = dialogue.compose_request
    if request is None:
        raise Conflict(
            f"Dialogue {dialogue.id} was not composed: it has no reserves to invite.",
            code="not_composed",
        )
    asked = _asked(session, dialogue, principal)
    members, reserves = _members_and_reserves(session, dialogue, asked)
    capacity = dialogue.capacity or request["size"]
    open_seats = max(0, capacity - len(members))
    chosen = choose_reserves(request, members, reserves, open_seats)
    made = (
        invite_reserves(
            session,
            dialogue=dialogue,
            organization_ids=[seat.organization_id for seat, _, _ in chosen],
            message=message,
            expires_at=expires_at,
            principal=principal,
        )
        if chosen
        else []
    )
    session.commit()
    seated = members + [seat for seat, _, _ in chosen]
    return {
        "open_seats": open_seats,
        "invited": [
            {"invitation": invitation, "rank": rank, "keeps": keeps}
            for invitation, (_, rank, keeps) in zip(made, chosen, strict=True)
        ],
        "constraints": constraint_report(request, seated),
    }


def _asked(session: Session, dialogue: Dialogue, principal: Principal) -> list[tuple[int, str]]:
    """Each invitation of the dialogue, as (organization, status as of now), in one
    statement; the expiry of those overdue written (as invitations.expire_overdue does)
    when there are any."""
    now = utcnow()
    rows = session.execute(
        select(
            Invitation.organization_id,
            invitations.current_status(now),
            invitations.overdue(now),
        ).where(Invitation.dialogue_id == dialogue.id)
    ).all()
    if any(overdue for _, _, overdue in rows):
        invitations.expire_overdue(session, dialogue_id=dialogue.id, actor_key_id=principal.key_id)
        session.flush()
    return [(organization_id, status) for organization_id, status, _ in rows]


def _members_and_reserves(
    session: Session, dialogue: Dialogue, asked: Sequence[tuple[int, str]]
) -> tuple[list[Seat], list[tuple[Seat, int]]]:
    """Who holds a seat (live invitations, seated participants), and the reserves left.

    A reserve is left when the dialogue never invited it, it does not take part already,
    and it is active and open to dialogue.
    """
    live = {o for o, s in asked if s in LIVE_INVITATION_STATUSES}
    live |= {p.organization_id for p in dialogue.participants if p.role == "participant"}
    invited = {o for o, _ in asked}
    ranked = [(r["organization_id"], r["rank"]) for r in dialogue.reserves or ()]
    seats, open_ids = seats_of(session, sorted(live | {i for i, _ in ranked}))
    candidates = [
        (i, rank) for i, rank in ranked if i in open_ids and i not in invited and i not in live
    ]
    return [seats[i] for i in sorted(live)], [(seats[i], rank) for i, rank in candidates]


def choose_reserves(
    request: Mapping[str, Any],
    members: list[Seat],
    reserves: list[tuple[Seat, int]],
    open_seats: int,
) -> list[tuple[Seat, int, list[str]]]:
    """For each open seat, the best reserve after which every quota can still be met."""
    chosen: list[tuple[Seat, int, list[str]]] = []
    members, left = list(members), list(reserves)
    for seat_number in range(open_seats):
        seats_after = open_seats - seat_number - 1
        pick = next(
            (r for r in left if broken_quota(request, [*members, r[0]], seats_after) is None),
            None,
        )
        if pick is None:
            raise _no_feasible_reserve(request, members, left, seats_after)
        keeps = [
            b.name
            for b in minimums(request)
            if b.counts(pick[0]) and sum(b.counts(m) for m in members) < b.bound
        ]
        chosen.append((pick[0], pick[1], keeps))
        members.append(pick[0])
        left.remove(pick)
    return chosen


def _no_feasible_reserve(
    request: Mapping[str, Any],
    members: list[Seat],
    left: list[tuple[Seat, int]],
    seats_after: int,
) -> Unprocessable:
    """The 422 naming the quota that no reserve left can keep."""
    broken = Counter(broken_quota(request, [*members, seat], seats_after) for seat, _ in left)
    quota = broken.most_common(1)[0][0] if broken else _short_quota(request, members) or "size"
    detail = (
        f"No reserve left keeps {quota}: {len(left)} reserves not yet invited, none fits."
        if left
        else f"No reserve left to invite; {quota} cannot be kept."
    )
    return Unprocessable(detail, errors={quota: [detail]}, code="no_feasible_reserve")


def _short_quota(request: Mapping[str, Any], members: Sequence[Seat]) -> str | None:
    """The first minimum the members fall short of."""
    return next(
        (b.name for b in minimums(request) if sum(b.counts(m) for m in members) < b.bound), None
    )
