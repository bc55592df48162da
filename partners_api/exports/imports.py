"""Bulk import of organizations from the export's own CSV columns or a JSON array."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from sqlalchemy import select
from sqlalchemy.orm import Session

from partners_api.api.problems import flatten_messages
from partners_api.db import in_chunks
from partners_api.errors import BadRequest, ProblemError, Unprocessable
from partners_api.exports.formats import unsafe_cell
from partners_api.exports.service import LIST_COLUMNS, LIST_SEPARATOR, organization_columns
from partners_api.identity import duplicates
from partners_api.organizations import service as organizations
from partners_api.organizations.models import STATUSES, Organization
from partners_api.organizations.schemas import OrganizationCreateSchema
from partners_api.regions.models import Region
from partners_api.text import slugify
from partners_api.topics.models import Topic

RESTORED = ("id", "status", "created_at", "updated_at")  # kept when a row is created
IGNORED = ("regions", "successor_id")  # derived: recomputed; merges are not imported
INTEGER_COLUMNS = ("id", "founded_year")
CSV_COLUMNS = {*organization_columns(contacts=True), *IGNORED}


class TooManyRows(ProblemError):
    """More rows than one import may hold."""

    status, code = 413, "too_many_rows"


def read_rows(body: bytes, mimetype: str, *, limit: int) -> list[dict[str, Any]]:
    """Parse a CSV (the export's columns) or a JSON array into raw row dicts."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest("The file is not UTF-8.") from None
    rows = _csv_rows(text) if mimetype == "text/csv" else _json_rows(text)
    if len(rows) > limit:
        raise TooManyRows(f"{len(rows)} rows; one import takes at most {limit}.")
    return rows


def _json_rows(text: str) -> list[dict[str, Any]]:
    try:
        rows = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise BadRequest("The body is not valid JSON.") from None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise Unprocessable.field("_schema", "Send a JSON array of organization objects.")
    return rows


def _csv_rows(text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    unknown = [name for name in reader.fieldnames or () if name and name not in CSV_COLUMNS]
    if unknown:
        raise Unprocessable.field(
            "_header",
            f"Unknown column(s): {', '.join(unknown)}. Use the export's columns.",
            code="unknown_column",
        )
    return [
        {
            column: _cell(column, value)
            for column, value in row.items()
            if column is not None and value not in (None, "")
        }
        for row in reader
    ]


def _cell(column: str, value: str) -> Any:
    value = unsafe_cell(value)
    if column in LIST_COLUMNS:
        return [item for item in value.split(LIST_SEPARATOR) if item]
    if column == "external_ids":
        return dict(pair.split("=", 1) for pair in value.split(LIST_SEPARATOR) if "=" in pair)
    if column == "names":
        return _json_or_text(value)
    if column == "open_to_dialogue":
        return {"true": True, "false": False}.get(value.lower(), value)
    if column in INTEGER_COLUMNS and value.lstrip("-").isdigit():
        return int(value)
    return value


def _json_or_text(value: str) -> Any:
    """The JSON a cell holds, or the cell itself when it holds none (for the schema to refuse)."""
    try:
        return json.loads(value)
    except ValueError:
        return value


def import_organizations(
    session: Session,
    *,
    rows: list[dict[str, Any]],
    dry_run: bool,
    actor_key_id: int | None,
    allow_duplicate: bool = False,
) -> dict[str, Any]:
    """Check every row; unless dry or in error, create new slugs and update the others.

    A new row that resolves to an organization already there is an error, unless
    `allow_duplicate`.
    """
    checked, errors = _check(session, rows)
    existing = _existing(session, [data["slug"] for _, data, _ in checked])
    new = [(number, data) for number, data, _ in checked if data["slug"] not in existing]
    if not allow_duplicate:
        errors = sorted(errors + _duplicates(session, new), key=lambda e: e["row"])
    report = {"dry_run": dry_run, "created": 0, "updated": 0, "unchanged": 0, "errors": errors}
    if errors:
        return report
    creates = [
        {**data, **restored} for _, data, restored in checked if data["slug"] not in existing
    ]
    report["created"] = len(creates)
    transaction = session.begin_nested() if dry_run else None
    organizations.bulk_create(session, records=creates, actor_key_id=actor_key_id)
    for _, data, _ in checked:
        current = existing.get(data["slug"])
        if current is not None:
            changed = organizations.update_organization(
                session, organization=current, data=data, actor_key_id=actor_key_id, commit=False
            )
            report["updated" if changed else "unchanged"] += 1
    if transaction is not None:
        transaction.rollback()
    else:
        session.commit()
    return report


def _existing(session: Session, slugs: list[str]) -> dict[str, Organization]:
    found = {}
    for chunk in in_chunks(slugs, 5_000):
        found |= {
            o.slug: o
            for o in session.scalars(
                select(Organization)
                .where(Organization.slug.in_(chunk))
                .options(*organizations.LOAD_OPTIONS)
            )
        }
    return found


def _check(session: Session, rows: list[dict[str, Any]]):
    """Validate every row; return (data, restored fields) per row and every error."""
    schema = OrganizationCreateSchema()
    topics = set(session.scalars(select(Topic.slug)))
    regions = set(session.scalars(select(Region.code)))
    checked, errors, seen = [], [], {}
    for number, raw in enumerate(rows, start=1):
        row = dict(raw)
        restored = {key: row.pop(key) for key in RESTORED if key in row}
        for key in IGNORED:
            row.pop(key, None)
        problems = []
        try:
            data = schema.load(row)
        except ma.ValidationError as invalid:
            problems += [
                (f, m) for f, msgs in flatten_messages(invalid.messages).items() for m in msgs
            ]
            data = None
        problems += _restored_problems(restored)
        if data is not None:
            data.setdefault("slug", slugify(data["name"]))
            problems += _reference_problems(data, topics, regions)
            if data["slug"] in seen:
                problems.append(("slug", f"Also on row {seen[data['slug']]}."))
            seen[data["slug"]] = number
        errors += [{"row": number, "field": f, "message": m} for f, m in problems]
        if not problems:
            checked.append((number, data, _parsed(restored)))
    return checked, errors


def _duplicates(session: Session, new: list[tuple[int, dict[str, Any]]]) -> list[dict]:
    """An error for each new row that is probably an organization already there."""
    finder = duplicates.DuplicateFinder(session)
    return [
        {"row": number, "field": "name", "message": duplicates.duplicate_message(found)}
        for number, data in new
        if (found := finder.probable_duplicate(data)) is not None
    ]


def _reference_problems(data: Mapping[str, Any], topics: set[str], regions: set[str]):
    problems = []
    for field in ("offers", "seeks"):
        problems += [
            (field, f"Unknown topic '{t}'.") for t in data.get(field, ()) if t not in topics
        ]
    problems += [
        ("operating_regions", f"Unknown region '{r}'.")
        for r in data.get("operating_regions", ())
        if r not in regions
    ]
    both = set(data.get("offers", ())) & set(data.get("seeks", ()))
    if both:
        problems.append(("seeks", f"Both offered and sought: {', '.join(sorted(both))}."))
    return problems


def _restored_problems(restored: Mapping[str, Any]) -> list[tuple[str, str]]:
    problems = []
    if "id" in restored and not (isinstance(restored["id"], int) and restored["id"] > 0):
        problems.append(("id", "Expected a positive whole number."))
    if "status" in restored and restored["status"] not in STATUSES:
        problems.append(("status", f"Expected one of: {', '.join(STATUSES)}."))
    for key in ("created_at", "updated_at"):
        if key in restored and _timestamp(restored[key]) is None:
            problems.append((key, "Expected an ISO 8601 time."))
    return problems


def _parsed(restored: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: _timestamp(value) if key.endswith("_at") else value for key, value in restored.items()
    }


def _timestamp(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
