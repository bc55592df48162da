"""The name index of each database, built once per directory version and shared by requests."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from partners_api.arrays import Strings, positions
from partners_api.changes.versioned import PerDatabase
from partners_api.identity.resolver import INDEXED_STATUSES, NameIndex
from partners_api.organizations.models import SECTORS, STATUSES, Organization

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


class Summaries(Mapping[int, dict[str, Any]]):
    """The short form of each indexed organization, by id, made when asked from the name
    index's rows (in id order) and arrays of their slugs, sectors and statuses."""

    def __init__(self, index: NameIndex, records: list[dict[str, Any]]):
        records = [r for r in records if r["status"] in INDEXED_STATUSES]  # the index's rows
        self._index = index
        self._ids = np.asarray(index.ids, dtype=np.int64)
        self._slugs = Strings(r["slug"] for r in records)
        self._sector = np.array([SECTORS.index(r["sector"]) for r in records], dtype=np.int8)
        self._status = np.array([STATUSES.index(r["status"]) for r in records], dtype=np.int8)

    def __getitem__(self, org_id: int) -> dict[str, Any]:
        at, found = positions(self._ids, np.array([org_id], dtype=np.int64))
        if not found[0]:
            raise KeyError(org_id)
        row = int(at[0])
        return {
            "id": int(org_id),
            "slug": self._slugs[row],
            "name": self._index.names[row],
            "sector": SECTORS[self._sector[row]],
            "country": self._index.countries[row],
            "status": STATUSES[self._status[row]],
        }

    def __iter__(self) -> Iterator[int]:
        return iter(self._index.ids)

    def __len__(self) -> int:
        return len(self._ids)


@dataclass(frozen=True)
class VersionedNames:
    """A name index and the organizations' summaries, at one directory version."""

    version: int
    index: NameIndex
    summaries: Summaries

    def nbytes(self) -> int:
        """Bytes held in the index's arrays."""
        return self.index.nbytes()


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
    records = [row._asdict() for row in session.execute(query.order_by(Organization.id))]
    index = NameIndex.build(records)
    return VersionedNames(version=version, index=index, summaries=Summaries(index, records))
