"""Claiming an Idempotency-Key, storing the answer, and finding it again."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from partners_api.db import utcnow
from partners_api.errors import Conflict, Unprocessable
from partners_api.idempotency.models import IdempotentRequest

LIFETIME = timedelta(hours=24)
WAIT_FOR_FIRST = 10.0  # seconds a retry waits for the first request to finish
POLL = 0.05


@dataclass(frozen=True)
class Replay:
    """A stored answer to send again."""

    status: int
    body: bytes
    headers: dict[str, str]


def claim(session_factory, *, scope: str, key: str, fingerprint: str) -> int | Replay:
    """Claim the key for this request (its row id), or the answer to replay.

    The same key with another request is a 422; a first request still running after
    WAIT_FOR_FIRST seconds is a 409.
    """
    deadline = time.monotonic() + WAIT_FOR_FIRST
    while True:
        with session_factory() as session:
            claimed = _try_claim(session, scope=scope, key=key, fingerprint=fingerprint)
            if isinstance(claimed, int):
                return claimed
            if claimed.fingerprint != fingerprint:
                raise Unprocessable.field(
                    "Idempotency-Key",
                    "This key was used for a different request.",
                    code="idempotency_key_reused",
                )
            if claimed.status is not None:
                return Replay(
                    status=claimed.status, body=claimed.body or b"", headers=dict(claimed.headers)
                )
        if time.monotonic() > deadline:
            raise Conflict(
                "A request with this Idempotency-Key is still being processed.",
                code="idempotency_in_progress",
                headers={"Retry-After": "1"},
            )
        time.sleep(POLL)


def _try_claim(session: Session, *, scope: str, key: str, fingerprint: str):
    """Insert the claim and return its id, or return the row that holds the key."""
    session.execute(
        delete(IdempotentRequest).where(
            IdempotentRequest.scope == scope,
            IdempotentRequest.key == key,
            IdempotentRequest.created_at < utcnow() - LIFETIME,
        )
    )
    row = IdempotentRequest(scope=scope, key=key, fingerprint=fingerprint, headers={})
    session.add(row)
    try:
        session.commit()
        return row.id
    except IntegrityError:
        session.rollback()
    return session.scalar(
        select(IdempotentRequest).where(
            IdempotentRequest.scope == scope, IdempotentRequest.key == key
        )
    )


def complete(
    session_factory, *, claim_id: int, status: int, body: bytes, headers: dict[str, str]
) -> None:
    """Keep the answer for replays."""
    with session_factory() as session:
        row = session.get(IdempotentRequest, claim_id)
        if row is not None:
            row.status, row.body, row.headers = status, body, headers
            session.commit()


def release(session_factory, *, claim_id: int) -> None:
    """Drop a claim whose request failed, so a retry can run."""
    with session_factory() as session:
        session.execute(delete(IdempotentRequest).where(IdempotentRequest.id == claim_id))
        session.commit()
