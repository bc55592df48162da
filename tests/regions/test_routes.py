"""The /regions and /countries endpoints."""

from __future__ import annotations

import json


def test_region_detail_has_children_and_countries(client):
    africa = client.get("/api/v1/regions/africa").json
    assert africa["m49"] == "002" and africa["kind"] == "continent"
    assert africa["children"] == ["northern-africa", "sub-saharan-africa"]
    assert "KE" in africa["countries"] and "EG" in africa["countries"]
    grouping = client.get("/api/v1/regions/global-south").json
    assert grouping["kind"] == "grouping" and {"CN", "BR", "NG"} <= set(grouping["countries"])


def test_region_list_filters_by_kind_and_parent(client):
    continents = client.get("/api/v1/regions", query_string={"kind": "continent"}).json
    assert [r["code"] for r in continents] == ["africa", "americas", "asia", "europe", "oceania"]
    below = client.get("/api/v1/regions", query_string={"parent": "sub-saharan-africa"}).json
    assert {r["code"] for r in below} == {
        "eastern-africa",
        "middle-africa",
        "southern-africa",
        "western-africa",
    }
    assert client.get("/api/v1/regions", query_string={"kind": "planet"}).status_code == 422
    assert client.get("/api/v1/regions", query_string={"parent": "mars"}).status_code == 422


def test_country_lists_every_region_it_lies_in(client):
    kenya = client.get("/api/v1/countries/ke").json
    assert (
        kenya["code"] == "KE" and kenya["name"] == "Kenya" and kenya["region"] == "eastern-africa"
    )
    assert {
        "world",
        "africa",
        "sub-saharan-africa",
        "eastern-africa",
        "african-union",
        "global-south",
        "aisi-network",
    } <= set(kenya["regions"])
    assert client.get("/api/v1/countries/zz").status_code == 404


def test_country_list_pages_and_filters(client):
    response = client.get("/api/v1/countries", query_string={"page_size": 100})
    assert json.loads(response.headers["X-Pagination"])["total"] == 249
    eu = client.get("/api/v1/countries", query_string={"region": "eu", "page_size": 100}).json
    assert len(eu) == 27
    assert client.get("/api/v1/countries", query_string={"region": "mars"}).status_code == 422


def test_reference_resources_carry_etags(client):
    for url in ("/api/v1/regions/africa", "/api/v1/countries/KE"):
        etag = client.get(url).headers["ETag"]
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
