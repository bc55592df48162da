"""Routes of an organization's network and introductions.

They join the partnerships blueprint, so their URLs, operation ids and tag stay those of
/api/v1/organizations/{ref}/network and /introductions under "partnerships"; create_app
imports this module before it registers that blueprint.
"""

from __future__ import annotations

from flask.views import MethodView

from partners_api.db import get_session
from partners_api.errors import NotFound, Unprocessable
from partners_api.network import service
from partners_api.network.schemas import (
    IntroductionQueryArgsSchema,
    IntroductionsSchema,
    NetworkQueryArgsSchema,
    NetworkSchema,
)
from partners_api.organizations import service as organizations
from partners_api.partnerships.routes import blp


@blp.route("/organizations/<org_ref:ref>/network")
class OrganizationNetworkViews(MethodView):
    """The network around one organization."""

    redirects_merged = True  # reads of a merged organization answer 308
    read_only = True  # on PostgreSQL, outside a transaction (db.py)

    @blp.arguments(NetworkQueryArgsSchema, location="query")
    @blp.response(200, NetworkSchema)
    @blp.errors(404)
    @blp.doc(operationId="getOrganizationNetwork")
    def get(self, args, ref):
        """Get an organization's network

        Organizations within `depth` hops (1 to 3) through active links and held dialogues,
        and the ties among them. At most `max_nodes` nodes; `truncated` says when cut.
        """
        session = get_session()
        organization = organizations.standing(session, ref=ref)
        walk = service.network(
            session, center=organization.id, depth=args["depth"], max_nodes=args["max_nodes"]
        )
        found = organizations.organizations_by_id(session, walk.depth_of)
        return {
            "nodes": [_node(found[i], depth) for i, depth in walk.depth_of.items()],
            "edges": [
                {
                    "source": a,
                    "target": b,
                    "weight": tie.weight,
                    "kinds": sorted(tie.kinds),
                    "dialogues": sorted(tie.dialogues),
                    "origin_dialogues": sorted(tie.origins),
                }
                for a, b, tie in walk.edges
            ],
            "truncated": walk.truncated,
        }


def _node(organization, depth: int) -> dict:
    return {
        "id": organization.id,
        "slug": organization.slug,
        "name": organization.name,
        "sector": organization.sector,
        "country_code": organization.country_code,
        "depth": depth,
    }


@blp.route("/organizations/<org_ref:ref>/introductions")
class OrganizationIntroductionViews(MethodView):
    """Routes from one organization to another."""

    redirects_merged = True  # reads of a merged organization answer 308
    read_only = True  # on PostgreSQL, outside a transaction (db.py)

    @blp.arguments(IntroductionQueryArgsSchema, location="query")
    @blp.response(200, IntroductionsSchema)
    @blp.errors(404)
    @blp.doc(operationId="findIntroductions")
    def get(self, args, ref):
        """Find introductions to an organization

        Paths of two or three hops through active links and held dialogues (at most 5):
        shorter first, then through brokers with fewer ties. `direct` is true when the
        two already have an active link.
        """
        session = get_session()
        source = organizations.standing(session, ref=ref)
        try:
            target = organizations.standing(session, ref=args["to"])
        except NotFound:
            raise Unprocessable.field("to", f"No organization '{args['to']}'.") from None
        if target.id == source.id:
            raise Unprocessable.field("to", "Name another organization than the first.")
        direct, paths = service.introduction_paths(session, source=source.id, target=target.id)
        on_paths = organizations.organizations_by_id(session, {n for p in paths for n in p})
        return {
            "direct": direct,
            "paths": paths,
            "organizations": [on_paths[i] for i in sorted(on_paths)],
        }
