"""Route of POST /organizations/{ref}/merge, on the organizations blueprint."""

from __future__ import annotations

from flask.views import MethodView

from partners_api.db import get_session
from partners_api.identity import merge
from partners_api.identity.merge_schemas import MergeResultSchema, MergeSchema
from partners_api.keys import auth
from partners_api.organizations import service as organizations
from partners_api.organizations.routes import blp, check_organization_etag


@blp.route("/<org_ref:ref>/merge")
class OrganizationMergeViews(MethodView):
    """Merging a duplicate organization into another."""

    @blp.etag
    @blp.arguments(MergeSchema)
    @blp.response(200, MergeResultSchema)
    @blp.errors(403, 404, 409)
    @blp.doc(operationId="mergeOrganization")
    def post(self, data, ref):
        """Merge a duplicate organization into another

        Admin only, with the duplicate's ETag in `If-Match`; `into` is the id or slug of
        the organization that survives. In one transaction: the duplicate's links move to
        the survivor; an open link between the two, and an open link of a kind and partner
        the survivor already has an open link for, are closed (active → ended, proposed →
        declined; the survivor's own is kept) rather than moved. Its places in dialogues
        move; where both took part the survivor keeps the stronger role (host >
        participant > observer). Topics, languages and operating regions join the
        survivor's; its names become the survivor's aliases (acronyms stay acronyms);
        external ids join too, the survivor's value kept on a clash (listed in
        `external_id_conflicts`). The duplicate becomes `merged` with `successor_id`:
        reads of it answer 308 to the survivor, writes 409 `merged`. 409 codes:
        `merge_into_self`, `already_merged`, `merge_cycle` (the survivor was merged into
        the duplicate), `merge_into_inactive` (an archived or merged survivor); an `into`
        that names no organization is 422.
        """
        principal = auth.require_admin()
        session = get_session()
        duplicate = organizations.get_organization(session, ref=ref)
        merge.refuse_already_merged(duplicate)
        check_organization_etag(duplicate)
        survivor = merge.survivor_of(session, into=data["into"])
        return merge.merge(
            session, duplicate=duplicate, survivor=survivor, actor_key_id=principal.key_id
        )
