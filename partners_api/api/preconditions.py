"""Preconditions: If-Match required on writes (428, 412) and the 304 of If-None-Match."""

from __future__ import annotations

from flask import request
from flask_smorest.etag import _get_etag_ctx

from partners_api.api.headers import checked_header
from partners_api.errors import PreconditionFailed, PreconditionRequired

# The spec's response to a conditional GET whose If-None-Match names the current version.
NOT_MODIFIED = {"description": "Not Modified: your copy is current."}


class IfMatchMixin:
    """Blueprint ETag checks: If-Match is checked by the view, after authorization."""

    def _check_precondition(self) -> None:
        """Defer the If-Match presence check to check_etag, so 401 and 403 come first."""

    def check_etag(self, etag_data, etag_schema=None, *, alternatives=()) -> None:
        """Raise 428 without If-Match (or with *), 422 for a malformed one, 412 when stale.

        `alternatives` are other representations of the same version (such as the view
        without contacts), any of whose tags is accepted.
        """
        if not request.if_match or request.if_match.star_tag:
            raise PreconditionRequired(
                "Send the resource's current ETag (not *) in If-Match to change it."
            )
        checked_header("If-Match")
        _get_etag_ctx()["etag_checked"] = True
        tags = [self._generate_etag(data) for data in (etag_data, *alternatives)]
        if not any(tag in request.if_match for tag in tags):
            raise PreconditionFailed(
                "The resource has changed since you read it; fetch it again and retry."
            )

    def set_etag_value(self, etag: str) -> None:
        """Set an ETag computed already (as set_etag would from its data): 304 when
        If-None-Match names it."""
        self._check_not_modified(etag)
        _get_etag_ctx()["etag"] = etag

    def _check_not_modified(self, etag) -> None:
        """Answer 304 when If-None-Match names the current version; 422 when malformed."""
        checked_header("If-None-Match")
        super()._check_not_modified(etag)
