"""The /topics endpoints."""

from __future__ import annotations

from tests.helpers import bearer

URL = "/api/v1/topics"


def test_list_and_children(client):
    children = client.get(URL, query_string={"parent": "ai-safety", "page_size": 100}).json
    assert "model-evaluations" in {t["slug"] for t in children}
    assert all(t["parent"] == "ai-safety" for t in children)
    assert client.get(URL, query_string={"parent": "alchemy"}).status_code == 422


def test_admin_creates_patches_and_deletes_a_topic(client, admin_key):
    headers = bearer(admin_key)
    created = client.post(
        URL,
        json={"slug": "ai-and-water", "name": "AI and water", "parent": "sectoral-uses"},
        headers=headers,
    )
    assert created.status_code == 201 and created.json["parent"] == "sectoral-uses"
    url = created.headers["Location"]
    patched = client.patch(
        url,
        json={"parent": "ai-for-climate"},
        headers={**headers, "If-Match": created.headers["ETag"]},
    )
    assert patched.status_code == 200 and patched.json["parent"] == "ai-for-climate"
    deleted = client.delete(url, headers={**headers, "If-Match": patched.headers["ETag"]})
    assert deleted.status_code == 204
    assert client.get(url).status_code == 404


def test_topic_writes_are_checked(client, admin_key, make_key):
    headers = bearer(admin_key)
    assert client.post(URL, json={"slug": "x y", "name": "X"}, headers=headers).status_code == 422
    assert (
        client.post(URL, json={"slug": "ai-safety", "name": "X"}, headers=headers).status_code
        == 409
    )
    other = bearer(make_key(["read:contacts"]))
    assert client.post(URL, json={"slug": "abc", "name": "X"}, headers=other).status_code == 403
    assert client.post(URL, json={"slug": "abc", "name": "X"}).status_code == 401


def test_a_topic_cannot_move_below_itself(client, admin_key):
    topic = client.get(f"{URL}/ai-safety")
    response = client.patch(
        f"{URL}/ai-safety",
        json={"parent": "model-evaluations"},
        headers={**bearer(admin_key), "If-Match": topic.headers["ETag"]},
    )
    assert response.status_code == 422 and "parent" in response.json["errors"]


def test_a_topic_in_use_or_with_children_cannot_be_deleted(client, admin_key):
    for slug, code in (
        ("model-evaluations", "topic_has_children"),
        ("red-teaming", "topic_in_use"),
    ):
        etag = client.get(f"{URL}/{slug}").headers["ETag"]
        response = client.delete(f"{URL}/{slug}", headers={**bearer(admin_key), "If-Match": etag})
        assert response.status_code == 409 and response.json["code"] == code


def test_the_taxonomy_is_at_most_three_levels_deep(client, admin_key):
    headers = bearer(admin_key)
    too_deep = client.post(
        URL,
        json={
            "slug": "fourth-level",
            "name": "Too deep",
            "parent": "dangerous-capability-evaluations",
        },
        headers=headers,
    )
    assert too_deep.status_code == 422 and "parent" in too_deep.json["errors"]
    # Moving a two-level subtree below a second-level topic would make four levels.
    etag = client.get(f"{URL}/model-evaluations").headers["ETag"]
    moved = client.patch(
        f"{URL}/model-evaluations",
        json={"parent": "technical-standards"},
        headers={**headers, "If-Match": etag},
    )
    assert moved.status_code == 422
