"""Probable duplicates: refused on create and import unless allowed; listed in pairs."""

from __future__ import annotations

import json

from tests.helpers import bearer, total

ORGANIZATIONS = "/api/v1/organizations"
IMPORTS = "/api/v1/imports/organizations"
DUPLICATES = "/api/v1/organizations/duplicates"
AGAIN = {"name": "African Union Commission", "sector": "intergovernmental", "country": "ET"}


def test_a_probable_duplicate_is_refused_naming_the_organization(client, admin_key):
    before = total(client)
    response = client.post(ORGANIZATIONS, json=AGAIN, headers=bearer(admin_key))
    assert response.status_code == 409
    assert response.json["code"] == "probable_duplicate"
    assert "african-union-commission" in response.json["detail"]
    assert "african-union-commission" in response.json["errors"]["name"][0]
    assert total(client) == before


def test_another_name_as_written_elsewhere_is_a_duplicate_too(client, admin_key):
    body = {**AGAIN, "name": "Commission de l'Union africaine"}
    body["names"] = [{"value": "African Union Commission, Addis Ababa", "types": ["alias"]}]
    response = client.post(ORGANIZATIONS, json=body, headers=bearer(admin_key))
    assert response.status_code == 409 and response.json["code"] == "probable_duplicate"


def test_allow_duplicate_creates_it_and_the_pair_is_listed(client, admin_key):
    response = client.post(
        ORGANIZATIONS,
        json={**AGAIN, "website": "https://au.int"},
        query_string={"allow_duplicate": "true"},
        headers=bearer(admin_key),
    )
    assert response.status_code == 201, response.json
    pairs = client.get(DUPLICATES, headers=bearer(admin_key))
    assert pairs.status_code == 200
    pair = next(p for p in pairs.json if response.json["id"] in _ids(p))
    assert {o["slug"] for o in pair["organizations"]} == {
        "african-union-commission",
        response.json["slug"],
    }
    assert {"kind": "name", "value": "african union commission"} in pair["evidence"]
    assert json.loads(pairs.headers["X-Pagination"])["total"] == len(pairs.json)


def test_the_same_name_in_another_country_is_no_duplicate(client, admin_key):
    body = {**AGAIN, "country": "KE"}
    assert client.post(ORGANIZATIONS, json=body, headers=bearer(admin_key)).status_code == 201


def test_a_shared_registry_id_is_evidence(client, admin_key):
    first = {"name": "Alpha Lab", "sector": "academia", "country": "FR"}
    second = {"name": "Beta Collective", "sector": "media", "country": "DE"}
    ids = []
    for body in (first, second):
        body["external_ids"] = {"wikidata": "Q123456789"}
        response = client.post(ORGANIZATIONS, json=body, headers=bearer(admin_key))
        assert response.status_code == 201, response.json
        ids.append(response.json["id"])
    pairs = client.get(DUPLICATES, query_string={"page_size": 100}, headers=bearer(admin_key))
    pair = next(p for p in pairs.json if set(ids) == set(_ids(p)))
    assert pair["evidence"] == [{"kind": "external_id", "value": "wikidata:Q123456789"}]


def test_the_list_is_for_admin(client, make_key):
    assert client.get(DUPLICATES).status_code == 401
    other = make_key(["read:contacts"])
    assert client.get(DUPLICATES, headers=bearer(other)).status_code == 403


def test_an_import_lists_probable_duplicates_by_row_and_writes_nothing(client, admin_key):
    rows = [
        {**AGAIN, "slug": "auc-again"},
        {"name": "Entirely New Research Collective", "sector": "media", "country": "FR"},
    ]
    before = total(client)
    for dry_run in ("true", "false"):
        response = client.post(
            IMPORTS, json=rows, query_string={"dry_run": dry_run}, headers=bearer(admin_key)
        )
        assert response.status_code == 422
        assert [(e["row"], e["field"]) for e in response.json["errors"]] == [(1, "name")]
        assert "african-union-commission" in response.json["errors"][0]["message"]
    assert total(client) == before
    allowed = client.post(
        IMPORTS, json=rows, query_string={"allow_duplicate": "true"}, headers=bearer(admin_key)
    )
    assert allowed.status_code == 200 and allowed.json["created"] == 2
    assert total(client) == before + 2


def _ids(pair) -> list[int]:
    return [o["id"] for o in pair["organizations"]]
