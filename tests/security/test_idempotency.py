"""Idempotency-Key on POST: a retry replays the first answer; another body is a 422."""

from __future__ import annotations

import threading

from sqlalchemy import delete, select

from partners_api.changes.models import ChangeEvent
from partners_api.idempotency.models import IdempotentRequest
from partners_api.organizations.models import Organization
from tests.helpers import bearer

URL = "/api/v1/organizations"
BODY = {"name": "Idempotent Institute", "sector": "academia", "country": "GH"}


def test_a_retry_replays_the_first_answer(client, admin_key):
    headers = {**bearer(admin_key), "Idempotency-Key": "create-1"}
    first = client.post(URL, json=BODY, headers=headers)
    again = client.post(URL, json=BODY, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    found = client.get(URL, query_string={"q": "idempotent institute"}).json
    assert len(found) == 1


def test_the_same_key_with_another_body_is_422(client, admin_key):
    headers = {**bearer(admin_key), "Idempotency-Key": "create-2"}
    assert client.post(URL, json=BODY, headers=headers).status_code == 201
    other = client.post(URL, json={**BODY, "name": "Another"}, headers=headers)
    assert other.status_code == 422 and other.json["code"] == "idempotency_key_reused"


def test_keys_are_per_caller_and_checked(client, admin_key, make_key):
    second_admin = make_key(["admin"])
    for key, name in ((admin_key, "First Keyed"), (second_admin, "Second Keyed")):
        response = client.post(
            URL,
            json={**BODY, "name": name},
            headers={**bearer(key), "Idempotency-Key": "shared-name"},
        )
        assert response.status_code == 201, response.json
    bad = client.post(URL, json=BODY, headers={**bearer(admin_key), "Idempotency-Key": ""})
    assert bad.status_code == 422 and list(bad.json["errors"]) == ["Idempotency-Key"]


def test_concurrent_identical_posts_create_one_resource(app, admin_key_committed):
    headers = {**bearer(admin_key_committed), "Idempotency-Key": "concurrent-create"}
    answers = []

    def post() -> None:
        answers.append(
            app.test_client().post(URL, json={**BODY, "name": "Concurrent Lab"}, headers=headers)
        )

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db = app.extensions["partners_db"]
    with db.session() as session:
        made = list(
            session.scalars(select(Organization.id).where(Organization.name == "Concurrent Lab"))
        )
        session.execute(delete(Organization).where(Organization.id.in_(made)))
        session.execute(
            delete(ChangeEvent).where(
                ChangeEvent.entity == "organization", ChangeEvent.entity_id.in_(map(str, made))
            )
        )
        session.execute(
            delete(IdempotentRequest).where(IdempotentRequest.key == "concurrent-create")
        )
        session.commit()
    assert [a.status_code for a in answers] == [201, 201]
    assert len(made) == 1
    assert answers[0].json["id"] == answers[1].json["id"] == made[0]
