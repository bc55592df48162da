"""/api/v1/reconcile: the W3C Reconciliation Service API v0.2 over the demo directory.

Every answer is checked against the vendored v0.2 schemas (tests/contract/reconciliation).
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest

from partners_api.db import database
from partners_api.identity import index as name_index
from partners_api.identity.resolver import normalize
from tests.contract.reconciliation.validate import assert_valid, errors, recorded
from tests.helpers import new_organization

URL = "/api/v1/reconcile"
ORIGIN = "http://127.0.0.1:3333"  # where OpenRefine runs by default
SUGGEST_PREFIXES = ["", "a", "ai secu", "uk-aisi", "uk", "ins", "institute", "for ai", "data sci"]
SUGGEST_PREFIXES += ["ai s", "  AI  ", "!!!", "zzq", "é", "Univ", "ai safety institute", "-"]
SUGGEST_PREFIXES += ["the", "c", "de la"]


def post_form(client, batch) -> dict:
    answer = client.post(URL, data={"queries": json.dumps(batch)})
    assert answer.status_code == 200, answer.json
    return answer.json


def matched(result: dict) -> list[str]:
    return [candidate["id"] for candidate in result["result"] if candidate["match"]]


def test_the_manifest_is_a_v02_manifest_with_urls_on_this_server(client):
    answer = client.get(URL, base_url="https://partners.example.org")
    assert answer.status_code == 200
    manifest = answer.json
    assert_valid("manifest.json", manifest)
    assert manifest["versions"] == ["0.2"]
    assert manifest["defaultTypes"] == [{"id": "organization", "name": "Organization"}]
    assert manifest["view"]["url"] == "https://partners.example.org/api/v1/organizations/{{id}}"
    assert manifest["identifierSpace"] == "https://partners.example.org/api/v1/organizations/"
    assert manifest["preview"]["url"].startswith("https://partners.example.org/api/v1/reconcile/")
    for kind in ("entity", "type", "property"):
        suggest = manifest["suggest"][kind]
        assert suggest["service_url"] + suggest["service_path"] == (
            f"https://partners.example.org/api/v1/reconcile/suggest/{kind}"
        )
    assert manifest["batchSize"] > 0 and "authentication" not in manifest


def test_a_jsonp_callback_is_ignored_and_the_manifest_is_plain_json(client):
    answer = client.get(URL, query_string={"callback": "jQuery123", "_": "1700000000"})
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert_valid("manifest.json", answer.json)


def test_a_recorded_openrefine_batch_finds_the_right_organizations(client):
    request = recorded("openrefine_batch.json")
    batch = json.loads(parse_qs(request["body"])["queries"][0])
    assert batch == request["queries"]
    assert_valid("reconciliation-query-batch.json", batch)
    answer = client.open(
        request["path"],
        method=request["method"],
        data=request["body"],
        headers=request["headers"],
    )
    assert answer.status_code == 200, answer.json
    results = answer.json
    assert_valid("reconciliation-result-batch.json", results)
    assert set(results) == set(batch)
    for key, slug in request["expected"].items():
        assert matched(results[key]) == ([slug] if slug else []), key
        assert len(results[key]["result"]) <= batch[key]["limit"]
        if slug:
            first = results[key]["result"][0]
            assert first["id"] == slug and first["score"] == max(
                c["score"] for c in results[key]["result"]
            )


def test_scores_run_from_0_to_100_best_first_with_one_match_at_most(client):
    batch = {
        "a": {"query": "AI Safety Institute", "limit": 10},
        "b": {"query": "Conseil de l'Europe"},
        "c": {"query": "Institute of Underwater Basket Weaving"},
    }
    results = post_form(client, batch)
    assert_valid("reconciliation-result-batch.json", results)
    for result in results.values():
        scores = [c["score"] for c in result["result"]]
        assert scores == sorted(scores, reverse=True) and all(0 <= s <= 100 for s in scores)
        assert len(matched(result)) <= 1
        for candidate in result["result"]:
            assert candidate["type"] == [{"id": "organization", "name": "Organization"}]
            assert " · " in candidate["description"]
    assert 1 < len(results["a"]["result"]) <= 10 and not matched(results["a"])
    assert matched(results["b"]) == ["council-of-europe"]
    assert not matched(results["c"])


def test_a_country_property_filters_by_code_name_or_entity(client):
    for value in ("JP", "jp", "Japan", {"id": "JP", "name": "Japan"}, ["JP", "Japan"]):
        query = {"query": "AI Safety Institute", "properties": [{"pid": "country", "v": value}]}
        result = post_form(client, {"q": query})["q"]["result"]
        assert result[0]["id"] == "japan-aisi", value
        assert {c["description"].split(" · ")[1] for c in result} == {"Japan"}, value


def test_a_sector_property_ranks_other_sectors_lower_and_never_matches_them(client):
    query = {"query": "Council of Europe", "properties": [{"pid": "sector", "v": "academia"}]}
    result = post_form(client, {"q": query})["q"]["result"]
    assert not matched({"result": result})
    unconstrained = post_form(client, {"q": {"query": "Council of Europe"}})["q"]["result"]
    assert result[0]["score"] < unconstrained[0]["score"] == 100


def test_unknown_properties_are_ignored(client):
    query = {"query": "Council of Europe", "properties": [{"pid": "founded", "v": 1949}]}
    assert matched(post_form(client, {"q": query})["q"]) == ["council-of-europe"]


def test_a_slug_as_query_finds_its_organization(client):
    assert matched(post_form(client, {"q": {"query": "uk-aisi"}})["q"]) == ["uk-aisi"]


@pytest.mark.parametrize("wanted", ["person", ["person", "place"]])
def test_an_unknown_type_has_no_candidates(client, wanted):
    results = post_form(client, {"q": {"query": "Council of Europe", "type": wanted}})
    assert results == {"q": {"result": []}}


def test_get_and_a_json_body_answer_as_the_form_does(client):
    batch = {"q0": {"query": "AI Security Institute", "limit": 2}}
    by_form = post_form(client, batch)
    by_get = client.get(URL, query_string={"queries": json.dumps(batch)})
    by_json = client.post(URL, json={"queries": batch})
    assert by_get.status_code == by_json.status_code == 200
    assert by_get.json == by_json.json == by_form


def test_the_form_post_is_not_refused_as_a_media_type_and_needs_no_key(client):
    answer = client.post(
        URL, data="queries=%7B%7D", content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 200 and answer.json == {}
    assert client.post(URL, data="queries={}", content_type="text/plain").status_code == 415


@pytest.mark.parametrize(
    ("queries", "field"),
    [
        ("not json", "queries"),
        ("[1, 2]", "queries"),
        ('{"q0": "Masakhane"}', "queries.q0"),
        ('{"q0": {"type": "organization"}}', "queries.q0.query"),
        ('{"q0": {"query": ""}}', "queries.q0.query"),
        ('{"q0": {"query": "   "}}', "queries.q0.query"),
        (json.dumps({"q0": {"query": "x" * 501}}), "queries.q0.query"),
        ('{"q0": {"query": "Masa\\u0007khane"}}', "queries.q0.query"),
        ('{"q0": {"query": "Masakhane", "limit": 0}}', "queries.q0.limit"),
        ('{"q0": {"query": "Masakhane", "limit": 2.5}}', "queries.q0.limit"),
        ('{"q0": {"query": "Masakhane", "limit": "3"}}', "queries.q0.limit"),
        ('{"q0": {"query": "Masakhane", "lang": "en"}}', "queries.q0.lang"),
        (
            '{"q0": {"query": "Masakhane", "properties": [{"pid": "country"}]}}',
            "queries.q0.properties.0.v",
        ),
        (json.dumps({f"q{i}": {"query": "Masakhane"} for i in range(1001)}), "queries"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(client, queries, field):
    for answer in (
        client.post(URL, data={"queries": queries}),
        client.get(URL, query_string={"queries": queries}),
    ):
        assert answer.status_code == 422, answer.json
        assert answer.mimetype == "application/problem+json"
        assert field in answer.json["errors"], answer.json


def test_a_json_body_that_is_not_json_is_a_400(client):
    answer = client.post(URL, data="{", content_type="application/json")
    assert answer.status_code == 400 and answer.mimetype == "application/problem+json"


def test_a_form_without_queries_is_a_422_naming_it(client):
    answer = client.post(URL, data={"other": "x"})
    assert answer.status_code == 422 and "queries" in answer.json["errors"]


def test_suggest_entities_by_the_prefix_of_a_name_or_slug(client):
    answer = client.get(f"{URL}/suggest/entity", query_string={"prefix": "ai secu"})
    assert answer.status_code == 200
    assert_valid("suggest-entities-response.json", answer.json)
    assert answer.json["result"][0]["id"] == "uk-aisi"
    by_slug = client.get(f"{URL}/suggest/entity", query_string={"prefix": "uk-aisi"}).json
    assert by_slug["result"][0]["id"] == "uk-aisi"
    first = client.get(f"{URL}/suggest/entity", query_string={"prefix": "a"}).json["result"]
    second = client.get(f"{URL}/suggest/entity", query_string={"prefix": "a", "cursor": 10})
    assert len(first) == 10 and not {c["id"] for c in first} & {
        c["id"] for c in second.json["result"]
    }


def suggested_by_reading_every_name(app, prefix: str) -> list[str]:
    """The slugs suggest ranks first, found by reading every summary: the reference."""
    with app.app_context(), database().session() as session:
        summaries = name_index.current(session).summaries
        wanted, slug_prefix = normalize(prefix), prefix.strip().lower()
        ranked = []
        for summary in summaries.values():
            name = normalize(summary["name"])
            if not wanted or name.startswith(wanted) or summary["slug"] == slug_prefix:
                ranked.append((0, name, summary["id"], summary["slug"]))
            elif f" {wanted}" in f" {name}" or summary["slug"].startswith(slug_prefix):
                ranked.append((1, name, summary["id"], summary["slug"]))
        return [slug for *_, slug in sorted(ranked)]


@pytest.mark.parametrize("prefix", SUGGEST_PREFIXES)
def test_suggest_ranks_as_reading_every_name_does(app, client, admin_key, prefix):
    new_organization(client, admin_key, "AI Safety Lab of Ai", slug="ai-safety-lab-of-ai")
    new_organization(client, admin_key, "Université de la Data", acronym="UDD")
    expected = suggested_by_reading_every_name(app, prefix)
    got = []
    for cursor in range(0, 50, 10):  # five pages
        query = {"prefix": prefix, "cursor": cursor}
        answer = client.get(f"{URL}/suggest/entity", query_string=query)
        got += [candidate["id"] for candidate in answer.json["result"]]
    assert got == expected[:50]


def test_suggest_types_and_properties(client):
    types = client.get(f"{URL}/suggest/type", query_string={"prefix": "org"}).json
    assert_valid("suggest-types-response.json", types)
    assert types["result"] == [{"id": "organization", "name": "Organization"}]
    assert client.get(f"{URL}/suggest/type", query_string={"prefix": "per"}).json == {"result": []}
    properties = client.get(f"{URL}/suggest/property", query_string={"prefix": ""}).json
    assert_valid("suggest-properties-response.json", properties)
    assert [p["id"] for p in properties["result"]] == ["country", "sector"]
    country = client.get(f"{URL}/suggest/property", query_string={"prefix": "coun"}).json
    assert [p["id"] for p in country["result"]] == ["country"]


def test_the_preview_is_a_self_contained_html_card_that_may_be_framed(client):
    answer = client.get(f"{URL}/preview", query_string={"id": "uk-aisi"})
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    html = answer.get_data(as_text=True)
    assert "AI Security Institute" in html and "United Kingdom" in html
    assert "<script" not in html and "src=" not in html and "@import" not in html
    assert "X-Frame-Options" not in answer.headers
    policy = answer.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in policy and "default-src 'none'" in policy
    assert "script-src" not in policy


def test_the_preview_shows_text_as_text(client, admin_key):
    created = new_organization(
        client, admin_key, "<script>alert(1)</script> Lab", description='"><img src=x>'
    )
    answer = client.get(f"{URL}/preview", query_string={"id": created["slug"]})
    html = answer.get_data(as_text=True)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Lab" in html


def test_an_unknown_or_missing_preview_id(client):
    missing = client.get(f"{URL}/preview", query_string={"id": "nobody"})
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert client.get(f"{URL}/preview").status_code == 422


@pytest.mark.parametrize(
    "path",
    ["", "/suggest/entity?prefix=a", "/suggest/type", "/suggest/property", "/preview?id=uk-aisi"],
)
def test_every_reconcile_route_answers_any_origin(client, path):
    answer = client.get(URL + path, headers={"Origin": ORIGIN})
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in answer.headers
    refused = client.post(URL, data={"queries": "nope"}, headers={"Origin": ORIGIN})
    assert refused.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        URL,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


@pytest.mark.parametrize("path", ["", "/suggest/entity", "/suggest/type", "/suggest/property"])
def test_only_the_preview_may_be_framed(client, path):
    answer = client.get(URL + path)
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]


def test_other_routes_keep_their_origin_rules(client):
    answer = client.get("/api/v1/organizations", headers={"Origin": ORIGIN})
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_the_vendored_schemas_refuse_what_they_should():
    assert errors(
        "manifest.json",
        {"versions": ["0.1"], "name": "x", "identifierSpace": "x", "schemaSpace": "x"},
    )
    assert errors(
        "reconciliation-result-batch.json", {"q0": {"result": [{"id": "x", "name": "X"}]}}
    )
    assert errors("reconciliation-query-batch.json", {"q0": {"query": "X", "lang": "en"}})


def test_an_undeclared_method_with_a_form_body_is_405_not_415(client):
    answer = client.put(URL, data={"queries": "{}"})
    assert answer.status_code == 405 and "POST" in answer.headers["Allow"]


def test_suggest_follows_writes(client, admin_key):
    def suggested() -> list[str]:
        answer = client.get(f"{URL}/suggest/entity", query_string={"prefix": "quagga"})
        return [candidate["id"] for candidate in answer.json["result"]]

    assert suggested() == []
    made = new_organization(client, admin_key, "Quagga Heritage Trust")
    assert suggested() == [made["slug"]]
