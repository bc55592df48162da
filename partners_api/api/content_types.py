"""Request bodies: the media types accepted (JSON unless a view says more) and size limits."""

from __future__ import annotations

from flask import Response, current_app, request

from partners_api.api.problems import problem_response
from partners_api.api.views import current_view_class

JSON_MIMETYPES = {"application/json", "application/merge-patch+json"}
BODY_METHODS = {"POST", "PUT", "PATCH"}


def apply_body_limit() -> None:
    """Let a view that takes files (imports) accept bodies up to its own configured size."""
    setting = getattr(current_view_class(), "body_limit_setting", None)
    if setting:
        request.max_content_length = current_app.config[setting]


def reject_unsupported_body() -> Response | None:
    """Answer 415 for a request body that is not JSON, unless the view accepts its type."""
    if request.method not in BODY_METHODS or not _has_body():
        return None
    if request.routing_exception is not None:
        return None  # no such route or method: its 404 or 405 says more than a 415
    accepted = set(getattr(current_view_class(), "accepted_types", ()))
    if request.mimetype in JSON_MIMETYPES | accepted:
        return None
    return problem_response(
        415,
        f"Send the body as application/json, not {request.mimetype or 'an untyped body'}.",
        code="unsupported_media_type",
    )


def _has_body() -> bool:
    return bool(request.content_length) or request.headers.get("Transfer-Encoding") == "chunked"
