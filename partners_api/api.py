"""Api, Blueprint and Schema bases: pagination headers, problem+json errors, content types."""

from __future__ import annotations

import http
import json
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import marshmallow as ma
from flask import Flask, Response, current_app, request
from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest.etag import _get_etag_ctx
from flask_smorest.pagination import PaginationParameters
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from partners_api.errors import BadRequest, PreconditionFailed, PreconditionRequired, ProblemError
from partners_api.fields import MAX_INTEGER

log = logging.getLogger(__name__)

PROBLEM_MIMETYPE = "application/problem+json"
JSON_MIMETYPES = {"application/json", "application/merge-patch+json"}
BODY_METHODS = {"POST", "PUT", "PATCH"}


class Schema(ma.Schema):
    """Base schema: unknown fields are an error, output keeps declaration order."""

    class Meta:
        unknown = ma.RAISE
        ordered = True


class QueryArgsSchema(Schema):
    """Base of query-string schemas: parameters of other schemas (page, …) pass through."""

    class Meta:
        unknown = ma.EXCLUDE


class ProblemSchema(Schema):
    """RFC 9457 problem details, as every error of this API is shaped."""

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
    400: "Malformed: a body that is not JSON, a NUL character or an API key in the URL.",
    401: "No key where one is needed, or a key that is malformed, unknown or revoked.",
    403: "The key may not do this.",
    404: "No such resource.",
    409: "Conflicts with the current state (a duplicate, a reference in use, a transition "
    "that is not allowed from this status).",
    412: "If-Match names a version that is no longer current: fetch the resource again.",
    413: "The body or the result is larger than allowed.",
    415: "The body is not in a media type this operation takes (JSON).",
    422: "Values that are not valid; `errors` lists the messages by field.",
    428: "If-Match is missing: send the ETag of the version you read.",
    429: "Too many requests: wait for Retry-After seconds.",
    503: "The database is unavailable or not migrated: retry after Retry-After seconds.",
}
RETRY_AFTER = {
    "description": "Seconds to wait before retrying.",
    "schema": {"type": "integer", "minimum": 0},
}
RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit": {
        "description": "Requests allowed in the current window.",
        "schema": {"type": "integer"},
    },
    "X-RateLimit-Remaining": {
        "description": "Requests left in the current window.",
        "schema": {"type": "integer"},
    },
    "X-RateLimit-Reset": {
        "description": "When the window resets, in seconds since the Unix epoch.",
        "schema": {"type": "integer"},
    },
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


class IdConverter(IntegerConverter):
    """`<int:…>` in routes: up to the largest integer a database stores; beyond it, 404."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_INTEGER)
        super().__init__(url_map, *args, **kwargs)


class Api(SmorestApi):
    """flask-smorest Api whose every error is an RFC 9457 problem document."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = "DEFAULT_ERROR"

    def init_app(self, app: Flask, *args, **kwargs) -> None:
        """Bound integer path parameters before any route is added."""
        app.url_map.converters["int"] = IdConverter
        super().init_app(app, *args, **kwargs)

    def _register_responses(self) -> None:
        """Register a problem+json response component, with an example, per error status."""
        for status in http.HTTPStatus:
            if status < 400:
                continue
            response: dict[str, Any] = {
                "description": ERROR_MEANINGS.get(status, status.phrase),
                "content": {
                    PROBLEM_MIMETYPE: {
                        "schema": self.ERROR_SCHEMA,
                        "example": problem_example(status),
                    }
                },
            }
            if status in (429, 503):
                response["headers"] = {"Retry-After": RETRY_AFTER}
            if status == 429:
                response["headers"].update(RATE_LIMIT_HEADERS)
            self.spec.components.response(status.name, response, lazy=True)
        self.spec.components.response(
            "NOT_MODIFIED", {"description": "Not Modified: your copy is current."}, lazy=True
        )
        self.spec.components.response(
            "DEFAULT_ERROR",
            {
                "description": "Any other error, as an RFC 9457 problem document: 500 when the "
                "server fails (its detail says no more), 503 with Retry-After while the "
                "database is unavailable.",
                "content": {
                    PROBLEM_MIMETYPE: {
                        "schema": self.ERROR_SCHEMA,
                        "example": problem_example(503),
                    }
                },
            },
            lazy=True,
        )

    def _register_pagination_header(self) -> None:
        """X-Pagination holds JSON: describe it as JSON content, not as a simple-style object."""
        self.spec.components.header(
            "PAGINATION",
            {
                "description": "Pagination metadata, as a JSON object.",
                "content": {
                    "application/json": {
                        "schema": PaginationMetadataSchema,
                        "example": {
                            name: field.metadata["example"]
                            for name, field in PaginationMetadataSchema().fields.items()
                        },
                    }
                },
            },
            lazy=True,
        )

    def _register_error_handlers(self) -> None:
        app: Flask = self._app
        app.register_error_handler(HTTPException, self.handle_http_exception)
        app.register_error_handler(ProblemError, _handle_problem)
        app.register_error_handler(IntegrityError, _handle_integrity_error)
        app.register_error_handler(DataError, _handle_data_error)
        app.register_error_handler(StaleDataError, _handle_stale_data)
        app.register_error_handler(OperationalError, _handle_operational_error)
        app.register_error_handler(Exception, _handle_unexpected)

    def handle_http_exception(self, error: HTTPException) -> Response:
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


def current_view_class() -> type | None:
    """The MethodView class that will answer this request, if any."""
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "view_class", None)


def apply_body_limit() -> None:
    """Let a view that takes files (imports) accept bodies up to its own configured size."""
    setting = getattr(current_view_class(), "body_limit_setting", None)
    if setting:
        request.max_content_length = current_app.config[setting]


def reject_nul_characters() -> Response | None:
    """Answer 400 for a NUL character in the path or query, which no database stores."""
    values = [v for _, v in request.args.items(multi=True)]
    if "\x00" in request.path or any("\x00" in v for v in values):
        return problem_response(
            400, "NUL characters are not allowed in URLs.", code="nul_character"
        )
    return None


def reject_unsupported_body() -> Response | None:
    """Answer 415 for a request body that is not JSON, unless the view accepts its type."""
    if request.method not in BODY_METHODS or not _has_body():
        return None
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


def _has_unstorable_text(data: Any) -> bool:
    """True when a string or key holds a NUL or an unpaired surrogate, which no database stores."""
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            if "\x00" in item:
                return True
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
    return False


class ArgumentsParser(FlaskParser):
    """webargs' Flask parser, refusing JSON too deep to parse or with unstorable text."""

    def _raw_load_json(self, req):
        try:
            data = super()._raw_load_json(req)
        except RecursionError:
            raise BadRequest("The JSON body is nested too deeply.") from None
        if _has_unstorable_text(data):
            raise BadRequest("Strings may not contain NUL characters or unpaired surrogates.")
        return data


class PaginationMetadataSchema(Schema):
    """The X-Pagination header of a list."""

    total = ma.fields.Integer(metadata={"description": "Items in all pages.", "example": 105})
    total_pages = ma.fields.Integer(metadata={"description": "Pages.", "example": 6})
    page = ma.fields.Integer(metadata={"description": "This page.", "example": 2})
    page_size = ma.fields.Integer(metadata={"description": "Items per page.", "example": 20})
    first_page = ma.fields.Integer(metadata={"description": "The first page.", "example": 1})
    last_page = ma.fields.Integer(metadata={"description": "The last page.", "example": 6})
    previous_page = ma.fields.Integer(
        metadata={"description": "The page before, if any.", "example": 1}
    )
    next_page = ma.fields.Integer(metadata={"description": "The page after, if any.", "example": 3})


class Blueprint(SmorestBlueprint):
    """Blueprint with X-Pagination and Link headers; If-Match is checked after authorization.

    Its spec documents, for every operation, the errors that the application's own
    request hooks may answer with (400, 401, 415, 413, 422, 429), and a `security`
    requirement: a key is required where the operation answers 403, and optional
    elsewhere (a key shows contact e-mails). A view class sets `rate_limited = False` when
    it is exempt from rate limits (and so documents no 429).
    """

    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": 20, "max_page_size": 100}
    ARGUMENTS_PARSER = ArgumentsParser()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(self._prepare_common_doc)

    def _store_endpoint_docs(self, endpoint, obj, parameters, tags, **options) -> None:
        """Keep, with each method's doc, whether its view class is rate limited."""
        super()._store_endpoint_docs(endpoint, obj, parameters, tags, **options)
        for doc in self._docs[endpoint].values():
            if isinstance(doc, dict) and "docstring" in doc:
                doc["view"] = {"rate_limited": getattr(obj, "rate_limited", True)}

    @staticmethod
    def _prepare_common_doc(doc, doc_info, *, method, **kwargs):
        """Document the errors every request may meet, and the operation's security."""
        view = doc_info.get("view", {})
        responses = doc.setdefault("responses", {})
        documented = {str(code) for code in responses}
        common = [400, 401]
        if method.upper() in BODY_METHODS:
            common.append(415)
        if "requestBody" in doc:
            common += [413, 422]
        if view.get("rate_limited", True):
            common.append(429)
        for code in common:
            if str(code) not in documented:
                responses[code] = http.HTTPStatus(code).name
        needs_key = "403" in documented
        doc["security"] = [{"bearerAuth": []}] if needs_key else [{}, {"bearerAuth": []}]
        return doc

    def links(self, status: int, **links: dict):
        """Document OpenAPI links from a response to the operations its values feed."""
        return self.doc(responses={status: {"links": links}})

    def errors(self, *codes: int):
        """Document the error statuses an operation can answer with, as problem documents."""

        def decorator(func):
            for code in codes:
                func = self.alt_response(code, response=http.HTTPStatus(code).name)(func)
            return func

        return decorator

    def _document_pagination_metadata(self, spec, resp_doc) -> None:
        super()._document_pagination_metadata(spec, resp_doc)
        resp_doc["headers"]["Link"] = {
            "description": "RFC 8288 links to the first, prev, next and last pages.",
            "schema": {"type": "string"},
        }

    def _check_precondition(self) -> None:
        """Defer the If-Match presence check to check_etag, so 401 and 403 come first."""

    def check_etag(self, etag_data, etag_schema=None, *, alternatives=()) -> None:
        """Raise 428 without If-Match, and 412 unless it names the current version.

        `alternatives` are other representations of the same version (such as the view
        without contacts), any of whose tags is accepted.
        """
        if not request.if_match or request.if_match.star_tag:
            raise PreconditionRequired(
                "Send the resource's current ETag (not *) in If-Match to change it."
            )

        _get_etag_ctx()["etag_checked"] = True
        tags = [self._generate_etag(data) for data in (etag_data, *alternatives)]
        if not any(tag in request.if_match for tag in tags):
            raise PreconditionFailed(
                "The resource has changed since you read it; fetch it again and retry."
            )

    @staticmethod
    def _make_pagination_metadata(page: int, page_size: int, item_count: int) -> dict:
        total_pages = (item_count + page_size - 1) // page_size
        meta = {
            "total": item_count,
            "total_pages": total_pages,
            "page": page,
            "page_size": page_size,
        }
        if total_pages:
            meta.update(first_page=1, last_page=total_pages)
            if page > 1:
                meta["previous_page"] = min(page - 1, total_pages)
            if page < total_pages:
                meta["next_page"] = page + 1
        return meta

    def _set_pagination_metadata(self, page_params: PaginationParameters, result, headers):
        headers = dict(headers or {})
        meta = self._make_pagination_metadata(
            page_params.page, page_params.page_size, page_params.item_count
        )
        headers[self.PAGINATION_HEADER_NAME] = json.dumps(meta)
        links = _link_header(meta)
        if links:
            headers["Link"] = links
        return result, headers


IF_MATCH_FROM_ETAG = {"header.If-Match": "$response.header.ETag"}


def link(operation_id: str, description: str, parameters: Mapping[str, str]) -> dict:
    """An OpenAPI link to an operation, with runtime expressions for its parameters."""
    return {"operationId": operation_id, "description": description, "parameters": parameters}


def etag_links(parameters: Mapping[str, str], **verbs: str) -> dict[str, dict]:
    """Links, named after their operations, to the writes that take the ETag just given.

    `etag_links(BY_ID, updateTopic="Change")` links to updateTopic, "Change it, ...".
    """
    return {
        operation_id[0].upper() + operation_id[1:]: link(
            operation_id,
            f"{verb} it, with the ETag just given.",
            {**parameters, **IF_MATCH_FROM_ETAG},
        )
        for operation_id, verb in verbs.items()
    }


def page_of(pagination_parameters: PaginationParameters, fetch, **filters) -> list:
    """Fetch one page with a service's list function and record the total for the headers."""
    items, total = fetch(
        page=pagination_parameters.page, page_size=pagination_parameters.page_size, **filters
    )
    pagination_parameters.item_count = total
    return items


def _link_header(meta: Mapping[str, int]) -> str:
    """Build the Link header (first, prev, next, last) for the current request."""
    relations = {
        "first": "first_page",
        "prev": "previous_page",
        "next": "next_page",
        "last": "last_page",
    }
    parts = []
    for rel, key in relations.items():
        if key in meta:
            args = request.args.copy()
            args["page"] = str(meta[key])
            query = "&".join(
                f"{quote(k, safe='')}={quote(v, safe='')}"
                for k, values in args.lists()
                for v in values
            )
            parts.append(f'<{request.base_url}?{query}>; rel="{rel}"')
    return ", ".join(parts)
