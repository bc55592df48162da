"""The list index: what the list filters read, as arrays, for instant pages and facets.

At 100,000 organizations, filtering, counting and faceting in SQL take hundreds of
milliseconds; over arrays in memory they take one or two. Each worker keeps one index per
database it serves.
When the directory version moves, the index reloads only the organizations that change
events name since it last looked (everything after a bulk write) into a copy, and swaps
the copy in, so a request never sees half an update. Pages are then loaded by id in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from partners_api.arrays import (
    Strings,
    any_of,
    bit_columns,
    bit_rows,
    counts_within,
    positions,
    with_bit_rows,
)
from partners_api.changes import service as changes
from partners_api.changes.versioned import PerDatabase
from partners_api.db import in_chunks, plain_batches
from partners_api.organizations import words
from partners_api.organizations.models import (
    SECTORS,
    STATUSES,
    Organization,
    OrganizationLanguage,
    OrganizationRegion,
    OrganizationTopic,
)
from partners_api.regions.models import Country, Region
from partners_api.topics.models import Topic

FULL_RELOAD_SHARE = 0.2  # reload everything when more than this share changed
SORT_KEYS = ("id", "name", "created_at", "updated_at")  # each also descending, "-name"
CHUNK = 900  # ids per IN (...) when reloading some organizations
MEMBERSHIPS = ("region", "language", "offers", "seeks")  # read from the link tables


@dataclass(frozen=True)
class Vocabulary:
    """The codes of one many-valued field, each a column of its membership matrix."""

    codes: tuple[Any, ...]

    @cached_property
    def column(self) -> dict[Any, int]:
        """Column of each code."""
        return {code: i for i, code in enumerate(self.codes)}

    def columns(self, codes: Iterable[Any]) -> list[int]:
        """Columns of the known codes among these."""
        return [self.column[c] for c in codes if c in self.column]


@dataclass
class Rows:
    """Organizations as aligned arrays, row i describing ids[i]; ids ascending."""

    ids: np.ndarray  # int64
    status: np.ndarray  # int8, index into STATUSES
    sector: np.ndarray  # int8, index into SECTORS
    country: np.ndarray  # int16, column of the countries vocabulary
    open: np.ndarray  # bool
    created: np.ndarray  # float64, POSIX seconds
    updated: np.ndarray  # float64, POSIX seconds
    sort_name: Strings
    # Each many-valued field's membership as packed bit columns (see arrays.bit_columns):
    # region (lies or operates there, ancestors included), language, offers, seeks, and
    # topic (offered or sought). A filter ORs a few of them, a facet counts each within
    # the selection, in a millisecond or two at a million rows where bool matrices take
    # tens (and eight times the memory).
    bits: dict[str, np.ndarray]


@dataclass
class ListingIndex:
    """The rows, their vocabularies, and where in the change feed they were read."""

    version: int
    position: tuple[int, int]
    countries: Vocabulary
    regions: Vocabulary
    languages: Vocabulary
    topics: Vocabulary  # topic ids
    rows: Rows
    word_index: words.WordIndex | None = None  # what `q` reads (words.py)
    _orders: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """Number of organizations indexed."""
        return len(self.rows.ids)

    def nbytes(self) -> int:
        """Memory held by the arrays, in bytes."""
        arrays = [value for value in vars(self.rows).values() if isinstance(value, np.ndarray)]
        texts = self.word_index.nbytes() if self.word_index else 0
        return sum(array.nbytes for array in arrays + list(self.rows.bits.values())) + texts

    def order(self, sort: str) -> np.ndarray:
        """Rows in the order of a sort key ('-' for descending), ties broken by id."""
        if sort.startswith("-"):  # the ascending order read backwards (a view)
            return self.order(sort[1:])[::-1]
        if sort not in self._orders:
            self._orders[sort] = self._compute_order(sort)
        return self._orders[sort]

    def prepare(self) -> ListingIndex:
        """Compute now what requests would compute on first need (each sort key's order):
        made before gunicorn forks, the workers share them rather than each making its own
        copy (and touching every sort name to sort them)."""
        for key in SORT_KEYS:
            self.order(key)
        return self

    def _compute_order(self, key: str) -> np.ndarray:
        if key == "id":
            return np.arange(self.size, dtype=np.int32)
        if key == "name":
            return self.rows.sort_name.ascending()
        # rows are in id order and the sort is stable, so ties stay in id order
        moments = self.rows.created if key == "created_at" else self.rows.updated
        return np.argsort(moments, kind="stable").astype(np.int32)


_indexes: PerDatabase[ListingIndex] = PerDatabase()


def current_index(session: Session) -> ListingIndex:
    """The index for the directory as this session sees it, refreshed after writes."""

    def make(previous: ListingIndex | None, version: int) -> ListingIndex:
        if previous is None:
            return build(session, version=version)
        return refreshed(session, previous, version=version)

    return _indexes.get(session, make)


def forget() -> None:
    """Drop the indexes, so the next request builds anew (after a rolled-back write)."""
    _indexes.clear()


# --- building ----------------------------------------------------------------------------


def build(session: Session, *, version: int) -> ListingIndex:
    """Read every organization into a new index."""
    position = changes.settled_position(session)
    vocabularies = {
        "countries": Vocabulary(
            tuple(session.scalars(select(Country.code).order_by(Country.code)))
        ),
        "regions": Vocabulary(tuple(session.scalars(select(Region.code).order_by(Region.code)))),
        "languages": Vocabulary(
            tuple(
                session.scalars(
                    select(OrganizationLanguage.code).distinct().order_by(OrganizationLanguage.code)
                )
            )
        ),
        "topics": Vocabulary(tuple(session.scalars(select(Topic.id).order_by(Topic.id)))),
    }
    index = ListingIndex(version=version, position=position, rows=_no_rows(), **vocabularies)
    index.rows = _read_rows(session, index, ids=None)
    index.word_index = words.build(session, index.rows.ids)
    return index


def refreshed(session: Session, index: ListingIndex, *, version: int) -> ListingIndex:
    """A copy of the index with the organizations changed since it was read reloaded."""
    names, position = changes.changed_since(session, entity="organization", position=index.position)
    changed = sorted(int(name) for name in names)
    if len(changed) > FULL_RELOAD_SHARE * max(index.size, 1):
        return build(session, version=version)
    fresh = _read_rows(session, index, ids=changed)
    if fresh is None:  # a code the vocabularies lack, or an id out of order
        return build(session, version=version)
    at, known = positions(index.rows.ids, fresh.ids)
    rows = _merged(index.rows, fresh, at, known)
    if rows is None:
        return build(session, version=version)
    word_index = words.refreshed(session, index.word_index, changed, rows.ids)
    if word_index is None:  # so many re-read that reading everything costs less
        return build(session, version=version)
    orders = {
        sort: order
        for sort, order in index._orders.items()
        if known.all() and _same_key(index.rows, fresh, at, sort)
    }
    return replace(
        index, version=version, position=position, rows=rows, word_index=word_index, _orders=orders
    )


def _same_key(rows: Rows, fresh: Rows, at: np.ndarray, key: str) -> bool:
    """Whether reloaded rows (at these places, none new) kept their value of a sort key."""
    if key == "id":
        return True
    if key == "name":
        return all(rows.sort_name[i] == name for i, name in zip(at, fresh.sort_name, strict=True))
    moments = (
        (rows.created, fresh.created) if key == "created_at" else (rows.updated, fresh.updated)
    )
    return bool((moments[0][at] == moments[1]).all())


def _no_rows() -> Rows:
    empty = np.zeros(0)
    return Rows(empty, empty, empty, empty, empty, empty, empty, Strings(), {})


def _read_rows(session: Session, index: ListingIndex, *, ids: Sequence[int] | None) -> Rows | None:
    """Arrays of the given organizations (all when ids is None), by id; None when a code
    is missing from the vocabularies."""
    scalars = _fetch(
        session,
        select(
            Organization.id,
            Organization.status,
            Organization.sector,
            Organization.country_code,
            Organization.open_to_dialogue,
            Organization.created_at,
            Organization.updated_at,
            Organization.sort_name,
        ),
        Organization.id,
        ids,
        order=True,
    )
    columns = list(zip(*scalars, strict=True)) or [()] * 8
    org_ids = np.array(columns[0], dtype=np.int64)
    try:
        return Rows(
            ids=org_ids,
            status=_numbers(columns[1], Vocabulary(STATUSES), np.int8),
            sector=_numbers(columns[2], Vocabulary(SECTORS), np.int8),
            country=_numbers(columns[3], index.countries, np.int16),
            open=np.array(columns[4], dtype=bool),
            created=np.array([moment.timestamp() for moment in columns[5]], dtype=np.float64),
            updated=np.array([moment.timestamp() for moment in columns[6]], dtype=np.float64),
            sort_name=Strings(columns[7]),
            bits=_membership_bits(session, index, org_ids, ids),
        )
    except KeyError:  # a code the vocabulary lacks
        return None


def _membership_bits(session, index: ListingIndex, org_ids, ids) -> dict[str, np.ndarray]:
    """The packed bit columns of each many-valued field (see Rows.bits) for these rows."""
    topic, relation = OrganizationTopic.topic_id, OrganizationTopic.relation
    bits = {
        "region": _bits(session, OrganizationRegion.region_code, org_ids, ids, index.regions),
        "language": _bits(session, OrganizationLanguage.code, org_ids, ids, index.languages),
        "offers": _bits(session, topic, org_ids, ids, index.topics, relation == "offers"),
        "seeks": _bits(session, topic, org_ids, ids, index.topics, relation == "seeks"),
    }
    return _with_topic(bits)


def _with_topic(bits: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The membership columns with "topic" added: offered or sought."""
    return {**bits, "topic": bits["offers"] | bits["seeks"]}


def _numbers(values: Sequence[Any], vocabulary: Vocabulary, dtype) -> np.ndarray:
    """The column of each value in a vocabulary; KeyError for an unknown value."""
    column = vocabulary.column
    return np.fromiter((column[value] for value in values), dtype=dtype, count=len(values))


def _fetch(session: Session, query, id_column, ids: Sequence[int] | None, *, order=False):
    """Rows of a Core query, for some organization ids (in chunks) or for all."""
    connection = session.connection()
    if order:
        query = query.order_by(id_column)
    if ids is None:
        return connection.execute(query).all()
    found = []
    for chunk in in_chunks(ids, CHUNK):
        found += connection.execute(query.where(id_column.in_(chunk))).all()
    return found


def _bits(session, code_column, org_ids, ids, vocabulary: Vocabulary, *where) -> np.ndarray:
    """Packed bit columns [codes, words]: which organization has which code of a link table
    (the bool matrix read a batch at a time, then packed)."""
    table = code_column.class_
    query = select(table.organization_id, code_column).where(*where)
    # A whole table (millions of rows at a million organizations) as the driver's tuples,
    # a batch at a time; some organizations' rows in chunks of ids.
    batches = (
        plain_batches(session.connection(), query)
        if ids is None
        else [_fetch(session, query, table.organization_id, ids)]
    )
    matrix = np.zeros((len(org_ids), len(vocabulary.codes)), dtype=bool)
    for pairs in batches:
        if pairs:
            owners, codes = zip(*pairs, strict=True)
            # Each statement sees what was committed when it ran (PostgreSQL): pairs of an
            # organization created after the organizations were read wait for the next refresh.
            rows, read = positions(org_ids, np.array(owners, dtype=np.int64))
            columns = _numbers(codes, vocabulary, np.int32)
            matrix[rows[read], columns[read]] = True
    return bit_columns(matrix)


def _merged(rows: Rows, fresh: Rows, at: np.ndarray, known: np.ndarray) -> Rows | None:
    """Rows with fresh ones replacing theirs and new ones appended; None if a new id is
    not above every id indexed."""
    new = ~known
    if new.any() and len(rows.ids) and fresh.ids[new].min() <= rows.ids[-1]:
        return None
    size = len(rows.ids) + int(new.sum())
    places = np.empty(len(fresh.ids), dtype=np.int64)  # each fresh row's place once merged
    places[known] = at[known]
    places[new] = np.arange(len(rows.ids), size)
    merged: dict[str, Any] = {
        "bits": _with_topic(
            {
                name: with_bit_rows(
                    rows.bits[name], size, places, bit_rows(fresh.bits[name], len(fresh.ids))
                )
                for name in MEMBERSHIPS
            }
        )
    }
    for name in Rows.__dataclass_fields__:
        old, update = getattr(rows, name), getattr(fresh, name)
        if name == "bits":
            continue
        if name == "sort_name":
            merged[name] = old.merged(places, list(update))
            continue
        values = old.copy()
        values[at[known]] = update[known]
        merged[name] = np.concatenate([values, update[new]]) if new.any() else values
    return Rows(**merged)


# --- reading -----------------------------------------------------------------------------


def selected(index: ListingIndex, conditions: Mapping[str, Any]) -> np.ndarray:
    """bool [N]: the rows meeting every condition (values already resolved to codes)."""
    rows = index.rows
    mask = np.ones(index.size, dtype=bool)
    if "words" in conditions:
        mask &= index.word_index.matching(conditions["words"])
    for name, column, codes in (
        ("sector", rows.sector, SECTORS),
        ("status", rows.status, STATUSES),
    ):
        if name in conditions:
            mask &= np.isin(column, [codes.index(value) for value in conditions[name]])
    if "country" in conditions:
        mask &= np.isin(rows.country, index.countries.columns(conditions["country"]))
    if "open_to_dialogue" in conditions:
        mask &= rows.open == conditions["open_to_dialogue"]
    if "updated_since" in conditions:
        mask &= rows.updated >= conditions["updated_since"].timestamp()
    for name, vocabulary in (
        ("region", index.regions),
        ("language", index.languages),
        ("topic", index.topics),
        ("offers", index.topics),
        ("seeks", index.topics),
    ):
        if name in conditions:
            chosen = vocabulary.columns(conditions[name])
            mask &= any_of(index.rows.bits[name], chosen, index.size)
    return mask


def page(
    index: ListingIndex, mask: np.ndarray, *, sort: str, offset: int, limit: int
) -> tuple[list[int], int]:
    """Ids of one page of the selected rows in a sort order, and how many are selected."""
    chosen = in_order(index, mask, sort=sort)
    return index.rows.ids[chosen[offset : offset + limit]].tolist(), len(chosen)


def in_order(index: ListingIndex, mask: np.ndarray, *, sort: str) -> np.ndarray:
    """Positions of the selected rows, in a sort order."""
    order = index.order(sort)
    return order[mask[order]]


def counts(index: ListingIndex, mask: np.ndarray) -> dict[str, dict[Any, int]]:
    """How many selected rows have each value of each facet; zeros left out."""
    rows = index.rows
    facets = {
        "sector": _nonzero(SECTORS, np.bincount(rows.sector[mask], minlength=len(SECTORS))),
        "country": _nonzero(
            index.countries.codes,
            np.bincount(rows.country[mask], minlength=len(index.countries.codes)),
        ),
    }
    for name, vocabulary in (
        ("region", index.regions),
        ("topic", index.topics),
        ("language", index.languages),
    ):
        facets[name] = _nonzero(vocabulary.codes, counts_within(index.rows.bits[name], mask))
    return facets


def _nonzero(codes: Sequence[Any], totals: np.ndarray) -> dict[Any, int]:
    return {codes[i]: int(totals[i]) for i in np.flatnonzero(totals)}
