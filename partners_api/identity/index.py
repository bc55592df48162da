"""The name index of each database, built once per directory version and shared by requests."""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from partners_api.arrays import RowNumbers, Strings, StringsBuilder
from partners_api.changes.versioned import PerDatabase
from partners_api.db import plain_batches
from partners_api.identity.resolver import INDEXED_STATUSES, NameIndex
from partners_api.identity.suggestions import Suggestions
from partners_api.organizations.models import (
    SECTOR_NUMBERS,
    SECTORS,
    STATUS_NUMBERS,
    STATUSES,
    Organization,
)

COLUMNS = (
    Organization.id,
    Organization.slug,
    Organization.name,
    Organization.acronym,
    Organization.names,
    Organization.sector,
    Organization.country_code,
    Organization.city,
    Organization.status,
)
KEYS = tuple(column.key for column in COLUMNS)


class Summaries(Mapping[int, dict[str, Any]]):
    """The short form of each indexed organization, by id, made when asked from the name
    index's rows (in id order) and arrays of their slugs, sectors and statuses."""

    def __init__(self, index: NameIndex, slugs: Strings, sectors: array, statuses: array):
        self._index = index
        self.slugs = slugs
        self._rows = RowNumbers(index.ids)
        self._sector = np.array(sectors, dtype=np.int8)
        self._status = np.array(statuses, dtype=np.int8)

    def __getitem__(self, org_id: int) -> dict[str, Any]:
        row = self._rows[org_id]
        return {
            "id": int(org_id),
            "slug": self.slugs[row],
            "name": self._index.names[row],
            "sector": SECTORS[self._sector[row]],
            "country": self._index.countries[row],
            "status": STATUSES[self._status[row]],
        }

    def __contains__(self, org_id: object) -> bool:
        return org_id in self._rows  # without making the summary

    def __iter__(self) -> Iterator[int]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def nbytes(self) -> int:
        """Bytes held by the slugs, sectors and statuses."""
        return self.slugs.nbytes() + self._sector.nbytes + self._status.nbytes


class _Collected:
    """Rows read for the index (the driver's tuples, a batch at a time), passed on as
    records while their slugs, sectors and statuses are kept for the summaries."""

    def __init__(self, batches: Iterable[Sequence[Sequence[Any]]]):
        self._batches = batches
        self.slugs = StringsBuilder()
        self.sectors, self.statuses = array("b"), array("b")

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        for row in chain.from_iterable(self._batches):
            record = dict(zip(KEYS, row, strict=True))
            if isinstance(record["names"], str):  # SQLite's JSON text (psycopg decodes it)
                record["names"] = json.loads(record["names"])
            if record["status"] in INDEXED_STATUSES:
                self.slugs.append(record["slug"])
                self.sectors.append(SECTOR_NUMBERS[record["sector"]])
                self.statuses.append(STATUS_NUMBERS[record["status"]])
            yield record


@dataclass(frozen=True)
class VersionedNames:
    """A name index and the organizations' summaries, at one directory version."""

    version: int
    index: NameIndex
    summaries: Summaries

    @cached_property
    def suggestions(self) -> Suggestions:
        """The organizations by name and slug, for suggest: made on first need."""
        return Suggestions(self.index, self.summaries.slugs)

    def nbytes(self) -> int:
        """Bytes held in the index's arrays and the summaries' (and suggest's, once made)."""
        made = self.__dict__.get("suggestions")
        suggest = made.nbytes() if made is not None else 0
        return self.index.nbytes() + self.summaries.nbytes() + suggest


_indexes: PerDatabase[VersionedNames] = PerDatabase()


def current(session: Session) -> VersionedNames:
    """The name index for this session's database at the directory version it sees."""
    return _indexes.get(session, lambda _previous, version: build(session, version=version))


def forget() -> None:
    """Drop every cached index (after a rolled-back write, or an emptied database)."""
    _indexes.clear()


def build(session: Session, *, version: int, country: str | None = None) -> VersionedNames:
    """Read the indexed organizations (of one country, if given) and build their index."""
    query = select(*COLUMNS).where(Organization.status.in_(INDEXED_STATUSES))
    if country is not None:
        query = query.where(Organization.country_code == country)
    rows = _Collected(plain_batches(session.connection(), query.order_by(Organization.id)))
    index = NameIndex.build(rows)
    summaries = Summaries(index, Strings.of(rows.slugs), rows.sectors, rows.statuses)
    return VersionedNames(version=version, index=index, summaries=summaries)
