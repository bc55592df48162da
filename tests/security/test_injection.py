"""Hostile text is data: stored and returned verbatim through every text field and filter."""

from __future__ import annotations

import json

import pytest

from tests.helpers import bearer

PAYLOADS = [
    "'; DROP TABLE organizations; --",
    '" OR 1=1 --',
    "1' UNION SELECT secret_hash FROM api_keys --",
    "%' OR name LIKE '%",
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\tleading tab",
    "<script>alert(1)</script>",
    "${jndi:ldap://x}",
    "{{7*7}}",
    "Robert'); DELETE FROM api_keys; --",
    "../../etc/passwd",
]
TEXT_FIELDS = ("name", "acronym", "description", "city")
TEXT_FILTERS = ("q",)
CODE_FILTERS = (
    "region",
    "topic",
    "offers",
    "seeks",
    "country",
    "language",
    "sector",
    "status",
    "sort",
)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_fields_store_payloads_verbatim(client, admin_key, payload):
    body = {
        "name": "Injection Test",
        "sector": "media",
        "country": "FR",
        **{field: payload[:50] if field == "acronym" else payload for field in TEXT_FIELDS},
    }
    created = client.post("/api/v1/organizations", json=body, headers=bearer(admin_key))
    assert created.status_code == 201, created.json
    stored = client.get(created.headers["Location"]).json
    assert stored["description"] == payload  # verbatim
    for field in ("name", "acronym", "city"):  # verbatim but for surrounding white space
        assert stored[field] == body[field].strip()
    topic = client.post(
        "/api/v1/topics",
        json={"slug": "injection-topic", "name": payload, "description": payload},
        headers=bearer(admin_key),
    )
    assert topic.status_code == 201 and topic.json["name"] == payload.strip()
    assert topic.json["description"] == payload
    dialogue = client.post(
        "/api/v1/dialogues",
        json={"title": payload, "description": payload, "city": payload},
        headers=bearer(admin_key),
    )
    assert dialogue.status_code == 201 and dialogue.json["title"] == payload.strip()
    assert dialogue.json["description"] == payload


@pytest.mark.parametrize("payload", PAYLOADS)
def test_filters_bind_payloads(client, payload):
    before = json.loads(client.get("/api/v1/organizations").headers["X-Pagination"])["total"]
    for name in TEXT_FILTERS:
        response = client.get("/api/v1/organizations", query_string={name: payload})
        assert response.status_code == 200 and response.json == []
    for name in CODE_FILTERS:
        response = client.get("/api/v1/organizations", query_string={name: payload})
        assert response.status_code == 422, (name, payload)
    for url, name in (
        ("/api/v1/partnerships", "kind"),
        ("/api/v1/dialogues", "status"),
        ("/api/v1/changes", "since"),
        ("/api/v1/regions", "kind"),
        ("/api/v1/topics", "parent"),
    ):
        assert client.get(url, query_string={name: payload}).status_code == 422, (url, payload)
    for url in (
        f"/api/v1/organizations/{payload}",
        f"/api/v1/regions/{payload}",
        f"/api/v1/topics/{payload}",
    ):
        assert client.get(url).status_code in (404, 405)
    after = json.loads(client.get("/api/v1/organizations").headers["X-Pagination"])["total"]
    assert after == before
