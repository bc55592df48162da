"""The matching index: the directory as arrays, built once per process and per version.

Scoring 100,000 candidates must not walk ORM objects, so the active organizations, their
topics (expanded up the taxonomy), places, languages and ties are loaded into numpy arrays.
Each worker keeps one index and rebuilds it when the directory version counter, bumped
by every write, has moved since the build.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from partners_api.changes import service as changes
from partners_api.dialogues.models import Dialogue, DialogueParticipant
from partners_api.organizations.models import (
    SECTORS,
    Organization,
    OrganizationLanguage,
    OrganizationRegion,
    OrganizationTopic,
)
from partners_api.partnerships.models import Partnership
from partners_api.regions.models import CountryRegion, Region
from partners_api.topics.models import Topic

TOPIC_DISCOUNT = 0.5  # credit for a topic's parent, per level up
CONTINENTS = ("africa", "americas", "asia", "europe", "oceania")


@dataclass
class Taxonomy:
    """Topics as matrix columns, and how each lends credit to the topics above it."""

    slugs: list[str]
    names: list[str]
    column: dict[str, int]
    # expand[t, a] = TOPIC_DISCOUNT ** levels from t up to its ancestor a (1 on the diagonal)
    expand: np.ndarray
    # below[t] = columns of t and every topic under it
    below: list[np.ndarray]


@dataclass
class Graph:
    """Ties as compressed rows: active links, and partners or co-participants alike."""

    partner_ptr: np.ndarray
    partner_idx: np.ndarray
    tie_ptr: np.ndarray
    tie_idx: np.ndarray

    def partners(self, row: int) -> np.ndarray:
        """Rows of the organizations with an active link to this one."""
        return self.partner_idx[self.partner_ptr[row] : self.partner_ptr[row + 1]]

    def ties(self, row: int) -> np.ndarray:
        """Rows of the organizations tied to this one by a link or a held dialogue."""
        return self.tie_idx[self.tie_ptr[row] : self.tie_ptr[row + 1]]

    @property
    def degree(self) -> np.ndarray:
        """Number of ties of every organization."""
        return np.diff(self.tie_ptr)


@dataclass
class MatchingIndex:
    """Arrays over the active organizations, row i describing ids[i]."""

    version: int
    ids: np.ndarray
    row_of: dict[int, int]
    names: list[str]
    slugs: list[str]
    countries: list[str]
    sector: np.ndarray  # int8, index into SECTORS
    continent: np.ndarray  # int8, index into CONTINENTS, -1 for none
    global_south: np.ndarray  # bool
    open: np.ndarray  # bool: open to dialogue
    offers: np.ndarray  # bool [N, T]: topics offered
    seeks: np.ndarray  # bool [N, T]: topics sought
    offers_up: np.ndarray  # float64 [N, T]: offers expanded up the taxonomy
    seeks_up: np.ndarray  # float64 [N, T]: seeks expanded up the taxonomy
    in_region: dict[str, np.ndarray]  # region code -> rows lying or operating there
    speaks: dict[str, np.ndarray]  # language -> rows
    taxonomy: Taxonomy
    graph: Graph

    @property
    def size(self) -> int:
        """Number of organizations indexed."""
        return len(self.ids)

    def nbytes(self) -> int:
        """Memory held by the arrays, in bytes."""
        arrays = [
            self.ids,
            self.sector,
            self.continent,
            self.global_south,
            self.open,
            self.offers,
            self.seeks,
            self.offers_up,
            self.seeks_up,
            self.graph.partner_ptr,
            self.graph.partner_idx,
            self.graph.tie_ptr,
            self.graph.tie_idx,
            self.taxonomy.expand,
        ]
        arrays += list(self.in_region.values()) + list(self.speaks.values())
        return sum(a.nbytes for a in arrays)


_lock = threading.Lock()
_current: MatchingIndex | None = None


def current_index(session: Session) -> MatchingIndex:
    """The index for the directory as committed now, rebuilt when a write has happened."""
    global _current
    version = changes.directory_version(session)
    index = _current
    if index is not None and index.version == version:
        return index
    with _lock:
        if _current is None or _current.version != version:
            _current = build_index(session, version=version)
        return _current


def forget() -> None:
    """Drop the index, so the next request builds it anew (after a rolled-back write)."""
    global _current
    with _lock:
        _current = None


def build_index(session: Session, *, version: int) -> MatchingIndex:
    """Read the active organizations and their ties into arrays."""
    taxonomy = _taxonomy(session)
    rows = session.execute(
        select(
            Organization.id,
            Organization.name,
            Organization.slug,
            Organization.sector,
            Organization.country_code,
            Organization.open_to_dialogue,
        )
        .where(Organization.status == "active")
        .order_by(Organization.id)
    ).all()
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    row_of = {int(org_id): i for i, org_id in enumerate(ids)}
    sector_code = {s: i for i, s in enumerate(SECTORS)}
    regions_of = _memberships(session, OrganizationRegion.region_code, row_of)
    offers, seeks = _topic_matrices(session, row_of, taxonomy)
    continent, global_south = _homes(session, [r[4] for r in rows])
    return MatchingIndex(
        version=version,
        ids=ids,
        row_of=row_of,
        names=[r[1] for r in rows],
        slugs=[r[2] for r in rows],
        countries=[r[4] for r in rows],
        sector=np.array([sector_code[r[3]] for r in rows], dtype=np.int8),
        continent=continent,
        global_south=global_south,
        open=np.array([r[5] for r in rows], dtype=bool),
        offers=offers,
        seeks=seeks,
        offers_up=expand_up(offers, taxonomy),
        seeks_up=expand_up(seeks, taxonomy),
        in_region=_every_region(session, regions_of),
        speaks=_memberships(session, OrganizationLanguage.code, row_of),
        taxonomy=taxonomy,
        graph=_graph(session, row_of),
    )


def _homes(session: Session, countries: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Continent number (-1 for none) and Global South membership of each headquarters."""
    regions: dict[str, set[str]] = defaultdict(set)
    for country, region in session.execute(
        select(CountryRegion.country_code, CountryRegion.region_code)
    ):
        regions[country].add(region)
    number = {code: n for n, code in enumerate(CONTINENTS)}
    continent_of = {
        c: next((number[r] for r in rs if r in number), -1) for c, rs in regions.items()
    }
    continent = np.array([continent_of.get(c, -1) for c in countries], dtype=np.int8)
    south = np.array(["global-south" in regions[c] for c in countries], dtype=bool)
    return continent, south


def _taxonomy(session: Session) -> Taxonomy:
    topics = session.execute(
        select(Topic.id, Topic.slug, Topic.name, Topic.parent_id).order_by(Topic.slug)
    ).all()
    column = {slug: i for i, (_, slug, _, _) in enumerate(topics)}
    slug_of = {topic_id: slug for topic_id, slug, _, _ in topics}
    parent = {slug: slug_of.get(parent_id) for _, slug, _, parent_id in topics}
    expand = np.zeros((len(topics), len(topics)), dtype=np.float64)
    children: dict[str, list[str]] = defaultdict(list)
    for slug, up in parent.items():
        if up is not None:
            children[up].append(slug)
        weight, node = 1.0, slug
        while node is not None:
            expand[column[slug], column[node]] = weight
            weight, node = weight * TOPIC_DISCOUNT, parent[node]
    below = []
    for _, slug, _, _ in topics:
        found, pending = [], [slug]
        while pending:
            node = pending.pop()
            found.append(column[node])
            pending.extend(children[node])
        below.append(np.array(sorted(found), dtype=np.int64))
    return Taxonomy(
        slugs=[t[1] for t in topics],
        names=[t[2] for t in topics],
        column=column,
        expand=expand,
        below=below,
    )


def _topic_matrices(session: Session, row_of: dict[int, int], taxonomy: Taxonomy):
    slug_of = dict(session.execute(select(Topic.id, Topic.slug)).all())
    shape = (len(row_of), len(taxonomy.slugs))
    offers, seeks = np.zeros(shape, dtype=bool), np.zeros(shape, dtype=bool)
    links = session.execute(
        select(
            OrganizationTopic.organization_id,
            OrganizationTopic.topic_id,
            OrganizationTopic.relation,
        )
    )
    for org_id, topic_id, relation in links:
        row = row_of.get(org_id)
        if row is not None:
            matrix = offers if relation == "offers" else seeks
            matrix[row, taxonomy.column[slug_of[topic_id]]] = True
    return offers, seeks


def expand_up(exact: np.ndarray, taxonomy: Taxonomy) -> np.ndarray:
    """Credit each topic's ancestors with a discount, capped at 1."""
    return np.minimum(exact.astype(np.float64) @ taxonomy.expand, 1.0)


def _memberships(session: Session, column, row_of: dict[int, int]) -> dict[str, np.ndarray]:
    """For a (organization_id, code) table: code -> sorted rows of active organizations."""
    table = column.class_
    found: dict[str, list[int]] = defaultdict(list)
    for org_id, code in session.execute(select(table.organization_id, column)):
        row = row_of.get(org_id)
        if row is not None:
            found[code].append(row)
    return {code: np.array(sorted(rows), dtype=np.int64) for code, rows in found.items()}


def _every_region(session: Session, regions_of: dict[str, np.ndarray]):
    """Rows per region code, empty where no one is; organization_regions holds ancestors."""
    codes = session.scalars(select(Region.code))
    empty = np.empty(0, dtype=np.int64)
    return {code: regions_of.get(code, empty) for code in codes}


def _graph(session: Session, row_of: dict[int, int]) -> Graph:
    links = session.execute(
        select(Partnership.proposer_id, Partnership.partner_id).where(
            Partnership.status == "active"
        )
    ).all()
    partner_pairs = {(row_of[a], row_of[b]) for a, b in links if a in row_of and b in row_of}
    held = select(Dialogue.id).where(Dialogue.status == "held")
    members: dict[int, list[int]] = defaultdict(list)
    for dialogue_id, org_id in session.execute(
        select(DialogueParticipant.dialogue_id, DialogueParticipant.organization_id).where(
            DialogueParticipant.dialogue_id.in_(held)
        )
    ):
        if org_id in row_of:
            members[dialogue_id].append(row_of[org_id])
    met_pairs = {(a, b) for rows in members.values() for a in rows for b in rows if a != b}
    size = len(row_of)
    partner_ptr, partner_idx = _compressed(partner_pairs, size)
    tie_ptr, tie_idx = _compressed(partner_pairs | met_pairs, size)
    return Graph(partner_ptr=partner_ptr, partner_idx=partner_idx, tie_ptr=tie_ptr, tie_idx=tie_idx)


def _compressed(pairs: set[tuple[int, int]], size: int) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric adjacency as (row pointers, sorted neighbour rows)."""
    if not pairs:
        return np.zeros(size + 1, dtype=np.int64), np.empty(0, dtype=np.int64)
    edges = np.array(
        sorted({(a, b) for a, b in pairs} | {(b, a) for a, b in pairs}), dtype=np.int64
    )
    pointer = np.zeros(size + 1, dtype=np.int64)
    np.add.at(pointer, edges[:, 0] + 1, 1)
    return np.cumsum(pointer), edges[:, 1].copy()
