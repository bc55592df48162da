"""Issuing, finding and revoking API keys."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from partners_api.changes import service as changes
from partners_api.changes.versioned import PerDatabase
from partners_api.db import fetch_page, get_or_not_found, utcnow
from partners_api.errors import Unprocessable
from partners_api.keys.models import SCOPES, ApiKey
from partners_api.keys.signals import key_binding

log = logging.getLogger(__name__)

KEY_PREFIX = "pak_"
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedKey:
    """A newly created key with its secret, which is shown this once."""

    key: ApiKey
    secret: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(
    session: Session,
    *,
    name: str,
    scopes: list[str],
    organization_id: int | None = None,
    actor_key_id: int | None = None,
) -> IssuedKey:
    """Create a key and return it with its secret; only the hash is stored."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise Unprocessable.field("scopes", f"Use one or more of: {', '.join(SCOPES)}.")
    if "org:write" in scopes and organization_id is None:
        raise Unprocessable.field("organization_id", "An org:write key needs an organization.")
    if organization_id is not None:
        key_binding.send(organization_id, session=session)
    prefix = secrets.token_hex(6)
    secret = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        name=name,
        prefix=prefix,
        secret_hash=_hash(secret),
        scopes=sorted(set(scopes)),
        organization_id=organization_id,
    )
    changes.add_recorded(
        session,
        key,
        entity="key",
        fields=["name", "scopes", "organization_id"],
        actor_key_id=actor_key_id,
    )
    session.commit()
    return IssuedKey(key=key, secret=secret)


def find_active_key(session: Session, secret: str) -> ApiKey | None:
    """Return the unrevoked key whose secret this is, comparing hashes in constant time."""
    if not secret.startswith(KEY_PREFIX):
        return None
    prefix = secret[len(KEY_PREFIX) :].split("_", 1)[0]
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.secret_hash, _hash(secret)):
        return None
    return key


@dataclass
class KnownKey:
    """An active key as a request needs it: whose it is, and when its use was last recorded."""

    id: int
    prefix: str
    scopes: frozenset[str]
    organization_id: int | None
    last_used_at: datetime | None


@dataclass
class KnownKeys:
    """The active keys presented since the directory version last moved, by secret hash."""

    version: int
    by_hash: dict[str, KnownKey] = field(default_factory=dict)


_known: PerDatabase[KnownKeys] = PerDatabase()


def known_key(session: Session, secret: str) -> KnownKey | None:
    """The unrevoked key whose secret this is, asked of the database once per directory
    version: issuing or revoking a key moves the version, so no answer outlives a change."""
    known = _known.get(session, lambda _previous, version: KnownKeys(version))
    digest = _hash(secret)
    found = known.by_hash.get(digest)
    if found is None:
        key = find_active_key(session, secret)
        if key is None:
            return None
        found = known.by_hash[digest] = KnownKey(
            id=key.id,
            prefix=key.prefix,
            scopes=frozenset(key.scopes),
            organization_id=key.organization_id,
            last_used_at=key.last_used_at,
        )
    return found


def forget() -> None:
    """Drop the keys known (after a rolled-back write, or an emptied database)."""
    _known.clear()


def touch(session: Session, *, key: KnownKey) -> None:
    """Record that a key was used, at most once a minute; failing to record it fails nothing.

    On SQLite the transaction of the key's lookup (when it was not known already) ends
    here, so that the request's own work, and hooks that write in sessions of their own
    (idempotency claims), begin afresh; a writing request's transaction holds the
    database's write lock. On PostgreSQL a lookup that wrote nothing holds no lock, and
    each statement of the request sees what was committed before it: the request goes
    on in the same transaction, without a COMMIT and a BEGIN more. Within a read, the
    UPDATE must turn SQLite's read transaction into a write, which fails at once
    ("database is locked") when another connection has committed since the read began,
    and always on a read-only database file: a use left unrecorded is harmless, a later
    one records it.
    """
    now = utcnow()
    due = key.last_used_at is None or key.last_used_at < now - LAST_USED_RESOLUTION
    try:
        if due:
            session.execute(
                update(ApiKey)
                .where(ApiKey.id == key.id)
                .where(
                    or_(
                        ApiKey.last_used_at.is_(None),
                        ApiKey.last_used_at < now - LAST_USED_RESOLUTION,
                    )
                )
                .values(last_used_at=now)
            )
        if session.in_transaction() and (due or session.get_bind().dialect.name == "sqlite"):
            session.commit()
        if due:
            key.last_used_at = now
    except OperationalError as error:
        session.rollback()
        log.info("use of key %s not recorded: %s", key.prefix, error.orig)


def list_keys(session: Session, *, page: int, page_size: int) -> tuple[list[ApiKey], int]:
    """Return a page of keys, newest first, revoked ones included."""
    return fetch_page(
        session, select(ApiKey).order_by(ApiKey.id.desc()), page=page, page_size=page_size
    )


def revoke_key(session: Session, *, key_id: int, actor_key_id: int | None) -> None:
    """Revoke one key; it is refused from the next request on. Revoking twice is harmless."""
    key = get_or_not_found(session, ApiKey, key_id, f"No key {key_id}.")
    if key.revoked_at is None:
        _revoke(session, key, actor_key_id)
        session.commit()


def revoke_keys_named(session: Session, *, name: str, actor_key_id: int | None = None) -> int:
    """Revoke every active key with this name; return how many were revoked."""
    keys = session.scalars(
        select(ApiKey).where(ApiKey.name == name, ApiKey.revoked_at.is_(None))
    ).all()
    for key in keys:
        _revoke(session, key, actor_key_id)
    session.commit()
    return len(keys)


def _revoke(session: Session, key: ApiKey, actor_key_id: int | None) -> None:
    key.revoked_at = utcnow()
    changes.record(
        session,
        entity="key",
        entity_id=key.id,
        action="revoked",
        fields=["revoked_at"],
        actor_key_id=actor_key_id,
    )
