"""The network of ties: active links and co-participation in held dialogues.

Ties are read from the database a frontier at a time, so a query touches only the
neighbourhoods it walks, whatever the size of the directory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from itertools import islice

from sqlalchemy import CompoundSelect, null, or_, select, union_all
from sqlalchemy.orm import Session

from partners_api.dialogues.models import Dialogue, DialogueParticipant
from partners_api.organizations.models import Organization
from partners_api.partnerships.models import Partnership

LINK_WEIGHT = 1.0
DIALOGUE_WEIGHT = 0.5
MAX_INTRODUCTION_PATHS = 5


@dataclass
class Tie:
    """What joins two organizations: their active links' kinds and the dialogues those came
    out of, and the held dialogues they shared."""

    kinds: set[str] = field(default_factory=set)
    dialogues: set[int] = field(default_factory=set)
    origins: set[int] = field(default_factory=set)

    @property
    def weight(self) -> float:
        """Strength of the tie: an active link counts more than having met."""
        return LINK_WEIGHT * len(self.kinds) + DIALOGUE_WEIGHT * len(self.dialogues)


Ties = dict[int, dict[int, Tie]]


def ties_of(session: Session, ids: Collection[int]) -> Ties:
    """The ties of each given organization, keyed by the organization at the other end."""
    ties: Ties = defaultdict(lambda: defaultdict(Tie))
    if not ids:
        return ties
    ids = list(ids)
    wanted = set(ids)
    attended = []
    for a, b, kind, origin in session.execute(_links_and_attendances(ids)):
        if kind is None:  # a dialogue attended: (organization, dialogue)
            attended.append((a, b))
            continue
        for one, other in ((a, b), (b, a)):
            if one in wanted:
                ties[one][other].kinds.add(kind)
                if origin is not None:
                    ties[one][other].origins.add(origin)
    for a, b, dialogue_id in _met_at_held_dialogues(session, attended):
        ties[a][b].dialogues.add(dialogue_id)
    return ties


def _links_and_attendances(ids: list[int]) -> CompoundSelect:
    """In one query: (proposer, partner, kind, origin dialogue) of the active links of
    `ids`, and (organization, dialogue, NULL, NULL) of the dialogues they took part in."""
    links = select(
        Partnership.proposer_id,
        Partnership.partner_id,
        Partnership.kind,
        Partnership.origin_dialogue_id,
    ).where(
        Partnership.status == "active",
        or_(Partnership.low_id.in_(ids), Partnership.high_id.in_(ids)),
    )
    organization, dialogue = DialogueParticipant.organization_id, DialogueParticipant.dialogue_id
    attendances = select(organization, dialogue, null(), null()).where(organization.in_(ids))
    return union_all(links, attendances)


def _met_at_held_dialogues(
    session: Session, attended: list[tuple[int, int]]
) -> list[tuple[int, int, int]]:
    """(organization, active co-participant, dialogue) for the held dialogues among those
    attended, given as (organization, dialogue).

    Single-table lookups by key, so no query plan depends on table statistics; none when
    nothing was attended.
    """
    organization, dialogue = DialogueParticipant.organization_id, DialogueParticipant.dialogue_id
    held = _with_status(session, Dialogue, {d for _, d in attended}, "held")
    if not held:
        return []
    present = _participations(session, dialogue, organization, held)
    active = _with_status(session, Organization, {o for _, o in present}, "active")
    members: dict[int, list[int]] = defaultdict(list)
    for dialogue_id, organization_id in present:
        if organization_id in active:
            members[dialogue_id].append(organization_id)
    return [(a, b, d) for a, d in attended if d in held for b in members[d] if b != a]


def _participations(session: Session, key, other, values) -> list:
    """(key, other) of each dialogue participation whose `key` column holds one of `values`."""
    return session.execute(select(key, other).where(key.in_(values))).all()


def _with_status(
    session: Session, model: type[Dialogue | Organization], ids, status: str
) -> set[int]:
    """Those of these ids whose row (a dialogue's or an organization's) has this status."""
    if not ids:
        return set()
    query = select(model.id).where(model.id.in_(ids), model.status == status)
    return set(session.scalars(query))


@dataclass
class Network:
    """The organizations within some hops of one, and the ties among them."""

    depth_of: dict[int, int]
    edges: list[tuple[int, int, Tie]]
    truncated: bool


def network(session: Session, *, center: int, depth: int, max_nodes: int) -> Network:
    """Walk the ties breadth-first up to `depth` hops, keeping at most `max_nodes` nodes."""
    depth_of = {center: 0}
    frontier = [center]
    known: Ties = {}
    truncated = False
    for hop in range(1, depth + 1):
        frontier_ties = ties_of(session, frontier)
        known.update(frontier_ties)
        next_frontier = []
        for node in frontier:
            for neighbour in sorted(frontier_ties.get(node, {})):
                if neighbour in depth_of:
                    continue
                if len(depth_of) >= max_nodes:
                    truncated = True
                    break
                depth_of[neighbour] = hop
                next_frontier.append(neighbour)
        frontier = next_frontier
        if not frontier or truncated:
            break
    if not truncated and frontier:
        # Ties between the outermost nodes are edges too.
        known.update(ties_of(session, frontier))
    edges = [
        (a, b, tie)
        for a, neighbours in known.items()
        for b, tie in neighbours.items()
        if a < b and a in depth_of and b in depth_of
    ]
    return Network(
        depth_of=depth_of, edges=sorted(edges, key=lambda e: (e[0], e[1])), truncated=truncated
    )


def introduction_paths(session: Session, *, source: int, target: int) -> tuple[bool, list]:
    """Whether two organizations are linked, and up to five paths of two or three hops.

    Shorter paths come first, then those whose brokers have fewer ties (they are likelier
    to make the introduction in person), then by ids.
    """
    ends = ties_of(session, [source, target])
    direct = bool(ends[source].get(target) and ends[source][target].kinds)
    near, far = (source, target) if len(ends[source]) <= len(ends[target]) else (target, source)
    near_ties, far_ties = set(ends[near]) - {far}, set(ends[far]) - {near}
    paths = [[near, b, far] for b in sorted(near_ties & far_ties)]
    second = ties_of(session, near_ties)
    for a in sorted(near_ties):
        paths += [
            [near, a, b, far] for b in sorted(set(second[a]) & far_ties) if b not in (near, a)
        ]
    if near != source:
        paths = [list(reversed(path)) for path in paths]
    brokers = {node for path in paths for node in path[1:-1]}
    degree = {node: len(ties) for node, ties in ties_of(session, brokers).items()}
    paths.sort(key=lambda p: (len(p), sum(degree.get(n, 0) for n in p[1:-1]), p))
    return direct, list(islice(paths, MAX_INTRODUCTION_PATHS))
