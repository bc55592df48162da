"""RFC 9457 problem documents: their schema, examples, spec responses and error handlers."""

from __future__ import annotations

import http
import json
import logging
from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from flask import Flask, Response
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from partners_api.api.rate_limits import RATE_LIMIT_HEADERS, RETRY_AFTER
from partners_api.api.schemas import Schema
from partners_api.errors import ProblemError

# The logger keeps the package's name, which the error logs have always carried.
log = logging.getLogger("partners_api.api")

PROBLEM_MIMETYPE = "application/problem+json"


class ProblemSchema(Schema):
    """RFC 9457 problem details, as every error of this API is shaped."""

    quotes_input = True  # its detail and errors may quote what the caller sent

    type = ma.fields.String(
        metadata={"description": "A URI reference; about:blank here.", "example": "about:blank"}
    )
    title = ma.fields.String(
        metadata={"description": "The HTTP status phrase.", "example": "Not Found"}
    )
    status = ma.fields.Integer(metadata={"description": "The HTTP status code.", "example": 404})
    detail = ma.fields.String(
        metadata={
            "description": "What went wrong, for a person.",
            "example": "No organization 'unknown-org'.",
        }
    )
    code = ma.fields.String(
        metadata={"description": "A stable machine-readable error code.", "example": "not_found"}
    )
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={
            "description": "Messages per field, for validation errors.",
            "example": {"country": ["'XX' is not an ISO 3166-1 alpha-2 country code."]},
        },
    )


def problem_response(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    errors: Mapping[str, list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Build an application/problem+json response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": http.HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code or http.HTTPStatus(status).name.lower(),
    }
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    response.headers.update(headers or {})
    return response


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Flatten marshmallow's nested messages into {"field.sub": [messages]}."""
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "_schema": messages}
    if isinstance(messages, str):
        return {prefix or "_schema": [messages]}
    flat: dict[str, list[str]] = {}
    items = messages.items() if isinstance(messages, Mapping) else enumerate(messages)
    for key, value in items:
        path = f"{prefix}.{key}" if prefix else str(key)
        flat.update(flatten_messages(value, path))
    return flat


def _validation_errors(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Merge webargs' per-location messages ({"json": …, "query": …}) into one dict."""
    messages = data.get("messages") or data.get("errors") or {}
    merged: dict[str, list[str]] = {}
    for location_messages in messages.values():
        merged.update(flatten_messages(location_messages))
    return merged


# What each error status means in this API, for its response in the spec.
ERROR_MEANINGS = {
    400: "Malformed: a body that is not JSON, or an API key in the URL.",
    401: "No key where one is needed, or a key that is malformed, unknown or revoked.",
    403: "The key may not do this.",
    404: "No such resource.",
    409: "Conflicts with the current state (a duplicate, a reference in use, a transition "
    "that is not allowed from this status).",
    412: "If-Match names a version that is no longer current: fetch the resource again.",
    413: "The body or the result is larger than allowed.",
    414: "The URL is too long: the request line must stay under 4,094 bytes.",
    415: "The body is not in a media type this operation takes (JSON).",
    422: "Values that are not valid; `errors` lists the messages by field.",
    428: "If-Match is missing: send the ETag of the version you read.",
    429: "Too many requests: wait for Retry-After seconds.",
    431: "A request header is too large: each must stay under 8,190 bytes.",
    503: "The database is unavailable or not migrated: retry after Retry-After seconds.",
}


def problem_example(status: int) -> dict[str, Any]:
    """An example problem document for an error status."""
    example: dict[str, Any] = {
        "type": "about:blank",
        "title": http.HTTPStatus(status).phrase,
        "status": status,
        "detail": ERROR_MEANINGS.get(status, http.HTTPStatus(status).phrase),
        "code": "validation_error" if status == 422 else http.HTTPStatus(status).name.lower(),
    }
    if status == 422:
        example["errors"] = {"country": ["'XX' is not an ISO 3166-1 alpha-2 country code."]}
    return example


def error_response_doc(status: http.HTTPStatus, schema: Any) -> dict[str, Any]:
    """The spec's response for an error status: a problem document, with an example."""
    response: dict[str, Any] = {
        "description": ERROR_MEANINGS.get(status, status.phrase),
        "content": {
            PROBLEM_MIMETYPE: {
                "schema": schema,
                "example": problem_example(status),
            }
        },
    }
    if status in (429, 503):
        response["headers"] = {"Retry-After": RETRY_AFTER}
    if status == 429:
        response["headers"].update(RATE_LIMIT_HEADERS)
    return response


def default_error_doc(schema: Any) -> dict[str, Any]:
    """The spec's response for any error an operation does not list."""
    return {
        "description": "Any other error, as an RFC 9457 problem document: 500 when the "
        "server fails (its detail says no more), 503 with Retry-After while the "
        "database is unavailable.",
        "content": {
            PROBLEM_MIMETYPE: {
                "schema": schema,
                "example": problem_example(503),
            }
        },
    }


def register_error_handlers(app: Flask) -> None:
    """Answer every error, HTTP or not, with a problem document."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ProblemError, _handle_problem)
    app.register_error_handler(IntegrityError, _handle_integrity_error)
    app.register_error_handler(DataError, _handle_data_error)
    app.register_error_handler(StaleDataError, _handle_stale_data)
    app.register_error_handler(OperationalError, _handle_operational_error)
    app.register_error_handler(Exception, _handle_unexpected)


def handle_http_exception(error: HTTPException) -> Response:
    """Turn a werkzeug or webargs HTTP error into a problem document."""
    if error.code == 304:
        return Response(status=304)
    data = getattr(error, "data", None) or {}
    status = error.code or 500
    errors = None
    detail = data.get("message") or error.description or http.HTTPStatus(status).phrase
    code = None
    if status == 422:
        errors = _validation_errors(data)
        detail = data.get("message") or "The request has invalid values; see errors."
        code = "validation_error"
    elif status == 400 and data.get("messages"):
        errors = _validation_errors(data)
        detail = "The request body is not valid JSON."
    if status >= 500:
        detail = "The server could not complete the request."
    headers = dict(data.get("headers") or {})
    if error.code == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return problem_response(status, detail, code=code, errors=errors, headers=headers)


def _handle_problem(error: ProblemError) -> Response:
    return problem_response(
        error.status, error.detail, code=error.code, errors=error.errors, headers=error.headers
    )


def _handle_integrity_error(error: IntegrityError) -> Response:
    log.info("integrity error: %s", error.orig)
    return problem_response(
        409,
        "The change conflicts with existing data (a duplicate or a missing reference).",
        code="conflict",
    )


def _handle_data_error(error: DataError) -> Response:
    log.info("data error: %s", error.orig)
    return problem_response(
        422,
        "A value cannot be stored or compared (out of range, or a NUL character).",
        code="unrepresentable_value",
    )


def _handle_stale_data(_error: StaleDataError) -> Response:
    return problem_response(
        412,
        "The resource was changed by someone else; fetch it again and retry.",
        code="stale_etag",
    )


def _handle_operational_error(error: OperationalError) -> Response:
    log.error("database unavailable: %s", error.orig)
    return problem_response(
        503,
        "The database is unavailable; try again shortly.",
        code="database_unavailable",
        headers={"Retry-After": "5"},
    )


def _handle_unexpected(error: Exception) -> Response:
    log.exception("unhandled error", exc_info=error)
    return problem_response(500, "The server could not complete the request.")
