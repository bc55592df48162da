"""The dispatcher against a real receiver on loopback: signed, ordered, retried, contained."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import timedelta

import pytest
from sqlalchemy import select

from partners_api.webhooks.dispatcher import Dispatcher, Settings
from partners_api.webhooks.models import WebhookDelivery
from tests.helpers import bearer, link, new_organization, org_id

PROPOSED = ["partnership.proposed"]


@pytest.fixture
def orgs(client):
    return {slug: org_id(client, slug) for slug in ("ada-lovelace-institute", "uk-aisi", "cipesa")}


@pytest.fixture
def ada_key(make_key, orgs):
    return make_key(["org:write"], orgs["ada-lovelace-institute"])


def deliveries(client, key, webhook, **query) -> list[dict]:
    response = client.get(
        f"/api/v1/webhooks/{webhook['id']}/deliveries", headers=bearer(key), query_string=query
    )
    assert response.status_code == 200, response.json
    return response.json


def test_a_proposal_reaches_the_partner_signed(
    client, admin_key, ada_key, orgs, subscribe, receiver, dispatcher
):
    hook = subscribe(ada_key, "/ok/ada", PROPOSED)
    proposed = link(client, admin_key, orgs["uk-aisi"], orgs["ada-lovelace-institute"])
    dispatcher.run_until_idle()
    [got] = receiver.wait_for("/ok/ada", 1)
    assert got.verified is True
    assert got.headers["content-type"] == "application/json"
    assert got.json["type"] == "partnership.proposed"
    assert got.json["data"]["id"] == proposed.json["id"]
    assert got.json["data"]["status"] == "proposed"
    assert got.json["change"]["entity"] == "partnership"
    [shown] = deliveries(client, ada_key, hook)
    assert shown["status"] == "succeeded" and shown["response_status"] == 204
    assert shown["webhook_id"] == got.webhook_id and shown["attempts"] == 1
    assert shown["event_type"] == "partnership.proposed" and shown["duration_ms"] >= 0


def test_a_subscriber_never_gets_another_organizations_events(
    client, admin_key, ada_key, orgs, subscribe, receiver, dispatcher
):
    subscribe(ada_key, "/ok/ada", ["partnership.proposed", "organization.updated"])
    everything = subscribe(admin_key, "/ok/all", ["partnership.proposed", "organization.updated"])
    link(client, admin_key, orgs["uk-aisi"], orgs["cipesa"])  # not Ada's
    link(client, admin_key, orgs["cipesa"], orgs["ada-lovelace-institute"])
    etag = client.get("/api/v1/organizations/uk-aisi").headers["ETag"]
    client.patch(
        "/api/v1/organizations/uk-aisi",
        json={"city": "Webhook Town"},
        headers={**bearer(admin_key), "If-Match": etag},
    )
    dispatcher.run_until_idle()
    ada = receiver.wait_for("/ok/ada", 1)
    assert [(r.json["type"], r.json["data"]["partner"]["slug"]) for r in ada] == [
        ("partnership.proposed", "ada-lovelace-institute")
    ]
    assert len(receiver.wait_for("/ok/all", 3)) == 3
    assert everything["organization_id"] is None


def test_contact_emails_go_only_to_their_own_organization_and_the_directory(
    client, admin_key, ada_key, orgs, subscribe, receiver, dispatcher
):
    subscribe(ada_key, "/ok/ada", ["organization.updated"])
    subscribe(admin_key, "/ok/uk", ["organization.updated"], organization_id=orgs["uk-aisi"])
    subscribe(admin_key, "/ok/all", ["organization.updated"])
    for slug in ("ada-lovelace-institute", "uk-aisi"):
        etag = client.get(f"/api/v1/organizations/{slug}").headers["ETag"]
        changed = client.patch(
            f"/api/v1/organizations/{slug}",
            json={"contact_email": f"hello@{slug}.example"},
            headers={**bearer(admin_key), "If-Match": etag},
        )
        assert changed.status_code == 200, changed.json
    dispatcher.run_until_idle()
    [own] = receiver.wait_for("/ok/ada", 1)
    assert own.json["data"]["contact_email"] == "hello@ada-lovelace-institute.example"
    [uk] = receiver.wait_for("/ok/uk", 1)
    assert uk.json["data"]["contact_email"] == "hello@uk-aisi.example"
    directory = receiver.wait_for("/ok/all", 2)
    assert all("contact_email" in r.json["data"] for r in directory)


def test_the_subscriber_does_not_see_contacts_of_a_partner(
    client, admin_key, ada_key, orgs, subscribe, receiver, dispatcher
):
    subscribe(ada_key, "/ok/ada", PROPOSED)
    link(client, admin_key, orgs["uk-aisi"], orgs["ada-lovelace-institute"])
    dispatcher.run_until_idle()
    [got] = receiver.wait_for("/ok/ada", 1)
    assert "contact_email" not in str(got.json)


def test_order_is_kept_per_subscription(client, admin_key, subscribe, receiver, dispatcher, clock):
    subscribe(admin_key, "/slow/all", ["organization.created"])
    subscribe(admin_key, "/ok/all", ["organization.created"])
    receiver.fail_first["/slow/all"] = 3
    made = [new_organization(client, admin_key, f"Order Test {i}")["id"] for i in range(12)]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(receiver.of("/slow/all")) < 15:
        dispatcher.run_until_idle()
        clock.now += timedelta(hours=7)
    slow = [r.json["data"]["id"] for r in receiver.of("/slow/all")]
    assert slow[:3] == [made[0]] * 3  # the first failed three times, the rest waited
    assert slow[3:] == made
    assert [r.json["data"]["id"] for r in receiver.of("/ok/all")] == made


def test_retries_after_500_keep_the_webhook_id(
    client, admin_key, ada_key, orgs, subscribe, receiver, dispatcher, clock
):
    hook = subscribe(ada_key, "/ok/ada", PROPOSED)
    receiver.fail_first["/ok/ada"] = 2
    link(client, admin_key, orgs["uk-aisi"], orgs["ada-lovelace-institute"])
    dispatcher.run_until_idle()
    [first] = deliveries(client, ada_key, hook)
    assert first["status"] == "pending" and first["response_status"] == 500
    assert first["attempts"] == 1 and first["error"] == "answered 500"
    assert first["next_attempt_at"] is not None
    for _ in range(2):
        clock.now += timedelta(hours=7)  # past any back-off
        dispatcher.run_until_idle()
    tries = receiver.wait_for("/ok/ada", 3)
    assert len({r.webhook_id for r in tries}) == 1 and all(r.verified for r in tries)
    [done] = deliveries(client, ada_key, hook)
    assert done["status"] == "succeeded" and done["attempts"] == 3


@pytest.mark.parametrize("kind", ["hang", "close", "fail"])
def test_a_failing_target_never_stalls_the_others(
    client, admin_key, subscribe, receiver, dispatcher, kind
):
    bad = subscribe(admin_key, f"/{kind}/x", ["organization.created"])
    subscribe(admin_key, "/ok/y", ["organization.created"])
    new_organization(client, admin_key, "Stall Test")
    dispatcher.run_until_idle()
    [ok] = receiver.wait_for("/ok/y", 1)
    first_bad = receiver.wait_for(f"/{kind}/x", 1)[0]
    # The bad target, subscribed first, is sent to first; the good one does not wait for it.
    assert ok.at < first_bad.at + 0.5
    [failed] = deliveries(client, admin_key, bad)
    assert failed["status"] == "pending" and failed["attempts"] == 1
    expected = {"hang": "no answer within 0.5 s", "fail": "answered 500"}
    assert failed["error"] == expected.get(kind, failed["error"]) and failed["error"]
    assert failed["next_attempt_at"] > failed["last_attempt_at"]


def test_redirects_are_not_followed(client, admin_key, subscribe, receiver, dispatcher):
    hook = subscribe(admin_key, "/redirect/x", ["organization.created"])
    new_organization(client, admin_key, "Redirect Test")
    dispatcher.run_until_idle()
    assert len(receiver.wait_for("/redirect/x", 1)) == 1
    assert receiver.of("/ok/redirected") == []
    [failed] = deliveries(client, admin_key, hook)
    assert failed["response_status"] == 302 and "not followed" in failed["error"]


def test_a_target_is_checked_again_at_connection(client, admin_key, subscribe, receiver, app):
    hook = subscribe(admin_key, "/ok/x", ["organization.created"])
    new_organization(client, admin_key, "Rebinding Test")
    strict = Dispatcher(app.extensions["partners_db"], Settings(timeout=0.5, allow_private=False))
    strict.run_until_idle()
    assert receiver.of("/ok/x") == []
    [refused] = deliveries(client, admin_key, hook)
    assert refused["status"] == "pending" and refused["response_status"] is None
    assert "https" in refused["error"] or "loopback" in refused["error"]


def test_three_days_of_failures_disable_the_subscription(
    client, admin_key, subscribe, receiver, dispatcher, clock
):
    hook = subscribe(admin_key, "/fail/x", ["organization.created"])
    new_organization(client, admin_key, "Disable Test")
    dispatcher.run_until_idle()
    for _ in range(12):
        clock.now += timedelta(hours=7)
        dispatcher.run_until_idle()
    shown = client.get(f"/api/v1/webhooks/{hook['id']}", headers=bearer(admin_key)).json
    assert shown["active"] is False
    assert "failed for 3 days" in shown["disabled_reason"]
    assert "answered 500" in shown["disabled_reason"]
    [gave_up] = deliveries(client, admin_key, hook)
    assert gave_up["status"] == "failed" and gave_up["attempts"] >= 11
    attempts = len(receiver.of("/fail/x"))
    clock.now += timedelta(days=1)
    dispatcher.run_until_idle()
    assert len(receiver.of("/fail/x")) == attempts  # nothing more while disabled


def test_redeliver_sends_again_with_the_same_webhook_id(
    client, admin_key, subscribe, receiver, dispatcher
):
    hook = subscribe(admin_key, "/ok/x", ["organization.created"])
    new_organization(client, admin_key, "Redeliver Test")
    dispatcher.run_until_idle()
    [delivery] = deliveries(client, admin_key, hook)
    again = client.post(
        f"/api/v1/webhooks/{hook['id']}/deliveries/{delivery['id']}/redeliver",
        headers=bearer(admin_key),
    )
    assert again.status_code == 202 and again.json["status"] == "pending"
    dispatcher.run_until_idle()
    first, second = receiver.wait_for("/ok/x", 2)
    assert first.webhook_id == second.webhook_id == delivery["webhook_id"]
    assert second.verified


def test_after_rotation_both_secrets_sign_for_a_day(
    client, admin_key, subscribe, receiver, dispatcher, clock
):
    hook = subscribe(admin_key, "/ok/x", ["organization.created"])
    old = receiver.secrets["/ok/x"]
    rotated = client.post(f"/api/v1/webhooks/{hook['id']}/rotate-secret", headers=bearer(admin_key))
    new_organization(client, admin_key, "Rotation Test")
    dispatcher.run_until_idle()
    [got] = receiver.wait_for("/ok/x", 1)
    assert got.verified and len(got.headers["webhook-signature"].split(" ")) == 2
    receiver.secrets["/ok/x"] = rotated.json["secret"]
    receiver.note("/ok/x", got.headers, got.body)
    assert receiver.of("/ok/x")[-1].verified
    clock.now += timedelta(hours=25)
    new_organization(client, admin_key, "Rotation Test 2")
    dispatcher.run_until_idle()
    latest = receiver.wait_for("/ok/x", 3)[-1]
    assert len(latest.headers["webhook-signature"].split(" ")) == 1 and latest.verified
    receiver.secrets["/ok/x"] = old
    receiver.note("/ok/x", latest.headers, latest.body)
    assert receiver.of("/ok/x")[-1].verified is False


def test_deliveries_of_a_deleted_subscription_go_with_it(
    client, admin_key, subscribe, receiver, dispatcher, session
):
    hook = subscribe(admin_key, "/ok/x", ["organization.created"])
    new_organization(client, admin_key, "Delete Test")
    dispatcher.run_until_idle()
    path = f"/api/v1/webhooks/{hook['id']}"
    etag = client.get(path, headers=bearer(admin_key)).headers["ETag"]
    client.delete(path, headers={**bearer(admin_key), "If-Match": etag})
    left = session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.subscription_id == hook["id"])
    ).all()
    assert left == []


def test_invitations_reach_only_the_invited_organization(
    client, admin_key, ada_key, make_key, orgs, subscribe, receiver, dispatcher
):
    kinds = ["invitation.created", "invitation.accepted", "participant.added"]
    subscribe(ada_key, "/ok/ada", kinds)
    uk_key = make_key(["org:write"], orgs["uk-aisi"])
    subscribe(uk_key, "/ok/uk", kinds[:2])  # participant.added is public: not here
    planned = client.get("/api/v1/dialogues", query_string={"status": "planned"}).json[0]
    invited = client.post(
        f"/api/v1/dialogues/{planned['id']}/invitations",
        json={"organization_ids": [orgs["ada-lovelace-institute"]], "message": "Join us?"},
        headers=bearer(admin_key),
    )
    assert invited.status_code == 201, invited.json
    [invitation] = invited.json["invitations"]
    accepted = client.post(
        f"/api/v1/dialogues/{planned['id']}/invitations/{invitation['id']}/accept",
        json={},
        headers=bearer(ada_key),
    )
    assert accepted.status_code == 200, accepted.json
    dispatcher.run_until_idle()
    ada = receiver.wait_for("/ok/ada", 3)
    assert [r.json["type"] for r in ada] == [
        "invitation.created",
        "invitation.accepted",
        "participant.added",
    ]
    assert ada[0].json["data"]["message"] == "Join us?" and all(r.verified for r in ada)
    assert receiver.of("/ok/uk") == []  # another organization's invitation is private


def test_a_public_name_that_resolves_to_loopback_is_refused_at_connection(
    client, admin_key, subscribe, receiver, app
):
    port = receiver.url.rsplit(":", 1)[1]
    body = {"url": f"https://localhost:{port}/ok/x", "event_types": ["organization.created"]}
    made = client.post("/api/v1/webhooks", json=body, headers=bearer(admin_key))
    assert made.status_code == 201  # private targets allowed when subscribing, here
    new_organization(client, admin_key, "Loopback Test")
    strict = Dispatcher(app.extensions["partners_db"], Settings(timeout=0.5, allow_private=False))
    strict.run_until_idle()
    [refused] = deliveries(client, admin_key, made.json)
    assert refused["status"] == "pending" and refused["response_status"] is None
    assert "loopback, private" in refused["error"]
    assert receiver.of("/ok/x") == []  # nothing ever reached the refused address


def test_ping_sends_a_signed_test_event(client, admin_key, subscribe, receiver, dispatcher):
    hook = subscribe(admin_key, "/ok/x", ["organization.created"])
    pinged = client.post(f"/api/v1/webhooks/{hook['id']}/ping", headers=bearer(admin_key))
    assert pinged.status_code == 202 and pinged.json["event_type"] == "webhook.ping"
    dispatcher.run_until_idle()
    [got] = receiver.wait_for("/ok/x", 1)
    assert got.verified and got.json["type"] == "webhook.ping"
    assert got.json["data"] == {"webhook": hook["id"]}
    assert got.webhook_id == pinged.json["webhook_id"]


def test_history_shows_what_the_dispatcher_did(
    client, admin_key, subscribe, receiver, dispatcher, clock
):
    hook = subscribe(admin_key, "/fail/x", ["organization.created"])
    new_organization(client, admin_key, "History Test")
    dispatcher.run_until_idle()
    clock.now += timedelta(days=3, hours=1)
    dispatcher.run_until_idle()
    history = client.get(f"/api/v1/webhooks/{hook['id']}/history", headers=bearer(admin_key))
    assert [e["action"] for e in history.json] == ["disabled", "created"]
    pinged = client.post(f"/api/v1/webhooks/{hook['id']}/ping", headers=bearer(admin_key))
    assert pinged.status_code == 409 and pinged.json["code"] == "webhook_inactive"


def test_deliveries_fanned_out_while_their_subscription_sends_are_not_left_behind(
    client, admin_key, subscribe, receiver, dispatcher, session
):
    """A step that only records the last batch in flight is not idle: what was fanned out
    for that subscription meanwhile is claimed next, and run_until_idle sends it."""
    subscribe(admin_key, "/slow/all", ["organization.created"])
    receiver.slow_seconds = 0.3
    new_organization(client, admin_key, "Fanned Out First")
    with ThreadPoolExecutor(2) as pool:
        in_flight: dict = {}
        assert dispatcher.step(pool, in_flight, wait_seconds=0)  # claimed, sending
        new_organization(client, admin_key, "Fanned Out While Sending")
        assert dispatcher.step(pool, in_flight, wait_seconds=0)  # fanned out, not claimed
        wait(list(in_flight))
        assert dispatcher.step(pool, in_flight, wait_seconds=0)  # recorded: not idle
    dispatcher.run_until_idle()
    names = [r.json["data"]["name"] for r in receiver.wait_for("/slow/all", 2)]
    assert names == ["Fanned Out First", "Fanned Out While Sending"]
    pending = select(WebhookDelivery).where(WebhookDelivery.status == "pending")
    assert session.scalars(pending).all() == []
