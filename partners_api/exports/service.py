"""Records for exports, read in batches so memory stays flat whatever the directory size."""

from __future__ import annotations

import itertools
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import JSON, Integer, Select, Text, and_, any_, bindparam, cast, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased

from partners_api.db import database, keyset_batches, keyset_rows, plain_batches
from partners_api.dialogues.models import Dialogue, DialogueParticipant
from partners_api.exports import cells, formats, readers
from partners_api.organizations import records
from partners_api.organizations import service as organizations
from partners_api.organizations.models import (
    Organization,
    OrganizationLanguage,
    OrganizationOperatingRegion,
    OrganizationTopic,
)
from partners_api.partnerships.models import Partnership
from partners_api.regions.models import CountryRegion
from partners_api.topics.models import Topic

T = TypeVar("T")

BATCH = 2_000
LIST_SEPARATOR = ";"
CONTINENTS = ("africa", "americas", "asia", "europe", "oceania")

# (column, Frictionless type, description) of the organizations export, in order.
ORGANIZATION_COLUMNS = (
    ("id", "integer", "Identifier in this directory."),
    ("slug", "string", "URL name, unique."),
    ("name", "string", "Name."),
    ("acronym", "string", "Acronym, if any."),
    ("names", "string", "Its names in every language, a JSON array of {value, lang, types}."),
    ("sector", "string", "One of the eight sectors."),
    ("description", "string", "What it does."),
    ("country", "string", "Headquarters, ISO 3166-1 alpha-2."),
    ("city", "string", "Headquarters city."),
    ("operating_regions", "string", "Region codes, ';'-separated."),
    ("languages", "string", "ISO 639-1 codes, ';'-separated."),
    ("website", "string", "Website."),
    ("contact_email", "string", "Contact e-mail (only in exports for admin and read:contacts)."),
    ("founded_year", "integer", "Year founded."),
    ("open_to_dialogue", "boolean", "Open to new dialogue partners."),
    ("offers", "string", "Topic slugs offered, ';'-separated."),
    ("seeks", "string", "Topic slugs sought, ';'-separated."),
    ("external_ids", "string", "Identifiers elsewhere, 'scheme=id' pairs, ';'-separated."),
    ("status", "string", "active, archived or merged."),
    ("successor_id", "integer", "The organization it was merged into, when merged."),
    ("created_at", "datetime", "When it was added (UTC)."),
    ("updated_at", "datetime", "When it last changed (UTC)."),
)
LIST_COLUMNS = ("operating_regions", "languages", "offers", "seeks")
# Export columns of free text, which may start a formula.
FREE_TEXT = {
    name: getattr(Organization, name)
    for name in ("name", "acronym", "description", "city", "contact_email")
}
PARTNERSHIP_COLUMNS = (
    ("id", "integer", "Identifier."),
    ("kind", "string", "dialogue, research, mou, funding, network or advisory."),
    ("status", "string", "proposed, active, declined or ended."),
    ("proposer_id", "integer", "Organization that proposed the link."),
    ("proposer_slug", "string", "Its slug."),
    ("partner_id", "integer", "The other organization."),
    ("partner_slug", "string", "Its slug."),
    ("description", "string", "What the link is about."),
    ("started_on", "date", "When it became active."),
    ("ended_on", "date", "When it ended."),
    ("origin_dialogue_id", "integer", "The held dialogue the link came out of, if any."),
    ("created_at", "datetime", "When it was recorded (UTC)."),
    ("updated_at", "datetime", "When it last changed (UTC)."),
)


def organization_columns(*, contacts: bool) -> list[str]:
    """The export's columns; contact e-mails only for callers who may read them all."""
    return [name for name, _, _ in ORGANIZATION_COLUMNS if contacts or name != "contact_email"]


def count_organizations(session: Session, *, filters: Mapping[str, Any]) -> int:
    """How many organizations the filters select (checks the filters, 422 on bad ones)."""
    clauses = organizations.filter_clauses(session, filters)
    return session.scalar(select(func.count()).select_from(Organization).where(*clauses)) or 0


def organization_records(
    session: Session, *, filters: Mapping[str, Any], contacts: bool
) -> Iterator[dict[str, Any]]:
    """Every selected organization as a record with lists and external ids, by id."""
    clauses = organizations.filter_clauses(session, filters)
    columns = [
        getattr(Organization, c)
        for c in (
            "id",
            "slug",
            "name",
            "acronym",
            "names",
            "sector",
            "description",
            "country_code",
            "city",
            "website",
            "contact_email",
            "founded_year",
            "open_to_dialogue",
            "external_ids",
            "status",
            "successor_id",
            "created_at",
            "updated_at",
        )
    ]
    query = select(*columns).where(*clauses)
    connection = session.connection()
    for rows in keyset_batches(session, query, Organization.id, batch=BATCH):
        lists = _lists_between(connection, rows[0].id, rows[-1].id)
        for row in rows:
            yield _record(row, lists, contacts)


def _lists_between(connection, first: int, last: int) -> dict[str, dict[int, list[str]]]:
    """Topics, languages and operating regions of the organizations with ids in a range."""
    lists: dict[str, dict[int, list[str]]] = {name: defaultdict(list) for name in LIST_COLUMNS}
    items = records.list_items(lambda owner: owner.between(first, last), names=LIST_COLUMNS)
    for org_id, name, value in connection.execute(items):
        lists[name][org_id].append(value)
    return lists


def _record(row, lists, contacts: bool) -> dict[str, Any]:
    record = {
        "id": row.id,
        "slug": row.slug,
        "name": row.name,
        "acronym": row.acronym,
        "names": row.names,
        "sector": row.sector,
        "description": row.description,
        "country": row.country_code,
        "city": row.city,
        "operating_regions": sorted(lists["operating_regions"].get(row.id, [])),
        "languages": sorted(lists["languages"].get(row.id, [])),
        "website": row.website,
        "contact_email": row.contact_email,
        "founded_year": row.founded_year,
        "open_to_dialogue": row.open_to_dialogue,
        "offers": sorted(lists["offers"].get(row.id, [])),
        "seeks": sorted(lists["seeks"].get(row.id, [])),
        "external_ids": dict(sorted((row.external_ids or {}).items())),
        "status": row.status,
        "successor_id": row.successor_id,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }
    if not contacts:
        del record["contact_email"]
    return record


def organization_rows(
    session: Session, *, filters: Mapping[str, Any], contacts: bool
) -> Iterator[Sequence[Any]]:
    """Every selected organization as a finished CSV or spreadsheet row, by id.

    The database renders the cells (see cells.py); rows stream through a server-side
    cursor, so memory stays flat.
    """
    dialect = session.get_bind().dialect.name
    clauses = organizations.filter_clauses(session, filters)
    rendered = _organization_cells(dialect)
    columns = [rendered[name].label(name) for name in organization_columns(contacts=contacts)]
    result = session.connection().execute(
        select(*columns)
        .where(*clauses)
        .order_by(Organization.id)
        .execution_options(yield_per=BATCH)
    )
    for partition in result.partitions():
        yield from partition


def organization_csv_batches(
    session: Session, *, filters: Mapping[str, Any], contacts: bool
) -> Iterator[tuple[int, bytes]]:
    """The selected organizations as finished CSV lines, by id, in batches of BATCH: how
    many, and their lines in UTF-8, each ended with CRLF.

    The database writes each line, cells as organization_rows renders them, quoted as
    csv.writer quotes, and joins a batch's lines; batches are read in turns by
    readers.READERS connections on one snapshot (see readers.py). Memory stays flat.
    """
    dialect = session.get_bind().dialect.name
    with readers.snapshot_sessions(session, database()) as sessions:
        clauses = organizations.filter_clauses(session, filters)
        statements = {
            by_ids: _csv_batch(dialect, by_ids=by_ids, contacts=contacts)
            for by_ids in (False, True)
        }

        def read(reader: Session, part: dict[str, Any]) -> tuple[int, bytes]:
            batch = statements["ids" in part]
            count, lines = reader.connection().execute(batch, _batch_parameters(part)).one()
            return count, bytes(lines or b"")

        parts = _batches(session, clauses)
        for count, lines in readers.in_turns(sessions, read, parts):
            if count:
                yield count, lines


def _csv_batch(dialect: str, *, by_ids: bool, contacts: bool) -> Select:
    """The statement of one batch's count and CSV lines (see cells.csv_lines), the batch
    chosen by its ids or by its id range (see _in_batch).

    On PostgreSQL each list table is read in one pass over the batch and outer-joined to
    it: a subquery per organization (three scans of an index, and a join with the topics
    each) was most of the server's work.
    """
    columns = organization_columns(contacts=contacts)
    where = _in_batch(dialect, Organization.id, by_ids=by_ids)
    if dialect != "postgresql":
        line = cells.csv_line(_csv_fields(dialect, columns), dialect)
        return cells.csv_lines(line, Organization.id, *where, dialect=dialect)
    lists, joined = _batch_lists(by_ids=by_ids)
    line = cells.csv_line(_csv_fields(dialect, columns, lists), dialect)
    return cells.csv_lines(line, Organization.id, *where, dialect=dialect).select_from(joined)


def _batch_lists(*, by_ids: bool) -> tuple[dict[str, Any], Any]:
    """On PostgreSQL, a batch's list cells, each list table grouped by organization over
    the batch: the cells by column, and the organizations outer-joined to the groups.

    In a batch of an id range, a list table is read over the whole range, excluded ids
    too: the join leaves out their lists, and a range scans faster than ids looked up
    one by one."""

    def grouped(table, value, *where, **kinds):
        owner = table.organization_id
        batch = _in_batch("postgresql", owner, by_ids=by_ids, exact=False)
        return cells.grouped_lists(owner, value, *where, *batch, **kinds)

    regions = grouped(OrganizationOperatingRegion, OrganizationOperatingRegion.region_code)
    languages = grouped(OrganizationLanguage, OrganizationLanguage.code)
    topics = grouped(
        OrganizationTopic,
        Topic.slug,
        Topic.id == OrganizationTopic.topic_id,
        kind=OrganizationTopic.relation,
        kinds=("offers", "seeks"),
    )
    joined = Organization.__table__
    for lists in (regions, languages, topics):
        joined = joined.outerjoin(lists, lists.c.owner == Organization.id)
    cells_of_lists = {
        "operating_regions": regions.c.list,
        "languages": languages.c.list,
        "offers": cells.side_by_side(topics.c.offers, topics.c.seeks),
    }
    return cells_of_lists, joined


def _in_batch(dialect: str, key: Any, *, by_ids: bool, exact: bool = True) -> list:
    """Conditions that choose one batch's organizations by `key` (their id, or a column
    that refers to it): the batch's `ids`, or ids from `first` up to `after` but the
    `excluded` ones (not selected by the filter, which need not run again); without
    `exact`, the whole range."""
    if by_ids:
        return [_listed(dialect, key, "ids")]
    span = [key >= bindparam("first"), key < bindparam("after")]
    return [*span, ~_listed(dialect, key, "excluded")] if exact else span


def _listed(dialect: str, key: Any, name: str) -> Any:
    """Whether `key` is one of the ids bound as `name`."""
    if dialect == "postgresql":
        return key == any_(bindparam(name, type_=ARRAY(Integer)))
    listed = func.json_each(bindparam(name, type_=JSON)).table_valued("value")
    return key.in_(select(listed.c.value))


def _batches(session: Session, clauses: list) -> list[dict[str, Any]]:
    """The selected organizations cut into batches of at most BATCH, by id: each batch as
    its `first` and `after` ids and the `excluded` ids between them, or as its `ids`;
    none when none is selected.

    Unfiltered, batches BATCH ids wide (ids are unique: none holds more), found without
    reading the rows; filtered, the selected ids read in one pass, BATCH to a batch, held
    as 8-byte integers.
    """
    if not clauses:
        first, last = session.execute(
            select(
                select(func.min(Organization.id)).scalar_subquery(),
                select(func.max(Organization.id)).scalar_subquery(),
            )
        ).one()
        if first is None:
            return []
        bounds = [*range(first, last + 1, BATCH), last + 1]
        return [
            {"first": a, "after": b, "excluded": array("q")} for a, b in itertools.pairwise(bounds)
        ]
    ids = select(Organization.id).where(*clauses).order_by(Organization.id)
    return [
        batch_of(array("q", (row[0] for row in rows)))
        for rows in plain_batches(session.connection(), ids, batch=BATCH)
    ]


def batch_of(ids: array) -> dict[str, Any]:
    """A batch of selected ids (ascending): its id range and the ids in it not selected,
    when those are no more than the selected (a range reads faster), else its ids."""
    first, after = ids[0], ids[-1] + 1
    if after - first > 2 * len(ids):
        return {"ids": ids}
    selected = set(ids)
    excluded = array("q", (n for n in range(first, after) if n not in selected))
    return {"first": first, "after": after, "excluded": excluded}


def _batch_parameters(part: dict[str, Any]) -> dict[str, Any]:
    """A batch's parameters for its statement: held ids as lists."""
    return {name: v.tolist() if isinstance(v, array) else v for name, v in part.items()}


def _csv_fields(
    dialect: str, columns: list[str], lists: Mapping[str, Any] | None = None
) -> list[Any]:
    """SQL expressions of a CSV line's fields, in the columns' order, quoted as csv.writer
    quotes them; offers and seeks, side by side, as one expression (one subquery). `lists`
    gives the list cells instead, offers and seeks side by side under offers."""
    rendered = _organization_cells(dialect, quoted=True)
    rendered.update(
        lists
        or {
            "offers": cells.lists_side_by_side(
                Topic.slug,
                OrganizationTopic.relation,
                ("offers", "seeks"),
                OrganizationTopic.organization_id == Organization.id,
                Topic.id == OrganizationTopic.topic_id,
                outer=Organization,
                dialect=dialect,
            )
        }
    )
    return [rendered[name] for name in columns if name != "seeks"]  # seeks follows offers


def _organization_cells(dialect: str, *, quoted: bool = False) -> dict[str, Any]:
    """Each export column of organizations as a SQL expression of its finished cell.

    `quoted` makes text cells finished CSV fields too, quoted as csv.writer quotes them.
    """

    # Lists hold codes, slugs and id schemes, which start with a letter or digit (checked
    # on every write), so a list cell can never start a formula.
    def joined(value, table, *where):
        owned = table.organization_id == Organization.id
        return cells.joined_sorted(value, owned, *where, outer=Organization, dialect=dialect)

    def field(text, checked=None):
        return cells.csv_field(text, dialect, checked=checked) if quoted else text

    topics = {
        relation: joined(
            Topic.slug,
            OrganizationTopic,
            Topic.id == OrganizationTopic.topic_id,
            OrganizationTopic.relation == relation,
        )
        for relation in ("offers", "seeks")
    }
    return {
        "id": Organization.id,
        "slug": Organization.slug,
        "sector": Organization.sector,
        "country": Organization.country_code,
        "website": field(Organization.website),
        "status": Organization.status,
        "successor_id": Organization.successor_id,
        # Free text may start a formula; slugs, codes, enums and http(s) URLs (checked on
        # every write) cannot. The quote it gains never needs CSV quoting: check the column.
        **{
            name: field(cells.formula_safe(column, dialect), checked=column)
            for name, column in FREE_TEXT.items()
        },
        # A JSON array starts with '[', never a formula.
        "names": field(cast(Organization.names, Text)),
        "operating_regions": joined(
            OrganizationOperatingRegion.region_code, OrganizationOperatingRegion
        ),
        "languages": joined(OrganizationLanguage.code, OrganizationLanguage),
        "founded_year": Organization.founded_year,
        "open_to_dialogue": cells.boolean_text(Organization.open_to_dialogue),
        **topics,
        "external_ids": cells.pairs_joined(
            Organization.external_ids, outer=Organization, dialect=dialect, finish=field
        ),
        "created_at": cells.iso_utc(Organization.created_at, dialect),
        "updated_at": cells.iso_utc(Organization.updated_at, dialect),
    }


def partnership_records(
    session: Session, *, kind: list[str] | None = None, status: list[str] | None = None
) -> Iterator[dict[str, Any]]:
    """Every link matching the filters, with both sides' slugs, by id."""
    proposer, partner = aliased(Organization), aliased(Organization)
    query = (
        select(
            Partnership.id,
            Partnership.kind,
            Partnership.status,
            Partnership.proposer_id,
            proposer.slug,
            Partnership.partner_id,
            partner.slug,
            Partnership.description,
            Partnership.started_on,
            Partnership.ended_on,
            Partnership.origin_dialogue_id,
            Partnership.created_at,
            Partnership.updated_at,
        )
        .join(proposer, proposer.id == Partnership.proposer_id)
        .join(partner, partner.id == Partnership.partner_id)
    )
    if kind:
        query = query.where(Partnership.kind.in_(kind))
    if status:
        query = query.where(Partnership.status.in_(status))
    names = [name for name, _, _ in PARTNERSHIP_COLUMNS]
    for row in keyset_rows(session, query, Partnership.id, batch=BATCH):
        yield dict(zip(names, row, strict=True))


def network_nodes(session: Session) -> Iterator[dict[str, Any]]:
    """Active organizations with sector, country and continent."""
    continent_of = dict(
        session.execute(
            select(CountryRegion.country_code, CountryRegion.region_code).where(
                CountryRegion.region_code.in_(CONTINENTS)
            )
        ).all()
    )
    query = select(
        Organization.id,
        Organization.slug,
        Organization.name,
        Organization.sector,
        Organization.country_code,
    ).where(Organization.status == "active")
    for org_id, slug, name, sector, country in keyset_rows(
        session, query, Organization.id, batch=BATCH
    ):
        yield {
            "id": org_id,
            "slug": slug,
            "name": name,
            "sector": sector,
            "country": country,
            "continent": continent_of.get(country),
        }


def network_edges(session: Session) -> Iterator[dict[str, Any]]:
    """Ties between active organizations: each active link weighs 1, each shared held
    dialogue 0.5; one edge per pair, its kinds listed."""
    met = _dialogue_pairs(session)
    low, high = aliased(Organization), aliased(Organization)
    links = session.execute(
        select(
            Partnership.low_id,
            Partnership.high_id,
            func.count(),
            func.aggregate_strings(Partnership.kind, LIST_SEPARATOR),
        )
        .join(low, and_(low.id == Partnership.low_id, low.status == "active"))
        .join(high, and_(high.id == Partnership.high_id, high.status == "active"))
        .where(Partnership.status == "active")
        .group_by(Partnership.low_id, Partnership.high_id)
        .order_by(Partnership.low_id, Partnership.high_id)
        .execution_options(yield_per=BATCH)
    )
    for a, b, count, kinds in links:
        shared = met.pop((a, b), 0)
        names = sorted(set(kinds.split(LIST_SEPARATOR))) + (["dialogue"] if shared else [])
        yield {
            "source": a,
            "target": b,
            "weight": count + 0.5 * shared,
            "kinds": LIST_SEPARATOR.join(names),
        }
    for (a, b), shared in sorted(met.items()):
        yield {"source": a, "target": b, "weight": 0.5 * shared, "kinds": "dialogue"}


def _dialogue_pairs(session: Session) -> dict[tuple[int, int], int]:
    """How many held dialogues each pair of active organizations shared."""
    members: dict[int, list[int]] = defaultdict(list)
    rows = session.execute(
        select(DialogueParticipant.dialogue_id, DialogueParticipant.organization_id)
        .join(
            Dialogue,
            and_(Dialogue.id == DialogueParticipant.dialogue_id, Dialogue.status == "held"),
        )
        .join(
            Organization,
            and_(
                Organization.id == DialogueParticipant.organization_id,
                Organization.status == "active",
            ),
        )
    )
    for dialogue_id, org_id in rows:
        members[dialogue_id].append(org_id)
    pairs: dict[tuple[int, int], int] = defaultdict(int)
    for group in members.values():
        for a in group:
            for b in group:
                if a < b:
                    pairs[(a, b)] += 1
    return pairs


def organization_file(
    session: Session,
    export_format: str,
    *,
    filters: dict,
    contacts: bool,
    progress: Callable[[int], Any] = lambda rows: None,
) -> Iterator[bytes]:
    """The organizations export in a format, as chunks of bytes; `progress` is told how
    many more rows were written, row by row or batch by batch."""
    if export_format == "csv":
        batches = organization_csv_batches(session, filters=filters, contacts=contacts)
        return formats.csv_batch_chunks(
            organization_columns(contacts=contacts), _reported(batches, progress)
        )
    if export_format == "xlsx":
        rows = organization_rows(session, filters=filters, contacts=contacts)
        return formats.xlsx_chunks(
            organization_columns(contacts=contacts), _reported(((1, r) for r in rows), progress)
        )
    records = organization_records(session, filters=filters, contacts=contacts)
    chunks = formats.json_chunks if export_format == "json" else formats.ndjson_chunks
    return chunks(_reported(((1, r) for r in records), progress))


def _reported(counted: Iterable[tuple[int, T]], progress: Callable[[int], Any]) -> Iterator[T]:
    """Each item of (how many rows, item) pairs, after telling `progress` the rows."""
    for rows, item in counted:
        progress(rows)
        yield item


def partnership_file(session: Session, export_format: str, **filters: Any) -> Iterator[bytes]:
    """The partnerships export in a format, as chunks of bytes."""
    records = partnership_records(session, **filters)
    if export_format == "json":
        return formats.json_chunks(records)
    if export_format == "ndjson":
        return formats.ndjson_chunks(records)
    columns = [name for name, _, _ in PARTNERSHIP_COLUMNS]
    return formats.csv_chunks(columns, (list(record.values()) for record in records))
