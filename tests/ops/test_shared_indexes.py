"""Indexes built once in gunicorn's master and shared by its workers still follow every write.

Two workers start with the list, matching and name indexes the master built before it
forked them (PRELOAD). A write answered by one worker must show in the very next list,
facets, match and resolve answered by each: a PATCH, an archive, a new link and a new
topic. Each request goes down a keep-alive connection held by a known worker, so that
both are asked every time. SQLite, or PostgreSQL when TEST_DATABASE_URL names it.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from tests.servers import HOST, Server, fresh_database, prepare, serve

API = "/api/v1"


class Pinned:
    """A keep-alive connection that one worker holds: what it is asked, that worker answers."""

    def __init__(self, server: Server, key: dict[str, str]):
        self.connection = http.client.HTTPConnection(HOST, server.port, timeout=30)
        self.connection.connect()
        self.key = key
        self.get("/health")
        self.worker = server.worker_serving(self.connection.sock)

    def call(self, method: str, path: str, body=None, headers=None):
        """Status, headers and JSON body of one request on this connection."""
        data = None if body is None else json.dumps(body)
        sent = {**self.key, **(headers or {}), "Content-Type": "application/json"}
        self.connection.request(method, API + path, body=data, headers=sent)
        answer = self.connection.getresponse()
        payload = answer.read()
        return answer.status, dict(answer.getheaders()), json.loads(payload) if payload else None

    def get(self, path: str, **query):
        """The JSON body of a GET that must answer 200."""
        status, _, body = self.call("GET", f"{path}?{urlencode(query, doseq=True)}")
        assert status == 200, (path, status, body)
        return body


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[Server, dict[str, str]]]:
    """Two workers on a fresh database holding the demo directory; an admin key."""
    folder = tmp_path_factory.mktemp("shared-indexes")
    with fresh_database("shared_indexes", folder) as url:
        key = prepare(url, demo=True)
        with serve("shared", folder, workers=2, DATABASE_URL=url, RATELIMIT_ENABLED="false") as s:
            yield s, key


@pytest.fixture
def workers(server) -> Iterator[list[Pinned]]:
    """One pinned connection to each of the two workers (every connection closed after)."""
    running, key = server
    pinned: dict[int, Pinned] = {}
    opened = []
    try:
        while len(pinned) < 2 and len(opened) < 200:
            opened.append(connection := Pinned(running, key))
            if connection.worker is not None:
                pinned.setdefault(connection.worker, connection)
        assert len(pinned) == 2, f"connections reached workers {sorted(pinned)} only"
        yield list(pinned.values())
    finally:
        for connection in opened:
            connection.connection.close()


def facet(worker: Pinned, name: str, **query) -> dict[str, int]:
    """One facet's counts by value."""
    return {f["value"]: f["count"] for f in worker.get("/organizations/facets", **query)[name]}


def ids(page: list[dict] | dict) -> set[int]:
    """The ids of a list page or of matches."""
    items = page["matches"] if isinstance(page, dict) else page
    return {(item.get("organization") or item)["id"] for item in items}


def seen_everywhere(workers: list[Pinned], check) -> None:
    """The check holds on every worker (asked in turn, each on its own connection)."""
    for worker in workers:
        try:
            check(worker)
        except (AssertionError, KeyError) as failed:
            raise AssertionError(f"worker {worker.worker}: {failed!r}") from failed


def org_with_etag(worker: Pinned, ref) -> tuple[dict, str]:
    """An organization and its ETag."""
    status, headers, body = worker.call("GET", f"/organizations/{ref}")
    assert status == 200, body
    return body, headers["ETag"]


def pair(worker: Pinned) -> tuple[dict, dict]:
    """Two active organizations open to dialogue, of different sectors and continents."""
    page = worker.get("/organizations", page_size=100, open_to_dialogue="true")
    first = page[0]
    second = next(o for o in page[1:] if o["sector"] != first["sector"])
    return first, second


def test_a_patch_shows_in_every_workers_list_facets_match_and_resolve(workers):
    a, _ = workers
    target, seeker = pair(a)
    before = {w.worker: facet(w, "sector") for w in workers}
    sector = "media" if target["sector"] != "media" else "philanthropy"
    _, etag = org_with_etag(a, target["id"])
    status, _, _ = a.call(
        "PATCH",
        f"/organizations/{target['id']}",
        {"name": "Quillwort Shared Index Observatory", "sector": sector},
        {"If-Match": etag},
    )
    assert status == 200

    def sees(worker: Pinned) -> None:
        assert target["id"] in ids(worker.get("/organizations", sector=sector, page_size=100))
        assert facet(worker, "sector").get(sector, 0) == before[worker.worker].get(sector, 0) + 1
        matches = worker.get(f"/organizations/{seeker['id']}/matches", sector=sector, limit=100)
        found = [m for m in matches["matches"] if m["organization"]["id"] == target["id"]]
        assert found and found[0]["organization"]["name"] == "Quillwort Shared Index Observatory"
        resolved = worker.get("/organizations/resolve", name="Quillwort Shared Index Observatory")
        assert resolved["candidates"][0]["organization"]["id"] == target["id"]

    seen_everywhere(workers, sees)


def test_an_archive_leaves_every_workers_list_facets_and_matches(workers):
    a, _ = workers
    target, seeker = pair(a)
    total = {w.worker: w.get("/organizations/facets")["total"] for w in workers}
    _, etag = org_with_etag(a, target["id"])
    status, _, _ = a.call("DELETE", f"/organizations/{target['id']}", headers={"If-Match": etag})
    assert status in (200, 204)

    def sees(worker: Pinned) -> None:
        assert target["id"] not in ids(worker.get("/organizations", page_size=100))
        assert worker.get("/organizations/facets")["total"] == total[worker.worker] - 1
        matches = worker.get(f"/organizations/{seeker['id']}/matches", limit=100)
        assert target["id"] not in ids(matches)
        resolved = worker.get("/organizations/resolve", name=target["name"])
        found = [c for c in resolved["candidates"] if c["organization"]["id"] == target["id"]]
        assert found and found[0]["organization"]["status"] == "archived"

    seen_everywhere(workers, sees)


def test_a_new_link_shows_in_every_workers_matches(workers):
    a, _ = workers
    first, second = pair(a)
    everyone = {"include_partners": "true", "limit": 100}
    for worker in workers:
        assert second["id"] in ids(worker.get(f"/organizations/{first['id']}/matches", **everyone))
    link = {"proposer_id": first["id"], "partner_id": second["id"], "kind": "research"}
    status, _, body = a.call("POST", "/partnerships", link)
    assert status == 201, body

    def sees(worker: Pinned) -> None:
        matches = worker.get(f"/organizations/{first['id']}/matches", limit=100)
        assert second["id"] not in ids(matches)  # an open link: no longer proposed as a match

    seen_everywhere(workers, sees)


def test_a_new_topic_shows_in_every_workers_list_facets_and_matches(workers):
    a, _ = workers
    target, seeker = pair(a)
    topic = {"slug": "shared-index-probe", "name": "Shared index probe"}
    status, _, body = a.call("POST", "/topics", topic)
    assert status == 201, body
    _, etag = org_with_etag(a, target["id"])
    status, _, body = a.call(
        "PATCH",
        f"/organizations/{target['id']}",
        {"offers": [*target["offers"], "shared-index-probe"]},
        {"If-Match": etag},
    )
    assert status == 200, body

    def sees(worker: Pinned) -> None:
        listed = worker.get("/organizations", topic="shared-index-probe")
        assert ids(listed) == {target["id"]}
        assert facet(worker, "topic")["shared-index-probe"] == 1
        matches = worker.get(
            f"/organizations/{seeker['id']}/matches",
            topic="shared-index-probe",
            include_partners="true",  # the two may be linked by an earlier test
            limit=100,
        )
        assert ids(matches) == {target["id"]}

    seen_everywhere(workers, sees)
