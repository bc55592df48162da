"""The W3C Reconciliation Service API (v0.2) over the name resolver: what OpenRefine asks.

A batch of queries (a name, a type, a limit, `country` and `sector` properties) is answered
with candidates scored from 0 to 100, `match` true on at most one: the candidate the resolver
chooses, when no property speaks against it. Entity ids are organization slugs, which are
URL-safe and open `/api/v1/organizations/{slug}`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

import marshmallow as ma
import pycountry
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from partners_api.errors import Unprocessable
from partners_api.fields import storable_text
from partners_api.identity import index as name_index
from partners_api.identity.reconcile_schemas import (
    BATCH_SIZE,
    DEFAULT_LIMIT,
    MAX_ID,
    MAX_LIMIT,
    MAX_QUERIES,
    ORGANIZATION_TYPE,
    SUGGEST_PAGE,
    ReconciliationQuerySchema,
)
from partners_api.identity.resolver import COUNTRY_ALIASES, Candidate, normalize
from partners_api.organizations import service as organizations
from partners_api.organizations.models import SECTORS, Organization
from partners_api.regions import reference

SECTOR_NAMES = {
    "civil_society": "Civil society",
    "academia": "Academia",
    "government": "Government",
    "ai_safety_institute": "AI safety institute",
    "industry": "Industry",
    "intergovernmental": "Intergovernmental",
    "philanthropy": "Philanthropy",
    "media": "Media",
}
SECTOR_PENALTY = 0.7  # a candidate of another sector than asked ranks lower, never matches
PROPERTIES = [
    {
        "id": "country",
        "name": "Country",
        "description": "ISO 3166-1 alpha-2 code (e.g. GB) or English country name",
    },
    {"id": "sector", "name": "Sector", "description": ", ".join(SECTORS)},
]
PREVIEW_SIZE = (400, 120)
_query_schema = ReconciliationQuerySchema()


def manifest(*, base_url: str) -> dict[str, Any]:
    """The service manifest, its URLs absolute on `base_url` (this server's root URL)."""
    api = f"{base_url.rstrip('/')}/api/v1"
    service = f"{api}/reconcile"
    width, height = PREVIEW_SIZE
    return {
        "versions": ["0.2"],
        "name": "Partners API: organizations in global AI cooperation",
        "identifierSpace": f"{api}/organizations/",
        "schemaSpace": f"{service}/suggest/type",
        "documentation": f"{base_url.rstrip('/')}/docs",
        "defaultTypes": [ORGANIZATION_TYPE],
        "view": {"url": f"{api}/organizations/{{{{id}}}}"},
        "preview": {"url": f"{service}/preview?id={{{{id}}}}", "width": width, "height": height},
        "suggest": {
            kind: {"service_url": service, "service_path": f"/suggest/{kind}"}
            for kind in ("entity", "type", "property")
        },
        "batchSize": BATCH_SIZE,
    }


def parse_batch(raw: Any) -> dict[str, dict[str, Any]]:
    """A query batch (JSON text or an object) as checked queries by key; else a 422 naming it."""
    if raw is None:
        raise Unprocessable.field("queries", "Missing data for required field.")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise Unprocessable.field("queries", "The query batch is not valid JSON.") from None
    if not isinstance(raw, dict):
        raise Unprocessable.field("queries", "The query batch is a JSON object of queries by key.")
    if len(raw) > MAX_QUERIES:
        raise Unprocessable.field("queries", f"At most {MAX_QUERIES:,} queries in a batch.")
    errors: dict[str, list[str]] = {}
    queries = {}
    for key, query in raw.items():
        try:
            _check_key(key)
            if not isinstance(query, dict):
                raise ma.ValidationError("A query is a JSON object with at least `query`.")
            queries[key] = _query_schema.load(query)
        except ma.ValidationError as error:
            errors.update(_messages(f"queries.{key}", error.messages))
    if errors:
        raise Unprocessable("The query batch has invalid queries; see errors.", errors=errors)
    return queries


def _check_key(key: str) -> None:
    if not 0 < len(key) <= MAX_ID:
        raise ma.ValidationError(f"A query's key has 1 to {MAX_ID} characters.")
    storable_text(key)


def _messages(prefix: str, messages: Any) -> dict[str, list[str]]:
    """Marshmallow's messages by field, each under `prefix` ("queries.q0.query")."""
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix: messages}
    if isinstance(messages, str):
        return {prefix: [messages]}
    found: dict[str, list[str]] = {}
    items = messages.items() if isinstance(messages, Mapping) else enumerate(messages)
    for key, value in items:
        found.update(_messages(f"{prefix}.{key}", value))
    return found


def reconcile(session: Session, *, queries: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The result batch: for each key of the query batch, its candidates, best first."""
    names = name_index.current(session)
    slugs = _slugs(session, names, {query["query"].lower() for query in queries.values()})
    return {key: {"result": _candidates(names, slugs, query)} for key, query in queries.items()}


def _slugs(session: Session, names: name_index.VersionedNames, wanted: set[str]) -> dict[str, int]:
    """The indexed organizations whose slug is one of these strings, by slug: one query by
    the slugs' unique index, not a pass over every summary."""
    found = session.execute(
        select(Organization.slug, Organization.id).where(Organization.slug.in_(sorted(wanted)))
    )
    return {slug: org_id for slug, org_id in found if org_id in names.summaries}


def _candidates(names, slugs: Mapping[str, int], query: Mapping[str, Any]) -> list[dict]:
    """One query's candidates in the v0.2 shape, at most `limit`, `match` on at most one."""
    if "type" in query and ORGANIZATION_TYPE["id"] not in query["type"]:
        return []
    limit = min(query.get("limit", DEFAULT_LIMIT), MAX_LIMIT)
    countries, sectors = _constraints(query.get("properties", ()))
    found = _resolved(names.index, query["query"], countries, limit=limit + 10)
    by_slug = slugs.get(query["query"].lower())
    if by_slug is not None and (not countries or names.summaries[by_slug]["country"] in countries):
        exact = Candidate(by_slug, 1.0, "exact", True, names.summaries[by_slug]["name"])
        found = [exact, *(replace(c, chosen=False) for c in found if c.organization_id != by_slug)]
    scored = []
    for candidate in found:
        summary = names.summaries[candidate.organization_id]
        sector_ok = not sectors or summary["sector"] in sectors
        score = candidate.score if sector_ok else candidate.score * SECTOR_PENALTY
        scored.append((score, candidate.chosen and sector_ok, summary, candidate, sector_ok))
    scored.sort(key=lambda item: (-item[0], item[2]["id"]))
    return [
        _result(score, chosen and position == 0, summary, candidate, countries, sectors, sector_ok)
        for position, (score, chosen, summary, candidate, sector_ok) in enumerate(scored[:limit])
    ]


def _resolved(index, text: str, countries: set[str], *, limit: int) -> list[Candidate]:
    """The resolver's candidates, in the countries asked for when some are (chosen if one)."""
    if not countries:
        return index.resolve(text, limit=limit)
    found = [
        c for code in sorted(countries) for c in index.resolve(text, country=code, limit=limit)
    ]
    if len(countries) > 1:
        found = [replace(c, chosen=False) for c in found]
    return sorted(found, key=lambda c: (-c.score, c.organization_id))[:limit]


def _result(score, match, summary, candidate, countries, sectors, sector_ok) -> dict[str, Any]:
    """A candidate as v0.2 shows it, with the features its score came from."""
    features = [
        {"id": "name_similarity", "value": candidate.score},
        {"id": "name_exact", "value": candidate.matching_type == "exact"},
    ]
    if countries:
        features.append({"id": "country_match", "value": True})
    if sectors:
        features.append({"id": "sector_match", "value": sector_ok})
    return {
        "id": summary["slug"],
        "name": summary["name"],
        "description": describe(summary),
        "type": [ORGANIZATION_TYPE],
        "score": round(score * 100, 1),
        "match": match,
        "features": features,
    }


def describe(summary: Mapping[str, Any]) -> str:
    """'AI safety institute · United Kingdom': an organization's sector and country."""
    parts = [
        SECTOR_NAMES.get(summary["sector"], summary["sector"]),
        country_name(summary["country"]),
    ]
    if summary.get("status") not in (None, "active"):
        parts.append(summary["status"])
    return " · ".join(p for p in parts if p)


def country_name(code: str | None) -> str:
    """A country's common English name from its alpha-2 code."""
    country = pycountry.countries.get(alpha_2=code) if code else None
    return reference.country_name(country) if country else code or ""


def _constraints(properties: Iterable[Mapping[str, Any]]) -> tuple[set[str], set[str]]:
    """The countries and sectors the query's properties name; values not understood are left out."""
    countries: set[str] = set()
    sectors: set[str] = set()
    for constraint in properties:
        for value in constraint["v"]:
            text = value.get("id") if isinstance(value, dict) else value
            if not isinstance(text, str | int) or isinstance(text, bool):
                continue
            if constraint["pid"] == "country":
                countries |= _country_code(str(text))
            elif constraint["pid"] == "sector" and str(text).strip().lower() in SECTOR_NAMES:
                sectors.add(str(text).strip().lower())
    return countries, sectors


def _country_code(text: str) -> set[str]:
    """The alpha-2 code a code (alpha-2, alpha-3, numeric) or a country name stands for."""
    alias = COUNTRY_ALIASES.get(normalize(text))
    if alias:
        return {alias}
    try:
        return {pycountry.countries.lookup(text.strip()).alpha_2}
    except LookupError:
        return set()


def suggest_entities(session: Session, *, prefix: str, cursor: int) -> dict[str, Any]:
    """Organizations whose name (a word of it) or slug begins with `prefix`, a page at a time:
    first those whose name begins with it or whose slug is it, then the others, each by
    normalized name then id (see suggestions.py)."""
    names = name_index.current(session)
    rows = names.suggestions.rows(prefix, cursor + SUGGEST_PAGE)[cursor:]
    page = [names.summaries[org_id] for org_id in names.index.ids[rows].tolist()]
    return {
        "result": [
            {
                "id": summary["slug"],
                "name": summary["name"],
                "description": describe(summary),
                "notable": [ORGANIZATION_TYPE],
            }
            for summary in page
        ]
    }


def suggest_types(*, prefix: str, cursor: int) -> dict[str, Any]:
    """The one type, `organization`, when `prefix` begins its id or name."""
    return {"result": _by_prefix([ORGANIZATION_TYPE], prefix)[cursor : cursor + SUGGEST_PAGE]}


def suggest_properties(*, prefix: str, cursor: int) -> dict[str, Any]:
    """The properties a query may constrain (`country`, `sector`) that `prefix` begins."""
    return {"result": _by_prefix(PROPERTIES, prefix)[cursor : cursor + SUGGEST_PAGE]}


def _by_prefix(items: list[dict[str, str]], prefix: str) -> list[dict[str, str]]:
    wanted = normalize(prefix)
    return [
        item
        for item in items
        if normalize(item["id"]).startswith(wanted) or normalize(item["name"]).startswith(wanted)
    ]


def preview_html(session: Session, *, ref: str, base_url: str) -> str:
    """A small self-contained HTML card of an organization (no script, nothing fetched)."""
    record = organizations.read_organization(session, ref=ref)
    summary = {**record, "country": record["country_code"]}
    link = f"{base_url.rstrip('/')}/api/v1/organizations/{record['slug']}"
    description = record.get("description") or ""
    if len(description) > 240:
        description = description[:239].rstrip() + "…"
    width, height = PREVIEW_SIZE
    return (
        "<!doctype html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{escape(record["name"])}</title>'
        '<base target="_blank">'
        "<style>body{margin:0;padding:8px;font:13px/1.35 system-ui,sans-serif;color:#222;"
        f"width:{width - 16}px;height:{height - 16}px;overflow:hidden}}"
        "h1{font-size:15px;margin:0 0 2px}p{margin:2px 0}.m{color:#555}</style></head>"
        f'<body><h1><a href="{escape(link)}" rel="noopener noreferrer">'
        f"{escape(record['name'])}</a></h1>"
        f'<p class="m">{escape(describe(summary))}'
        f"{escape(' · ' + record['city']) if record.get('city') else ''}</p>"
        f"<p>{escape(description)}</p></body></html>\n"
    )
