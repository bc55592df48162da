"""Across gunicorn workers: a write through one shows in the very next read from any.

Each worker keeps its own rendered organizations, list selections and indexes. Both
workers fill them first; after each write (PATCH, archive, a new topic offered, a new
link), every read that follows, whichever worker answers it, shows the write: the
single GET, the list, the facets and the CSV export. On the suite's kind of database.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import time
from collections.abc import Callable, Iterator

import pytest

from tests.servers import Server, fresh_database, prepare, serve

URL = "/api/v1/organizations"
TRIES = 40  # pairs of reads per check at most, until both workers have answered twice


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[Server, dict]]:
    """Gunicorn with two workers over a database with the demo directory; an admin header."""
    folder = tmp_path_factory.mktemp("caches")
    with fresh_database("test_caches_workers", folder) as url:
        admin = prepare(url, demo=True)
        with serve("caches", folder, DATABASE_URL=url, RATELIMIT_ENABLED="false") as running:
            yield running, admin


def read_together(
    server: Server, path: str, headers: dict, connections: int = 2
) -> list[tuple[int | None, bytes]]:
    """GET on several connections opened before any request is sent.

    A sync worker that has accepted a connection waits for its request, so the next
    connection goes to another worker: with two workers, two connections reach both.
    (One connection at a time may reach the same worker every time.)
    """
    opened = [
        http.client.HTTPConnection("127.0.0.1", server.port, timeout=30) for _ in range(connections)
    ]
    try:
        for connection in opened:
            connection.connect()
        time.sleep(0.05)  # let the workers accept them
        answers = []
        for connection in opened:
            connection.request("GET", path, headers=headers)
            answer = connection.getresponse()
            body = answer.read()
            assert answer.status == 200, body[:300]
            answers.append((server.worker_serving(connection.sock), body))
        return answers
    finally:
        for connection in opened:
            connection.close()


def on_every_worker(server: Server, path: str, check: Callable[[bytes], bool], headers=None):
    """Read until each worker answered twice; every answer must pass the check."""
    answered: dict[int, int] = {}
    for _ in range(TRIES):
        for worker, body in read_together(server, path, headers or {}):
            assert check(body), (path, worker, body[:500])
            if worker is not None:
                answered[worker] = answered.get(worker, 0) + 1
        if len(answered) == 2 and min(answered.values()) >= 2:
            return
    pytest.fail(f"not every worker answered {path}: {answered}")


def call(server: Server, method: str, path: str, admin: dict, body=None, etag=None) -> dict:
    """A write as admin that must succeed; its JSON answer, if any."""
    headers = {**admin, **({"If-Match": etag} if etag else {})}
    answer = server.call(method, path, body=body, headers=headers)
    assert answer.status < 300, answer.body[:300]
    return answer.json if answer.body else {}


def exported_row(body: bytes, org: int) -> dict | None:
    """The CSV export's row of an organization."""
    rows = csv.DictReader(io.StringIO(body.decode()))
    return next((row for row in rows if row["id"] == str(org)), None)


def test_every_worker_shows_each_write_in_its_next_read(server):
    server, admin = server
    org = call(
        server, "POST", URL, admin, {"name": "Two Workers Lab", "sector": "media", "country": "KE"}
    )["id"]
    other = call(
        server, "POST", URL, admin, {"name": "Two Workers Ally", "sector": "media", "country": "GH"}
    )["id"]
    single, kenya = f"{URL}/{org}", f"{URL}?country=KE&page_size=100"
    facets, export = f"{URL}/facets?sector=media", "/api/v1/exports/organizations?format=csv"

    def listed(body: bytes) -> bool:
        return org in [item["id"] for item in json.loads(body)]

    def media_in(country: str, count: int) -> Callable[[bytes], bool]:
        return lambda body: (
            {v["value"]: v["count"] for v in json.loads(body)["country"]}.get(country, 0) == count
        )

    kenyan_media = {v["value"]: v["count"] for v in server.call("GET", facets).json["country"]}
    for path, check in (
        (single, lambda body: json.loads(body)["city"] is None),
        (kenya, listed),
        (facets, media_in("KE", kenyan_media["KE"])),
    ):
        on_every_worker(server, path, check)
    on_every_worker(server, export, lambda b: exported_row(b, org)["city"] == "", admin)

    etag = server.call("GET", single).headers["ETag"]
    call(server, "PATCH", single, admin, {"city": "Kisumu", "country": "UG"}, etag)
    on_every_worker(server, single, lambda body: json.loads(body)["city"] == "Kisumu")
    on_every_worker(server, kenya, lambda body: not listed(body))
    on_every_worker(server, facets, media_in("UG", kenyan_media.get("UG", 0) + 1))
    on_every_worker(server, export, lambda b: exported_row(b, org)["city"] == "Kisumu", admin)

    call(server, "POST", "/api/v1/topics", admin, {"slug": "two-workers", "name": "Two workers"})
    etag = server.call("GET", single).headers["ETag"]
    call(server, "PATCH", single, admin, {"offers": ["two-workers"]}, etag)
    on_every_worker(server, f"{URL}?topic=two-workers", listed)
    on_every_worker(server, single, lambda body: json.loads(body)["offers"] == ["two-workers"])
    on_every_worker(
        server, export, lambda b: exported_row(b, org)["offers"] == "two-workers", admin
    )

    link = {"proposer_id": org, "partner_id": other, "kind": "research", "status": "active"}
    call(server, "POST", "/api/v1/partnerships", admin, link)
    on_every_worker(
        server,
        f"{single}/partners",
        lambda body: [item["organization"]["id"] for item in json.loads(body)] == [other],
    )

    etag = server.call("GET", single).headers["ETag"]
    call(server, "DELETE", single, admin, etag=etag)
    on_every_worker(server, single, lambda body: json.loads(body)["status"] == "archived")
    on_every_worker(server, f"{URL}?topic=two-workers", lambda body: not listed(body))
    on_every_worker(server, facets, media_in("UG", kenyan_media.get("UG", 0)))
