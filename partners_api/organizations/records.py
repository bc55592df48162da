"""Organizations as plain records for reading, in two queries: their rows, then their lists.

A page of 50 organizations holds about a thousand topic, language and region rows; as ORM
objects they cost more than everything else in a list request. Read-only pages and single
reads take these records instead, which the organization schema dumps exactly as it dumps
models.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, literal, select, union_all
from sqlalchemy.orm import Session

from partners_api.organizations.models import (
    Organization,
    OrganizationLanguage,
    OrganizationOperatingRegion,
    OrganizationRegion,
    OrganizationTopic,
)
from partners_api.topics.models import Topic

LISTS = ("offers", "seeks", "languages", "operating_regions", "regions")
# Columns kept for filtering and sorting, never shown: left unread.
UNSHOWN = ("search_text", "sort_name")
SHOWN_COLUMNS = tuple(c for c in Organization.__table__.columns if c.name not in UNSHOWN)


def read_records(session: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The organizations with these ids, in this order, each as a dict of its fields.

    An id that names no organization is left out.
    """
    connection = session.connection()
    found = connection.execute(select(*SHOWN_COLUMNS).where(Organization.id.in_(ids)))
    records = {row.id: {**row._mapping, **{name: [] for name in LISTS}} for row in found}
    for org_id, name, value in connection.execute(list_items(lambda owner: owner.in_(ids))):
        records[org_id][name].append(value)
    for record in records.values():  # the models sort topic slugs in Python too
        record["offers"].sort()
        record["seeks"].sort()
    return [records[i] for i in ids if i in records]


def list_items(
    owned: Callable[[ColumnElement[int]], ColumnElement[bool]], names: Iterable[str] = LISTS
) -> CompoundSelect:
    """(organization id, list name, value) of the named lists, in one query.

    `owned` makes the condition on a list table's organization_id that picks the
    organizations. Values come ordered by the database, as the models' relationships
    order their codes.
    """
    tables = {
        "languages": (OrganizationLanguage, OrganizationLanguage.code),
        "operating_regions": (OrganizationOperatingRegion, OrganizationOperatingRegion.region_code),
        "regions": (OrganizationRegion, OrganizationRegion.region_code),
    }
    names = set(names)
    selects = [
        select(table.organization_id, literal(name), column.label("value")).where(
            owned(table.organization_id)
        )
        for name, (table, column) in tables.items()
        if name in names
    ]
    if names & {"offers", "seeks"}:
        selects.append(
            select(
                OrganizationTopic.organization_id,
                OrganizationTopic.relation,
                Topic.slug.label("value"),
            )
            .join(Topic)
            .where(owned(OrganizationTopic.organization_id))
            .where(OrganizationTopic.relation.in_(names & {"offers", "seeks"}))
        )
    items = union_all(*selects)
    return items.order_by(items.selected_columns.value)
