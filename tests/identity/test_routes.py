"""GET and POST /organizations/resolve over the demo directory, through HTTP."""

from __future__ import annotations

import pytest

from tests.helpers import bearer, new_organization

URL = "/api/v1/organizations/resolve"


def resolve(client, name: str, **query) -> list[dict]:
    response = client.get(URL, query_string={"name": name, **query})
    assert response.status_code == 200, response.json
    assert response.json["name"] == name
    return response.json["candidates"]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("African Union Commission, Addis Ababa", "african-union-commission"),
        ("Institut de sécurité de l'IA du Royaume-Uni", "uk-aisi"),  # an alias in French
        ("中国信息通信研究院", "china-caict"),  # a label in its own script
        ("conseil de l'europe", "council-of-europe"),
    ],
)
def test_a_name_as_people_write_it_is_chosen(client, name, slug):
    candidates = resolve(client, name)
    assert candidates[0]["organization"]["slug"] == slug
    assert candidates[0]["chosen"] is True
    assert sum(c["chosen"] for c in candidates) == 1


def test_candidates_are_ranked_scored_and_explained(client):
    candidates = resolve(client, "AI Safety Institute", limit=10)
    assert 1 < len(candidates) <= 10
    scores = [c["score"] for c in candidates]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert sum(c["chosen"] for c in candidates) <= 1
    assert {c["matching_type"] for c in candidates} <= {
        "exact",
        "acronym",
        "alias",
        "phrase",
        "fuzzy",
    }
    first = candidates[0]
    assert set(first) == {"score", "matching_type", "chosen", "organization"}
    assert set(first["organization"]) == {"id", "slug", "name", "sector", "country", "status"}


def test_country_keeps_that_country_only(client):
    candidates = resolve(client, "AI Safety Institute", country="jp", limit=10)
    assert candidates and {c["organization"]["country"] for c in candidates} == {"JP"}


def test_nothing_is_chosen_for_an_organization_not_in_the_directory(client):
    assert not any(c["chosen"] for c in resolve(client, "Institute of Underwater Basket Weaving"))


def test_a_new_organization_is_resolved_at_once(client, admin_key):
    new_organization(client, admin_key, "Sahel Institute for Data Ethics", country="ML")
    candidates = resolve(client, "sahel institute for data ethics, bamako, mali")
    assert candidates[0]["organization"]["name"] == "Sahel Institute for Data Ethics"
    assert candidates[0]["chosen"] is True


def test_a_batch_answers_each_name_in_order(client):
    queries = [
        {"name": "Council of Europe"},
        {"name": "AI Safety Institute", "country": "KR"},
        {"name": "Nothing Like Any Organization Here"},
    ]
    response = client.post(URL, json={"queries": queries})
    assert response.status_code == 200, response.json
    results = response.json["results"]
    assert [r["name"] for r in results] == [q["name"] for q in queries]
    assert results[0]["candidates"][0]["organization"]["slug"] == "council-of-europe"
    assert {c["organization"]["country"] for c in results[1]["candidates"]} == {"KR"}
    single = client.get(URL, query_string={"name": "Council of Europe"}).json
    assert results[0] == single


def test_a_batch_needs_no_key_and_writes_nothing(client, admin_key):
    before = client.get("/api/v1/changes", headers=bearer(admin_key)).json["events"]
    assert client.post(URL, json={"queries": [{"name": "x"}] * 1000}).status_code == 200
    assert client.get("/api/v1/changes", headers=bearer(admin_key)).json["events"] == before


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 501}, "name"),
        ({"name": "bell \x07"}, "name"),
        ({}, "name"),
        ({"name": "Mila", "country": "XX"}, "country"),
        ({"name": "Mila", "limit": 0}, "limit"),
    ],
)
def test_bad_queries_are_a_422_naming_the_field(client, query, field):
    response = client.get(URL, query_string=query)
    assert response.status_code == 422
    assert field in response.json["errors"], response.json


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"queries": []}, "queries"),
        ({"queries": [{"name": "x"}] * 1001}, "queries"),
        ({"queries": [{"name": "ok"}, {"name": ""}]}, "queries.1.name"),
        ({"queries": [{"name": "nul \x00"}]}, "queries.0.name"),
        ({"queries": [{"name": "ok", "extra": 1}]}, "queries.0.extra"),
    ],
)
def test_bad_batches_are_a_422_naming_the_field(client, body, field):
    response = client.post(URL, json=body)
    assert response.status_code == 422
    assert field in response.json["errors"], response.json


def test_resolve_is_not_an_organization(client):
    allowed = client.options("/api/v1/organizations/resolve").headers["Allow"]
    assert {m.strip() for m in allowed.split(",")} == {"GET", "HEAD", "OPTIONS", "POST"}
    response = client.patch("/api/v1/organizations/resolve", json={})
    assert response.status_code == 405
