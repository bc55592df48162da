"""The changes feed: every write is an event, read in order, never skipped or repeated."""

from __future__ import annotations

import threading
import time

from sqlalchemy import select

from partners_api.changes import service as changes
from partners_api.changes.models import ChangeEvent
from partners_api.db import write_intent
from partners_api.organizations import service as organizations
from tests.helpers import bearer, link, new_organization

URL = "/api/v1/changes"


def read_all(client, since: str) -> tuple[list[dict], str]:
    events = []
    while True:
        page = client.get(URL, query_string={"since": since, "limit": 3}).json
        events += page["events"]
        if not page["events"]:
            return events, page["next_cursor"]
        since = page["next_cursor"]


def read_until(db, cursor: str, wanted: set[int], *, seconds: float = 30.0) -> list[int]:
    """Event ids read from a cursor until every wanted one came (or time is up).

    An empty page is not the end: on PostgreSQL an event waits until every transaction
    that began before it has ended, in any database of the server, so one open elsewhere
    holds the feed back for a while.
    """
    seen: list[int] = []
    deadline = time.monotonic() + seconds
    while not wanted <= set(seen) and time.monotonic() < deadline:
        with db.session() as session:
            events, cursor = changes.feed(session, since=cursor, limit=5)
        seen += [e.id for e in events]
        if not events:
            time.sleep(0.05)
    return seen


def test_every_write_is_an_event_in_order(client, admin_key, make_key):
    _, start = read_all(client, "")
    org = new_organization(client, admin_key, "Feed Org")
    other = new_organization(client, admin_key, "Feed Partner")
    client.patch(
        f"/api/v1/organizations/{org['id']}",
        json={"city": "Mombasa"},
        headers={
            **bearer(admin_key),
            "If-Match": client.get(f"/api/v1/organizations/{org['id']}").headers["ETag"],
        },
    )
    proposal = link(client, admin_key, org["id"], other["id"]).json
    client.post(f"/api/v1/partnerships/{proposal['id']}/accept", headers=bearer(admin_key))
    dialogue = client.post(
        "/api/v1/dialogues", json={"title": "Feed talk"}, headers=bearer(admin_key)
    ).json
    client.put(
        f"/api/v1/dialogues/{dialogue['id']}/participants/{org['id']}",
        json={"role": "host"},
        headers=bearer(admin_key),
    )
    client.post(
        "/api/v1/topics", json={"slug": "feed-topic", "name": "Feed"}, headers=bearer(admin_key)
    )
    make_key(["read:contacts"])
    events, end = read_all(client, start)
    assert [(e["entity"], e["action"]) for e in events] == [
        ("organization", "created"),
        ("organization", "created"),
        ("organization", "updated"),
        ("partnership", "proposed"),
        ("partnership", "accepted"),
        ("dialogue", "created"),
        ("dialogue", "participant_set"),
        ("topic", "created"),
        ("key", "created"),
    ]
    assert events[2]["entity_id"] == str(org["id"]) and events[2]["fields"] == ["city"]
    assert all(e["actor"] is not None for e in events[:-1])
    ids = [e["id"] for e in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert client.get(URL, query_string={"since": end}).json == {"events": [], "next_cursor": end}


def test_a_bad_cursor_is_422(client):
    for cursor in ("nonsense!", "MTIz", "YS5i"):
        response = client.get(URL, query_string={"since": cursor})
        assert response.status_code == 422 and "since" in response.json["errors"]
    assert client.get(URL, query_string={"limit": 0}).status_code == 422


def test_paging_while_writes_go_on_never_skips_or_repeats(app, committed_organizations):
    db = app.extensions["partners_db"]
    with db.session() as session:
        _, start = changes.feed(session, since=None, limit=1)
        while True:
            events, cursor = changes.feed(session, since=start, limit=1000)
            if not events:
                break
            start = cursor
    lock = threading.Lock()

    def write(worker: int) -> None:
        write_intent.set(True)
        for n in range(12):
            with db.session() as session:
                org = organizations.create_organization(
                    session,
                    data={"name": f"Feed writer {worker}-{n}", "sector": "media", "country": "IS"},
                    actor_key_id=None,
                )
                with lock:
                    committed_organizations.append(org.id)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(3)]
    for thread in threads:
        thread.start()
    seen, cursor = [], start
    while any(t.is_alive() for t in threads):
        with db.session() as session:
            events, cursor = changes.feed(session, since=cursor, limit=5)
            seen += [e.id for e in events]
    for thread in threads:
        thread.join()
    with db.session() as session:
        written = set(
            session.scalars(
                select(ChangeEvent.id).where(
                    ChangeEvent.entity_id.in_([str(i) for i in committed_organizations]),
                    ChangeEvent.entity == "organization",
                )
            )
        )
    seen += read_until(db, cursor, written)
    assert len(seen) == len(set(seen)), "an event was served twice"
    assert written <= set(seen), "an event was skipped"
    assert len(written) == 36
