"""Organizations as JSON bytes, rendered once per version and reused by pages and reads.

Dumping a page of 50 organizations through marshmallow and encoding it took most of a
list request. Each organization's JSON is now made once, by the same schema, and kept as
bytes; a page joins them. The bytes leave out `contact_email` and remember where it goes,
so a caller who may read an organization's contacts gets it spliced in place: the same
bytes as the schema's dump would give either caller.

Each worker keeps one store per database, tied to the directory version like the
indexes: when the version moves, the organizations that change events name since the
store was read are dropped (everything after a bulk write), so no answer is ever older
than the version its request sees. The store holds at most MAX_BYTES of JSON; past that
the oldest renderings go first.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from partners_api.changes import service as changes
from partners_api.changes.versioned import PerDatabase
from partners_api.organizations import records
from partners_api.organizations.models import is_id
from partners_api.organizations.schemas import OrganizationSchema, contact_visibility

MAX_BYTES = 64 * 2**20  # of rendered JSON per database and worker
FULL_DROP_SHARE = 0.2  # drop everything when more than this share of the store changed
CONTACT = "contact_email"
CONTACT_KEY = b',"contact_email":'

_schema = OrganizationSchema()


def encode(value: Any) -> str:
    """JSON as the application's responses encode it: compact, unescaped, in order."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class Rendered:
    """One organization's JSON at one version, without its contact e-mail."""

    id: int
    version: int
    status: str
    public: bytes
    contact_at: int  # where `,"contact_email":…` goes in `public`
    contact: bytes  # the contact e-mail as JSON (null when none)

    def body(self, contacts: bool) -> bytes:
        """The JSON object, with the contact e-mail when the caller may read it."""
        if not contacts:
            return self.public
        at = self.contact_at
        return self.public[:at] + CONTACT_KEY + self.contact + self.public[at:]


def render(record: dict[str, Any]) -> Rendered:
    """An organization's record (records.read_records) dumped by the schema, as bytes."""
    token = contact_visibility.set(_show_contacts)
    try:
        dumped = _schema.dump(record)
    finally:
        contact_visibility.reset(token)
    names = list(dumped)
    at = names.index(CONTACT)
    head = encode({name: dumped[name] for name in names[:at]})[:-1]
    tail = encode({name: dumped[name] for name in names[at + 1 :]})[1:]
    public = head + ("," + tail if tail != "}" else tail)
    return Rendered(
        id=record["id"],
        version=record["version"],
        status=record["status"],
        public=public.encode(),
        contact_at=len(head.encode()),
        contact=encode(dumped[CONTACT]).encode(),
    )


def _show_contacts(_organization_id: int) -> bool:
    return True


@dataclass
class Bodies:
    """Renderings by organization id, and the bytes they hold."""

    by_id: dict[int, Rendered] = field(default_factory=dict)
    size: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, rendered: Iterable[Rendered]) -> None:
        """Keep these renderings, dropping the oldest beyond MAX_BYTES."""
        with self.lock:
            for item in rendered:
                old = self.by_id.pop(item.id, None)
                self.size += len(item.public) - (len(old.public) if old else 0)
                self.by_id[item.id] = item
            while self.size > MAX_BYTES and self.by_id:
                oldest = self.by_id.pop(next(iter(self.by_id)))
                self.size -= len(oldest.public)

    def without(self, ids: set[int]) -> Bodies:
        """A copy without these organizations (empty when they are many)."""
        with self.lock:
            if len(ids) > FULL_DROP_SHARE * max(len(self.by_id), 1):
                return Bodies()
            kept = {i: r for i, r in self.by_id.items() if i not in ids}
        return Bodies(kept, sum(len(r.public) for r in kept.values()))


@dataclass
class Store:
    """The renderings valid at one directory version.

    When the version moves without an organization changing, the new store shares the
    old one's renderings: any the old one gains are just as valid at the new version.
    """

    version: int
    position: tuple[int, int]  # in the change feed, as for the list index
    bodies: Bodies = field(default_factory=Bodies)


_stores: PerDatabase[Store] = PerDatabase()


def current_store(session: Session) -> Store:
    """The store for the directory as this session sees it, outdated renderings dropped."""

    def make(previous: Store | None, version: int) -> Store:
        if previous is None:
            return Store(version, changes.settled_position(session))
        names, position = changes.changed_since(
            session, entity="organization", position=previous.position
        )
        changed = {int(name) for name in names}
        bodies = previous.bodies.without(changed) if changed else previous.bodies
        return Store(version, position, bodies)

    return _stores.get(session, make)


def forget() -> None:
    """Drop every store (after a rolled-back write, or an emptied database)."""
    _stores.clear()


def rendered(session: Session, ids: Sequence[int]) -> list[Rendered]:
    """The organizations with these ids, in this order, rendered; unknown ids left out."""
    bodies = current_store(session).bodies
    found = [bodies.by_id.get(i) for i in ids]
    missing = [i for i, item in zip(ids, found, strict=True) if item is None]
    if missing:
        fresh = {item.id: item for item in map(render, records.read_records(session, missing))}
        bodies.add(fresh.values())
        found = [item or fresh.get(i) for i, item in zip(ids, found, strict=True)]
    return [item for item in found if item is not None]


def status_of(session: Session, ref: str) -> str | None:
    """The status of an organization by id, when the store holds it; else None."""
    if not is_id(ref):
        return None
    found = current_store(session).bodies.by_id.get(int(ref))
    return found.status if found is not None else None


def page_body(items: Sequence[Rendered], contacts: Callable[[int], bool]) -> bytes:
    """A JSON array of these organizations, as the list's response body."""
    return b"[" + b",".join([item.body(contacts(item.id)) for item in items]) + b"]\n"
