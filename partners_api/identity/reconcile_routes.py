"""Routes of /reconcile: the W3C Reconciliation Service API (v0.2), for OpenRefine and the like.

Every view here is public and read-only, so it answers any origin (`any_origin`, which
security.py reads): OpenRefine calls from its own origin, wherever it runs. The POST only
computes (`open_methods`) and takes the form OpenRefine posts (`accepted_types`); only the
preview may be framed (`frameable`), since OpenRefine shows it in an iframe.
"""

from __future__ import annotations

from flask import Response, request
from flask.views import MethodView

from partners_api.api.bases import Blueprint
from partners_api.db import get_session
from partners_api.errors import BadRequest, Unprocessable
from partners_api.identity import reconcile as service
from partners_api.identity.reconcile_schemas import (
    PreviewArgsSchema,
    ReconcileArgsSchema,
    ReconcileBodySchema,
    ReconcileFormSchema,
    SuggestArgsSchema,
)

FORM = "application/x-www-form-urlencoded"

blp = Blueprint(
    "reconcile",
    __name__,
    url_prefix="/api/v1/reconcile",
    description="The W3C Reconciliation Service API (v0.2): reconcile a column of "
    "organization names in OpenRefine against the directory. Public, read-only, open "
    "to any origin.",
)

SERVICE = "https://partners.example.org/api/v1/reconcile"
MANIFEST_EXAMPLE = service.manifest(base_url="https://partners.example.org/")
CANDIDATE_EXAMPLE = {
    "id": "uk-aisi",
    "name": "AI Security Institute",
    "description": "AI safety institute · United Kingdom",
    "type": [{"id": "organization", "name": "Organization"}],
    "score": 100.0,
    "match": True,
    "features": [
        {"id": "name_similarity", "value": 1.0},
        {"id": "name_exact", "value": True},
        {"id": "country_match", "value": True},
    ],
}
RESULTS_EXAMPLE = {"q0": {"result": [CANDIDATE_EXAMPLE]}, "q1": {"result": []}}

TYPE_DOC = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
}
FEATURE_DOC = {
    "type": "object",
    "required": ["id", "value"],
    "properties": {
        "id": {"type": "string"},
        "value": {"oneOf": [{"type": "number"}, {"type": "boolean"}]},
    },
}
CANDIDATE_DOC = {
    "type": "object",
    "required": ["id", "name", "score"],
    "properties": {
        "id": {"type": "string", "description": "The organization's slug."},
        "name": {"type": "string"},
        "description": {"type": "string", "description": "Its sector and country."},
        "type": {"type": "array", "items": TYPE_DOC},
        "score": {"type": "number", "minimum": 0, "maximum": 100},
        "match": {"type": "boolean", "description": "True on at most one: a confident match."},
        "features": {"type": "array", "items": FEATURE_DOC},
    },
}
RESULTS_DOC = {
    "type": "object",
    "description": "The request's keys, each with its candidates, best first.",
    "additionalProperties": {
        "type": "object",
        "required": ["result"],
        "properties": {"result": {"type": "array", "items": CANDIDATE_DOC}},
    },
}
MANIFEST_DOC = {
    "type": "object",
    "required": ["versions", "name", "identifierSpace", "schemaSpace"],
    "properties": {
        "versions": {"type": "array", "items": {"type": "string"}},
        "name": {"type": "string"},
        "identifierSpace": {"type": "string"},
        "schemaSpace": {"type": "string"},
        "documentation": {"type": "string"},
        "defaultTypes": {"type": "array", "items": TYPE_DOC},
        "view": {"type": "object"},
        "preview": {"type": "object"},
        "suggest": {"type": "object"},
        "batchSize": {"type": "integer"},
    },
}


def _suggest_doc(example: list[dict]) -> dict:
    item = {
        "type": "object",
        "required": ["id", "name"],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "notable": {"type": "array", "items": TYPE_DOC},
        },
    }
    schema = {
        "type": "object",
        "required": ["result"],
        "properties": {"result": {"type": "array", "items": item}},
    }
    content = {"application/json": {"schema": schema, "example": {"result": example}}}
    return {"responses": {200: {"content": content}}}


def _json(schema: dict, example) -> dict:
    return {"application/json": {"schema": schema, "example": example}}


class _Public(MethodView):
    """A reconciliation view: answers any origin (see security.py)."""

    any_origin = True


@blp.route("")
class ReconcileViews(_Public):
    """The service: its manifest, and candidates for batches of names."""

    open_methods = ("POST",)  # computes only: no key needed
    accepted_types = (FORM,)  # OpenRefine posts the batch as a form field

    @blp.arguments(ReconcileArgsSchema, location="query")
    @blp.response(200)
    @blp.doc(
        operationId="reconcileGet",
        responses={
            200: {
                "description": "The manifest without `queries`; the result batch with it.",
                "content": _json({"oneOf": [MANIFEST_DOC, RESULTS_DOC]}, MANIFEST_EXAMPLE),
            }
        },
    )
    def get(self, args):
        """Reconciliation service manifest, or answers to queries

        Without `queries`: the service manifest (Reconciliation Service API v0.2) that
        OpenRefine reads when the service is added, with absolute URLs on this server.
        With `queries` (a batch as JSON, e.g. `{"q0": {"query": "Masakhane"}}`): the
        answers, as `POST` gives them. A `callback` parameter is ignored (no JSONP).
        """
        if args.get("queries") is None:
            return service.manifest(base_url=request.url_root)
        queries = service.parse_batch(args["queries"])
        return service.reconcile(get_session(), queries=queries)

    @blp.response(200)
    @blp.doc(
        operationId="reconcile",
        requestBody={
            "required": True,
            "content": {
                FORM: {"schema": ReconcileFormSchema},
                "application/json": {"schema": ReconcileBodySchema},
            },
        },
        responses={200: {"content": _json(RESULTS_DOC, RESULTS_EXAMPLE)}},
    )
    @blp.errors(413, 422)  # its body is read by hand, not declared to flask-smorest
    def post(self):
        """Reconcile a batch of names

        What OpenRefine sends: the form field `queries` holding a batch as JSON, an
        object of queries by key (`query`, `type`, `limit`, `properties` with `country`
        or `sector`); or a JSON body `{"queries": {…}}`. Each key answers with its
        candidates: the organization's slug as `id`, `score` from 0 to 100, and `match`
        true on at most one, when the resolver is confident and no property speaks
        against it. A type other than `organization` has no candidates. Up to 1,000
        queries; writes nothing; no key needed.
        """
        return service.reconcile(get_session(), queries=service.parse_batch(_posted_queries()))


def _posted_queries():
    """The batch a POST carries: a form field, or `queries` in a JSON object."""
    if request.mimetype == FORM:
        return request.form.get("queries")
    body = request.get_json(silent=True)
    if body is None and request.get_data():
        raise BadRequest("The request body is not valid JSON.")
    if not isinstance(body, dict):
        return None
    for unknown in sorted(set(body) - {"queries"})[:1]:
        raise Unprocessable.field(unknown, "Unknown field.")
    return body.get("queries")


@blp.route("/suggest/entity")
class SuggestEntityViews(_Public):
    """Organizations as a name is typed."""

    @blp.arguments(SuggestArgsSchema, location="query")
    @blp.response(200)
    @blp.doc(
        operationId="reconcileSuggestEntity",
        **_suggest_doc([{k: CANDIDATE_EXAMPLE[k] for k in ("id", "name", "description")}]),
    )
    def get(self, args):
        """Suggest organizations

        Organizations whose name, or a word of it, or slug begins with `prefix` (case,
        accents and punctuation aside), ten at a time from `cursor`.
        """
        return service.suggest_entities(get_session(), **args)


@blp.route("/suggest/type")
class SuggestTypeViews(_Public):
    """The types there are."""

    @blp.arguments(SuggestArgsSchema, location="query")
    @blp.response(200)
    @blp.doc(
        operationId="reconcileSuggestType",
        **_suggest_doc([{"id": "organization", "name": "Organization"}]),
    )
    def get(self, args):
        """Suggest types

        The one type, `organization`, when `prefix` begins its id or name.
        """
        return service.suggest_types(**args)


@blp.route("/suggest/property")
class SuggestPropertyViews(_Public):
    """The properties a query may name."""

    @blp.arguments(SuggestArgsSchema, location="query")
    @blp.response(200)
    @blp.doc(operationId="reconcileSuggestProperty", **_suggest_doc(service.PROPERTIES))
    def get(self, args):
        """Suggest properties

        `country` and `sector`, the properties a query may constrain, when `prefix`
        begins their id or name.
        """
        return service.suggest_properties(**args)


@blp.route("/preview")
class PreviewViews(_Public):
    """An organization's card, for OpenRefine's preview frame."""

    frameable = True  # OpenRefine shows it in an iframe: see security.py

    @blp.arguments(PreviewArgsSchema, location="query")
    @blp.response(200)
    @blp.doc(
        operationId="reconcilePreview",
        responses={
            200: {
                "description": "A self-contained HTML card, 400 by 120 pixels.",
                "content": {
                    "text/html": {
                        "schema": {"type": "string"},
                        "example": '<!doctype html>\n<html lang="en">…'
                        "<h1>AI Security Institute</h1>…</html>",
                    }
                },
            }
        },
    )
    @blp.errors(404)
    def get(self, args):
        """Preview an organization

        A small HTML card (name, sector, country, city, the start of its description,
        a link to its record) with no script and nothing fetched; it may be framed by
        any site, unlike every other answer of this API.
        """
        html = service.preview_html(get_session(), ref=args["id"], base_url=request.url_root)
        return Response(html, mimetype="text/html")
