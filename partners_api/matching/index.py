"""The matching index: the directory as arrays, one per database, rebuilt as it changes.

Scoring 100,000 candidates must not walk ORM objects, so the active organizations, their
topics (expanded up the taxonomy, as sparse topic columns: see sparse.py), places,
languages, ties, the links that keep two apart (open or lately declined), track record
and held participations (matching.record) are loaded into numpy arrays.
Each worker keeps one index per database it serves and rebuilds it when the directory
version counter, bumped by every write, has moved since the build.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from dataclasses import dataclass
from itertools import chain

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from partners_api.arrays import (
    Coded,
    RowNumbers,
    Strings,
    StringsBuilder,
    columns_of,
    distinct,
    from_array,
    narrowed,
    positions,
)
from partners_api.changes.versioned import PerDatabase
from partners_api.db import plain_batches
from partners_api.dialogues.models import Dialogue, DialogueParticipant
from partners_api.matching.record import Record, build_record
from partners_api.matching.sparse import TopicColumns, expanded, larger
from partners_api.organizations.models import (
    SECTOR_NUMBERS,
    Organization,
    OrganizationLanguage,
    OrganizationOperatingRegion,
    OrganizationTopic,
)
from partners_api.partnerships.models import OPEN_STATUSES, Partnership
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

    def degree(self, rows: np.ndarray) -> np.ndarray:
        """Number of ties of these organizations (not of all: a pass over a million)."""
        rows = np.asarray(rows, dtype=np.int64)
        return self.tie_ptr[rows + 1] - self.tie_ptr[rows]


@dataclass
class Links:
    """Each organization's links, other than active ones (the graph's), that keep the other
    side out of its matches, as compressed rows: proposed ones, and declined ones with when
    they were declined."""

    proposed_ptr: np.ndarray
    proposed_idx: np.ndarray
    declined_ptr: np.ndarray
    declined_idx: np.ndarray
    declined_at: np.ndarray  # float64: POSIX seconds of the decline, per entry of declined_idx

    def proposed(self, row: int) -> np.ndarray:
        """Rows at the other end of this one's proposed links."""
        return self.proposed_idx[self.proposed_ptr[row] : self.proposed_ptr[row + 1]]

    def declined(self, row: int, since: float) -> np.ndarray:
        """Rows at the other end of this one's links declined since a time."""
        span = slice(self.declined_ptr[row], self.declined_ptr[row + 1])
        return self.declined_idx[span][self.declined_at[span] >= since]

    def arrays(self) -> list[np.ndarray]:
        """The arrays held, for counting memory."""
        declined = [self.declined_ptr, self.declined_idx, self.declined_at]
        return [self.proposed_ptr, self.proposed_idx, *declined]


@dataclass
class MatchingIndex:
    """Arrays over the active organizations, row i describing ids[i]."""

    version: int
    ids: np.ndarray
    row_of: RowNumbers  # id -> row
    names: Strings
    slugs: Strings
    countries: Coded  # the headquarters country's code, per row
    country: np.ndarray  # int16: number of the headquarters country (same number, same country)
    sector: np.ndarray  # int8, index into SECTORS
    continent: np.ndarray  # int8, index into CONTINENTS, -1 for none
    global_south: np.ndarray  # bool
    open: np.ndarray  # bool: open to dialogue
    offers: TopicColumns  # 0/1 [N, T]: topics offered
    seeks: TopicColumns  # 0/1 [N, T]: topics sought
    offers_up: TopicColumns  # [N, T]: offers expanded up the taxonomy
    topics_up: TopicColumns  # [N, T]: offers and seeks expanded, the larger
    topics_sum: np.ndarray  # float64 [N]: row sums of topics_up
    seeks_count: np.ndarray  # int [N]: number of topics sought
    in_region: dict[str, np.ndarray]  # region code -> rows lying or operating there
    speaks: dict[str, np.ndarray]  # language -> rows
    taxonomy: Taxonomy
    graph: Graph
    links: Links
    record: Record  # track record and participations, per row

    @property
    def size(self) -> int:
        """Number of organizations indexed."""
        return len(self.ids)

    def paired(self, row: int, *, open_links: bool, declined_since: float | None) -> np.ndarray:
        """Rows at the other end of this one's open links, proposed or active (if asked),
        and of its links declined since a time (None: none of them)."""
        found = [np.empty(0, dtype=np.int32)]
        if open_links:
            found += [self.graph.partners(row), self.links.proposed(row)]
        if declined_since is not None:
            found.append(self.links.declined(row, declined_since))
        return np.concatenate(found)

    def prepare(self) -> MatchingIndex:
        """Compute now what scoring would compute on first need (the track record): made
        before gunicorn forks, the workers share it."""
        _ = self.record.track_record
        return self

    def nbytes(self) -> int:
        """Memory held by the arrays, in bytes."""
        arrays = [
            self.ids,
            self.sector,
            self.continent,
            self.global_south,
            self.open,
            self.topics_sum,
            self.seeks_count,
            self.graph.partner_ptr,
            self.graph.partner_idx,
            self.graph.tie_ptr,
            self.graph.tie_idx,
            self.taxonomy.expand,
        ]
        arrays += list(self.in_region.values()) + list(self.speaks.values())
        arrays += self.record.arrays() + self.links.arrays()
        topics = (self.offers, self.seeks, self.offers_up, self.topics_up)
        held = (self.names, self.slugs, self.countries, *topics)
        return sum(a.nbytes for a in arrays) + sum(m.nbytes() for m in held)


_indexes: PerDatabase[MatchingIndex] = PerDatabase()


def current_index(session: Session) -> MatchingIndex:
    """The index for the directory as committed now, rebuilt when a write has happened."""
    return _indexes.get(session, lambda _previous, version: build_index(session, version=version))


def forget() -> None:
    """Drop the indexes, so the next request builds anew (after a rolled-back write)."""
    _indexes.clear()


def build_index(session: Session, *, version: int) -> MatchingIndex:
    """Read the active organizations and their ties into arrays."""
    connection = session.connection()
    taxonomy = _taxonomy(session)
    organizations = _organizations(connection)
    ids = organizations.ids
    offers, seeks = _topic_matrices(connection, ids, taxonomy)
    offers_up = expanded(offers, taxonomy.expand)
    topics_up = larger(offers_up, expanded(seeks, taxonomy.expand))
    places = _places(connection, ids, organizations.countries)
    return MatchingIndex(
        version=version,
        ids=ids,
        row_of=RowNumbers(ids),
        names=Strings.of(organizations.names),
        slugs=Strings.of(organizations.slugs),
        countries=organizations.countries,
        sector=from_array(organizations.sectors, np.int8),
        country=places.country,
        continent=places.continent,
        global_south=places.global_south,
        open=from_array(organizations.open, bool),
        offers=offers,
        seeks=seeks,
        offers_up=offers_up,
        topics_up=topics_up,
        topics_sum=topics_up.row_sums(),
        seeks_count=np.diff(seeks.row_pointer),
        in_region=places.in_region,
        speaks=_memberships(connection, OrganizationLanguage.code, ids),
        taxonomy=taxonomy,
        graph=_graph(connection, ids),
        links=_links(connection, ids),
        record=build_record(connection, ids),
    )


class _Organizations:
    """The active organizations' columns, read row by row into growing arrays and buffers
    (no list of rows, no Python string per name or slug kept)."""

    def __init__(self, batches) -> None:
        ids, self.sectors, self.open = array("q"), array("b"), array("b")
        self.names, self.slugs = StringsBuilder(), StringsBuilder()
        countries: list[str] = []
        for org_id, name, slug, sector, country, is_open in chain.from_iterable(batches):
            ids.append(org_id)
            self.names.append(name)
            self.slugs.append(slug)
            self.sectors.append(SECTOR_NUMBERS[sector])
            countries.append(country)
            self.open.append(bool(is_open))
        self.ids = from_array(ids, np.int64)
        self.countries = Coded(countries, np.int16)


def _organizations(connection) -> _Organizations:
    """The active organizations, in id order."""
    return _Organizations(
        plain_batches(
            connection,
            select(
                Organization.id,
                Organization.name,
                Organization.slug,
                Organization.sector,
                Organization.country_code,
                Organization.open_to_dialogue,
            )
            .where(Organization.status == "active")
            .order_by(Organization.id),
        ),
    )


@dataclass
class _Places:
    country: np.ndarray
    continent: np.ndarray
    global_south: np.ndarray
    in_region: dict[str, np.ndarray]


def _places(connection, ids: np.ndarray, countries: Coded) -> _Places:
    """Countries as numbers, continents, the Global South, and the rows in each region.

    An organization lies in its country's regions and operates in its operating regions
    and the regions above them; built from the small country-region table and the
    operating regions, not from the larger derived organization_regions.
    """
    codes = sorted(countries.values)
    number = {code: n for n, code in enumerate(codes)}
    renumbered = np.array([number[code] for code in countries.values], dtype=np.int16)
    country = renumbered[countries.numbers]
    regions_of: dict[str, set[int]] = defaultdict(set)
    for code, region in connection.execute(
        select(CountryRegion.country_code, CountryRegion.region_code)
    ):
        if code in number:
            regions_of[region].add(number[code])
    parents = dict(connection.execute(select(Region.code, Region.parent_code)).all())
    operating = _memberships(connection, OrganizationOperatingRegion.region_code, ids)
    in_region = {}
    for region in parents:
        mask = np.isin(country, list(regions_of[region]))
        for below in _descendants(parents, region):
            mask[operating.get(below, np.empty(0, dtype=np.int64))] = True
        in_region[region] = np.flatnonzero(mask).astype(np.int32)
    continent = np.full(len(ids), -1, dtype=np.int8)
    for n, code in enumerate(CONTINENTS):
        continent[np.isin(country, list(regions_of[code]))] = n
    south = np.isin(country, list(regions_of["global-south"]))
    return _Places(country=country, continent=continent, global_south=south, in_region=in_region)


def _descendants(parents: dict[str, str | None], region: str) -> list[str]:
    """A region and every region below it."""
    found, pending = [], [region]
    while pending:
        node = pending.pop()
        found.append(node)
        pending.extend(code for code, parent in parents.items() if parent == node)
    return found


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


def _topic_matrices(connection, ids: np.ndarray, taxonomy: Taxonomy):
    """0/1 [organization, topic] matrices of what each offers and seeks."""
    topic_ids = dict(connection.execute(select(Topic.id, Topic.slug)).all())
    column_of = np.full(max(topic_ids, default=0) + 1, -1, dtype=np.int64)
    for topic_id, slug in topic_ids.items():
        column_of[topic_id] = taxonomy.column[slug]
    links = plain_batches(
        connection,
        select(
            OrganizationTopic.organization_id,
            OrganizationTopic.topic_id,
            OrganizationTopic.relation == "offers",
        ),
    )
    org_ids, topics, offered = columns_of(links, np.int64, np.int64, bool)
    columns = column_of[topics]
    rows, indexed = positions(ids, org_ids)
    shape = {"size": len(ids), "width": len(taxonomy.slugs)}
    offers = TopicColumns.from_entries(rows[indexed & offered], columns[indexed & offered], **shape)
    seeks = TopicColumns.from_entries(
        rows[indexed & ~offered], columns[indexed & ~offered], **shape
    )
    return offers, seeks


def expand_up(exact: np.ndarray, taxonomy: Taxonomy) -> np.ndarray:
    """Credit each topic's ancestors with a discount, capped at 1 (dense topic vectors)."""
    return np.minimum(exact.astype(np.float64) @ taxonomy.expand, 1.0)


def _memberships(connection, column, ids: np.ndarray) -> dict[str, np.ndarray]:
    """For a (organization_id, code) table: code -> sorted rows of active organizations."""
    number: dict[str, int] = {}
    pairs = plain_batches(connection, select(column.class_.organization_id, column))
    org_ids, group = columns_of(pairs, np.int64, number)
    if not len(org_ids):  # np.split would still return one (empty) group
        return {}
    rows, indexed = positions(ids, org_ids)
    group = group[indexed]
    rows = rows[indexed].astype(np.int32)
    order = np.lexsort((rows, group))
    bounds = np.cumsum(np.bincount(group, minlength=len(number)))[:-1]
    return dict(zip(number, np.split(rows[order], bounds), strict=True))


def _edges(connection, ids: np.ndarray, condition) -> np.ndarray:
    """The links that meet a condition, as pairs of rows (those with both ends indexed)."""
    links = plain_batches(
        connection, select(Partnership.proposer_id, Partnership.partner_id).where(condition)
    )
    proposers, partners = columns_of(links, np.int64, np.int64)
    a, a_ok = positions(ids, proposers)
    b, b_ok = positions(ids, partners)
    return np.stack([a[a_ok & b_ok], b[a_ok & b_ok]], axis=1)


def _links(connection, ids: np.ndarray) -> Links:
    """The open links but the active ones, and the declined ones with their times."""
    others = [status for status in OPEN_STATUSES if status != "active"]  # active: the graph's
    proposed_ptr, proposed_idx = _compressed(
        _edges(connection, ids, Partnership.status.in_(others)), len(ids)
    )
    declined = connection.execute(
        select(Partnership.proposer_id, Partnership.partner_id, Partnership.updated_at).where(
            Partnership.status == "declined"
        )
    ).all()
    times = np.array([row[2].timestamp() for row in declined], dtype=np.float64)
    a, a_ok = positions(ids, np.array([row[0] for row in declined], dtype=np.int64))
    b, b_ok = positions(ids, np.array([row[1] for row in declined], dtype=np.int64))
    both = a_ok & b_ok
    edges = np.stack([a[both], b[both]], axis=1)
    declined_ptr, declined_idx, declined_at = _compressed_dated(edges, times[both], len(ids))
    return Links(proposed_ptr, proposed_idx, declined_ptr, declined_idx, declined_at)


def _graph(connection, ids: np.ndarray) -> Graph:
    """Adjacency of active links, and of links and held dialogues together."""
    partner_edges = _edges(connection, ids, Partnership.status == "active")
    held = select(Dialogue.id).where(Dialogue.status == "held")
    attendance = connection.execute(
        select(DialogueParticipant.dialogue_id, DialogueParticipant.organization_id).where(
            DialogueParticipant.dialogue_id.in_(held)
        )
    ).all()
    members: dict[int, list[int]] = defaultdict(list)
    attendees = np.fromiter((r[1] for r in attendance), np.int64, len(attendance))
    rows, indexed = positions(ids, attendees)
    for (dialogue_id, _), row, ok in zip(attendance, rows.tolist(), indexed, strict=True):
        if ok:
            members[dialogue_id].append(row)
    met = [(x, y) for group in members.values() for x in group for y in group if x < y]
    met_edges = np.array(met, dtype=np.int64).reshape(-1, 2)
    partner_ptr, partner_idx = _compressed(partner_edges, len(ids))
    tie_ptr, tie_idx = _compressed(np.concatenate([partner_edges, met_edges]), len(ids))
    return Graph(partner_ptr=partner_ptr, partner_idx=partner_idx, tie_ptr=tie_ptr, tie_idx=tie_idx)


def _compressed_dated(
    edges: np.ndarray, times: np.ndarray, size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Symmetric adjacency of (a, b) pairs as row pointers, sorted neighbours and the
    latest time given for each pair."""
    both = np.concatenate([edges, edges[:, ::-1]]) if edges.size else edges.reshape(0, 2)
    keys, times = both[:, 0] * size + both[:, 1], np.concatenate([times, times])
    order = np.lexsort((times, keys))
    keys, times = keys[order], times[order]
    latest = np.append(keys[1:] != keys[:-1], True) if keys.size else keys.astype(bool)
    keys, times = keys[latest], times[latest]
    pointer = np.zeros(size + 1, dtype=np.int64)
    pointer[1:] = np.cumsum(np.bincount(keys // size, minlength=size))
    return narrowed(pointer), (keys % size).astype(np.int32), times


def _compressed(edges: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric adjacency of (a, b) pairs as row pointers and sorted, distinct neighbours."""
    both = np.concatenate([edges, edges[:, ::-1]]) if edges.size else edges.reshape(0, 2)
    both = both[both[:, 0] != both[:, 1]]
    keys = distinct(both[:, 0] * size + both[:, 1])
    pointer = np.zeros(size + 1, dtype=np.int64)
    pointer[1:] = np.cumsum(np.bincount(keys // size, minlength=size))
    return narrowed(pointer), (keys % size).astype(np.int32)
