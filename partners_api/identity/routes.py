"""Routes of /organizations/resolve: free-text names to the directory's organizations."""

from __future__ import annotations

from flask.views import MethodView

from partners_api.api.bases import Blueprint
from partners_api.api.pagination import page_of
from partners_api.db import get_session
from partners_api.identity import duplicates, service
from partners_api.identity.schemas import (
    DuplicatePairSchema,
    ResolutionSchema,
    ResolutionsSchema,
    ResolveArgsSchema,
    ResolveBatchSchema,
)
from partners_api.keys import auth

blp = Blueprint(
    "identity",
    __name__,
    url_prefix="/api/v1",
    description="One record per organization: names, acronyms and other languages resolved "
    "to the directory's organizations.",
)


@blp.route("/organizations/resolve")
class ResolveViews(MethodView):
    """Names to organizations."""

    open_methods = ("POST",)  # computes only: no key needed

    @blp.arguments(ResolveArgsSchema, location="query")
    @blp.response(200, ResolutionSchema)
    @blp.doc(operationId="resolveName")
    def get(self, args):
        """Resolve a name to organizations

        Ranked candidates for a name as people write it: acronyms, words in another
        order or missing ("University of"), accents, case, punctuation, typos, a city or
        country inside it ("Makerere University, Kampala, Uganda"), a name in another
        language or script. Each has a score from 0 to 1 and how it matched; `chosen` is
        true on at most one, when the service is confident (as ROR's affiliation
        matching does). `country` keeps organizations of that country only.
        """
        query = {"name": args["name"], "country": args.get("country")}
        return service.resolve(get_session(), queries=[query], limit=args["limit"])[0]

    @blp.arguments(ResolveBatchSchema)
    @blp.response(200, ResolutionsSchema)
    @blp.doc(operationId="resolveNames")
    def post(self, data):
        """Resolve up to 1,000 names at once

        The candidates of each name, in the order given, as `GET` answers them; each
        name may carry its own `country`. Writes nothing; no key needed.
        """
        return {
            "results": service.resolve(get_session(), queries=data["queries"], limit=data["limit"])
        }


@blp.route("/organizations/duplicates")
class DuplicateViews(MethodView):
    """Probable duplicates across the directory."""

    @blp.response(200, DuplicatePairSchema(many=True))
    @blp.errors(403)
    @blp.paginate()
    @blp.doc(operationId="listDuplicates")
    def get(self, pagination_parameters):
        """List probable duplicate pairs

        Admin only. Pairs of active organizations that share a name in the same country
        (case, accents, punctuation and script aside), an identifier in another registry
        or a website, each shared thing given as evidence; most evidence first. Merge a
        pair with `POST /organizations/{ref}/merge`.
        """
        auth.require_admin()
        return page_of(pagination_parameters, duplicates.duplicate_pairs, session=get_session())
