"""Request hooks: claim the Idempotency-Key of a POST before it runs, keep its answer after."""

from __future__ import annotations

import hashlib

from flask import Flask, Response, g, request

from partners_api.api.headers import checked_header
from partners_api.db import close_request_session, database
from partners_api.idempotency import service
from partners_api.security import rate_limit_key

HEADER = "Idempotency-Key"
REPLAYED_HEADERS = ("Location", "ETag", "Content-Type")


def init_idempotency(app: Flask) -> None:
    """Register the hooks."""
    app.before_request(claim_or_replay)
    app.after_request(keep_answer)
    app.teardown_request(release_unfinished)


def claim_or_replay() -> Response | None:
    """For a POST with a key: replay the stored answer, or claim the key and go on."""
    if request.method != "POST" or request.url_rule is None:
        return None
    key = checked_header(HEADER)
    if key is None:
        return None
    fingerprint = hashlib.sha256(
        b"\n".join([request.method.encode(), request.full_path.encode(), request.get_data()])
    ).hexdigest()
    claimed = service.claim(
        database().session_factory, scope=rate_limit_key(), key=key, fingerprint=fingerprint
    )
    if isinstance(claimed, service.Replay):
        response = Response(claimed.body, status=claimed.status, headers=claimed.headers)
        response.headers["Idempotent-Replayed"] = "true"
        return response
    g.idempotency_claim = claimed
    return None


def keep_answer(response: Response) -> Response:
    """Store the answer of a claimed request; an answer of 5xx frees the key instead."""
    claim_id = g.pop("idempotency_claim", None)
    if claim_id is None:
        return response
    # The request's own work is done; end its session before writing in another one.
    close_request_session()
    factory = database().session_factory
    if response.status_code >= 500:
        service.release(factory, claim_id=claim_id)
    else:
        headers = {h: response.headers[h] for h in REPLAYED_HEADERS if h in response.headers}
        service.complete(
            factory,
            claim_id=claim_id,
            status=response.status_code,
            body=response.get_data(),
            headers=headers,
        )
    return response


def release_unfinished(_exc: BaseException | None) -> None:
    """A request that ended without an answer frees its key."""
    claim_id = g.pop("idempotency_claim", None)
    if claim_id is not None:
        service.release(database().session_factory, claim_id=claim_id)
