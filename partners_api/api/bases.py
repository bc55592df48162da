"""The flask-smorest Api and Blueprint of this service, and the id URL converter."""

from __future__ import annotations

import http

from flask import Flask
from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest.etag import ETAG_HEADER
from werkzeug.routing import BaseConverter, IntegerConverter

from partners_api.api.content_types import BODY_METHODS
from partners_api.api.headers import HEADER_PARAMETERS
from partners_api.api.pagination import PaginationHeadersMixin, pagination_header_doc
from partners_api.api.preconditions import NOT_MODIFIED, IfMatchMixin
from partners_api.api.problems import (
    ProblemSchema,
    default_error_doc,
    error_response_doc,
    register_error_handlers,
)
from partners_api.api.text_checks import ArgumentsParser
from partners_api.fields import MAX_INTEGER, Code


class IdConverter(IntegerConverter):
    """`<int:…>` in routes: up to the largest integer a database stores; beyond it, 404."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_INTEGER)
        super().__init__(url_map, *args, **kwargs)


class CodeConverter(BaseConverter):
    """`<code:…>` in routes: a code or slug (letters, digits and hyphens), as `fields.Code`."""

    regex = Code.PATTERN.removeprefix("^").removesuffix("$")


def code_schema(_converter: CodeConverter) -> dict:
    """The spec's schema of a `code` path parameter."""
    return {"type": "string", "pattern": Code.PATTERN}


class Api(SmorestApi):
    """flask-smorest Api whose every error is an RFC 9457 problem document."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = "DEFAULT_ERROR"

    def init_app(self, app: Flask, *args, **kwargs) -> None:
        """Bound integer path parameters, and add the code converter, before any route."""
        app.url_map.converters["int"] = IdConverter
        app.url_map.converters["code"] = CodeConverter
        super().init_app(app, *args, **kwargs)
        self.register_converter(CodeConverter, code_schema)

    def _register_responses(self) -> None:
        """Register a problem+json response component, with an example, per error status."""
        for status in http.HTTPStatus:
            if status < 400:
                continue
            response = error_response_doc(status, self.ERROR_SCHEMA)
            self.spec.components.response(status.name, response, lazy=True)
        self.spec.components.response("NOT_MODIFIED", NOT_MODIFIED, lazy=True)
        self.spec.components.response(
            "DEFAULT_ERROR", default_error_doc(self.ERROR_SCHEMA), lazy=True
        )

    def _register_etag_headers(self) -> None:
        """Register the request headers' parameters (If-Match, …) with their patterns."""
        for name, parameter in HEADER_PARAMETERS.items():
            self.spec.components.parameter(name, "header", parameter, lazy=True)
        self.spec.components.header("ETAG", ETAG_HEADER, lazy=True)

    def _register_pagination_header(self) -> None:
        """X-Pagination holds JSON: describe it as JSON content, not as a simple-style object."""
        self.spec.components.header("PAGINATION", pagination_header_doc(), lazy=True)

    def _register_error_handlers(self) -> None:
        """Answer every error with a problem document."""
        register_error_handlers(self._app)


# The answer of a read that names a merged organization (see organizations.routes).
MERGED_REDIRECT = {
    "description": "The organization was merged into another: the same path of the "
    "organization it was merged into, in `Location`.",
    "headers": {
        "Location": {
            "description": "The same path, naming the organization merged into.",
            "schema": {"type": "string"},
        }
    },
}


class Blueprint(PaginationHeadersMixin, IfMatchMixin, SmorestBlueprint):
    """Blueprint with X-Pagination and Link headers; If-Match is checked after authorization.

    Its spec documents, for every operation, the errors that the application's own
    request hooks and its HTTP server may answer with (400, 401, 413, 414, 415, 422, 429,
    431), and a `security`
    requirement: a key is required where the operation answers 403, and optional
    elsewhere (a key shows contact e-mails). A view class sets `rate_limited = False` when
    it is exempt from rate limits (and so documents no 429), and `redirects_merged = True`
    when its reads of a merged organization answer 308 (documented on GET).
    """

    ARGUMENTS_PARSER = ArgumentsParser()
    PAGINATION_ARGUMENTS_PARSER = ArgumentsParser()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(self._prepare_common_doc)

    def _store_endpoint_docs(self, endpoint, obj, parameters, tags, **options) -> None:
        """Keep, with each method's doc, whether its view class is rate limited."""
        super()._store_endpoint_docs(endpoint, obj, parameters, tags, **options)
        for doc in self._docs[endpoint].values():
            if isinstance(doc, dict) and "docstring" in doc:
                doc["view"] = {
                    "rate_limited": getattr(obj, "rate_limited", True),
                    "redirects_merged": getattr(obj, "redirects_merged", False),
                }

    @staticmethod
    def _prepare_common_doc(doc, doc_info, *, method, **kwargs):
        """Document the errors every request may meet, and the operation's security."""
        view = doc_info.get("view", {})
        responses = doc.setdefault("responses", {})
        documented = {str(code) for code in responses}
        parameters = doc.setdefault("parameters", [])
        if method.upper() == "POST":
            parameters.append("IDEMPOTENCY_KEY")
        common = [400, 401, 414, 431]  # 414 and 431 come from the HTTP server (gunicorn)
        if method.upper() in BODY_METHODS:
            common.append(415)
        if "requestBody" in doc:
            common.append(413)
        if "requestBody" in doc or any(
            p in HEADER_PARAMETERS for p in parameters if isinstance(p, str)
        ):
            common.append(422)
        if view.get("rate_limited", True):
            common.append(429)
        if view.get("redirects_merged") and method.upper() == "GET":
            responses.setdefault(308, MERGED_REDIRECT)
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
