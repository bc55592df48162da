"""POST /organizations/{ref}/merge: what moves, what is closed, the 308s, events, errors."""

from __future__ import annotations

import csv
import io

import pytest

from tests.helpers import bearer, link, new_organization

ORGS = "/api/v1/organizations"


def merge(client, key, duplicate, into, etag=None):
    """Merge with the duplicate's current ETag (or the one given)."""
    if etag is None:
        etag = client.get(f"{ORGS}/{duplicate['id']}").headers["ETag"]
    return client.post(
        f"{ORGS}/{duplicate['id']}/merge",
        json={"into": into},
        headers={**bearer(key), "If-Match": etag},
    )


@pytest.fixture
def pair(client, admin_key):
    """A duplicate and the organization it duplicates, with topics, names and ids."""
    survivor = new_organization(
        client,
        admin_key,
        "Nairobi AI Lab",
        acronym="NAIL",
        offers=["model-evaluations"],
        seeks=["ai-governance"],
        languages=["en"],
        external_ids={"wikidata": "Q111", "ror": "0abcde123"},
    )
    duplicate = new_organization(
        client,
        admin_key,
        "Nairobi Artificial Intelligence Laboratory",
        acronym="NAIL Lab",
        offers=["red-teaming", "ai-governance"],
        seeks=["labor-impacts"],
        languages=["sw"],
        operating_regions=["eastern-africa"],
        external_ids={"wikidata": "Q222", "lei": "529900T8BM49AURSDO55"},
    )
    return duplicate, survivor


def test_merge_moves_fields_names_and_ids(client, admin_key, pair):
    duplicate, survivor = pair
    response = merge(client, admin_key, duplicate, survivor["slug"])
    assert response.status_code == 200, response.json
    body = response.json
    assert body["duplicate"]["status"] == "merged"
    assert body["duplicate"]["successor_id"] == survivor["id"]
    merged = client.get(f"{ORGS}/{survivor['id']}").json
    assert merged["offers"] == ["model-evaluations", "red-teaming"]  # sought stays sought
    assert merged["seeks"] == ["ai-governance", "labor-impacts"]
    assert merged["languages"] == ["en", "sw"]
    assert merged["operating_regions"] == ["eastern-africa"]
    names = {(n["value"], tuple(n["types"])) for n in merged["names"]}
    assert ("Nairobi Artificial Intelligence Laboratory", ("alias",)) in names
    assert ("NAIL Lab", ("acronym",)) in names
    assert ("Nairobi AI Lab", ("label",)) in names
    assert merged["external_ids"] == {
        "wikidata": "Q111",
        "ror": "0abcde123",
        "lei": "529900T8BM49AURSDO55",
    }
    assert body["external_id_conflicts"] == [
        {"scheme": "wikidata", "kept": "Q111", "dropped": "Q222"}
    ]
    assert merged["successor_id"] is None and merged["status"] == "active"


def test_links_move_and_clashes_close(client, admin_key, pair):
    duplicate, survivor = pair
    third = new_organization(client, admin_key, "Third Party Institute")
    fourth = new_organization(client, admin_key, "Fourth Party Institute")
    moved = link(client, admin_key, duplicate["id"], third["id"], "research", status="active")
    kept = link(client, admin_key, survivor["id"], fourth["id"], "funding", status="active")
    clash = link(client, admin_key, fourth["id"], duplicate["id"], "funding")  # proposed
    between = link(client, admin_key, duplicate["id"], survivor["id"], "mou", status="active")
    for answer in (moved, kept, clash, between):
        assert answer.status_code == 201, answer.json
    response = merge(client, admin_key, duplicate, survivor["id"])
    assert response.status_code == 200, response.json
    assert response.json["partnerships_moved"] == sorted([moved.json["id"], clash.json["id"]])
    assert response.json["partnerships_closed"] == sorted([clash.json["id"], between.json["id"]])

    def get(answer):
        return client.get(f"/api/v1/partnerships/{answer.json['id']}").json

    assert get(moved)["proposer"]["id"] == survivor["id"] and get(moved)["status"] == "active"
    assert get(kept)["status"] == "active"
    assert get(clash)["status"] == "declined" and get(clash)["partner"]["id"] == survivor["id"]
    assert get(between)["status"] == "ended" and get(between)["proposer"]["id"] == duplicate["id"]
    assert get(between)["ended_on"] is not None


def test_participations_move_with_the_stronger_role(client, admin_key, pair):
    duplicate, survivor = pair
    made = []
    for title in ("Both came", "Only the duplicate came"):
        answer = client.post(
            "/api/v1/dialogues",
            json={"title": title, "status": "planned", "virtual": True},
            headers=bearer(admin_key),
        )
        assert answer.status_code == 201, answer.json
        made.append(answer.json["id"])

    def take_part(dialogue, org, role):
        url = f"/api/v1/dialogues/{dialogue}/participants/{org['id']}"
        answer = client.put(url, json={"role": role}, headers=bearer(admin_key))
        assert answer.status_code in (200, 201), answer.json

    take_part(made[0], survivor, "observer")
    take_part(made[0], duplicate, "host")
    take_part(made[1], duplicate, "participant")
    response = merge(client, admin_key, duplicate, survivor["id"])
    assert response.json["dialogues"] == made
    for dialogue, role in zip(made, ("host", "participant"), strict=True):
        participants = client.get(f"/api/v1/dialogues/{dialogue}").json["participants"]
        assert [(p["organization"]["id"], p["role"]) for p in participants] == [
            (survivor["id"], role)
        ]


@pytest.mark.parametrize("suffix", ["", "/history", "/partners", "/network", "/matches"])
def test_reads_of_the_merged_one_are_sent_to_the_survivor(client, admin_key, pair, suffix):
    duplicate, survivor = pair
    assert merge(client, admin_key, duplicate, survivor["id"]).status_code == 200
    for ref in (duplicate["id"], duplicate["slug"]):
        response = client.get(f"{ORGS}/{ref}{suffix}", query_string={"page": 1})
        assert response.status_code == 308
        assert response.headers["Location"] == f"{ORGS}/{survivor['id']}{suffix}?page=1"
    introductions = client.get(f"{ORGS}/{duplicate['slug']}/introductions?to=1")
    assert introductions.status_code == 308
    assert introductions.headers["Location"] == f"{ORGS}/{survivor['id']}/introductions?to=1"


def test_a_chain_of_merges_is_followed_to_its_end(client, admin_key, pair):
    duplicate, survivor = pair
    last = new_organization(client, admin_key, "Last One Standing")
    assert merge(client, admin_key, duplicate, survivor["id"]).status_code == 200
    assert merge(client, admin_key, survivor, last["id"]).status_code == 200
    response = client.get(f"{ORGS}/{duplicate['slug']}")
    assert response.headers["Location"] == f"{ORGS}/{last['id']}"


def test_writes_to_the_merged_one_are_409_merged(client, admin_key, pair):
    duplicate, survivor = pair
    etag = client.get(f"{ORGS}/{duplicate['id']}").headers["ETag"]
    assert merge(client, admin_key, duplicate, survivor["id"], etag).status_code == 200
    headers = {**bearer(admin_key), "If-Match": etag}
    for response in (
        client.patch(f"{ORGS}/{duplicate['id']}", json={"city": "Mombasa"}, headers=headers),
        client.delete(f"{ORGS}/{duplicate['id']}", headers=headers),
    ):
        assert response.status_code == 409
        assert response.json["code"] == "merged"
        assert str(survivor["id"]) in response.json["detail"]
    again = client.post(
        f"{ORGS}/{duplicate['id']}/merge", json={"into": survivor["id"]}, headers=headers
    )
    assert again.status_code == 409 and again.json["code"] == "already_merged"


def test_feed_and_history_record_the_merge(client, admin_key, pair):
    duplicate, survivor = pair
    third = new_organization(client, admin_key, "Third Party Institute")
    moved = link(client, admin_key, duplicate["id"], third["id"], status="active").json
    before = client.get("/api/v1/changes", query_string={"limit": 1000}).json["next_cursor"]
    assert merge(client, admin_key, duplicate, survivor["id"]).status_code == 200
    events = client.get("/api/v1/changes", query_string={"since": before}).json["events"]
    seen = {(e["entity"], e["entity_id"], e["action"]): e["fields"] for e in events}
    assert seen[("organization", str(duplicate["id"]), "merged")] == ["status", "successor_id"]
    merged_in = seen[("organization", str(survivor["id"]), "merged_in")]
    assert f"merged_from.{duplicate['id']}" in merged_in and "partnerships" in merged_in
    assert seen[("partnership", str(moved["id"]), "merged")] == ["proposer_id"]
    history = client.get(f"{ORGS}/{survivor['id']}/history").json
    assert "merged_in" in [e["action"] for e in history]


def test_exports_carry_the_successor(client, admin_key, pair):
    duplicate, survivor = pair
    assert merge(client, admin_key, duplicate, survivor["id"]).status_code == 200
    query = {"status": ["merged", "active"], "format": "csv"}
    text = client.get("/api/v1/exports/organizations", query_string=query).get_data(True)
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(text))}
    assert rows[str(duplicate["id"])]["successor_id"] == str(survivor["id"])
    assert rows[str(duplicate["id"])]["status"] == "merged"
    assert rows[str(survivor["id"])]["successor_id"] == ""
    query["format"] = "json"
    records = client.get("/api/v1/exports/organizations", query_string=query).json
    found = {r["id"]: r for r in records}
    assert found[duplicate["id"]]["successor_id"] == survivor["id"]
    package = client.get("/api/v1/exports/datapackage.json").json
    fields = [f["name"] for r in package["resources"] for f in r["schema"]["fields"]]
    assert "successor_id" in fields


def test_lists_leave_merged_organizations_out_unless_asked(client, admin_key, pair):
    duplicate, survivor = pair
    assert merge(client, admin_key, duplicate, survivor["id"]).status_code == 200
    listed = client.get(
        ORGS, query_string={"page_size": 100, "q": "Nairobi Artificial Intelligence Laboratory"}
    ).json
    assert [o["id"] for o in listed] == [survivor["id"]]
    merged = client.get(
        ORGS, query_string={"status": "merged", "q": "Nairobi Artificial Intelligence Laboratory"}
    ).json
    assert [o["id"] for o in merged] == [duplicate["id"]]


def test_merge_conflicts(client, admin_key, pair):
    duplicate, survivor = pair
    archived = new_organization(client, admin_key, "Gone Away Institute")
    etag = client.get(f"{ORGS}/{archived['id']}").headers["ETag"]
    client.delete(f"{ORGS}/{archived['id']}", headers={**bearer(admin_key), "If-Match": etag})
    assert merge(client, admin_key, duplicate, duplicate["id"]).json["code"] == "merge_into_self"
    inactive = merge(client, admin_key, duplicate, archived["id"])
    assert inactive.status_code == 409 and inactive.json["code"] == "merge_into_inactive"
    assert merge(client, admin_key, duplicate, survivor["id"]).status_code == 200
    cycle = merge(client, admin_key, survivor, duplicate["id"])
    assert cycle.status_code == 409 and cycle.json["code"] == "merge_cycle"
    other = new_organization(client, admin_key, "Another Institute")
    into_merged = merge(client, admin_key, other, duplicate["slug"])
    assert into_merged.status_code == 409 and into_merged.json["code"] == "merge_into_inactive"


def test_merge_input_and_preconditions(client, admin_key, make_key, pair):
    duplicate, survivor = pair
    unknown = merge(client, admin_key, duplicate, "no-such-organization")
    assert unknown.status_code == 422 and "into" in unknown.json["errors"]
    assert merge(client, admin_key, duplicate, True).status_code == 422
    url = f"{ORGS}/{duplicate['id']}/merge"
    body = {"into": survivor["id"]}
    missing = client.post(url, json=body, headers=bearer(admin_key))
    assert missing.status_code == 428
    stale = client.post(url, json=body, headers={**bearer(admin_key), "If-Match": '"stale"'})
    assert stale.status_code == 412
    own = make_key(["org:write"], organization_id=duplicate["id"])
    assert merge(client, own, duplicate, survivor["id"]).status_code == 403
    assert client.post(url, json=body).status_code == 401
    assert client.get(f"{ORGS}/{duplicate['id']}").json["status"] == "active"


def test_the_spec_documents_the_merge_and_the_308s(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/organizations/{ref}/merge"]["post"]
    assert operation["operationId"] == "mergeOrganization"
    for path, item in spec["paths"].items():
        if path.startswith("/api/v1/organizations/{ref}") and "get" in item:
            assert "308" in item["get"]["responses"], path
