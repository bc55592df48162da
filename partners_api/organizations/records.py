"""Organizations as plain records for reading: one in one query, several in two (rows, lists).

A page of 50 organizations holds about a thousand topic, language and region rows; as ORM
objects they cost more than everything else in a list request. Read-only pages and single
reads take these records instead, which the organization schema dumps exactly as it dumps
models.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Connection,
    Integer,
    bindparam,
    literal,
    null,
    select,
    union_all,
)
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

    An id that names no organization is left out. One organization is read in one
    statement (one round trip), several in two.
    """
    connection = session.connection()
    if len(ids) == 1:
        return _read_one(connection, ids[0])
    found = connection.execute(select(*SHOWN_COLUMNS).where(Organization.id.in_(ids)))
    records = {row.id: _record(row._mapping) for row in found}
    for org_id, name, value in connection.execute(list_items(lambda owner: owner.in_(ids))):
        records[org_id][name].append(value)
    return [_sorted_topics(records[i]) for i in ids if i in records]


def _read_one(connection: Connection, org_id: int) -> list[dict[str, Any]]:
    """[the organization with this id] (empty when none), its row and its lists read in
    one query: its row with no list name, then a row per list item, only those two set."""
    record, lists = None, []
    for row in connection.execute(_one_query(), {"org_id": org_id}):
        if row.list is None:
            record = _record({c.name: row._mapping[c.name] for c in SHOWN_COLUMNS})
        else:
            lists.append((row.list, row.value))
    if record is None:
        return []
    for name, value in lists:
        record[name].append(value)
    return [_sorted_topics(record)]


@functools.cache
def _one_query() -> CompoundSelect:
    """The query of _read_one, made once: the organization's id is its parameter `org_id`."""
    org_id = bindparam("org_id", type_=Integer)
    items = list_items(lambda owner: owner == org_id).order_by(None).subquery()
    blank = [null().label(column.name) for column in SHOWN_COLUMNS]
    query = union_all(
        select(*SHOWN_COLUMNS, null().label("list"), null().label("value")).where(
            Organization.id == org_id
        ),
        select(*blank, items.c.list, items.c.value),
    )
    return query.order_by(query.selected_columns.value)


def _record(row: Mapping[str, Any]) -> dict[str, Any]:
    """An organization's record from its row: its lists still empty."""
    return {**row, **{name: [] for name in LISTS}}


def _sorted_topics(record: dict[str, Any]) -> dict[str, Any]:
    """The record, its topic slugs sorted in Python as the models sort them."""
    record["offers"].sort()
    record["seeks"].sort()
    return record


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
        select(table.organization_id, literal(name).label("list"), column.label("value")).where(
            owned(table.organization_id)
        )
        for name, (table, column) in tables.items()
        if name in names
    ]
    if names & {"offers", "seeks"}:
        selects.append(
            select(
                OrganizationTopic.organization_id,
                OrganizationTopic.relation.label("list"),
                Topic.slug.label("value"),
            )
            .join(Topic)
            .where(owned(OrganizationTopic.organization_id))
            .where(OrganizationTopic.relation.in_(names & {"offers", "seeks"}))
        )
    items = union_all(*selects)
    return items.order_by(items.selected_columns.value)
