"""Object-level authorization: a key for one organization can change nothing of another.

The test walks every mutating route of the URL map, so a route added later is covered
too: it must be given a body here, or the test fails and says so.
"""

from __future__ import annotations

import pytest

from tests.helpers import bearer, link, new_organization

# A valid body per endpoint, so the request reaches the authorization check.
BODIES = {
    "organizations.OrganizationViews": lambda ids: {
        "name": "X",
        "sector": "media",
        "country": "FR",
    },
    "organizations.OrganizationByRefViews": lambda ids: {"city": "Elsewhere"},
    "organizations.OrganizationMergeViews": lambda ids: {"into": ids["third"]},
    "partnerships.PartnershipViews": lambda ids: {
        "proposer_id": ids["victim"],
        "partner_id": ids["third"],
        "kind": "network",
    },
    "dialogues.DialogueViews": lambda ids: {"title": "X"},
    "dialogues.DialogueByIdViews": lambda ids: {"title": "Renamed"},
    "dialogues.ParticipantViews": lambda ids: {"role": "host"},
    "dialogues.OutcomeSignalByPairViews": lambda ids: {"again": False},
    "invitations.DialogueInvitationViews": lambda ids: {"organization_ids": [ids["third"]]},
    "invitations.InvitationAcceptViews": lambda ids: {"message": "Yes"},
    "invitations.InvitationDeclineViews": lambda ids: {"message": "No"},
    "invitations.RefillViews": lambda ids: {},
    "topics.TopicViews": lambda ids: {"slug": "new-topic", "name": "X"},
    "topics.TopicBySlugViews": lambda ids: {"name": "Renamed"},
    "keys.KeyViews": lambda ids: {"name": "x", "scopes": ["admin"]},
    "webhooks.WebhookViews": lambda ids: {
        "url": "https://1.1.1.1/hook",
        "event_types": ["partnership.proposed"],
        "organization_id": ids["victim"],
    },
    "webhooks.WebhookByIdViews": lambda ids: {"description": "Hijacked"},
    "exports.OrganizationImportViews": lambda ids: [
        {"name": "X", "sector": "media", "country": "FR"}
    ],
}
NO_BODY = {
    "partnerships.PartnershipAcceptViews",
    "partnerships.PartnershipDeclineViews",
    "partnerships.PartnershipEndViews",
    "keys.KeyByIdViews",
    "invitations.InvitationWithdrawViews",
    "webhooks.WebhookSecretViews",
    "webhooks.RedeliverViews",
    "webhooks.PingViews",
}
# Computations that write nothing and are open to all.
OPEN = {
    "matching.ProfileMatchViews",
    "dialogues.ComposeViews",
    "identity.ResolveViews",
    "reconcile.ReconcileViews",
}


@pytest.fixture
def world(client, admin_key, make_key):
    attacker = new_organization(client, admin_key, "Attacker")["id"]
    victim = new_organization(client, admin_key, "Victim")["id"]
    third = new_organization(client, admin_key, "Third")["id"]
    partnership = link(client, admin_key, victim, third, kind="research").json["id"]
    dialogue = client.post(
        "/api/v1/dialogues", json={"title": "Victim's dialogue"}, headers=bearer(admin_key)
    ).json["id"]
    client.put(
        f"/api/v1/dialogues/{dialogue}/participants/{victim}",
        json={"role": "host"},
        headers=bearer(admin_key),
    )
    invitation = client.post(
        f"/api/v1/dialogues/{dialogue}/invitations",
        json={"organization_ids": [victim]},
        headers=bearer(admin_key),
    ).json["invitations"][0]["id"]
    webhook = client.post(
        "/api/v1/webhooks",
        json={
            "url": "https://1.1.1.1/hook",  # an address, not a name: nothing to resolve
            "event_types": ["partnership.proposed"],
            "organization_id": victim,
        },
        headers=bearer(admin_key),
    ).json["id"]
    ids = {"attacker": attacker, "victim": victim, "third": third}
    params = {
        "ref": victim,
        "partnership_id": partnership,
        "dialogue_id": dialogue,
        "org_id": victim,
        "slug": "red-teaming",
        "key_id": 1,
        "invitation_id": invitation,
        "from_id": victim,
        "to_id": third,
        "webhook_id": webhook,
        "delivery_id": 1,
    }
    return ids, params, make_key(["org:write"], attacker)


def mutating_routes(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            yield rule, method


def test_no_mutating_route_lets_a_foreign_key_through(app, client, world):
    ids, params, attacker_key = world
    walked = 0
    for rule, method in mutating_routes(app):
        if rule.endpoint in OPEN:
            continue
        assert rule.endpoint in BODIES or rule.endpoint in NO_BODY, (
            f"{method} {rule.rule}: add a valid body for {rule.endpoint} to this walk"
        )
        url = rule.build({k: params[k] for k in rule.arguments}, append_unknown=False)[1]
        etag = client.get(url).headers.get("ETag") if method in ("PATCH", "DELETE") else None
        headers = {**bearer(attacker_key), **({"If-Match": etag} if etag else {})}
        body = BODIES[rule.endpoint](ids) if rule.endpoint in BODIES else None
        response = client.open(url, method=method, json=body, headers=headers)
        assert response.status_code == 403, (method, rule.rule, response.status_code, response.json)
        walked += 1
    assert walked >= 15
    victim = client.get(f"/api/v1/organizations/{ids['victim']}").json
    assert victim["status"] == "active" and victim["city"] is None


def test_a_foreign_key_cannot_read_contacts(client, admin_key, world):
    ids, _, attacker_key = world
    etag = client.get(f"/api/v1/organizations/{ids['victim']}", headers=bearer(admin_key)).headers[
        "ETag"
    ]
    client.patch(
        f"/api/v1/organizations/{ids['victim']}",
        json={"contact_email": "v@x.org"},
        headers={**bearer(admin_key), "If-Match": etag},
    )
    seen = client.get(f"/api/v1/organizations/{ids['victim']}", headers=bearer(attacker_key))
    assert "contact_email" not in seen.json
