"""Routes of /organizations/{ref}/matches, /matches and /dialogues/compose.

The compose route joins the dialogues blueprint, so its URL, operation id and tag stay
those it had there; create_app imports this module before it registers that blueprint.
"""

from __future__ import annotations

from flask.views import MethodView

from partners_api.api.bases import Blueprint
from partners_api.db import get_session
from partners_api.dialogues.routes import blp as dialogues
from partners_api.matching import service
from partners_api.matching.schemas import (
    WEIGHT_FIELDS,
    ComposeSchema,
    MatchesSchema,
    MatchProfileSchema,
    MatchQueryArgsSchema,
    RosterSchema,
)
from partners_api.matching.scoring import DEFAULT_WEIGHTS

blp = Blueprint(
    "matching",
    __name__,
    url_prefix="/api/v1",
    description="Whom to talk to: explainable partner matches, from an organization of the "
    "directory or from a profile.",
)


@blp.route("/organizations/<org_ref:ref>/matches")
class OrganizationMatchViews(MethodView):
    """Matches for one organization."""

    redirects_merged = True  # reads of a merged organization answer 308
    known_active = staticmethod(service.indexed)  # an indexed one is active, so not merged
    read_only = True  # on PostgreSQL, its statements run outside a transaction

    @blp.arguments(MatchQueryArgsSchema, location="query")
    @blp.response(200, MatchesSchema)
    @blp.errors(404, 409)
    @blp.doc(operationId="matchOrganization")
    def get(self, args, ref):
        """Find partners for an organization

        Candidates are active, open to dialogue, not the organization itself, (unless
        `include_partners`) not already proposed or active partners, and (unless
        `include_declined`) not of a pair where one side declined the other's proposal
        within the last 12 months; the filters apply before scoring. Each match carries
        its five components (reciprocity, shared focus, bridging, network, track record)
        with value, weight and contribution, the topics behind them, mutual partners who
        could introduce, and reasons in plain words.
        """
        session = get_session()
        organization = service.seeker(session, ref=ref)
        weights = dict(DEFAULT_WEIGHTS)
        weights.update({WEIGHT_FIELDS[k]: args.pop(k) for k in list(args) if k in WEIGHT_FIELDS})
        options = service.MatchOptions(weights=weights, **args)
        return {
            "matches": service.match_organization(
                session, organization=organization, options=options
            )
        }


@blp.route("/matches")
class ProfileMatchViews(MethodView):
    """Matches for a profile."""

    open_methods = ("POST",)  # computes only: no key needed

    @blp.arguments(MatchProfileSchema)
    @blp.response(200, MatchesSchema)
    @blp.doc(operationId="matchProfile")
    def post(self, data):
        """Find partners for a profile

        For a convener or a newcomer not in the directory: what you seek and offer, your
        sector and country (for bridging), filters on the candidates (`topics`,
        `regions`, `sectors`, `languages`), ids to `exclude`, and optional `weights`.
        With `organization_id`, that organization and its declined pairs of the last
        12 months are left out (unless `include_declined`). Writes nothing; no key
        needed. The network component is 0 for a profile.
        """
        options = service.MatchOptions(
            topic=data.get("topics", ()),
            region=data.get("regions", ()),
            sector=data.get("sectors", ()),
            language=data.get("languages", ()),
            exclude=data["exclude"],
            limit=data["limit"],
            weights={**DEFAULT_WEIGHTS, **data.get("weights", {})},
        )
        return {"matches": service.match_profile(get_session(), profile=data, options=options)}


# Roster composition answers under /dialogues/compose, in the dialogues blueprint and tag.
@dialogues.route("/compose")
class ComposeViews(MethodView):
    """Roster composition."""

    open_methods = ("POST",)  # computes only: no key needed

    @dialogues.arguments(ComposeSchema)
    @dialogues.response(200, RosterSchema)
    @dialogues.doc(operationId="composeRoster")
    def post(self, data):
        """Compose a balanced roster

        Picks `size` organizations (active and open to dialogue, unless included) under
        quotas: `sector_min` / `sector_max`, `region_min`, `max_per_country`,
        `min_countries`, `min_newcomers`, `include` and `exclude`, in the `languages`
        given. Feasibility is checked first (422 naming the constraint); then each seat
        goes to the best candidate for the most urgent unmet minimum, by gain in topic
        coverage, new countries and mutual reciprocity, less, with `rotation`, a cost
        for members who took part in held dialogues of the last 24 months; swaps repair
        what is left. Each member shows its `recent_participations`, the report its
        `newcomers`. Beside the roster, `reserves` ranks candidates not chosen (the best
        `reserves`, and the best 3 of each minimum's group), each with the minimums it
        keeps if it takes a declined seat. Writes nothing; POST /dialogues/{id}/invitations
        with this body as `compose` invites the roster and keeps the reserves.
        """
        return service.compose_roster(get_session(), request=data)
