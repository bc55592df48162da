"""Merged organizations: where they went, and their fields absorbed by the one they merged into.

A merged organization keeps its row, id and slug, with status `merged` and `successor_id`
naming the organization it was merged into; reads of it are sent there (308), writes to it
are refused (409 `merged`). The merge itself, across domains, is identity.merge.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from partners_api.changes import service as changes
from partners_api.db import utcnow
from partners_api.errors import Conflict
from partners_api.organizations import rendering, service
from partners_api.organizations.models import Organization
from partners_api.organizations.names import MAX_NAMES

MAX_CHAIN = 100  # merges followed at most, in case of a cycle left by hand


def successor_chain(session: Session, *, org_id: int) -> list[int]:
    """The ids an organization was merged into, in order (empty when it is not merged)."""
    chain: list[int] = []
    current = org_id
    while len(chain) < MAX_CHAIN:
        successor = session.scalar(
            select(Organization.successor_id).where(
                Organization.id == current, Organization.status == "merged"
            )
        )
        if successor is None or successor in chain or successor == org_id:
            break
        chain.append(successor)
        current = successor
    return chain


def final_successor(session: Session, *, ref: str) -> int | None:
    """The organization a merged one (by id or slug) now lives in; None when not merged.

    Every read of an organization asks this first: the rendering store knows the status
    of an organization it holds at the version the session sees; else one query, whose
    answer the view's own (service.standing) then takes, and the chain of merges only for
    a merged one.
    """
    if rendering.status_of(session, ref) not in (None, "merged"):
        return None
    found = service.find_standing(session, ref=ref)
    if found is None or found.status != "merged":
        return None
    chain = successor_chain(session, org_id=found.id)
    return chain[-1] if chain else None


def refuse_merged(organization: Organization) -> None:
    """Refuse (409 `merged`) a write to an organization that was merged into another."""
    if organization.status == "merged":
        raise Conflict(
            f"Organization {organization.id} was merged into organization "
            f"{organization.successor_id}; write to that one.",
            code="merged",
        )


def merged_fields(survivor: Organization, duplicate: Organization) -> tuple[dict, list[dict]]:
    """The survivor's fields with the duplicate's added, and the external ids in conflict.

    Topics, languages and operating regions: union (a topic the survivor seeks is not
    added to its offers, nor the reverse). Names: the duplicate's labels become aliases,
    its acronyms stay acronyms, its aliases stay aliases; a name the survivor already has
    (same value and language) is not repeated; at most MAX_NAMES, the survivor's first.
    External ids: union; on the same scheme the survivor's value is kept.
    """
    offers, seeks = set(survivor.offers), set(survivor.seeks)
    data: dict[str, Any] = {
        "offers": sorted(offers | (set(duplicate.offers) - seeks)),
        "seeks": sorted(seeks | (set(duplicate.seeks) - offers)),
        "languages": sorted(set(survivor.languages) | set(duplicate.languages)),
        "operating_regions": sorted(
            set(survivor.operating_regions) | set(duplicate.operating_regions)
        ),
    }
    names = [dict(n) for n in survivor.names or ()]
    known = {(n["value"], n.get("lang")) for n in names}
    for entry in duplicate.names or ():
        key = (entry["value"], entry.get("lang"))
        if key in known:
            continue
        known.add(key)
        types = sorted({"alias" if t == "label" else t for t in entry["types"]})
        names.append({"value": key[0], "lang": key[1], "types": types})
    data["names"] = names[:MAX_NAMES]
    ids = dict(survivor.external_ids or {})
    conflicts = []
    for scheme, value in sorted((duplicate.external_ids or {}).items()):
        if scheme not in ids:
            ids[scheme] = value
        elif ids[scheme] != value:
            conflicts.append({"scheme": scheme, "kept": ids[scheme], "dropped": value})
    data["external_ids"] = ids
    return data, conflicts


def absorb(
    session: Session,
    *,
    survivor: Organization,
    duplicate: Organization,
    moved: list[str],
    actor_key_id: int | None,
) -> tuple[list[str], list[dict]]:
    """Give the survivor the duplicate's fields and mark the duplicate merged; no commit.

    Records `updated` on the survivor for the fields it gained, `merged_in` on it naming
    what moved (`merged_from.<id>` and the `moved` items), and `merged` on the duplicate.
    Returns the survivor's changed fields and the external ids in conflict.
    """
    data, conflicts = merged_fields(survivor, duplicate)
    changed = service.update_organization(
        session, organization=survivor, data=data, actor_key_id=actor_key_id, commit=False
    )
    duplicate.status, duplicate.successor_id = "merged", survivor.id
    duplicate.updated_at = utcnow()
    changes.record(
        session,
        entity="organization",
        entity_id=duplicate.id,
        action="merged",
        fields=["status", "successor_id"],
        actor_key_id=actor_key_id,
    )
    changes.record(
        session,
        entity="organization",
        entity_id=survivor.id,
        action="merged_in",
        fields=[f"merged_from.{duplicate.id}", *changed, *moved],
        actor_key_id=actor_key_id,
    )
    return changed, conflicts
