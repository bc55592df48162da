"""Reference data shipped with the package: M49 regions, groupings and ISO countries."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import pycountry


def read_data_file(name: str) -> Any:
    """Parse a JSON file from partners_api/data."""
    return json.loads(resources.files("partners_api.data").joinpath(name).read_text("utf-8"))


@cache
def m49() -> dict[str, Any]:
    """The M49 hierarchy: {"regions": [...], "countries": {alpha2: lowest region}}."""
    return read_data_file("m49.json")


@cache
def groupings() -> list[dict[str, Any]]:
    """The groupings that cut across M49, each with its member countries."""
    return read_data_file("groupings.json")


def country_name(country: Any) -> str:
    """The short English name of a pycountry country ('Iran', not 'Iran, Islamic Republic of')."""
    return getattr(country, "common_name", None) or country.name


def region_rows() -> list[dict[str, Any]]:
    """Rows for the regions table: M49 regions, parents first, then groupings."""
    rows = [dict(region, description=None) for region in m49()["regions"]]
    rows += [
        {
            "code": g["code"],
            "name": g["name"],
            "kind": "grouping",
            "m49": None,
            "parent": None,
            "description": g["description"],
        }
        for g in groupings()
    ]
    return [
        {
            "code": r["code"],
            "name": r["name"],
            "kind": r["kind"],
            "m49": r["m49"],
            "parent_code": r["parent"],
            "description": r["description"],
        }
        for r in rows
    ]


def country_rows() -> list[dict[str, Any]]:
    """Rows for the countries table: every ISO 3166-1 country and its lowest M49 region."""
    placement = m49()["countries"]
    return [
        {
            "code": c.alpha_2,
            "name": country_name(c),
            "alpha3": c.alpha_3,
            "numeric": c.numeric,
            "region_code": placement[c.alpha_2],
        }
        for c in sorted(pycountry.countries, key=lambda c: c.alpha_2)
    ]


def country_region_rows() -> list[dict[str, str]]:
    """Rows for country_regions: each country's M49 region and ancestors, and its groupings."""
    parents = {r["code"]: r["parent"] for r in m49()["regions"]}
    rows = []
    for country, lowest in m49()["countries"].items():
        region: str | None = lowest
        while region is not None:
            rows.append({"country_code": country, "region_code": region})
            region = parents[region]
    for grouping in groupings():
        rows += [{"country_code": c, "region_code": grouping["code"]} for c in grouping["members"]]
    return rows
