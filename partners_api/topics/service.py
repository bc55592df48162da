"""The topic taxonomy: reading, editing and expanding topics down the tree."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from partners_api.changes import service as changes
from partners_api.changes.versioned import PerDatabase
from partners_api.db import assign_changed, fetch_page
from partners_api.errors import Conflict, NotFound, Unprocessable, unknown_values
from partners_api.topics.models import Topic
from partners_api.topics.signals import topic_deleting

TOPICS_HINT = "See GET /api/v1/topics for topic slugs."
MAX_DEPTH = 3  # the taxonomy has two or three levels


def list_topics(
    session: Session, *, parent: str | None = None, page: int, page_size: int
) -> tuple[list[Topic], int]:
    """Return a page of topics ordered by slug, optionally the children of one, and the total."""
    query = select(Topic)
    if parent is not None:
        parent_topic = topics_by_slug(session, [parent], field="parent")[parent]
        query = query.where(Topic.parent_id == parent_topic.id)
    return fetch_page(session, query.order_by(Topic.slug), page=page, page_size=page_size)


def get_topic(session: Session, *, slug: str) -> Topic:
    """Return one topic by slug, or raise NotFound."""
    topic = session.scalar(select(Topic).where(Topic.slug == slug))
    if topic is None:
        raise NotFound(f"No topic with slug '{slug}'.")
    return topic


def topics_by_slug(session: Session, slugs: Iterable[str], *, field: str) -> dict[str, Topic]:
    """Return the topics with these slugs; raise a 422 naming the field for any unknown."""
    wanted = set(slugs)
    found = {t.slug: t for t in session.scalars(select(Topic).where(Topic.slug.in_(wanted)))}
    if wanted - found.keys():
        raise unknown_values(field, wanted - found.keys(), TOPICS_HINT)
    return found


@dataclass(frozen=True)
class Taxonomy:
    """Every topic's id by slug, slug and name by id, and children, at one directory version."""

    version: int
    ids: dict[str, int]
    names: dict[int, tuple[str, str]]  # id: (slug, name)
    children: dict[int | None, list[int]]


_taxonomies: PerDatabase[Taxonomy] = PerDatabase()


def taxonomy(session: Session) -> Taxonomy:
    """The topics as the directory version this session sees has them (a write moves it)."""

    def make(_previous: Taxonomy | None, version: int) -> Taxonomy:
        ids, names, children = {}, {}, {}
        for topic_id, slug, name, parent_id in session.execute(
            select(Topic.id, Topic.slug, Topic.name, Topic.parent_id)
        ):
            ids[slug], names[topic_id] = topic_id, (slug, name)
            children.setdefault(parent_id, []).append(topic_id)
        return Taxonomy(version, ids, names, children)

    return _taxonomies.get(session, make)


def with_descendants(session: Session, slugs: Iterable[str], *, field: str) -> set[int]:
    """Ids of these topics and of every topic below them."""
    known = taxonomy(session)
    wanted = set(slugs)
    if wanted - known.ids.keys():
        raise unknown_values(field, wanted - known.ids.keys(), TOPICS_HINT)
    children = known.children
    found: set[int] = set()
    pending = [known.ids[slug] for slug in wanted]
    while pending:
        topic_id = pending.pop()
        if topic_id not in found:
            found.add(topic_id)
            pending.extend(children.get(topic_id, ()))
    return found


def create_topic(session: Session, *, data: Mapping[str, Any], actor_key_id: int | None) -> Topic:
    """Create a topic under an optional parent."""
    if session.scalar(select(exists().where(Topic.slug == data["slug"]))):
        raise Conflict(f"A topic with slug '{data['slug']}' exists already.")
    topic = Topic(slug=data["slug"], name=data["name"], description=data.get("description", ""))
    topic.parent = _parent(session, data.get("parent"))
    _check_depth(session, topic, topic.parent)
    changes.add_recorded(
        session,
        topic,
        entity="topic",
        entity_id=topic.slug,
        fields=data.keys(),
        actor_key_id=actor_key_id,
    )
    session.commit()
    return topic


def update_topic(
    session: Session, *, topic: Topic, data: Mapping[str, Any], actor_key_id: int | None
) -> Topic:
    """Change a topic's name, description or parent; a topic never moves below itself."""
    changed = assign_changed(topic, data, ("name", "description"))
    if "parent" in data:
        parent = _parent(session, data["parent"])
        if _would_cycle(topic, parent):
            raise Unprocessable.field("parent", "A topic cannot be placed below itself.")
        _check_depth(session, topic, parent)
        if parent is not topic.parent:
            topic.parent = parent
            changed.append("parent")
    changes.record_update(
        session, entity="topic", entity_id=topic.slug, fields=changed, actor_key_id=actor_key_id
    )
    return topic


def delete_topic(session: Session, *, topic: Topic, actor_key_id: int | None) -> None:
    """Delete a childless topic unless a receiver of topic_deleting (organizations) refuses."""
    if session.scalar(select(exists().where(Topic.parent_id == topic.id))):
        raise Conflict(
            f"Topic '{topic.slug}' has topics below it; move or delete them first.",
            code="topic_has_children",
        )
    topic_deleting.send(topic, session=session)
    changes.record(
        session, entity="topic", entity_id=topic.slug, action="deleted", actor_key_id=actor_key_id
    )
    session.delete(topic)
    session.commit()


def _parent(session: Session, slug: str | None) -> Topic | None:
    return None if slug is None else topics_by_slug(session, [slug], field="parent")[slug]


def _check_depth(session: Session, topic: Topic, parent: Topic | None) -> None:
    """Refuse a placement that would make the tree deeper than MAX_DEPTH levels."""
    levels_above = 0
    while parent is not None:
        levels_above, parent = levels_above + 1, parent.parent
    levels_below = _height(session, topic.id) if topic.id is not None else 0
    if levels_above + 1 + levels_below > MAX_DEPTH:
        raise Unprocessable.field(
            "parent", f"The taxonomy is at most {MAX_DEPTH} levels deep; place it higher."
        )


def _height(session: Session, topic_id: int) -> int:
    """How many levels lie below a topic."""
    height, level = 0, [topic_id]
    while level:
        level = list(session.scalars(select(Topic.id).where(Topic.parent_id.in_(level))))
        height += bool(level)
    return height


def _would_cycle(topic: Topic, parent: Topic | None) -> bool:
    while parent is not None:
        if parent is topic:
            return True
        parent = parent.parent
    return False
