"""Routes of /organizations."""

from __future__ import annotations

import functools

from flask import Response, request, url_for
from flask.views import MethodView
from werkzeug.routing import BaseConverter

from partners_api.api.bases import Blueprint
from partners_api.api.links import etag_links, link
from partners_api.api.pagination import page_of
from partners_api.api.views import current_view_class
from partners_api.changes.schemas import ChangeEventSchema
from partners_api.db import get_session
from partners_api.errors import Conflict
from partners_api.keys import auth
from partners_api.organizations import merges, rendering, service
from partners_api.organizations.schemas import (
    RESERVED_SLUGS,
    FacetsSchema,
    OrganizationCreateArgsSchema,
    OrganizationCreateSchema,
    OrganizationFilterArgsSchema,
    OrganizationPatchSchema,
    OrganizationQueryArgsSchema,
    OrganizationSchema,
)

_RESERVED = "|".join(RESERVED_SLUGS)


class OrganizationRef(BaseConverter):
    """`<org_ref:…>`: an organization's id or slug, never a word its own paths use (facets).

    So `/organizations/facets` is the facets resource alone, and OPTIONS on it lists
    only the methods of that resource.
    """

    regex = rf"(?!(?:{_RESERVED})(?![^/]))[^/]+"


def organization_ref_schema(_converter: OrganizationRef) -> dict:
    """The spec's schema of an `org_ref` path parameter."""
    return {"type": "string", "pattern": rf"^(?!(?:{_RESERVED})$)[^/]+$"}


blp = Blueprint(
    "organizations",
    __name__,
    url_prefix="/api/v1/organizations",
    description="The organizations of the directory: who they are, where they work, "
    "what they offer and seek.",
)


BY_ID = {"ref": "$response.body#/id"}
READ = {
    "GetOrganization": link("getOrganization", "Read it again.", BY_ID),
}
WRITE = etag_links(BY_ID, updateOrganization="Change", archiveOrganization="Archive")
AROUND = {
    "ListOrganizationHistory": link("listOrganizationHistory", "Its changes.", BY_ID),
    "ListOrganizationPartners": link("listOrganizationPartners", "Its links.", BY_ID),
    "GetOrganizationNetwork": link("getOrganizationNetwork", "Its network.", BY_ID),
    "MatchOrganization": link("matchOrganization", "Partners to talk to.", BY_ID),
    "FindIntroductions": link("findIntroductions", "Paths to another organization.", BY_ID),
}


def organization_etag(org_id: int, version: int, *, contacts: bool | None = None) -> dict:
    """The data an ETag is computed from: the version, and whether contacts are shown."""
    if contacts is None:
        contacts = auth.current_principal().can_read_contacts(org_id)
    return {"organization": org_id, "version": version, "contacts": contacts}


@functools.lru_cache(maxsize=4096)
def organization_tag(org_id: int, version: int, contacts: bool) -> str:
    """The ETag of an organization's version as a caller sees it, made once: the tag
    set_etag would make from organization_etag."""
    return blp._generate_etag(organization_etag(org_id, version, contacts=contacts))


def set_organization_etag(organization) -> None:
    """Tag the answer with the organization's version, as the caller sees it."""
    blp.set_etag(organization_etag(organization.id, organization.version))


def check_organization_etag(organization) -> None:
    """Accept If-Match with the tag of either view (with or without contacts) of the version."""
    org_id, version = organization.id, organization.version
    blp.check_etag(
        organization_etag(org_id, version, contacts=True),
        alternatives=[organization_etag(org_id, version, contacts=False)],
    )


def redirect_merged_reads() -> Response | None:
    """Answer a read of a merged organization with 308 to the same path of its successor.

    A request hook of the application, for the views that set `redirects_merged`: the
    organization's own resource and its sub-resources, whichever domain serves them. A view
    whose index tells an active organization by id, with no query, says so in
    `known_active(session, org_id)`.
    """
    ref = (request.view_args or {}).get("ref")
    view = current_view_class()
    if (
        request.method not in ("GET", "HEAD")
        or ref is None
        or not getattr(view, "redirects_merged", False)
    ):
        return None
    session = get_session()
    if service.is_id(ref):
        if getattr(view, "renders_organization", False):
            rendering.rendered(session, [int(ref)])  # the view's read, first: its status is known
        elif (active := getattr(view, "known_active", None)) and active(session, int(ref)):
            return None  # the view's own index holds it active at this version: not merged
    successor = merges.final_successor(session, ref=ref)
    if successor is None:
        return None
    segments = request.path.split("/")  # ["", "api", "v1", "organizations", ref, …]
    segments[4] = str(successor)
    location = "/".join(segments)
    if request.query_string:
        location += "?" + request.query_string.decode("latin-1")
    return Response(status=308, headers={"Location": location})


@blp.route("")
class OrganizationViews(MethodView):
    """The directory of organizations."""

    read_only = True  # its GET only reads: on PostgreSQL, outside a transaction (db.py)

    @blp.arguments(OrganizationQueryArgsSchema, location="query")
    @blp.response(200, OrganizationSchema(many=True))
    @blp.paginate()
    @blp.doc(operationId="listOrganizations")
    def get(self, args, pagination_parameters):
        """List organizations

        Repeat a filter to match any of its values (`sector=academia&sector=media`);
        different filters must all match. `region` includes the regions below it and
        operating regions; `topic`, `offers` and `seeks` include the topics below.
        Archived organizations appear only with `status=archived`.
        """
        sort = args.pop("sort")
        organizations = page_of(
            pagination_parameters,
            service.list_organizations,
            session=get_session(),
            filters=args,
            sort=sort,
        )
        body = rendering.page_body(organizations, auth.current_principal().can_read_contacts)
        return Response(body, mimetype="application/json")

    @blp.etag
    @blp.arguments(OrganizationCreateArgsSchema, location="query")
    @blp.arguments(OrganizationCreateSchema)
    @blp.response(201, OrganizationSchema)
    @blp.errors(403, 409)
    @blp.doc(operationId="createOrganization")
    @blp.links(201, **READ, **WRITE, **AROUND)
    def post(self, args, data):
        """Create an organization

        Admin only. The slug is made from the name when left out. An organization whose
        name (or another of its names) resolves with `chosen` to an active organization
        of the same country is refused with 409 `probable_duplicate` naming it, unless
        `allow_duplicate=true`.
        """
        principal = auth.require_admin()
        organization = service.create_organization(
            get_session(),
            data=data,
            actor_key_id=principal.key_id,
            allow_duplicate=args["allow_duplicate"],
        )
        set_organization_etag(organization)
        location = url_for("organizations.OrganizationByRefViews", ref=organization.id)
        return organization, {"Location": location}


@blp.route("/facets")
class OrganizationFacetViews(MethodView):
    """Counts over the directory."""

    read_only = True  # on PostgreSQL, outside a transaction (db.py)

    @blp.arguments(OrganizationFilterArgsSchema, location="query")
    @blp.response(200, FacetsSchema)
    @blp.doc(operationId="countOrganizationFacets")
    def get(self, args):
        """Count organizations by facet

        Takes the list's filters and counts the matching organizations by sector,
        country, region (M49 and groupings), topic (offered or sought) and language.
        """
        return service.facets(get_session(), filters=args)


@blp.route("/<org_ref:ref>")
@blp.etag
class OrganizationByRefViews(MethodView):
    """One organization, by id or slug."""

    redirects_merged = True  # reads of a merged organization answer 308
    # Its GET reads the whole organization: rendered before the merged check, which then
    # finds the status there instead of asking the database.
    renders_organization = True
    read_only = True  # its GET only reads: on PostgreSQL, outside a transaction (db.py)

    @blp.response(200, OrganizationSchema)
    @blp.errors(404)
    @blp.doc(operationId="getOrganization")
    @blp.links(200, **WRITE)
    def get(self, ref):
        """Get an organization

        By numeric id or by slug; archived organizations are returned too. A merged
        organization answers 308 with the same path of the organization it was merged
        into in `Location` (so do its history, partners, network, introductions and
        matches).
        """
        organization = service.rendered_organization(get_session(), ref=ref)
        contacts = auth.current_principal().can_read_contacts(organization.id)
        blp.set_etag_value(organization_tag(organization.id, organization.version, contacts))
        return Response(organization.body(contacts) + b"\n", mimetype="application/json")

    @blp.arguments(OrganizationPatchSchema)
    @blp.response(200, OrganizationSchema)
    @blp.errors(403, 404, 409)
    @blp.doc(operationId="updateOrganization")
    @blp.links(200, **READ, **WRITE)
    def patch(self, data, ref):
        """Update an organization

        Admin or the organization's own key; send the current ETag in `If-Match`.
        Lists (`offers`, `languages`, …) are replaced as a whole. A merged organization
        cannot be changed: 409 `merged` names the organization it was merged into.
        """
        session = get_session()
        organization = service.get_organization(session, ref=ref)
        principal = auth.require_organization_writer(organization.id)
        merges.refuse_merged(organization)
        if organization.status == "archived" and not principal.is_admin:
            raise Conflict(
                "This organization is archived; only an admin may change it.", code="archived"
            )
        check_organization_etag(organization)
        service.update_organization(
            session, organization=organization, data=data, actor_key_id=principal.key_id
        )
        set_organization_etag(organization)
        return organization

    @blp.response(204)
    @blp.errors(403, 404, 409)
    @blp.doc(operationId="archiveOrganization")
    def delete(self, ref):
        """Archive an organization

        Admin only, with `If-Match`. The organization leaves lists and matches; its
        record and history stay, and it can be found with `status=archived`. A merged
        organization cannot be archived (409 `merged`).
        """
        principal = auth.require_admin()
        session = get_session()
        organization = service.get_organization(session, ref=ref)
        merges.refuse_merged(organization)
        check_organization_etag(organization)
        service.archive_organization(
            session, organization=organization, actor_key_id=principal.key_id
        )


@blp.route("/<org_ref:ref>/history")
class OrganizationHistoryViews(MethodView):
    """The change events of one organization."""

    redirects_merged = True  # reads of a merged organization answer 308

    @blp.response(200, ChangeEventSchema(many=True))
    @blp.paginate()
    @blp.errors(404)
    @blp.doc(operationId="listOrganizationHistory")
    def get(self, ref, pagination_parameters):
        """List an organization's changes

        Newest first: who (key id), what (fields) and when.
        """
        session = get_session()
        organization = service.get_organization(session, ref=ref)
        events = page_of(
            pagination_parameters, service.history, session=session, organization=organization
        )
        return events
