"""What Schemathesis found, held in place: the server refuses what the spec calls invalid."""

from __future__ import annotations

import json

import pytest

from partners_api.fields import MAX_INTEGER
from tests.helpers import bearer, total

TOO_BIG = MAX_INTEGER + 1


@pytest.mark.parametrize("value", [0, 1, "true", "yes", None])
def test_json_booleans_are_true_or_false_only(client, admin_key, value):
    body = {"title": "Strict booleans", "virtual": value}
    answer = client.post("/api/v1/dialogues", json=body, headers=bearer(admin_key))
    assert answer.status_code == 422 and "virtual" in answer.json["errors"]
    body = {"name": "Strict", "sector": "media", "country": "FR", "open_to_dialogue": value}
    answer = client.post("/api/v1/organizations", json=body, headers=bearer(admin_key))
    assert answer.status_code == 422 and "open_to_dialogue" in answer.json["errors"]


def listed(client, **query) -> list[dict]:
    """Every organization a list query answers, page after page."""
    items, page = [], 1
    while page:
        answer = client.get(
            "/api/v1/organizations", query_string={"page_size": 100, "page": page, **query}
        )
        assert answer.status_code == 200, answer.json
        items += answer.json
        page = json.loads(answer.headers["X-Pagination"]).get("next_page")
    return items


def test_query_booleans_still_read_words(client):
    opened = listed(client, open_to_dialogue="true")
    assert opened and all(item["open_to_dialogue"] is True for item in opened)
    assert total(client, open_to_dialogue="true") == len(opened)
    closed = total(client, open_to_dialogue="false")
    assert closed > 0 and len(opened) + closed == total(client)


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/partnerships/{TOO_BIG}",
        f"/api/v1/partnerships/{TOO_BIG}/decline",
        f"/api/v1/dialogues/{TOO_BIG}",
        f"/api/v1/dialogues/1/participants/{TOO_BIG}",
        f"/api/v1/keys/{TOO_BIG}",
    ],
)
def test_ids_in_paths_beyond_what_a_database_holds_are_not_found(client, admin_key, path):
    method = client.post if path.endswith("decline") else client.get
    if "/keys/" in path or "/participants/" in path:
        method = client.delete
    answer = method(path, headers=bearer(admin_key))
    assert answer.status_code == 404, answer.json
    assert answer.content_type == "application/problem+json"


def test_ids_in_queries_and_bodies_beyond_what_a_database_holds_are_refused(client, admin_key):
    listed = client.get("/api/v1/partnerships", query_string={"organization": TOO_BIG})
    assert listed.status_code == 422 and "organization" in listed.json["errors"]
    assert client.get("/api/v1/partnerships", query_string={"organization": 1}).status_code == 200
    body = {"proposer_id": 1, "partner_id": TOO_BIG, "kind": "research"}
    proposed = client.post("/api/v1/partnerships", json=body, headers=bearer(admin_key))
    assert proposed.status_code == 422 and "partner_id" in proposed.json["errors"]
    composed = client.post("/api/v1/dialogues/compose", json={"size": 3, "exclude": [TOO_BIG]})
    assert composed.status_code == 422 and "exclude.0" in composed.json["errors"]
    issued = client.post(
        "/api/v1/keys",
        json={"name": "k", "scopes": ["org:write"], "organization_id": TOO_BIG},
        headers=bearer(admin_key),
    )
    assert issued.status_code == 422 and "organization_id" in issued.json["errors"]


def test_a_maximum_length_counts_the_text_as_sent(client, admin_key):
    padded = "\t" + "k" * 199 + " "  # 201 characters sent, 199 once trimmed
    issued = client.post(
        "/api/v1/keys", json={"name": padded, "scopes": ["admin"]}, headers=bearer(admin_key)
    )
    assert issued.status_code == 422 and "name" in issued.json["errors"]
    trimmed = client.post(
        "/api/v1/keys", json={"name": "  fuzz  ", "scopes": ["admin"]}, headers=bearer(admin_key)
    )
    assert trimmed.status_code == 201 and trimmed.json["name"] == "fuzz"
    blank = client.post(
        "/api/v1/keys", json={"name": "   ", "scopes": ["admin"]}, headers=bearer(admin_key)
    )
    assert blank.status_code == 422


def test_x_pagination_is_json_as_its_spec_says(client):
    spec = client.get("/api/v1/openapi.json").json
    header = spec["components"]["headers"]["PAGINATION"]
    assert "schema" not in header and "application/json" in header["content"]
    answer = client.get("/api/v1/countries", query_string={"page_size": 5})
    assert answer.status_code == 200
    assert json.loads(answer.headers["X-Pagination"])["page_size"] == 5
