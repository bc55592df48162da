"""Organizations as plain records for list pages, read with one query per table.

A page of 50 organizations holds about a thousand topic, language and region rows; as ORM
objects they cost more than everything else in a list request. Read-only pages take
these records instead, which the organization schema dumps exactly as it dumps models.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from partners_api.organizations.models import (
    Organization,
    OrganizationLanguage,
    OrganizationOperatingRegion,
    OrganizationRegion,
    OrganizationTopic,
)
from partners_api.topics.models import Topic


def read_records(session: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The organizations with these ids, in this order, each as a dict of its fields.

    An id that names no organization is left out.
    """
    connection = session.connection()
    found = connection.execute(select(Organization.__table__).where(Organization.id.in_(ids)))
    records = {row.id: {**row._mapping} for row in found}
    for record in records.values():
        record.update(offers=[], seeks=[], languages=[], operating_regions=[], regions=[])
    for name, table, column in (
        ("languages", OrganizationLanguage, OrganizationLanguage.code),
        ("operating_regions", OrganizationOperatingRegion, OrganizationOperatingRegion.region_code),
        ("regions", OrganizationRegion, OrganizationRegion.region_code),
    ):
        # Ordered as the models' relationships order them, so both forms read the same.
        rows = connection.execute(
            select(table.organization_id, column)
            .where(table.organization_id.in_(ids))
            .order_by(column)
        )
        for org_id, code in rows:
            records[org_id][name].append(code)
    topics: dict[tuple[int, str], list[str]] = defaultdict(list)
    for org_id, relation, slug in connection.execute(
        select(OrganizationTopic.organization_id, OrganizationTopic.relation, Topic.slug)
        .join(Topic)
        .where(OrganizationTopic.organization_id.in_(ids))
    ):
        topics[(org_id, relation)].append(slug)
    for (org_id, relation), slugs in topics.items():
        records[org_id][relation] = sorted(slugs)
    return [records[i] for i in ids if i in records]
