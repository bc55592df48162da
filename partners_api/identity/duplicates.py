"""Probable duplicates: a new organization that resolves to one already there, and pairs.

A new organization (created or imported) whose name or another of its names resolves,
with `chosen`, to an active organization of the same country is a probable duplicate of
it. Across the directory, two active organizations are a probable duplicate pair when
they share a name in the same country (case, accents, punctuation and script aside), an
identifier in another registry, or a website; each shared thing is evidence.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from partners_api.changes.versioned import PerDatabase
from partners_api.errors import Conflict
from partners_api.identity import index as name_index
from partners_api.identity.resolver import normalize
from partners_api.organizations.models import Organization
from partners_api.organizations.signals import organization_creating

MAX_BUCKET = 20  # a name shared by more organizations than this is generic, not evidence


class DuplicateFinder:
    """Finds probable duplicates among the organizations of a new one's country.

    Its name index covers that country alone, built on first need and kept for the
    finder's life (one create, or one import): a write moves the directory version, and
    the whole directory's index would be built again for each new organization.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.indexes: dict[str, name_index.VersionedNames] = {}

    def probable_duplicate(self, record: Mapping[str, Any]) -> dict[str, Any] | None:
        """The active organization a new one's names resolve to with `chosen`, if any."""
        country = record["country"]
        if country not in self.indexes:
            self.indexes[country] = name_index.build(self.session, version=0, country=country)
        names = self.indexes[country]
        texts = [record["name"]] + [
            n["value"] for n in record.get("names", ()) if "acronym" not in n["types"]
        ]
        for text in dict.fromkeys(texts):
            for candidate in names.index.resolve(text, limit=1):
                found = names.summaries[candidate.organization_id]
                if candidate.chosen and found["status"] == "active":
                    return {**found, "score": candidate.score, "matched_name": candidate.name}
        return None


def duplicate_message(found: Mapping[str, Any]) -> str:
    """Why a new organization is refused, and how to create it anyway."""
    return (
        f"Probably the same as organization {found['id']} ({found['slug']}, "
        f"'{found['matched_name']}'); send allow_duplicate=true to create it anyway."
    )


@organization_creating.connect
def refuse_probable_duplicate(record: Mapping[str, Any], *, session: Session) -> None:
    """Refuse (409 probable_duplicate) an organization that resolves to an existing one."""
    found = DuplicateFinder(session).probable_duplicate(record)
    if found is not None:
        message = duplicate_message(found)
        raise Conflict(message, code="probable_duplicate", errors={"name": [message]})


@dataclass(frozen=True)
class VersionedPairs:
    """The probable duplicate pairs of the directory at one version."""

    version: int
    pairs: list[dict[str, Any]]


_pairs: PerDatabase[VersionedPairs] = PerDatabase()


def duplicate_pairs(session: Session, *, page: int, page_size: int):
    """One page of probable duplicate pairs, most evidence first, and their total."""
    pairs = _pairs.get(session, lambda _old, version: VersionedPairs(version, _find(session))).pairs
    start = (page - 1) * page_size
    return pairs[start : start + page_size], len(pairs)


def forget() -> None:
    """Drop the cached pairs (after a rolled-back write, or an emptied database)."""
    _pairs.clear()


def _find(session: Session) -> list[dict[str, Any]]:
    columns = (
        Organization.id,
        Organization.slug,
        Organization.name,
        Organization.names,
        Organization.country_code,
        Organization.external_ids,
        Organization.website,
    )
    rows = session.execute(select(*columns).where(Organization.status == "active")).all()
    buckets: dict[tuple, set[int]] = defaultdict(set)
    for row in rows:
        for key in _keys(row):
            buckets[key].add(row.id)
    evidence: dict[tuple[int, int], list[dict[str, str]]] = defaultdict(list)
    for (kind, value, *_), members in buckets.items():
        if 1 < len(members) <= MAX_BUCKET:
            for pair in itertools.combinations(sorted(members), 2):
                evidence[pair].append({"kind": kind, "value": value})
    summaries = {
        row.id: {"id": row.id, "slug": row.slug, "name": row.name, "country": row.country_code}
        for row in rows
    }
    pairs = [
        {"organizations": [summaries[a], summaries[b]], "evidence": shared}
        for (a, b), shared in evidence.items()
    ]
    pairs.sort(key=lambda p: (-len(p["evidence"]), [o["id"] for o in p["organizations"]]))
    return pairs


def _keys(row) -> Iterable[tuple]:
    """What an organization shares with its probable duplicates: names, ids, website."""
    for entry in row.names or ():
        if "acronym" not in entry["types"] and (name := normalize(entry["value"])):
            yield ("name", name, row.country_code)
    for scheme, value in (row.external_ids or {}).items():
        yield ("external_id", f"{scheme}:{value}")
    if row.website:
        parts = urlsplit(row.website.lower())
        site = parts.netloc.removeprefix("www.") + parts.path.rstrip("/")
        if site:
            yield ("website", site)
