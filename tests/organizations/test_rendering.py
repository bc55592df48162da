"""Pages and reads from rendered bytes: the same bytes as the schema's dump, never stale.

Each organization's JSON is rendered once per version and reused (rendering.py), and a
list's selection is kept for the next page (selections.py). The bytes must be what the
organization schema dumped and Flask encoded before, for every kind of caller (contact
e-mails only for those who may read them), cold and warm; and a write must show in the
very next read.
"""

from __future__ import annotations

import json

import pytest
from flask_smorest.etag import EtagMixin

from partners_api.db import database
from partners_api.organizations import records
from partners_api.organizations.routes import organization_etag
from partners_api.organizations.schemas import OrganizationSchema, contact_visibility
from partners_api.synthetic import generate_directory
from tests.helpers import bearer, link, new_organization

URL = "/api/v1/organizations"
QUERIES = (
    {},
    {"sort": "-name"},
    {"status": ["archived", "merged"]},
    {"region": "africa", "sector": ["academia", "civil_society"]},
)


@pytest.fixture
def callers(admin_key, make_key, client):
    """(headers, who may read contacts) of each kind of caller; some contacts set first."""
    ids = [item["id"] for item in client.get(URL, query_string={"page_size": 100}).json]
    for n, org in enumerate(ids[::3]):
        etag = client.get(f"{URL}/{org}").headers["ETag"]
        email = f"contact-{n}@example.org" if n % 2 else f"ünïcode-{n}@exämple.org"
        changed = client.patch(
            f"{URL}/{org}",
            json={"contact_email": email},
            headers={**bearer(admin_key), "If-Match": etag},
        )
        assert changed.status_code == 200, changed.json
    own = ids[3]
    return {
        "anonymous": ({}, lambda _org: False),
        "admin": (bearer(admin_key), lambda _org: True),
        "read:contacts": (bearer(make_key(["read:contacts"])), lambda _org: True),
        "own key": (bearer(make_key(["org:write"], own)), lambda org: org == own),
    }


def dumped(app, ids, sees) -> bytes:
    """The organizations as the schema dumps them for this caller and Flask encodes them."""
    token = contact_visibility.set(sees)
    try:
        with app.app_context(), database().session() as session:
            data = OrganizationSchema(many=True).dump(records.read_records(session, ids))
            return app.json.response(data).get_data()
    finally:
        contact_visibility.reset(token)


def versions(app, ids) -> dict[int, int]:
    """The version of each organization, as stored."""
    with app.app_context(), database().session() as session:
        return {row["id"]: row["version"] for row in records.read_records(session, ids)}


def check_pages(app, client, callers) -> int:
    """Compare every page of each query, for each caller, twice (cold, then warm)."""
    compared = 0
    for _ in range(2):
        for headers, sees in callers.values():
            for query in QUERIES:
                page, pages = 1, 1
                while page <= pages:
                    answer = client.get(
                        URL, query_string={**query, "page": page, "page_size": 40}, headers=headers
                    )
                    assert answer.status_code == 200, answer.json
                    pages = json.loads(answer.headers["X-Pagination"])["total_pages"]
                    ids = [item["id"] for item in answer.json]
                    assert answer.data == dumped(app, ids, sees), (query, page)
                    compared += len(ids)
                    page += 1
    return compared


def test_pages_and_reads_are_the_schemas_dump_on_the_demo_directory(app, client, callers):
    assert check_pages(app, client, callers) > 400
    check_single(app, client, callers)


def test_pages_and_reads_are_the_schemas_dump_on_a_synthetic_directory(app, client, callers):
    with app.app_context(), database().session() as session:
        generate_directory(session, organizations=150, seed=18, links_per_organization=1)
        session.commit()
    assert check_pages(app, client, callers) > 1000
    check_single(app, client, callers)


def check_single(app, client, callers) -> None:
    """Each organization's single read and ETag, for each caller, against the schema."""
    ids = [item["id"] for item in client.get(URL, query_string={"page_size": 100}).json]
    stored = versions(app, ids)
    for headers, sees in callers.values():
        for org in ids:
            answer = client.get(f"{URL}/{org}", headers=headers)
            assert answer.data == dumped(app, [org], sees)[1:-2] + b"\n"
            tag = organization_etag(org, stored[org], contacts=sees(org))
            assert answer.headers["ETag"] == f'"{EtagMixin._generate_etag(tag)}"'


def test_a_write_shows_in_the_very_next_read(client, admin_key):
    """PATCH, archive, a new topic and a new link, after every cache was filled."""
    admin = bearer(admin_key)
    org = new_organization(client, admin_key, "Cache Test Lab", country="KE")["id"]
    other = new_organization(client, admin_key, "Cache Test Partner", country="GH")["id"]

    def reads() -> dict:
        listed = client.get(URL, query_string={"country": "KE", "page_size": 100}).json
        facets = client.get(f"{URL}/facets", query_string={"sector": "civil_society"}).json
        with client.get(
            "/api/v1/exports/organizations", query_string={"format": "csv"}, headers=admin
        ) as export:
            exported = export.get_data(as_text=True)
        return {
            "one": client.get(f"{URL}/{org}").json,
            "listed": next((item for item in listed if item["id"] == org), None),
            "countries": {v["value"]: v["count"] for v in facets["country"]},
            "total": facets["total"],
            "export": exported,
        }

    before = reads()
    assert before["listed"] == before["one"] and before["one"]["city"] is None

    def patch(body: dict) -> None:
        etag = client.get(f"{URL}/{org}").headers["ETag"]
        answer = client.patch(f"{URL}/{org}", json=body, headers={**admin, "If-Match": etag})
        assert answer.status_code == 200, answer.json

    patch({"city": "Kisumu", "country": "UG"})
    after = reads()
    assert after["one"]["city"] == "Kisumu" and after["one"]["country"] == "UG"
    assert after["listed"] is None  # no longer in Kenya
    assert after["countries"].get("KE", 0) == before["countries"]["KE"] - 1
    assert after["countries"]["UG"] == before["countries"].get("UG", 0) + 1
    assert "Kisumu" in after["export"]

    topic = {"slug": "cache-test-topic", "name": "Cache test topic"}
    assert client.post("/api/v1/topics", json=topic, headers=admin).status_code == 201
    patch({"offers": ["cache-test-topic"]})
    offering = client.get(URL, query_string={"topic": "cache-test-topic"}).json
    assert [item["id"] for item in offering] == [org]
    assert client.get(f"{URL}/{org}").json["offers"] == ["cache-test-topic"]

    assert link(client, admin_key, org, other, status="active").status_code == 201
    partners = client.get(f"{URL}/{org}/partners").json
    assert [item["organization"]["id"] for item in partners] == [other]

    etag = client.get(f"{URL}/{org}").headers["ETag"]
    assert client.delete(f"{URL}/{org}", headers={**admin, "If-Match": etag}).status_code == 204
    archived = reads()
    assert archived["one"]["status"] == "archived"
    assert archived["total"] == after["total"] - 1
    assert client.get(URL, query_string={"topic": "cache-test-topic"}).json == []
