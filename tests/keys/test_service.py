"""Issuing and revoking keys."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from partners_api.changes.models import ChangeEvent
from partners_api.errors import Unprocessable
from partners_api.keys import service as keys
from partners_api.keys.auth import Principal
from partners_api.keys.models import ApiKey
from partners_api.organizations import service as organizations
from tests.helpers import new_organization


def test_a_key_is_stored_only_as_a_hash(session):
    issued = keys.create_key(session, name="analyst", scopes=["read:contacts"])
    stored = session.get(ApiKey, issued.key.id)
    assert issued.secret.startswith("pak_") and issued.secret not in (
        stored.secret_hash,
        stored.prefix,
    )
    assert keys.find_active_key(session, issued.secret).id == stored.id
    assert keys.find_active_key(session, issued.secret + "x") is None


@pytest.mark.parametrize(
    ("scopes", "organization_id"),
    [([], None), (["root"], None), (["org:write"], None), (["org:write"], 10**9)],
)
def test_bad_key_requests_are_refused(session, scopes, organization_id):
    with pytest.raises(Unprocessable):
        keys.create_key(session, name="x", scopes=scopes, organization_id=organization_id)


def test_a_key_for_an_archived_organization_is_refused(client, session, admin_key):
    created = new_organization(client, admin_key, "Closed Institute")
    organization = organizations.get_organization(session, ref=created["id"])
    organizations.archive_organization(session, organization=organization, actor_key_id=None)
    with pytest.raises(Unprocessable) as refused:
        keys.create_key(session, name="x", scopes=["org:write"], organization_id=created["id"])
    assert refused.value.errors == {"organization_id": [f"No active organization {created['id']}."]}


def test_revoking_records_an_event(session):
    issued = keys.create_key(session, name="to revoke", scopes=["admin"])
    assert keys.revoke_keys_named(session, name="to revoke") == 1
    assert keys.find_active_key(session, issued.secret) is None
    actions = session.scalars(
        select(ChangeEvent.action).where(
            ChangeEvent.entity == "key", ChangeEvent.entity_id == str(issued.key.id)
        )
    )
    assert sorted(actions) == ["created", "revoked"]


def test_a_convener_key_is_a_convener_and_admin_counts_as_one(session):
    convener = keys.create_key(session, name="convener", scopes=["dialogues:convene"])
    assert sorted(convener.key.scopes) == ["dialogues:convene"]
    assert Principal(key_id=1, scopes=frozenset(["dialogues:convene"])).is_convener
    assert Principal(key_id=1, scopes=frozenset(["admin"])).is_convener
    assert not Principal(key_id=1, scopes=frozenset(["org:write"]), organization_id=3).is_convener
