"""Request ids: taken from a well-formed X-Request-ID header, else made up, one per request."""

from __future__ import annotations

import re
import uuid

from flask import g, has_request_context

HEADER = "X-Request-ID"
WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{1,128}")


def request_id_for(incoming: str | None) -> str:
    """The caller's id when it is well formed; otherwise a new one, never the caller's text."""
    if incoming and WELL_FORMED.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The id of the request being served, or None outside a request."""
    if not has_request_context():
        return None
    return g.get("request_id")
