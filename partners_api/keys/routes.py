"""Routes of /keys (admin only)."""

from __future__ import annotations

from flask.views import MethodView

from partners_api.api.bases import Blueprint
from partners_api.api.links import link
from partners_api.api.pagination import page_of
from partners_api.db import get_session
from partners_api.keys import auth, service
from partners_api.keys.schemas import ApiKeyCreateSchema, ApiKeySchema, NewApiKeySchema

blp = Blueprint(
    "keys",
    __name__,
    url_prefix="/api/v1/keys",
    description="API keys: issue, list and revoke (admin only).",
)


@blp.route("")
class KeyViews(MethodView):
    """The keys."""

    @blp.response(200, ApiKeySchema(many=True))
    @blp.paginate()
    @blp.errors(403)
    @blp.doc(operationId="listKeys")
    def get(self, pagination_parameters):
        """List keys

        Newest first, revoked ones included; never a secret or its hash.
        """
        auth.require_admin()
        return page_of(pagination_parameters, service.list_keys, session=get_session())

    @blp.arguments(ApiKeyCreateSchema)
    @blp.response(201, NewApiKeySchema)
    @blp.errors(403)
    @blp.doc(operationId="createKey")
    @blp.links(201, RevokeKey=link("revokeKey", "Revoke it.", {"key_id": "$response.body#/id"}))
    def post(self, data):
        """Issue a key

        Scopes: `admin`; `org:write` with `organization_id` (edit that organization, its
        links and its dialogue participation); `read:contacts`; `dialogues:convene`
        (convene dialogues: invite organizations, withdraw and refill invitations, read
        their private outcomes). The secret is in this
        answer only; it is stored as a SHA-256 hash. Several keys per organization may be
        active at once, for rotation.
        """
        principal = auth.require_admin()
        issued = service.create_key(get_session(), **data, actor_key_id=principal.key_id)
        shown = {name: getattr(issued.key, name) for name in ApiKeySchema().fields}
        return {**shown, "secret": issued.secret}


@blp.route("/<int:key_id>")
class KeyByIdViews(MethodView):
    """One key."""

    @blp.response(204)
    @blp.errors(403, 404)
    @blp.doc(operationId="revokeKey")
    def delete(self, key_id):
        """Revoke a key

        Takes effect on the very next request. No `If-Match` needed: revoking is
        idempotent and must never wait for a fresh read.
        """
        principal = auth.require_admin()
        service.revoke_key(get_session(), key_id=key_id, actor_key_id=principal.key_id)
