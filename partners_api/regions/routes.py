"""Routes of /regions and /countries."""

from __future__ import annotations

from flask.views import MethodView

from partners_api.api.bases import Blueprint
from partners_api.api.pagination import page_of
from partners_api.db import get_session
from partners_api.regions import service
from partners_api.regions.schemas import (
    CountryQueryArgsSchema,
    CountrySchema,
    RegionQueryArgsSchema,
    RegionSchema,
    RegionSummarySchema,
)

blp = Blueprint(
    "regions",
    __name__,
    url_prefix="/api/v1",
    description="Countries, UN M49 regions and the groupings that cut across them.",
)


@blp.route("/regions")
class RegionViews(MethodView):
    """The list of regions."""

    @blp.arguments(RegionQueryArgsSchema, location="query")
    @blp.response(200, RegionSummarySchema(many=True))
    @blp.paginate()
    @blp.doc(operationId="listRegions")
    def get(self, args, pagination_parameters):
        """List regions

        The UN M49 hierarchy (world, continents, subregions, intermediate regions)
        and the groupings (`eu`, `global-south`, `aisi-network`, …), ordered by code.
        """
        regions = page_of(
            pagination_parameters, service.list_regions, session=get_session(), **args
        )
        return regions


@blp.route("/regions/<code:code>")
@blp.etag
class RegionByCodeViews(MethodView):
    """One region."""

    @blp.response(200, RegionSchema)
    @blp.errors(404)
    @blp.doc(operationId="getRegion")
    def get(self, code):
        """Get a region

        With the codes of the regions directly below it and of every country in it.
        """
        return service.region_detail(get_session(), code=code)


@blp.route("/countries")
class CountryViews(MethodView):
    """The list of countries."""

    @blp.arguments(CountryQueryArgsSchema, location="query")
    @blp.response(200, CountrySchema(many=True))
    @blp.paginate()
    @blp.doc(operationId="listCountries")
    def get(self, args, pagination_parameters):
        """List countries

        Every ISO 3166-1 country, ordered by code, each with the regions it lies in.
        """
        countries = page_of(
            pagination_parameters, service.list_countries, session=get_session(), **args
        )
        return countries


@blp.route("/countries/<code:code>")
@blp.etag
class CountryByCodeViews(MethodView):
    """One country."""

    @blp.response(200, CountrySchema)
    @blp.errors(404)
    @blp.doc(operationId="getCountry")
    def get(self, code):
        """Get a country

        By ISO 3166-1 alpha-2 code, in any case, with every region it lies in.
        """
        return service.get_country(get_session(), code=code)
