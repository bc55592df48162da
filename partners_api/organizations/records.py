"""Organizations as plain records for reading, in two queries: their rows, then their lists.

A page of 50 organizations holds about a thousand topic, language and region rows; as ORM
objects they cost more than everything else in a list request. Read-only pages and single
reads take these records instead, which the organization schema dumps exactly as it dumps
models.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import CompoundSelect, literal, select, union_all
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


def read_records(session: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The organizations with these ids, in this order, each as a dict of its fields.

    An id that names no organization is left out.
    """
    connection = session.connection()
    found = connection.execute(select(Organization.__table__).where(Organization.id.in_(ids)))
    records = {row.id: {**row._mapping, **{name: [] for name in LISTS}} for row in found}
    for org_id, name, value in connection.execute(_lists_of(ids)):
        records[org_id][name].append(value)
    for record in records.values():  # the models sort topic slugs in Python too
        record["offers"].sort()
        record["seeks"].sort()
    return [records[i] for i in ids if i in records]


def _lists_of(ids: Sequence[int]) -> CompoundSelect:
    """(organization id, list name, value) of every list item, in one round trip.

    Codes come ordered by the database, as the models' relationships order them.
    """
    codes = [
        select(table.organization_id, literal(name), column.label("value")).where(
            table.organization_id.in_(ids)
        )
        for name, table, column in (
            ("languages", OrganizationLanguage, OrganizationLanguage.code),
            (
                "operating_regions",
                OrganizationOperatingRegion,
                OrganizationOperatingRegion.region_code,
            ),
            ("regions", OrganizationRegion, OrganizationRegion.region_code),
        )
    ]
    topics = (
        select(
            OrganizationTopic.organization_id, OrganizationTopic.relation, Topic.slug.label("value")
        )
        .join(Topic)
        .where(OrganizationTopic.organization_id.in_(ids))
    )
    lists = union_all(*codes, topics)
    return lists.order_by(lists.selected_columns.value)
