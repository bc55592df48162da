"""Merging a duplicate organization into the one that survives, in one transaction.

The duplicate's links, dialogue places and invitations move to the survivor (partnerships
and dialogues services), its topics, languages, regions, names and external ids join the
survivor's, and it becomes `merged` with `successor_id` naming the survivor
(organizations.merges). Nothing is committed until all of it is done.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from partners_api.db import lock_for_update
from partners_api.dialogues import invitations
from partners_api.dialogues import service as dialogues
from partners_api.errors import Conflict, NotFound, Unprocessable
from partners_api.organizations import merges
from partners_api.organizations import service as organizations
from partners_api.organizations.models import Organization
from partners_api.partnerships import service as partnerships


def survivor_of(session: Session, *, into: int | str) -> Organization:
    """The organization named by `into` (id or slug); 422 on `into` when none is."""
    try:
        return organizations.get_organization(session, ref=into)
    except NotFound:
        raise Unprocessable.field("into", f"No organization '{into}'.") from None


def refuse_already_merged(duplicate: Organization) -> None:
    """Refuse (409 `already_merged`) to merge an organization merged before."""
    if duplicate.status == "merged":
        raise Conflict(
            f"Organization {duplicate.id} was already merged into organization "
            f"{duplicate.successor_id}.",
            code="already_merged",
        )


def check_mergeable(session: Session, *, duplicate: Organization, survivor: Organization) -> None:
    """Refuse (409) a merge into itself, of a merged one, in a cycle, or into an inactive one."""
    if survivor.id == duplicate.id:
        raise Conflict("An organization cannot be merged into itself.", code="merge_into_self")
    refuse_already_merged(duplicate)
    if duplicate.id in merges.successor_chain(session, org_id=survivor.id):
        raise Conflict(
            f"Organization {survivor.id} was merged into organization {duplicate.id}: "
            "merging back would make a cycle.",
            code="merge_cycle",
        )
    if survivor.status != "active":
        raise Conflict(
            f"Organization {survivor.id} is {survivor.status}; merge into an active one.",
            code="merge_into_inactive",
        )


def merge(
    session: Session,
    *,
    duplicate: Organization,
    survivor: Organization,
    actor_key_id: int | None,
) -> dict[str, Any]:
    """Merge the duplicate into the survivor and commit; return what moved and what clashed."""
    lock_for_update(session, survivor)
    check_mergeable(session, duplicate=duplicate, survivor=survivor)  # as locked
    links = partnerships.move_links(
        session, source_id=duplicate.id, target_id=survivor.id, actor_key_id=actor_key_id
    )
    dialogue_ids = dialogues.move_participations(
        session, source_id=duplicate.id, target_id=survivor.id, actor_key_id=actor_key_id
    )
    invitations.move_invitations(
        session, source_id=duplicate.id, target_id=survivor.id, actor_key_id=actor_key_id
    )
    moved = (["partnerships"] if links["moved"] else []) + (["dialogues"] if dialogue_ids else [])
    changed, conflicts = merges.absorb(
        session, survivor=survivor, duplicate=duplicate, moved=moved, actor_key_id=actor_key_id
    )
    session.commit()
    return {
        "duplicate": duplicate,
        "survivor": survivor,
        "partnerships_moved": links["moved"],
        "partnerships_closed": links["closed"],
        "dialogues": dialogue_ids,
        "fields": changed,
        "external_id_conflicts": conflicts,
    }
