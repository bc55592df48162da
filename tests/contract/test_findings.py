"""What Schemathesis found, held in place: the server refuses what the spec calls invalid."""

from __future__ import annotations

import json
import re

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


# Text no database stores (a NUL, a lone surrogate) and other control characters are
# refused with a 422 naming the field, wherever a string is taken; nothing is written.
IN_URLS = ["a\x00b", "bell \x07", "\x9f"]
UNSTORABLE = [*IN_URLS, "lone \ud800"]  # a URL, UTF-8, cannot carry a lone surrogate
QUERIES = [
    ("/api/v1/organizations/facets", "country", "country.0"),
    ("/api/v1/organizations/facets", "topic", "topic.0"),
    ("/api/v1/organizations", "q", "q"),
    ("/api/v1/organizations/masakhane/matches", "topic", "topic.0"),
]
BODIES = [
    ("/api/v1/dialogues", {"title": "T", "topics": ["{}"]}, "topics.0"),
    ("/api/v1/matches", {"seeks": ["{}"]}, "seeks.0"),
    ("/api/v1/matches", {"seeks": ["alignment"], "regions": ["{}"]}, "regions.0"),
    ("/api/v1/organizations", {"name": "{}", "sector": "media", "country": "FR"}, "name"),
    (
        "/api/v1/organizations",
        {"name": "Fine", "sector": "media", "country": "FR", "offers": ["{}"]},
        "offers.0",
    ),
]


@pytest.mark.parametrize("text", IN_URLS)
@pytest.mark.parametrize(("path", "name", "field"), QUERIES)
def test_unstorable_text_in_a_query_is_a_422_naming_it(client, path, name, field, text):
    answer = client.get(path, query_string={name: text})
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"], answer.json


@pytest.mark.parametrize("text", UNSTORABLE)
@pytest.mark.parametrize(("path", "body", "field"), BODIES)
def test_unstorable_text_in_a_body_is_a_422_naming_it(client, admin_key, path, body, field, text):
    before = total(client)
    raw = json.dumps(body).replace('"{}"', json.dumps(text))
    answer = client.post(path, data=raw, content_type="application/json", headers=bearer(admin_key))
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"], answer.json
    assert total(client) == before


def test_tabs_line_breaks_and_any_script_are_text(client, admin_key):
    description = "Line one\n\tline two — 人工智能安全 😀"
    body = {"name": "Text", "sector": "media", "country": "FR", "description": description}
    answer = client.post("/api/v1/organizations", json=body, headers=bearer(admin_key))
    assert answer.status_code == 201, answer.json
    assert answer.json["description"] == description


def test_a_weight_name_with_a_nul_is_refused_by_name(client):
    answer = client.post("/api/v1/matches", json={"seeks": ["alignment"], "weights": {"\x00": 1}})
    assert answer.status_code == 422
    assert any(name.startswith("weights") for name in answer.json["errors"]), answer.json


def test_a_nul_in_a_path_finds_nothing(client):
    for path in ("/api/v1/organizations/a%00b", "/api/v1/topics/a%00b"):
        assert client.get(path).status_code == 404


# The headers the spec describes with a pattern: without If-Match or with `*` a write is
# 428 (as before), a value not of its form is a 422 naming the header, a stale one 412.
def _topic(client):
    answer = client.get("/api/v1/topics/alignment")
    return "/api/v1/topics/alignment", answer.headers["ETag"]


@pytest.mark.parametrize(
    ("if_match", "status"),
    [(None, 428), ("*", 428), ("", 428), ("abc", 422), ("W/abc", 422), ('"stale"', 412)],
)
def test_if_match_is_an_entity_tag(client, admin_key, if_match, status):
    url, _ = _topic(client)
    headers = bearer(admin_key)
    if if_match is not None:
        headers["If-Match"] = if_match
    answer = client.patch(url, json={"name": "Renamed"}, headers=headers)
    assert answer.status_code == status, answer.json
    if status == 422:
        assert list(answer.json["errors"]) == ["If-Match"]


def test_if_none_match_is_star_or_entity_tags(client):
    url, etag = _topic(client)
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-None-Match": f'"other", {etag}'}).status_code == 304
    assert client.get(url, headers={"If-None-Match": "*"}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    malformed = client.get(url, headers={"If-None-Match": "other"})
    assert malformed.status_code == 422 and list(malformed.json["errors"]) == ["If-None-Match"]


@pytest.mark.parametrize("key", ["", " padded", "x" * 201, "naïve"])
def test_an_idempotency_key_not_of_its_form_is_a_422_naming_it(client, admin_key, key):
    body = {"name": "Keyed", "sector": "media", "country": "FR"}
    headers = {**bearer(admin_key), "Idempotency-Key": key.encode().decode("latin-1")}
    answer = client.post("/api/v1/organizations", json=body, headers=headers)
    assert answer.status_code == 422, answer.json
    assert list(answer.json["errors"]) == ["Idempotency-Key"]


def test_options_lists_exactly_the_methods_the_spec_documents(client):
    spec = client.get("/api/v1/openapi.json").json
    for path, item in spec["paths"].items():
        url = re.sub(r"\{[^}]+\}", "1", path)
        answer = client.options(url)
        allowed = {m.strip() for m in answer.headers["Allow"].split(",")}
        documented = {m.upper() for m in item if m in ("get", "put", "post", "patch", "delete")}
        implicit = {"OPTIONS"} | ({"HEAD"} if "GET" in documented else set())
        assert allowed == documented | implicit, path
