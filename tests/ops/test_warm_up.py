"""A worker builds its indexes before its first request."""

from __future__ import annotations

from partners_api import create_app
from partners_api.matching import index as matching
from partners_api.ops.service import release_free_memory, warm_up
from partners_api.organizations import listing


def test_warm_up_builds_both_indexes_so_requests_do_not(app, client, monkeypatch):
    warm_up(app)

    def no_build(*args, **kwargs):
        raise AssertionError("a request built an index")

    monkeypatch.setattr(listing, "build", no_build)
    monkeypatch.setattr(matching, "build_index", no_build)
    assert client.get("/api/v1/organizations/facets").status_code == 200
    assert client.get("/api/v1/organizations/uk-aisi/matches").status_code == 200


def test_warm_up_leaves_an_unreachable_database_to_the_first_request(tmp_path):
    unreachable = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'absent' / 'x.db'}"})
    warm_up(unreachable)  # logs a warning instead of failing the worker's start
    with unreachable.test_client() as client:
        assert client.get("/api/v1/organizations").status_code == 503


def test_free_memory_released_after_the_builds_leaves_the_indexes_serving(app, client):
    warm_up(app, names=True)
    release_free_memory()  # what the gunicorn master does before it forks
    assert client.get("/api/v1/organizations/facets").status_code == 200
    assert client.get("/api/v1/organizations/uk-aisi/matches").status_code == 200
    resolved = client.get("/api/v1/organizations/resolve?name=UK%20AI%20Security%20Institute")
    assert resolved.status_code == 200
