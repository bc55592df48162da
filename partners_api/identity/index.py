"""The name index of each database, built once per directory version and shared by requests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from partners_api.changes.versioned import PerDatabase
from partners_api.identity.resolver import INDEXED_STATUSES, NameIndex
from partners_api.organizations.models import Organization

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


@dataclass(frozen=True)
class VersionedNames:
    """A name index and the organizations' summaries, at one directory version."""

    version: int
    index: NameIndex
    summaries: dict[int, dict[str, Any]]

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
    records = [row._asdict() for row in session.execute(query)]
    summaries = {
        r["id"]: {
            "id": r["id"],
            "slug": r["slug"],
            "name": r["name"],
            "sector": r["sector"],
            "country": r["country_code"],
            "status": r["status"],
        }
        for r in records
    }
    return VersionedNames(version=version, index=NameIndex.build(records), summaries=summaries)
