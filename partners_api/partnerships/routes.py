"""Routes of /partnerships and of an organization's partners.

The routes of its network and introductions join this blueprint from partners_api.network.
"""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView

from partners_api.api.bases import Blueprint
from partners_api.api.links import link
from partners_api.api.pagination import page_of
from partners_api.db import get_session
from partners_api.keys import auth
from partners_api.organizations import service as organizations
from partners_api.partnerships import service
from partners_api.partnerships.schemas import (
    PartnerQueryArgsSchema,
    PartnerSchema,
    PartnershipCreateSchema,
    PartnershipQueryArgsSchema,
    PartnershipSchema,
)

blp = Blueprint(
    "partnerships",
    __name__,
    url_prefix="/api/v1",
    description="Partnership links between organizations: proposals, their lifecycle, "
    "the network they form and introductions through it.",
)


BY_ID = {"partnership_id": "$response.body#/id"}
GET = {"GetPartnership": link("getPartnership", "Read it again.", BY_ID)}
DECIDE = {
    "AcceptPartnership": link("acceptPartnership", "The partner accepts it.", BY_ID),
    "DeclinePartnership": link("declinePartnership", "The partner declines it.", BY_ID),
}
END = {"EndPartnership": link("endPartnership", "Either side ends it.", BY_ID)}


def partnership_etag(partnership) -> dict:
    """The data an ETag of a link is computed from."""
    return {"partnership": partnership.id, "version": partnership.version}


@blp.route("/partnerships")
class PartnershipViews(MethodView):
    """The list of links."""

    @blp.arguments(PartnershipQueryArgsSchema, location="query")
    @blp.response(200, PartnershipSchema(many=True))
    @blp.paginate()
    @blp.doc(operationId="listPartnerships")
    def get(self, args, pagination_parameters):
        """List partnerships

        Filter by an organization (either side), kind and status; ordered by id.
        """
        links = page_of(
            pagination_parameters, service.list_partnerships, session=get_session(), **args
        )
        return links

    @blp.etag
    @blp.arguments(PartnershipCreateSchema)
    @blp.response(201, PartnershipSchema)
    @blp.errors(403, 409)
    @blp.doc(operationId="proposePartnership")
    @blp.links(201, **GET, **DECIDE, **END)
    def post(self, data):
        """Propose a partnership

        With the proposer's own key (or admin). The partner accepts or declines it.
        Admin may record an existing link with `"status": "active"`. At most one
        proposed or active link per pair of organizations and kind (409).
        """
        link = service.propose(get_session(), data=data, principal=auth.require_key())
        blp.set_etag(partnership_etag(link))
        return link, {
            "Location": url_for("partnerships.PartnershipByIdViews", partnership_id=link.id)
        }


@blp.route("/partnerships/<int:partnership_id>")
@blp.etag
class PartnershipByIdViews(MethodView):
    """One link."""

    @blp.response(200, PartnershipSchema)
    @blp.errors(404)
    @blp.doc(operationId="getPartnership")
    @blp.links(200, **DECIDE, **END)
    def get(self, partnership_id):
        """Get a partnership

        One link with both sides, its kind, status and dates.
        """
        link = service.get_partnership(get_session(), partnership_id=partnership_id)
        blp.set_etag(partnership_etag(link))
        return link


def _transition(partnership_id: int, action: str):
    session = get_session()
    link = service.get_partnership(session, partnership_id=partnership_id)
    return service.transition(
        session, partnership=link, action=action, principal=auth.require_key()
    )


@blp.route("/partnerships/<int:partnership_id>/accept")
class PartnershipAcceptViews(MethodView):
    """Accepting a proposal."""

    @blp.response(200, PartnershipSchema)
    @blp.errors(403, 404, 409)
    @blp.doc(operationId="acceptPartnership")
    @blp.links(200, **GET, **END)
    def post(self, partnership_id):
        """Accept a proposed partnership

        The partner's key or admin; only from `proposed` (else 409). Sets `started_on`.
        """
        return _transition(partnership_id, "accept")


@blp.route("/partnerships/<int:partnership_id>/decline")
class PartnershipDeclineViews(MethodView):
    """Declining a proposal."""

    @blp.response(200, PartnershipSchema)
    @blp.errors(403, 404, 409)
    @blp.doc(operationId="declinePartnership")
    def post(self, partnership_id):
        """Decline a proposed partnership

        The partner's key or admin; only from `proposed` (else 409).
        """
        return _transition(partnership_id, "decline")


@blp.route("/partnerships/<int:partnership_id>/end")
class PartnershipEndViews(MethodView):
    """Ending an active link."""

    @blp.response(200, PartnershipSchema)
    @blp.errors(403, 404, 409)
    @blp.doc(operationId="endPartnership")
    def post(self, partnership_id):
        """End an active partnership

        Either side's key or admin; only from `active` (else 409). Sets `ended_on`.
        """
        return _transition(partnership_id, "end")


@blp.route("/organizations/<org_ref:ref>/partners")
class OrganizationPartnerViews(MethodView):
    """One organization's links."""

    redirects_merged = True  # reads of a merged organization answer 308

    @blp.arguments(PartnerQueryArgsSchema, location="query")
    @blp.response(200, PartnerSchema(many=True))
    @blp.paginate()
    @blp.errors(404)
    @blp.doc(operationId="listOrganizationPartners")
    def get(self, args, ref, pagination_parameters):
        """List an organization's partners

        Its links of any status (filter with `status`, `kind`), each with the other side.
        """
        session = get_session()
        organization = organizations.get_organization(session, ref=ref)
        links = page_of(
            pagination_parameters,
            service.list_partnerships,
            session=session,
            organization=organization.id,
            **args,
        )
        return [
            {"organization": link.other_side(organization.id), "partnership": link}
            for link in links
        ]
