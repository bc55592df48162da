"""Resolving free-text names to the directory's organizations."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from partners_api.identity import index as name_index


def resolve(
    session: Session, *, queries: Iterable[Mapping[str, Any]], limit: int
) -> list[dict[str, Any]]:
    """For each {name, country?}: its candidates, best first, `chosen` on at most one."""
    names = name_index.current(session)
    return [
        {
            "name": query["name"],
            "candidates": [
                {
                    "score": candidate.score,
                    "matching_type": candidate.matching_type,
                    "chosen": candidate.chosen,
                    "organization": names.summaries[candidate.organization_id],
                }
                for candidate in names.index.resolve(
                    query["name"], country=query.get("country"), limit=limit
                )
            ],
        }
        for query in queries
    ]
