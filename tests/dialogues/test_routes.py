"""Dialogues and their participants over HTTP."""

from __future__ import annotations

import pytest

from tests.helpers import bearer, new_organization, org_id

URL = "/api/v1/dialogues"
SUMMIT = {
    "title": "Nairobi dialogue on AI evaluations",
    "topics": ["model-evaluations"],
    "status": "planned",
    "starts_on": "2027-03-01",
    "ends_on": "2027-03-02",
    "country": "ke",
    "city": "Nairobi",
}


@pytest.fixture
def dialogue(client, admin_key):
    response = client.post(URL, json=SUMMIT, headers=bearer(admin_key))
    assert response.status_code == 201, response.json
    return response


def test_admin_creates_updates_and_deletes(client, admin_key, dialogue):
    body, url = dialogue.json, dialogue.headers["Location"]
    assert body["country"] == "KE" and body["topics"] == ["model-evaluations"]
    assert body["participants"] == []
    patched = client.patch(
        url,
        json={"status": "held", "virtual": True},
        headers={**bearer(admin_key), "If-Match": dialogue.headers["ETag"]},
    )
    assert patched.status_code == 200 and patched.json["status"] == "held"
    stale = client.delete(url, headers={**bearer(admin_key), "If-Match": dialogue.headers["ETag"]})
    assert stale.status_code == 412
    gone = client.delete(url, headers={**bearer(admin_key), "If-Match": patched.headers["ETag"]})
    assert gone.status_code == 204 and client.get(url).status_code == 404


def test_dialogue_validation(client, admin_key):
    bad = client.post(URL, json={**SUMMIT, "ends_on": "2027-02-01"}, headers=bearer(admin_key))
    assert bad.status_code == 422 and "ends_on" in bad.json["errors"]
    for field, value in (("topics", ["alchemy"]), ("status", "postponed"), ("country", "XX")):
        response = client.post(URL, json={**SUMMIT, field: value}, headers=bearer(admin_key))
        assert response.status_code == 422 and any(
            k.startswith(field) for k in response.json["errors"]
        )


def test_only_admin_writes_dialogues(client, make_key):
    key = make_key(["org:write"], org_id(client, "uk-aisi"))
    assert client.post(URL, json=SUMMIT, headers=bearer(key)).status_code == 403
    assert client.post(URL, json=SUMMIT).status_code == 401


def test_an_organization_manages_only_its_own_participation(client, make_key, dialogue):
    url = dialogue.headers["Location"]
    own, other = org_id(client, "uk-aisi"), org_id(client, "us-caisi")
    key = make_key(["org:write"], own)
    added = client.put(
        f"{url}/participants/{own}", json={"role": "participant"}, headers=bearer(key)
    )
    assert added.status_code == 201 and added.json["role"] == "participant"
    again = client.put(
        f"{url}/participants/{own}", json={"role": "participant"}, headers=bearer(key)
    )
    assert again.status_code == 200
    host = client.put(f"{url}/participants/{own}", json={"role": "host"}, headers=bearer(key))
    assert host.status_code == 200 and host.json["role"] == "host"
    foreign = client.put(
        f"{url}/participants/{other}", json={"role": "observer"}, headers=bearer(key)
    )
    assert foreign.status_code == 403
    participants = client.get(url).json["participants"]
    assert [(p["organization"]["id"], p["role"]) for p in participants] == [(own, "host")]
    assert client.delete(f"{url}/participants/{other}", headers=bearer(key)).status_code == 403
    assert client.delete(f"{url}/participants/{own}", headers=bearer(key)).status_code == 204
    assert client.delete(f"{url}/participants/{own}", headers=bearer(key)).status_code == 404


def test_participant_checks(client, admin_key, dialogue):
    url = dialogue.headers["Location"]
    org = new_organization(client, admin_key, "Short-lived")["id"]
    assert (
        client.put(
            f"{url}/participants/{org}", json={"role": "chair"}, headers=bearer(admin_key)
        ).status_code
        == 422
    )
    assert (
        client.put(
            f"{url}/participants/999999999", json={"role": "host"}, headers=bearer(admin_key)
        ).status_code
        == 404
    )
    etag = client.get(f"/api/v1/organizations/{org}").headers["ETag"]
    client.delete(f"/api/v1/organizations/{org}", headers={**bearer(admin_key), "If-Match": etag})
    assert (
        client.put(
            f"{url}/participants/{org}", json={"role": "host"}, headers=bearer(admin_key)
        ).status_code
        == 422
    )


def test_filters(client, admin_key, dialogue):
    dialogue_id = dialogue.json["id"]
    member = org_id(client, "uk-aisi")
    client.put(
        f"{URL}/{dialogue_id}/participants/{member}",
        json={"role": "host"},
        headers=bearer(admin_key),
    )
    by_topic = client.get(URL, query_string={"topic": "ai-safety", "page_size": 100}).json
    assert dialogue_id in {d["id"] for d in by_topic}
    by_org = client.get(URL, query_string={"organization": member, "status": "planned"}).json
    assert dialogue_id in {d["id"] for d in by_org}
    assert dialogue_id not in {
        d["id"] for d in client.get(URL, query_string={"status": "held", "page_size": 100}).json
    }
    assert client.get(URL, query_string={"topic": "alchemy"}).status_code == 422
