"""The /webhooks API: subscriptions, who may manage them, refusals, secrets, history."""

from __future__ import annotations

import pytest

from tests.helpers import bearer, org_id

PROPOSED = ["partnership.proposed"]


@pytest.fixture
def masakhane_key(client, make_key):
    return make_key(["org:write"], org_id(client, "ada-lovelace-institute"))


def test_an_organization_subscribes_to_its_own_events(client, masakhane_key, subscribe):
    made = subscribe(masakhane_key, "/ok/a", PROPOSED, description="CRM")
    assert made["secret"].startswith("whsec_")
    assert made["organization_id"] == org_id(client, "ada-lovelace-institute")
    assert made["active"] is True and made["disabled_reason"] is None
    shown = client.get(f"/api/v1/webhooks/{made['id']}", headers=bearer(masakhane_key))
    assert shown.status_code == 200 and "secret" not in shown.json
    listed = client.get("/api/v1/webhooks", headers=bearer(masakhane_key))
    assert [w["id"] for w in listed.json] == [made["id"]]


def test_another_organization_neither_sees_nor_subscribes_to_it(
    client, make_key, masakhane_key, subscribe
):
    made = subscribe(masakhane_key, "/ok/a", PROPOSED)
    other = make_key(["org:write"], org_id(client, "uk-aisi"))
    assert client.get(f"/api/v1/webhooks/{made['id']}", headers=bearer(other)).status_code == 403
    assert client.get("/api/v1/webhooks", headers=bearer(other)).json == []
    body = {
        "url": "https://example.org/hook",
        "event_types": PROPOSED,
        "organization_id": org_id(client, "ada-lovelace-institute"),
    }
    refused = client.post("/api/v1/webhooks", json=body, headers=bearer(other))
    assert refused.status_code == 403 and refused.json["code"] == "foreign_organization"


def test_read_keys_and_anonymous_callers_cannot_subscribe(client, make_key):
    body = {"url": "https://example.org/hook", "event_types": PROPOSED}
    assert client.post("/api/v1/webhooks", json=body).status_code == 401
    reader = make_key(["read:contacts"])
    refused = client.post("/api/v1/webhooks", json=body, headers=bearer(reader))
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("not a url", "invalid_url"),
        ("ftp://example.org/hook", "invalid_url"),
        ("http://example.org/hook", "invalid_url"),  # plain http only with ALLOW_PRIVATE
        ("https://user:pw@example.org/hook", "invalid_url"),
        ("https://127.0.0.1/hook", "private_address"),
        ("https://localhost:8443/hook", "private_address"),
        ("https://10.1.2.3/hook", "private_address"),
        ("https://169.254.169.254/latest/meta-data", "private_address"),
        ("https://[::1]/hook", "private_address"),
        ("https://[fd00:ec2::254]/hook", "private_address"),
        ("https://[::ffff:192.168.0.1]/hook", "private_address"),
        ("https://0.0.0.0/hook", "private_address"),
        ("https://224.0.0.1/hook", "private_address"),
        ("https://no-such-host.invalid/hook", "unresolvable_host"),
    ],
)
def test_bad_and_private_targets_are_refused(client, admin_key, url, code):
    body = {"url": url, "event_types": PROPOSED}
    refused = client.post("/api/v1/webhooks", json=body, headers=bearer(admin_key))
    assert refused.status_code == 422, refused.json
    assert refused.json["code"] == code and "url" in refused.json["errors"]
    assert client.get("/api/v1/webhooks", headers=bearer(admin_key)).json == []


def test_metadata_addresses_stay_refused_where_private_ones_are_allowed(
    client, admin_key, allow_private
):
    body = {"url": "http://169.254.169.254/latest", "event_types": PROPOSED}
    refused = client.post("/api/v1/webhooks", json=body, headers=bearer(admin_key))
    assert refused.status_code == 422 and refused.json["code"] == "private_address"


def test_unknown_event_types_are_refused(client, admin_key, allow_private, receiver):
    body = {"url": receiver.url + "/ok/x", "event_types": ["partnership.proposed", "nope.x"]}
    refused = client.post("/api/v1/webhooks", json=body, headers=bearer(admin_key))
    assert refused.status_code == 422 and refused.json["code"] == "unknown_event_type"
    assert "nope.x" in refused.json["errors"]["event_types"][0]


def test_patch_needs_a_current_if_match(client, masakhane_key, subscribe):
    made = subscribe(masakhane_key, "/ok/a", PROPOSED)
    path, key = f"/api/v1/webhooks/{made['id']}", bearer(masakhane_key)
    missing = client.patch(path, json={"description": "x"}, headers=key)
    assert missing.status_code == 428 and missing.json["code"] == "if_match_required"
    etag = client.get(path, headers=key).headers["ETag"]
    changed = client.patch(path, json={"description": "x"}, headers={**key, "If-Match": etag})
    assert changed.status_code == 200 and changed.json["description"] == "x"
    stale = client.patch(path, json={"active": False}, headers={**key, "If-Match": etag})
    assert stale.status_code == 412 and stale.json["code"] == "stale_etag"
    bad = client.patch(
        path,
        json={"url": "ftp://example.org/x"},
        headers={**key, "If-Match": changed.headers["ETag"]},
    )
    assert bad.status_code == 422 and bad.json["code"] == "invalid_url"
    assert client.get(path, headers=key).json["url"] == made["url"]


def test_delete_needs_if_match_and_removes_it(client, masakhane_key, subscribe):
    made = subscribe(masakhane_key, "/ok/a", PROPOSED)
    path, key = f"/api/v1/webhooks/{made['id']}", bearer(masakhane_key)
    assert client.delete(path, headers=key).status_code == 428
    etag = client.get(path, headers=key).headers["ETag"]
    assert client.delete(path, headers={**key, "If-Match": etag}).status_code == 204
    assert client.get(path, headers=key).status_code == 404
    assert client.get("/api/v1/webhooks/999999", headers=key).status_code == 404


def test_rotation_shows_a_new_secret_once_and_keeps_the_old_for_a_day(
    client, masakhane_key, subscribe
):
    made = subscribe(masakhane_key, "/ok/a", PROPOSED)
    path, key = f"/api/v1/webhooks/{made['id']}", bearer(masakhane_key)
    rotated = client.post(f"{path}/rotate-secret", headers=key)
    assert rotated.status_code == 200
    assert rotated.json["secret"].startswith("whsec_") and rotated.json["secret"] != made["secret"]
    shown = client.get(path, headers=key).json
    assert shown["previous_secret_expires_at"] == rotated.json["previous_secret_expires_at"]


def test_the_changes_feed_records_subscription_writes_without_secrets(
    client, admin_key, masakhane_key, subscribe
):
    made = subscribe(masakhane_key, "/ok/a", PROPOSED)
    path, key = f"/api/v1/webhooks/{made['id']}", bearer(masakhane_key)
    client.post(f"{path}/rotate-secret", headers=key)
    events = []
    since = None
    while True:
        query = {"limit": 1000, **({"since": since} if since else {})}
        page = client.get("/api/v1/changes", query_string=query).json
        if not page["events"]:
            break
        events += page["events"]
        since = page["next_cursor"]
    mine = [(e["action"], e["fields"]) for e in events if e["entity"] == "webhook"]
    assert mine == [
        ("created", ["event_types", "url"]),
        ("secret_rotated", ["secret"]),
    ]
    assert made["secret"] not in str(events)
