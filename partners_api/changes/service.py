"""Recording and reading change events."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from partners_api.changes.models import ChangeEvent
from partners_api.db import fetch_page


def record(
    session: Session,
    *,
    entity: str,
    entity_id: int | str,
    action: str,
    fields: Iterable[str] = (),
    actor_key_id: int | None = None,
) -> ChangeEvent:
    """Add a change event to the session; it commits with the write it describes."""
    event = ChangeEvent(
        entity=entity,
        entity_id=str(entity_id),
        action=action,
        fields=sorted(fields),
        actor_key_id=actor_key_id,
    )
    session.add(event)
    return event


def history(
    session: Session, *, entity: str, entity_id: int | str, page: int, page_size: int
) -> tuple[list[ChangeEvent], int]:
    """Return one page of the events of one entity, newest first, and their total."""
    query = (
        select(ChangeEvent)
        .where(ChangeEvent.entity == entity, ChangeEvent.entity_id == str(entity_id))
        .order_by(ChangeEvent.id.desc())
    )
    return fetch_page(session, query, page=page, page_size=page_size)
