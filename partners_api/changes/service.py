"""Recording change events, and reading them as a feed that never skips or repeats."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    Engine,
    Text,
    and_,
    cast,
    func,
    insert,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.orm import Session

from partners_api.changes.models import ChangeEvent, DirectoryVersion
from partners_api.db import (
    NO_ANSWER,
    fetch_page,
    forget_on_write,
    insert_rows,
    probe_answer,
    utcnow,
)
from partners_api.errors import Unprocessable

T = TypeVar("T")


def _as_bigint(expression):
    return cast(cast(expression, Text), BigInteger)


def record(
    session: Session,
    *,
    entity: str,
    entity_id: int | str,
    action: str,
    fields: Iterable[str] = (),
    actor_key_id: int | None = None,
) -> None:
    """Insert a change event and count the write, in the writer's transaction: it commits
    with the write it describes.

    On PostgreSQL one statement does both (the count as a data-modifying WITH): one
    round trip fewer per event. The session's pending changes are flushed first, as
    they were for the count alone.
    """
    event = insert(ChangeEvent).values(
        at=utcnow(),
        entity=entity,
        entity_id=str(entity_id),
        action=action,
        fields=sorted(fields),
        actor_key_id=actor_key_id,
    )
    if session.get_bind().dialect.name != "postgresql":
        session.execute(event)
        bump_directory_version(session)
        return
    event = event.values(tx_id=_as_bigint(func.pg_current_xact_id()))
    session.execute(event.add_cte(_BUMP.cte("bump")))
    session.info.pop(SEEN_VERSION, None)


def add_recorded(
    session: Session,
    row: T,
    *,
    entity: str,
    fields: Iterable[str],
    actor_key_id: int | None,
    action: str = "created",
    entity_id: int | str | None = None,
) -> T:
    """Add a new row, flush it for its id and record its creation event; not committed."""
    session.add(row)
    session.flush()
    record(
        session,
        entity=entity,
        entity_id=row.id if entity_id is None else entity_id,
        action=action,
        fields=fields,
        actor_key_id=actor_key_id,
    )
    return row


def record_update(
    session: Session,
    *,
    entity: str,
    entity_id: int | str,
    fields: Sequence[str],
    actor_key_id: int | None,
    commit: bool = True,
) -> None:
    """Record an "updated" event naming the changed fields and commit; none changed, nothing."""
    if not fields:
        return
    record(
        session,
        entity=entity,
        entity_id=entity_id,
        action="updated",
        fields=fields,
        actor_key_id=actor_key_id,
    )
    if commit:
        session.commit()


def record_many(
    session: Session,
    *,
    entity: str,
    entity_ids: Iterable[int | str],
    action: str,
    actor_key_id: int | None = None,
) -> None:
    """Record one event per entity of a bulk write, in bulk inserts."""
    tx_id = 0
    if session.get_bind().dialect.name == "postgresql":
        tx_id = session.scalar(select(_as_bigint(func.pg_current_xact_id())))
    now = utcnow()
    rows = [
        {
            "entity": entity,
            "entity_id": str(i),
            "action": action,
            "fields": [],
            "actor_key_id": actor_key_id,
            "tx_id": tx_id,
            "at": now,
        }
        for i in entity_ids
    ]
    insert_rows(session, ChangeEvent, rows)
    bump_directory_version(session)


# Where a session keeps the directory version it read (changes.versioned.seen_version),
# until it writes or ends its transaction.
SEEN_VERSION = forget_on_write("partners_directory_version")
_BUMP = update(DirectoryVersion).values(value=DirectoryVersion.value + 1)


def bump_directory_version(session: Session) -> None:
    """Count a write, in the writer's transaction; readers compare it with what they built."""
    session.execute(_BUMP)
    session.info.pop(SEEN_VERSION, None)


def directory_version(session: Session) -> int:
    """The number of writes so far, as committed (or as this session's transaction sees it).

    A session bound to an engine and not in a transaction takes the answer of the probe
    (VERSION_SQL) its engine runs on each connection it lends: one statement, no BEGIN and
    no ROLLBACK around it, and no round trip of its own to check the connection.
    """
    bind = session.get_bind()
    if isinstance(bind, Engine) and not session.in_transaction():
        try:
            version = _probed_version(bind)
        except bind.dialect.loaded_dbapi.Error:
            version = None  # read again below, where SQLAlchemy reports it (503 when down)
        if version is not None:
            return version
    return session.connection().scalar(_VERSION) or 0


_VERSION = select(DirectoryVersion.value)
# The probe of every pooled connection (partners_api.db.make_engine): the directory version.
VERSION_SQL = "SELECT value FROM directory_version"


def _probed_version(engine: Engine) -> int | None:
    """The version a pooled connection read as it was lent; None when it could not.

    Through SQLAlchemy's Connection the same read cost ten times as much in Python, about
    a quarter of a single organization's read.
    """
    answer = probe_answer(engine)
    return None if answer is NO_ANSWER else answer or 0


def history(
    session: Session,
    *,
    entity: str,
    entity_id: int | str,
    related: Iterable[tuple[str, Any]] = (),
    page: int,
    page_size: int,
) -> tuple[list[ChangeEvent], int]:
    """Return one page of the events of one entity, newest first, and their total.

    `related` adds the events of other entities: (entity, a select of their ids as text).
    """
    concerned = [and_(ChangeEvent.entity == entity, ChangeEvent.entity_id == str(entity_id))]
    concerned += [
        and_(ChangeEvent.entity == other, ChangeEvent.entity_id.in_(ids)) for other, ids in related
    ]
    query = select(ChangeEvent).where(or_(*concerned)).order_by(ChangeEvent.id.desc())
    return fetch_page(session, query, page=page, page_size=page_size)


def encode_cursor(tx_id: int, event_id: int) -> str:
    """The opaque cursor that points just after an event."""
    return base64.urlsafe_b64encode(f"{tx_id}.{event_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, int]:
    """Read a cursor back; a malformed one is a 422 on `since`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        tx_id, event_id = (int(part) for part in raw.split("."))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise Unprocessable.field("since", "Not a cursor returned by this feed.") from None
    return tx_id, event_id


def feed(session: Session, *, since: str | None, limit: int) -> tuple[list[ChangeEvent], str]:
    """Return the events after a cursor, in commit order, and the cursor to ask with next.

    On PostgreSQL an event is served only once every transaction that began writing before
    it has ended, so a slow commit can never slip in behind a cursor already handed out.
    """
    tx_id, event_id = decode_cursor(since) if since else (0, 0)
    query = (
        select(ChangeEvent)
        .where(_after(session, (tx_id, event_id)))
        .order_by(ChangeEvent.tx_id, ChangeEvent.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        own = _as_bigint(func.pg_current_xact_id_if_assigned())
        query = query.where(or_(_settled(session), ChangeEvent.tx_id == own))
    events = list(session.scalars(query))
    if events:
        since = encode_cursor(events[-1].tx_id, events[-1].id)
    return events, since or encode_cursor(0, 0)


def _settled(session: Session):
    """True for events no running transaction can still slip in before (PostgreSQL).

    On SQLite writers take the lock up front, so every committed event is settled.
    """
    if session.get_bind().dialect.name != "postgresql":
        return true()
    return ChangeEvent.tx_id < _as_bigint(func.pg_snapshot_xmin(func.pg_current_snapshot()))


def _after(session: Session, position: tuple[int, int]):
    """Events after a feed position, in a form each database can answer from an index."""
    tx_id, event_id = position
    if session.get_bind().dialect.name != "postgresql":
        return ChangeEvent.id > event_id  # every tx_id is 0; ids follow commit order
    return tuple_(ChangeEvent.tx_id, ChangeEvent.id) > tuple_(tx_id, event_id)


def changed_since(
    session: Session, *, entity: str, position: tuple[int, int]
) -> tuple[set[str], tuple[int, int]]:
    """Ids of one kind of entity with events after a feed position, and the new position.

    Every event visible now counts, but the position moves only past settled ones: an
    unsettled event is reported again next time, so none is ever missed.
    """
    rows = session.execute(
        select(ChangeEvent.entity_id, ChangeEvent.tx_id, ChangeEvent.id, _settled(session))
        .where(ChangeEvent.entity == entity, _after(session, position))
        .order_by(ChangeEvent.tx_id, ChangeEvent.id)
    ).all()
    settled = [(tx_id, event_id) for _, tx_id, event_id, done in rows if done]
    return {row[0] for row in rows}, (settled[-1] if settled else position)


def settled_position(session: Session) -> tuple[int, int]:
    """The feed position after the last settled event."""
    row = session.execute(
        select(ChangeEvent.tx_id, ChangeEvent.id)
        .where(_settled(session))
        .order_by(ChangeEvent.tx_id.desc(), ChangeEvent.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, 0)
