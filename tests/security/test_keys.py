"""Keys over HTTP: issued once, listed without secrets, revoked at once."""

from __future__ import annotations

from tests.helpers import bearer, org_id

URL = "/api/v1/keys"


def test_issue_list_and_revoke(client, admin_key):
    own = org_id(client, "cipesa")
    issued = client.post(
        URL,
        json={"name": "CIPESA integration", "scopes": ["org:write"], "organization_id": own},
        headers=bearer(admin_key),
    )
    assert issued.status_code == 201
    secret = issued.json["secret"]
    assert secret.startswith(f"pak_{issued.json['prefix']}_")
    listed = client.get(URL, headers=bearer(admin_key))
    assert listed.status_code == 200
    text = listed.get_data(as_text=True)
    assert secret not in text and "secret" not in text and "hash" not in text
    key_id = issued.json["id"]
    etag = client.get(f"/api/v1/organizations/{own}").headers["ETag"]
    allowed = client.patch(
        f"/api/v1/organizations/{own}",
        json={"city": "Kampala"},
        headers={**bearer(secret), "If-Match": etag},
    )
    assert allowed.status_code == 200
    assert client.delete(f"{URL}/{key_id}", headers=bearer(admin_key)).status_code == 204
    refused = client.get(f"/api/v1/organizations/{own}", headers=bearer(secret))
    assert refused.status_code == 401
    revoked = next(k for k in client.get(URL, headers=bearer(admin_key)).json if k["id"] == key_id)
    assert revoked["revoked_at"] and revoked["last_used_at"]


def test_several_keys_per_organization_for_rotation(client, admin_key):
    own = org_id(client, "cipesa")
    body = {"name": "rotation", "scopes": ["org:write"], "organization_id": own}
    first = client.post(URL, json=body, headers=bearer(admin_key)).json["secret"]
    second = client.post(URL, json=body, headers=bearer(admin_key)).json["secret"]
    for secret in (first, second):
        assert client.get(f"/api/v1/organizations/{own}", headers=bearer(secret)).status_code == 200


def test_only_admin_manages_keys(client, make_key):
    key = make_key(["read:contacts"])
    assert client.get(URL, headers=bearer(key)).status_code == 403
    assert client.get(URL).status_code == 401
    body = {"name": "x", "scopes": ["admin"]}
    assert client.post(URL, json=body, headers=bearer(key)).status_code == 403


def test_key_requests_are_validated(client, admin_key):
    for body, field in (
        ({"name": "x", "scopes": ["root"]}, "scopes.0"),
        ({"name": "x", "scopes": ["org:write"]}, "organization_id"),
        ({"name": "x", "scopes": ["admin"], "secret_hash": "x"}, "secret_hash"),
        ({"name": "x", "scopes": ["org:write"], "organization_id": 10**9}, "organization_id"),
    ):
        response = client.post(URL, json=body, headers=bearer(admin_key))
        assert response.status_code == 422 and field in response.json["errors"], body
    assert client.delete(f"{URL}/999999", headers=bearer(admin_key)).status_code == 404


def test_a_key_in_the_url_is_refused(client, admin_key):
    for name in ("api_key", "token", "access_token"):
        response = client.get("/api/v1/regions", query_string={name: admin_key})
        assert response.status_code == 400 and response.json["code"] == "key_in_query"
