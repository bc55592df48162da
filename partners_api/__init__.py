"""Partners API: a directory and matchmaking service for global cooperation on AI."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, g, request

from partners_api.api.bases import Api
from partners_api.api.content_types import apply_body_limit, reject_unsupported_body
from partners_api.api.text_checks import refuse_nul_in_path
from partners_api.api.views import current_view_class
from partners_api.changes import service as changes
from partners_api.config import from_environment
from partners_api.console import init_console
from partners_api.db import Database, read_only_request, write_intent
from partners_api.docs import DOCS_SETTINGS, init_docs
from partners_api.idempotency.hooks import init_idempotency
from partners_api.keys import auth
from partners_api.observability import init_observability
from partners_api.organizations.routes import redirect_merged_reads
from partners_api.organizations.schemas import contact_visibility
from partners_api.security import init_security

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

API_SETTINGS = {
    "API_TITLE": "Partners API",
    "API_VERSION": "1.0.0",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "api/v1/openapi.json",
    **DOCS_SETTINGS,
    "API_SPEC_OPTIONS": {
        "info": {
            "description": (
                "The directory of organizations that take part in global cooperation on AI "
                "(civil society, universities, governments and AI safety institutes, companies, "
                "intergovernmental bodies, funders, media): where they work, what they offer "
                "and seek, and whom they should talk to. Reads are public; writes need "
                "`Authorization: Bearer <key>`. Errors are RFC 9457 problem documents."
            ),
            "license": {"name": "MIT", "url": "https://opensource.org/license/mit"},
            "contact": {"name": "Partners API maintainers"},
        },
        "servers": [{"url": "/", "description": "This server"}],
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    },
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application from environment settings, overridden by `config`."""
    app = Flask(__name__)
    app.config.update(API_SETTINGS)
    app.config.update(from_environment())
    app.config.update(config or {})
    app.json.sort_keys = False
    app.json.ensure_ascii = False

    logging.getLogger("partners_api").setLevel(app.config["LOG_LEVEL"].upper())
    init_observability(app)
    Database(
        app.config["DATABASE_URL"], echo=app.config["DATABASE_ECHO"], probe=changes.VERSION_SQL
    ).init_app(app)
    api = Api(app)
    _register_blueprints(app, api)
    init_docs(app)
    init_console(app)
    app.before_request(_before_request)
    app.before_request(redirect_merged_reads)
    init_security(app)
    init_idempotency(app)
    app.teardown_request(_end_request_intents)
    return app


def _register_blueprints(app: Flask, api: Api) -> None:
    # Routes of a layer above join a lower domain's blueprint (the network's join
    # partnerships, roster composition joins dialogues, merging joins organizations):
    # import them before registering.
    import partners_api.dialogues.outcome_routes
    import partners_api.identity.merge_routes
    import partners_api.network.routes  # noqa: F401
    from partners_api.changes.routes import blp as changes
    from partners_api.convening.routes import blp as invitations
    from partners_api.dialogues.routes import blp as dialogues
    from partners_api.exports.routes import blp as exports
    from partners_api.identity.reconcile_routes import blp as reconcile
    from partners_api.identity.routes import blp as identity
    from partners_api.keys.routes import blp as keys
    from partners_api.matching.routes import blp as matching
    from partners_api.ops.routes import blp as ops
    from partners_api.organizations.routes import OrganizationRef, organization_ref_schema
    from partners_api.organizations.routes import blp as organizations
    from partners_api.partnerships.routes import blp as partnerships
    from partners_api.regions.routes import blp as regions
    from partners_api.topics.routes import blp as topics
    from partners_api.webhooks.routes import blp as webhooks

    app.url_map.converters["org_ref"] = OrganizationRef
    api.register_converter(OrganizationRef, organization_ref_schema)

    for blueprint in (
        identity,
        organizations,
        partnerships,
        matching,
        dialogues,
        invitations,
        regions,
        topics,
        changes,
        exports,
        keys,
        ops,
        reconcile,
        webhooks,
    ):
        api.register_blueprint(blueprint)


def _before_request() -> Response | None:
    """Refuse non-JSON bodies, and ask for a key on every write before anything else."""
    writes = request.method in WRITE_METHODS and not _open_to_all()
    g.write_intent_token = write_intent.set(writes)
    g.read_only_token = read_only_request.set(_only_reads())
    apply_body_limit()
    rejected = refuse_nul_in_path() or reject_unsupported_body()
    if rejected is not None:
        return rejected
    principal = auth.current_principal()
    contact_visibility.set(principal.can_read_contacts)
    if writes and request.url_rule is not None:
        auth.require_key()
    return None


def _open_to_all() -> bool:
    """True for a POST that only computes (matches, compose): its view lists it as open."""
    return request.method in getattr(current_view_class(), "open_methods", ())


def _only_reads() -> bool:
    """True for a GET or HEAD whose view says it only reads (`read_only`)."""
    return request.method in ("GET", "HEAD") and getattr(current_view_class(), "read_only", False)


def _end_request_intents(_exc: BaseException | None) -> None:
    token = g.pop("write_intent_token", None)
    if token is not None:
        write_intent.reset(token)
    token = g.pop("read_only_token", None)
    if token is not None:
        read_only_request.reset(token)
