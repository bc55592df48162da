"""Organizations: filtering, facets, create, update and archive, with change events."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any, NamedTuple

from sqlalchemy import Row, exists, func, select, text
from sqlalchemy.orm import Session, joinedload, selectinload

from partners_api.changes import service as changes
from partners_api.db import assign_changed, forget_on_write, in_chunks, insert_rows, utcnow
from partners_api.errors import Conflict, NotFound, Unprocessable
from partners_api.keys.signals import key_binding
from partners_api.organizations import listing, names, records, rendering, search, selections
from partners_api.organizations.models import (
    ORGANIZATION_MODELS,
    TOPIC_RELATIONS,
    Organization,
    OrganizationLanguage,
    OrganizationOperatingRegion,
    OrganizationRegion,
    OrganizationTopic,
    is_id,
)
from partners_api.organizations.signals import (
    organization_archived,
    organization_creating,
    organization_history,
)
from partners_api.regions import service as regions
from partners_api.text import fold, slugify
from partners_api.topics import service as topics
from partners_api.topics.models import Topic
from partners_api.topics.signals import topic_deleting

BULK_BATCH = 5_000
SCALAR_FIELDS = (
    "slug",
    "name",
    "acronym",
    "sector",
    "description",
    "city",
    "website",
    "contact_email",
    "founded_year",
    "open_to_dialogue",
    "external_ids",
    "country",
)
COLUMNS = {"country": "country_code"}  # fields stored under another name
SORT_COLUMNS = {
    "id": Organization.id,
    "name": Organization.sort_name,
    "created_at": Organization.created_at,
    "updated_at": Organization.updated_at,
}
LOAD_OPTIONS = (
    selectinload(Organization.topic_links),
    selectinload(Organization.language_rows),
    selectinload(Organization.operating_region_rows),
    selectinload(Organization.region_rows),
)
# One organization: its topics, languages and operating regions (a few each) joined to
# its row, about eight rows, and its regions in a second statement: two round trips
# where a statement per collection took five.
ONE_LOAD_OPTIONS = (
    joinedload(Organization.topic_links),
    joinedload(Organization.language_rows),
    joinedload(Organization.operating_region_rows),
    selectinload(Organization.region_rows),
)


# --- reading -----------------------------------------------------------------------------


def filter_clauses(session: Session, filters: Mapping[str, Any]) -> list:
    """Translate list filters into SQL conditions on organizations; unknown codes are 422."""
    clauses: list = []
    if filters.get("q"):
        clauses.append(search.matching(session, filters["q"]))
    if filters.get("sector"):
        clauses.append(Organization.sector.in_(filters["sector"]))
    if filters.get("country"):
        clauses.append(Organization.country_code.in_(filters["country"]))
    if filters.get("status"):
        clauses.append(Organization.status.in_(filters["status"]))
    if filters.get("open_to_dialogue") is not None:
        clauses.append(Organization.open_to_dialogue.is_(filters["open_to_dialogue"]))
    if filters.get("updated_since") is not None:
        clauses.append(Organization.updated_at >= filters["updated_since"])
    if filters.get("region"):
        regions.check_region_codes(session, filters["region"], field="region")
        clauses.append(
            Organization.id.in_(
                select(OrganizationRegion.organization_id).where(
                    OrganizationRegion.region_code.in_(filters["region"])
                )
            )
        )
    if filters.get("language"):
        clauses.append(
            Organization.id.in_(
                select(OrganizationLanguage.organization_id).where(
                    OrganizationLanguage.code.in_(filters["language"])
                )
            )
        )
    for field, relations in (
        ("topic", ("offers", "seeks")),
        ("offers", ("offers",)),
        ("seeks", ("seeks",)),
    ):
        if filters.get(field):
            topic_ids = topics.with_descendants(session, filters[field], field=field)
            clauses.append(
                Organization.id.in_(
                    select(OrganizationTopic.organization_id).where(
                        OrganizationTopic.topic_id.in_(topic_ids),
                        OrganizationTopic.relation.in_(relations),
                    )
                )
            )
    return clauses


def list_organizations(
    session: Session, *, filters: Mapping[str, Any], sort: str = "id", page: int, page_size: int
) -> tuple[list[rendering.Rendered], int]:
    """Return one page of the organizations matching the filters, rendered, and their total.

    The list index picks the page's ids (the selection kept for the next page); the
    organizations' JSON comes from the rendering store, rendered there when missing.
    """
    index = listing.current_index(session)
    chosen = selections.selection(
        session,
        index,
        filters=filters,
        sort=sort,
        select=lambda: listing.in_order(
            index, listing.selected(index, _conditions(session, filters)), sort=sort
        ),
    )
    offset = (page - 1) * page_size
    ids = index.rows.ids[chosen[offset : offset + page_size]].tolist()
    return rendering.rendered(session, ids) if ids else [], len(chosen)


def facets(session: Session, *, filters: Mapping[str, Any]) -> dict[str, Any]:
    """Count the matching organizations by sector, country, region, topic and language."""
    index = listing.current_index(session)
    mask = listing.selected(index, _conditions(session, filters))
    counted = listing.counts(index, mask)
    topic_names = topics.taxonomy(session).names
    counted["topic"] = {
        topic_names[i][0]: n for i, n in counted["topic"].items() if i in topic_names
    }
    reference = regions.reference(session)
    names = {
        "country": reference.countries,
        "region": reference.regions,
        "topic": dict(topic_names.values()),
    }
    return {
        "total": int(mask.sum()),
        **{facet: _facet_values(values, names.get(facet)) for facet, values in counted.items()},
    }


def _facet_values(counts: Mapping[str, int], names: Mapping[str, str] | None) -> list[dict]:
    """A facet's values with their counts (and names), most frequent first, then by value."""
    values = [
        {"value": value, **({"name": names[value]} if names is not None else {}), "count": count}
        for value, count in counts.items()
    ]
    return sorted(values, key=lambda v: (-v["count"], v["value"]))


def _conditions(session: Session, filters: Mapping[str, Any]) -> dict[str, Any]:
    """The list filters as the list index reads them: codes checked, topics expanded to
    their ids and those below, and `q` to its folded words."""
    conditions = {
        name: filters[name]
        for name in ("sector", "country", "status", "language", "region", "updated_since")
        if filters.get(name)
    }
    if filters.get("open_to_dialogue") is not None:
        conditions["open_to_dialogue"] = filters["open_to_dialogue"]
    if filters.get("region"):
        regions.check_region_codes(session, filters["region"], field="region")
    for name in ("topic", "offers", "seeks"):
        if filters.get(name):
            conditions[name] = topics.with_descendants(session, filters[name], field=name)
    if filters.get("q"):
        conditions["words"] = search.words_of(filters["q"])
    return conditions


def get_organization(session: Session, *, ref: str | int) -> Organization:
    """Return an organization by id or slug, archived ones included; else NotFound."""
    query = select(Organization).where(by_ref(ref)).options(*ONE_LOAD_OPTIONS)
    organization = session.scalars(query).unique().one_or_none()
    if organization is None:
        raise NotFound(f"No organization '{ref}'.")
    return organization


class Standing(NamedTuple):
    """An organization's id and status: what a computation about it needs to begin."""

    id: int
    status: str


# Where a session keeps the standings it read, by reference, until it writes or ends its
# transaction: a read's merged check (merges.final_successor) and its view ask once.
STANDINGS = forget_on_write("partners_standings")


def standing(session: Session, *, ref: str | int) -> Standing:
    """Return an organization's id and status by id or slug; else NotFound."""
    found = find_standing(session, ref=ref)
    if found is None:
        raise NotFound(f"No organization '{ref}'.")
    return found


def find_standing(session: Session, *, ref: str | int) -> Standing | None:
    """An organization's id and status by id or slug (None when none), in one query asked
    once per transaction, and again after a write or with changes not yet flushed."""
    key = str(ref)
    known = session.info.get(STANDINGS, {})
    if key in known and not (session.new or session.dirty or session.deleted):
        return known[key]
    found = session.execute(select(Organization.id, Organization.status).where(by_ref(key)))
    row = found.first()
    answer = None if row is None else Standing(*row)
    session.info.setdefault(STANDINGS, {})[key] = answer  # after the query's autoflush
    return answer


def read_organization(session: Session, *, ref: str | int) -> dict[str, Any]:
    """Return an organization by id or slug as a plain record, for reading only; else NotFound.

    Reads as list pages do (records.py), without building ORM objects.
    """
    org_id = _id_of(session, str(ref))
    found = records.read_records(session, [org_id]) if org_id is not None else []
    if not found:
        raise NotFound(f"No organization '{ref}'.")
    return found[0]


def rendered_organization(session: Session, *, ref: str | int) -> rendering.Rendered:
    """Return an organization by id or slug, rendered (archived ones too); else NotFound."""
    org_id = _id_of(session, str(ref))
    found = rendering.rendered(session, [org_id]) if org_id is not None else []
    if not found:
        raise NotFound(f"No organization '{ref}'.")
    return found[0]


def _id_of(session: Session, ref: str) -> int | None:
    """The id a reference names: the number itself, or the id of the slug (None if none)."""
    if is_id(ref):
        return int(ref)
    return session.scalar(select(Organization.id).where(Organization.slug == ref))


def by_ref(ref: str | int):
    """The condition selecting an organization by numeric id or by slug."""
    ref = str(ref)
    return Organization.id == int(ref) if is_id(ref) else Organization.slug == ref


def history(session: Session, *, organization: Organization, page: int, page_size: int):
    """Return one page of an organization's change events, newest first, and their total.

    Events of other entities that concern it (its invitations) come from the layers
    above, through organization_history.
    """
    related = [
        answer
        for _, answer in organization_history.send(organization, session=session)
        if answer is not None
    ]
    return changes.history(
        session,
        entity="organization",
        entity_id=organization.id,
        related=related,
        page=page,
        page_size=page_size,
    )


# --- writing -----------------------------------------------------------------------------


def create_organization(
    session: Session,
    *,
    data: Mapping[str, Any],
    actor_key_id: int | None,
    allow_duplicate: bool = False,
) -> Organization:
    """Create an organization from validated data and record the change.

    Unless `allow_duplicate`, the layers above may refuse it (organization_creating).
    """
    if not allow_duplicate:
        organization_creating.send(data, session=session)
    organization = Organization(status="active", external_ids={}, description="")
    data = dict(data)
    data.setdefault("slug", _free_slug(session, data["name"]))
    _apply(session, organization, data)
    organization.created_at = organization.updated_at
    changes.add_recorded(
        session, organization, entity="organization", fields=data.keys(), actor_key_id=actor_key_id
    )
    session.commit()
    return organization


def update_organization(
    session: Session,
    *,
    organization: Organization,
    data: Mapping[str, Any],
    actor_key_id: int | None,
    commit: bool = True,
) -> list[str]:
    """Apply a partial update and return the changed fields; a concurrent write is a 412."""
    changed = _apply(session, organization, data)
    changes.record_update(
        session,
        entity="organization",
        entity_id=organization.id,
        fields=changed,
        actor_key_id=actor_key_id,
        commit=commit,
    )
    return changed


def bulk_create(
    session: Session,
    *,
    records: list[Mapping[str, Any]],
    actor_key_id: int | None,
) -> list[int]:
    """Insert many validated organizations at once, without committing; return their ids.

    A record may carry `id`, `status`, `created_at` and `updated_at` (a restore from an
    export); an id already taken is replaced by a fresh one.
    """
    if not records:
        return []
    topic_ids = dict(session.execute(select(Topic.slug, Topic.id)).all())
    places = regions.reference(session).placement
    wanted = [r["id"] for r in records if r.get("id")]
    taken: set[int] = set()
    for chunk in in_chunks(wanted, BULK_BATCH):
        taken.update(session.scalars(select(Organization.id).where(Organization.id.in_(chunk))))
    next_id = max([session.scalar(select(func.max(Organization.id))) or 0, *wanted]) + 1
    now = utcnow()
    rows: dict[str, list[dict]] = defaultdict(list)
    ids = []
    for record in records:
        org_id = record.get("id")
        if not org_id or org_id in taken:
            org_id, next_id = next_id, next_id + 1
        taken.add(org_id)
        ids.append(org_id)
        _bulk_rows(rows, org_id, record, topic_ids, places, now)
    with search.indexed_in_bulk(session, ids):
        for model in ORGANIZATION_MODELS:
            insert_rows(session, model, rows[model.__tablename__])
    changes.record_many(
        session, entity="organization", entity_ids=ids, action="created", actor_key_id=actor_key_id
    )
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT setval('organizations_id_seq', (SELECT max(id) FROM organizations))")
        )
    return ids


def _apply_names(
    organization: Organization, data: Mapping[str, Any], before: tuple[str | None, str | None]
) -> list[str]:
    """Set its names: those given, or its old ones with a new name or acronym in place."""
    given = data.get("names")
    if given is None:
        given = organization.names or []
        now = (organization.name, organization.acronym)
        for type_, old, new in zip(("label", "acronym"), before, now, strict=True):
            if old != new:
                given = names.renamed(given, type_=type_, old=old, new=new)
    completed = names.complete(given, name=organization.name, acronym=organization.acronym)
    if completed == (organization.names or []):
        return []
    organization.names = completed
    return ["names"]


def _bulk_rows(rows, org_id: int, record: Mapping[str, Any], topic_ids, places, now) -> None:
    name = record["name"]
    all_names = names.complete(record.get("names", ()), name=name, acronym=record.get("acronym"))
    rows["organizations"].append(
        {
            "id": org_id,
            "slug": record["slug"],
            "name": name,
            "acronym": record.get("acronym"),
            "names": all_names,
            "sector": record["sector"],
            "description": record.get("description", ""),
            "country_code": record["country"],
            "city": record.get("city"),
            "website": record.get("website"),
            "contact_email": record.get("contact_email"),
            "founded_year": record.get("founded_year"),
            "open_to_dialogue": record.get("open_to_dialogue", True),
            "external_ids": record.get("external_ids", {}),
            "status": record.get("status", "active"),
            "sort_name": fold(name)[:300],
            "search_text": names.searchable(all_names, record.get("description")),
            "created_at": record.get("created_at") or now,
            "updated_at": record.get("updated_at") or now,
            "version": 1,
        }
    )
    for relation in TOPIC_RELATIONS:
        rows["organization_topics"] += [
            {"organization_id": org_id, "topic_id": topic_ids[slug], "relation": relation}
            for slug in record.get(relation, ())
        ]
    rows["organization_languages"] += [
        {"organization_id": org_id, "code": code} for code in record.get("languages", ())
    ]
    operating = record.get("operating_regions", ())
    rows["organization_operating_regions"] += [
        {"organization_id": org_id, "region_code": c} for c in operating
    ]
    rows["organization_regions"] += [
        {"organization_id": org_id, "region_code": code}
        for code in sorted(places.of(record["country"], operating))
    ]


def archive_organization(
    session: Session, *, organization: Organization, actor_key_id: int | None
) -> None:
    """Archive an organization: it leaves lists and matches, its links end, its record stays."""
    if organization.status == "archived":
        return
    organization.status = "archived"
    organization.updated_at = utcnow()
    organization_archived.send(organization, session=session, actor_key_id=actor_key_id)
    changes.record(
        session,
        entity="organization",
        entity_id=organization.id,
        action="archived",
        fields=["status"],
        actor_key_id=actor_key_id,
    )
    session.commit()


@topic_deleting.connect
def refuse_topic_in_use(topic: Topic, *, session: Session) -> None:
    """Refuse (409) to delete a topic that organizations offer or seek; receives topic_deleting."""
    if session.scalar(select(exists().where(OrganizationTopic.topic_id == topic.id))):
        raise Conflict(
            f"Topic '{topic.slug}' is offered or sought by organizations.", code="topic_in_use"
        )


@key_binding.connect
def refuse_key_for_inactive(organization_id: int, *, session: Session) -> None:
    """Refuse (422) a key bound to an organization that is not active; receives key_binding."""
    status = session.scalar(select(Organization.status).where(Organization.id == organization_id))
    if status != "active":
        raise Unprocessable.field("organization_id", f"No active organization {organization_id}.")


def _apply(session: Session, organization: Organization, data: Mapping[str, Any]) -> list[str]:
    """Set the given fields on an organization; return the names of those that changed."""
    before = (organization.name, organization.acronym)
    changed = assign_changed(organization, data, SCALAR_FIELDS, columns=COLUMNS)
    changed += _apply_names(organization, data, before)
    changed += _apply_lists(session, organization, data)
    if changed:
        organization.sort_name = fold(organization.name)[:300]
        organization.search_text = names.searchable(organization.names, organization.description)
        organization.region_rows = [
            OrganizationRegion(region_code=code)
            for code in sorted(
                regions.placement(
                    session,
                    country=organization.country_code,
                    operating=organization.operating_regions,
                )
            )
        ]
        organization.updated_at = utcnow()
    return changed


def _apply_lists(
    session: Session, organization: Organization, data: Mapping[str, Any]
) -> list[str]:
    """Replace the languages, operating regions and topics given; return those that changed."""
    changed = []
    if "languages" in data and sorted(data["languages"]) != organization.languages:
        organization.language_rows = [
            OrganizationLanguage(code=c) for c in sorted(data["languages"])
        ]
        changed.append("languages")
    operating = data.get("operating_regions")
    if operating is not None and sorted(operating) != organization.operating_regions:
        regions.check_region_codes(session, operating, field="operating_regions")
        organization.operating_region_rows = [
            OrganizationOperatingRegion(region_code=c) for c in sorted(operating)
        ]
        changed.append("operating_regions")
    return changed + _apply_topics(session, organization, data)


def _apply_topics(
    session: Session, organization: Organization, data: Mapping[str, Any]
) -> list[str]:
    """Replace offers and seeks as given; a topic may not end up both offered and sought."""
    wanted = {rel: sorted(data.get(rel, organization.topic_slugs(rel))) for rel in TOPIC_RELATIONS}
    changed = [rel for rel in TOPIC_RELATIONS if wanted[rel] != organization.topic_slugs(rel)]
    if not changed:
        return []
    both = set(wanted["offers"]) & set(wanted["seeks"])
    if both:
        field = "seeks" if "seeks" in data else "offers"
        raise Unprocessable.field(
            field, f"A topic cannot be both offered and sought: {', '.join(sorted(both))}."
        )
    found = topics.topics_by_slug(session, wanted["offers"], field="offers")
    found |= topics.topics_by_slug(session, wanted["seeks"], field="seeks")
    organization.topic_links = [
        OrganizationTopic(topic=found[slug], topic_id=found[slug].id, relation=rel)
        for rel in TOPIC_RELATIONS
        for slug in wanted[rel]
    ]
    return changed


def _free_slug(session: Session, name: str) -> str:
    """A slug made from the name, with a number added when it is taken."""
    base = slugify(name)
    if base.isdigit():
        base = f"org-{base}"
    taken = set(
        session.scalars(
            select(Organization.slug).where(
                (Organization.slug == base) | Organization.slug.like(f"{base}-%")
            )
        )
    )
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)


SUMMARY_COLUMNS = (
    Organization.id,
    Organization.slug,
    Organization.name,
    Organization.sector,
    Organization.country_code,
)


def organizations_by_id(session: Session, ids) -> dict[int, Row]:
    """The organizations with these ids as rows of their summary fields, keyed by id."""
    ids = list(ids)
    if not ids:
        return {}
    rows = session.execute(select(*SUMMARY_COLUMNS).where(Organization.id.in_(ids)))
    return {row.id: row for row in rows}
