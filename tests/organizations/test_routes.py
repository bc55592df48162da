"""The /organizations endpoints over HTTP, on the demo directory."""

from __future__ import annotations

import json

import pytest

from partners_api.text import fold
from tests.helpers import bearer, total

URL = "/api/v1/organizations"
NEW = {"name": "Université Cheikh Anta Diop", "sector": "academia", "country": "sn"}


def items(response) -> list[dict]:
    assert response.status_code == 200, response.json
    return response.json


def slugs(response) -> set[str]:
    return {o["slug"] for o in items(response)}


def create(client, key, **fields):
    response = client.post(URL, json={**NEW, **fields}, headers=bearer(key))
    assert response.status_code == 201, response.json
    return response


# --- listing, filters, sort, pagination --------------------------------------------------


def test_list_pages_carry_pagination_headers_and_links(client):
    response = client.get(URL, query_string={"page": 2, "page_size": 10})
    meta = json.loads(response.headers["X-Pagination"])
    assert meta["page"] == 2 and meta["page_size"] == 10
    assert meta["total_pages"] == -(-meta["total"] // 10)
    assert len(response.json) == 10
    links = response.headers["Link"]
    for rel in ("first", "prev", "next", "last"):
        assert f'rel="{rel}"' in links
    assert "page=3" in links and "page_size=10" in links


def test_pages_neither_skip_nor_repeat(client):
    first = client.get(URL, query_string={"page_size": 100})
    total = json.loads(first.headers["X-Pagination"])["total"]
    seen = []
    for page in range(1, -(-total // 7) + 1):
        seen += [
            o["id"] for o in items(client.get(URL, query_string={"page": page, "page_size": 7}))
        ]
    assert len(seen) == total == len(set(seen))
    assert seen == sorted(seen)


def test_past_the_last_page_is_empty_and_links_back(client):
    response = client.get(URL, query_string={"page": 999})
    assert response.json == []
    assert 'rel="prev"' in response.headers["Link"]


def test_page_size_over_100_is_422(client):
    response = client.get(URL, query_string={"page_size": 101})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "page_size" in response.json["errors"]


def test_sector_filter_is_or_within_and_across_parameters(client):
    both = slugs(
        client.get(
            URL, query_string=[("sector", "media"), ("sector", "philanthropy"), ("page_size", 100)]
        )
    )
    media = slugs(client.get(URL, query_string={"sector": "media", "page_size": 100}))
    assert media and media < both
    media_gb = items(client.get(URL, query_string={"sector": "media", "country": "gb"}))
    assert media_gb and all(o["country"] == "GB" and o["sector"] == "media" for o in media_gb)


def test_region_filter_includes_subregions_and_operating_regions(client):
    africa = items(client.get(URL, query_string={"region": "africa", "page_size": 100}))
    countries = {o["country"] for o in africa}
    assert {"KE", "NG", "ZA", "RW"} <= countries
    assert all("africa" in o["regions"] for o in africa)
    # An organization based elsewhere that operates in Africa is included.
    assert any(
        o["country"] not in {"KE", "NG", "ZA", "RW", "GH", "ET", "EG", "UG"}
        and any(
            r in o["operating_regions"]
            for r in ("africa", "sub-saharan-africa", "african-union", "eastern-africa")
        )
        for o in africa
    )


def test_grouping_filter(client):
    aisi = items(client.get(URL, query_string={"region": "aisi-network", "page_size": 100}))
    assert {"US", "GB", "JP", "KE"} <= {o["country"] for o in aisi}


def test_topic_filter_includes_topics_below(client, admin_key):
    created = create(client, admin_key, offers=["dangerous-capability-evaluations"]).json
    found = slugs(
        client.get(URL, query_string={"topic": "ai-safety", "page_size": 100, "country": "SN"})
    )
    assert created["slug"] in found
    assert created["slug"] in slugs(
        client.get(URL, query_string={"offers": "model-evaluations", "country": "SN"})
    )
    assert created["slug"] not in slugs(
        client.get(URL, query_string={"seeks": "model-evaluations", "country": "SN"})
    )


def test_q_is_case_and_accent_insensitive(client, admin_key):
    created = create(client, admin_key, description="Recherche sur l'éthique").json
    for q in ("UNIVERSITE cheikh", "université", "ethique", "ÉTHIQUE"):
        assert created["slug"] in slugs(client.get(URL, query_string={"q": q})), q
    assert items(client.get(URL, query_string={"q": "zzzz-nothing"})) == []


def test_q_wildcards_are_literal(client):
    assert items(client.get(URL, query_string={"q": "%"})) == []
    assert items(client.get(URL, query_string={"q": "_"})) == []


def test_language_and_open_to_dialogue_filters(client):
    swahili = items(client.get(URL, query_string={"language": "SW", "page_size": 100}))
    assert swahili and all("sw" in o["languages"] for o in swahili)
    closed = items(client.get(URL, query_string={"open_to_dialogue": "false"}))
    assert closed and not any(o["open_to_dialogue"] for o in closed)


def test_sort_by_name_both_ways(client):
    names = [
        fold(o["name"])
        for o in items(client.get(URL, query_string={"sort": "name", "page_size": 100}))
    ]
    assert names == sorted(names)
    reverse = [
        fold(o["name"])
        for o in items(client.get(URL, query_string={"sort": "-name", "page_size": 100}))
    ]
    assert reverse == sorted(reverse, reverse=True)


def test_updated_since(client, admin_key):
    created = create(client, admin_key).json
    found = items(client.get(URL, query_string={"updated_since": created["updated_at"]}))
    assert [o["slug"] for o in found] == [created["slug"]]
    assert client.get(URL, query_string={"updated_since": "yesterday"}).status_code == 422


@pytest.mark.parametrize(
    ("params", "field", "hint"),
    [
        ({"sector": "bank"}, "sector.0", "academia"),
        ({"region": "mars"}, "region", "/regions"),
        ({"topic": "alchemy"}, "topic", "/topics"),
        ({"country": "XX"}, "country.0", "alpha-2"),
        ({"language": "klingon"}, "language.0", "639-1"),
        ({"sort": "size"}, "sort", "-name"),
        ({"status": "deleted"}, "status.0", "archived"),
    ],
)
def test_unknown_filter_values_are_422_naming_allowed_values(client, params, field, hint):
    response = client.get(URL, query_string=params)
    assert response.status_code == 422
    assert hint in " ".join(response.json["errors"][field])


# --- facets ------------------------------------------------------------------------------


def test_facets_count_the_filtered_set(client):
    response = client.get(f"{URL}/facets", query_string={"region": "asia"})
    facets = response.json
    listed = json.loads(client.get(URL, query_string={"region": "asia"}).headers["X-Pagination"])[
        "total"
    ]
    assert facets["total"] == listed
    assert sum(v["count"] for v in facets["sector"]) == listed
    assert sum(v["count"] for v in facets["country"]) == listed
    regions = {v["value"]: v["count"] for v in facets["region"]}
    assert regions["asia"] == listed
    counts = [v["count"] for v in facets["topic"]]
    assert counts == sorted(counts, reverse=True)
    assert all("name" in v for v in facets["country"])


def test_facets_of_nothing_are_empty(client):
    facets = client.get(f"{URL}/facets", query_string={"q": "no-such-organization"}).json
    assert facets == {
        "total": 0,
        "sector": [],
        "country": [],
        "region": [],
        "topic": [],
        "language": [],
    }


# --- single resources, create, update, archive -------------------------------------------


def test_get_by_id_and_by_slug_agree(client):
    by_slug = client.get(f"{URL}/uk-aisi")
    assert by_slug.status_code == 200
    by_id = client.get(f"{URL}/{by_slug.json['id']}")
    assert by_id.json == by_slug.json
    assert by_id.headers["ETag"] == by_slug.headers["ETag"]


def test_unknown_organization_is_404_problem(client):
    for ref in ("no-such-org", "999999", "9" * 40):
        response = client.get(f"{URL}/{ref}")
        assert response.status_code == 404
        assert response.json["status"] == 404 and response.json["title"] == "Not Found"


def test_if_none_match_gives_304(client):
    etag = client.get(f"{URL}/uk-aisi").headers["ETag"]
    response = client.get(f"{URL}/uk-aisi", headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.data == b""


def test_create_returns_201_location_and_generated_slug(client, admin_key):
    response = create(client, admin_key, offers=["ai-safety"], languages=["FR", "wo"])
    body = response.json
    assert body["slug"] == "universite-cheikh-anta-diop"
    assert body["country"] == "SN" and body["languages"] == ["fr", "wo"]
    assert {"africa", "western-africa", "global-south", "world"} <= set(body["regions"])
    assert response.headers["Location"].endswith(f"/organizations/{body['id']}")
    assert response.headers["ETag"]
    assert client.get(response.headers["Location"]).json["name"] == NEW["name"]
    again = client.post(URL, json=NEW, headers=bearer(admin_key))
    assert again.status_code == 409 and again.json["code"] == "probable_duplicate"
    second = client.post(
        URL, json=NEW, query_string={"allow_duplicate": "true"}, headers=bearer(admin_key)
    ).json
    assert second["slug"] == "universite-cheikh-anta-diop-2"


def test_create_validates_fields(client, admin_key):
    response = client.post(
        URL,
        json={
            "name": "",
            "sector": "bank",
            "country": "ZZ",
            "website": "ftp://x",
            "offers": ["alchemy"],
        },
        headers=bearer(admin_key),
    )
    assert response.status_code == 422
    assert {"name", "sector", "country", "website"} <= response.json["errors"].keys()
    missing = client.post(URL, json={}, headers=bearer(admin_key)).json["errors"]
    assert {"name", "sector", "country"} <= missing.keys()


@pytest.mark.parametrize("field", ["id", "status", "regions", "created_at", "updated_at", "colour"])
def test_read_only_and_unknown_body_fields_are_422(client, admin_key, field):
    response = client.post(URL, json={**NEW, field: "x"}, headers=bearer(admin_key))
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_unknown_topic_or_region_in_body_is_422_and_writes_nothing(client, admin_key):
    before = json.loads(client.get(URL).headers["X-Pagination"])["total"]
    for body in ({**NEW, "offers": ["alchemy"]}, {**NEW, "operating_regions": ["mars"]}):
        response = client.post(URL, json=body, headers=bearer(admin_key))
        assert response.status_code == 422
    assert json.loads(client.get(URL).headers["X-Pagination"])["total"] == before


def test_topic_both_offered_and_sought_is_422(client, admin_key):
    response = client.post(
        URL,
        json={**NEW, "offers": ["ai-safety"], "seeks": ["ai-safety"]},
        headers=bearer(admin_key),
    )
    assert response.status_code == 422 and "seeks" in response.json["errors"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("slug", "trailing-newline\n"),
        ("slug", "facets"),
        ("name", "   "),
        ("founded_year", 2019.5),
        ("founded_year", 3000),
    ],
)
def test_subtly_bad_values_are_422(client, admin_key, field, value):
    response = client.post(URL, json={**NEW, field: value}, headers=bearer(admin_key))
    assert response.status_code == 422 and field in response.json["errors"]


def test_codes_are_accepted_in_any_case(client, admin_key):
    created = create(
        client,
        admin_key,
        operating_regions=["West-Africa".replace("West", "Western").upper()],
        offers=["AI-Safety"],
    ).json
    assert created["operating_regions"] == ["western-africa"] and created["offers"] == ["ai-safety"]
    assert items(client.get(URL, query_string={"region": "AFRICA", "country": "SN"}))


def test_bad_external_ids_are_422(client, admin_key):
    response = client.post(
        URL, json={**NEW, "external_ids": {"wikidata": "42", "foo": "x"}}, headers=bearer(admin_key)
    )
    assert set(response.json["errors"]) == {"external_ids.wikidata", "external_ids.foo"}
    ok = create(client, admin_key, external_ids={"ror": "04z8jg394", "wikidata": "Q42"})
    assert ok.json["external_ids"] == {"ror": "04z8jg394", "wikidata": "Q42"}


def test_duplicate_slug_is_409(client, admin_key):
    create(client, admin_key, slug="ucad")
    response = client.post(URL, json={**NEW, "slug": "ucad"}, headers=bearer(admin_key))
    assert response.status_code == 409 and response.mimetype == "application/problem+json"


def test_malformed_json_is_400_and_wrong_content_type_is_415(client, admin_key):
    response = client.post(
        URL, data='{"name": ', content_type="application/json", headers=bearer(admin_key)
    )
    assert response.status_code == 400 and response.json["detail"]
    response = client.post(
        URL,
        data="name=x",
        content_type="application/x-www-form-urlencoded",
        headers=bearer(admin_key),
    )
    assert response.status_code == 415


def test_patch_needs_if_match_and_rejects_stale_tags(client, admin_key):
    created = create(client, admin_key)
    url, etag = created.headers["Location"], created.headers["ETag"]
    headers = bearer(admin_key)
    assert client.patch(url, json={"city": "Dakar"}, headers=headers).status_code == 428
    first = client.patch(url, json={"city": "Dakar"}, headers={**headers, "If-Match": etag})
    assert first.status_code == 200 and first.json["city"] == "Dakar"
    assert first.headers["ETag"] != etag
    stale = client.patch(url, json={"city": "Thiès"}, headers={**headers, "If-Match": etag})
    assert stale.status_code == 412
    assert client.get(url).json["city"] == "Dakar"


def test_patch_replaces_lists_and_recomputes_regions(client, admin_key):
    created = create(client, admin_key, offers=["ai-safety"])
    response = client.patch(
        created.headers["Location"],
        json={
            "country": "BR",
            "operating_regions": ["eastern-asia"],
            "offers": ["biosecurity"],
            "acronym": None,
        },
        headers={**bearer(admin_key), "If-Match": created.headers["ETag"]},
    )
    body = response.json
    assert body["offers"] == ["biosecurity"] and body["acronym"] is None
    assert {"south-america", "americas", "eastern-asia", "asia", "brics"} <= set(body["regions"])
    assert "western-africa" not in body["regions"]


def test_history_records_each_write_newest_first(client, admin_key):
    created = create(client, admin_key)
    client.patch(
        created.headers["Location"],
        json={"city": "Dakar"},
        headers={**bearer(admin_key), "If-Match": created.headers["ETag"]},
    )
    events = client.get(f"{created.headers['Location']}/history").json
    assert [e["action"] for e in events] == ["updated", "created"]
    assert events[0]["fields"] == ["city"] and events[0]["actor"] is not None


def test_delete_archives_and_hides_from_lists(client, admin_key):
    created = create(client, admin_key)
    url, etag = created.headers["Location"], created.headers["ETag"]
    assert client.delete(url, headers=bearer(admin_key)).status_code == 428
    assert client.delete(url, headers={**bearer(admin_key), "If-Match": etag}).status_code == 204
    assert client.get(url).json["status"] == "archived"
    assert NEW["name"] not in {
        o["name"] for o in items(client.get(URL, query_string={"country": "SN"}))
    }
    archived = items(client.get(URL, query_string={"status": "archived"}))
    assert [o["id"] for o in archived] == [created.json["id"]]


# --- who may do what ---------------------------------------------------------------------


def test_writes_without_a_valid_key_are_401(client):
    for headers in ({}, bearer("pak_nope_nope"), {"Authorization": "Basic abc"}):
        response = client.post(URL, json=NEW, headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.patch(f"{URL}/uk-aisi", json={}).status_code == 401
    assert client.delete(f"{URL}/uk-aisi").status_code == 401


def test_non_admin_keys_cannot_create_or_archive(client, make_key):
    key = make_key(["read:contacts"])
    assert client.post(URL, json=NEW, headers=bearer(key)).status_code == 403
    etag = client.get(f"{URL}/uk-aisi").headers["ETag"]
    response = client.delete(f"{URL}/uk-aisi", headers={**bearer(key), "If-Match": etag})
    assert response.status_code == 403


def test_an_organization_key_edits_only_its_own_organization(client, make_key):
    own = client.get(f"{URL}/uk-aisi")
    key = make_key(["org:write"], own.json["id"])
    response = client.patch(
        f"{URL}/uk-aisi",
        json={"city": "London"},
        headers={**bearer(key), "If-Match": own.headers["ETag"]},
    )
    assert response.status_code == 200
    other = client.get(f"{URL}/us-caisi")
    response = client.patch(
        f"{URL}/us-caisi",
        json={"city": "Boston"},
        headers={**bearer(key), "If-Match": other.headers["ETag"]},
    )
    assert response.status_code == 403
    assert client.get(f"{URL}/us-caisi").json["city"] == other.json["city"]


def test_contact_email_is_hidden_from_anonymous_and_foreign_keys(client, admin_key, make_key):
    created = create(client, admin_key, contact_email="info@ucad.sn").json
    url = f"{URL}/{created['id']}"
    assert "contact_email" not in client.get(url).json
    assert all("contact_email" not in o for o in items(client.get(URL)))
    foreign = make_key(["org:write"], client.get(f"{URL}/uk-aisi").json["id"])
    assert "contact_email" not in client.get(url, headers=bearer(foreign)).json
    for key in (admin_key, make_key(["read:contacts"]), make_key(["org:write"], created["id"])):
        assert client.get(url, headers=bearer(key)).json["contact_email"] == "info@ucad.sn"


def test_a_revoked_key_is_refused_on_the_next_request(client, app, make_key):
    from partners_api.db import database
    from partners_api.keys import service as keys

    key = make_key(["admin"], None)
    assert client.post(URL, json=NEW, headers=bearer(key)).status_code == 201
    with app.app_context(), database().session() as session:
        assert keys.revoke_keys_named(session, name="test key") == 1
    assert client.post(URL, json=NEW, headers=bearer(key)).status_code == 401


def test_hostile_values_are_4xx_never_500(client, admin_key):
    assert client.get(URL, query_string={"page": 10**20}).json == []
    assert client.get(f"{URL}/a%00b").status_code == 404
    before = total(client)
    for text in ("nul \x00 inside", "lone \ud800 surrogate", "bell \x07"):
        response = client.post(
            URL,
            data=json.dumps({**NEW, "description": text}),
            content_type="application/json",
            headers=bearer(admin_key),
        )
        assert response.status_code == 422, text
        assert list(response.json["errors"]) == ["description"], response.json
    assert total(client) == before
    deep = client.post(
        URL, data="[" * 100_000, content_type="application/json", headers=bearer(admin_key)
    )
    assert deep.status_code == 400
    for moment in ("9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00"):
        assert client.get(URL, query_string={"updated_since": moment}).status_code == 422
    payload = "'; DROP TABLE organizations; --"
    assert client.get(URL, query_string={"q": payload}).json == []
    created = create(client, admin_key, name=payload, description='=HYPERLINK("x")').json
    assert created["name"] == payload and created["description"] == '=HYPERLINK("x")'


def test_patch_cannot_make_a_topic_both_offered_and_sought(client, admin_key):
    created = create(client, admin_key, offers=["alignment"])
    response = client.patch(
        created.headers["Location"],
        json={"seeks": ["alignment"]},
        headers={**bearer(admin_key), "If-Match": created.headers["ETag"]},
    )
    assert response.status_code == 422 and "seeks" in response.json["errors"]
    assert client.get(created.headers["Location"]).json["seeks"] == []


def test_a_failed_patch_changes_neither_data_nor_etag(client, admin_key):
    created = create(client, admin_key)
    url, etag = created.headers["Location"], created.headers["ETag"]
    response = client.patch(
        url,
        json={"city": "Dakar", "offers": ["alchemy"]},
        headers={**bearer(admin_key), "If-Match": etag},
    )
    assert response.status_code == 422
    after = client.get(url, headers=bearer(admin_key))
    assert after.json["city"] is None and after.headers["ETag"] == etag


def test_if_match_star_is_refused(client, admin_key):
    created = create(client, admin_key)
    response = client.patch(
        created.headers["Location"],
        json={"city": "Dakar"},
        headers={**bearer(admin_key), "If-Match": "*"},
    )
    assert response.status_code == 428


def test_an_archived_organization_is_frozen_for_its_own_key(client, admin_key, make_key):
    created = create(client, admin_key)
    url = created.headers["Location"]
    own = make_key(["org:write"], created.json["id"])
    client.delete(url, headers={**bearer(admin_key), "If-Match": created.headers["ETag"]})
    etag = client.get(url, headers=bearer(own)).headers["ETag"]
    response = client.patch(url, json={"city": "Dakar"}, headers={**bearer(own), "If-Match": etag})
    assert response.status_code == 409 and response.json["code"] == "archived"


def test_unknown_routes_are_404_and_wrong_methods_405(client):
    assert client.post("/api/v1/nowhere", json={}).status_code == 404
    response = client.put(URL, json={})
    assert response.status_code == 405 and "GET" in response.headers["Allow"]
