"""A worker builds its indexes before its first request."""

from __future__ import annotations

import ctypes

import pytest

from partners_api import create_app
from partners_api.changes import versioned
from partners_api.identity import index as names
from partners_api.matching import index as matching
from partners_api.observability import EXTENSION
from partners_api.ops.service import (
    MallocInfo,
    fill_heap_holes,
    rehearse,
    release_free_memory,
    warm_up,
    warm_up_apart,
)
from partners_api.organizations import listing

RESOLVE = "/api/v1/organizations/resolve?name=UK%20AI%20Security%20Institute"


def no_build(*args, **kwargs):
    raise AssertionError("a request built an index")


def test_warm_up_builds_both_indexes_so_requests_do_not(app, client, monkeypatch):
    warm_up(app)
    monkeypatch.setattr(listing, "build", no_build)
    monkeypatch.setattr(matching, "build_index", no_build)
    assert client.get("/api/v1/organizations/facets").status_code == 200
    assert client.get("/api/v1/organizations/uk-aisi/matches").status_code == 200


def test_warm_up_leaves_an_unreachable_database_to_the_first_request(tmp_path):
    unreachable = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'absent' / 'x.db'}"})
    warm_up(unreachable)  # logs a warning instead of failing the worker's start
    rehearse(unreachable)  # likewise
    with unreachable.test_client() as client:
        assert client.get("/api/v1/organizations").status_code == 503


def test_free_memory_released_after_the_builds_leaves_the_indexes_serving(app, client):
    warm_up(app, names=True)
    release_free_memory()  # what the gunicorn master does before it forks
    assert client.get("/api/v1/organizations/facets").status_code == 200
    assert client.get("/api/v1/organizations/uk-aisi/matches").status_code == 200
    resolved = client.get(RESOLVE)
    assert resolved.status_code == 200


def test_the_heaps_free_blocks_are_taken_and_requests_still_answer(app, client):
    """What the gunicorn master does last before it forks: every free block between live
    ones is taken (here some are made first: every other of 200 blocks of 2,000 bytes)."""
    libc = ctypes.CDLL(None)
    if not hasattr(libc, "mallinfo2"):
        pytest.skip("a C library without glibc's mallinfo2")
    libc.mallinfo2.restype = MallocInfo
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    warm_up(app, names=True)
    release_free_memory()
    blocks = [libc.malloc(ctypes.c_size_t(2000)) for _ in range(200)]
    for block in blocks[::2]:
        libc.free(block)
    free_before = libc.mallinfo2().fordblks  # free bytes of every arena, tops included
    assert fill_heap_holes() >= 90
    assert free_before - libc.mallinfo2().fordblks >= 90 * 2000
    for block in blocks[1::2]:
        libc.free(block)
    assert client.get("/api/v1/organizations/facets").status_code == 200
    assert client.get(RESOLVE).status_code == 200


@pytest.mark.parametrize("child_fails", [False, True], ids=["built apart", "child failed"])
def test_indexes_built_apart_answer_as_those_built_here(app, client, monkeypatch, child_fails):
    """What the gunicorn master does: build in a forked child and take the indexes over
    (or, should the child fail, build them here); requests then build nothing."""
    warm_up(app, names=True)
    expected = [client.get(path).json for path in PATHS]
    for module in (listing, matching, names):
        module.forget()
    if child_fails:
        monkeypatch.setattr(versioned, "every_value", no_build)  # the child sends nothing
    warm_up_apart(app)
    monkeypatch.setattr(listing, "build", no_build)
    monkeypatch.setattr(matching, "build_index", no_build)
    monkeypatch.setattr(names, "build", no_build)
    assert [client.get(path).json for path in PATHS] == expected


def test_the_rehearsal_answers_uncounted_and_leaves_the_indexes_built(
    app, client, monkeypatch, caplog
):
    """What the gunicorn master does before it forks: one request of each kind, neither in
    the metrics nor against the rate limits, and no index built again after."""
    warm_up(app, names=True)
    monkeypatch.setattr(listing, "build", no_build)
    monkeypatch.setattr(matching, "build_index", no_build)
    monkeypatch.setattr(names, "build", no_build)
    registry = app.extensions[EXTENSION].registry
    counted = registry.get_sample_value("partners_api_http_requests_total", FACETS_ANSWERED)
    rehearse(app)
    assert "rehearsal" not in caplog.text  # every rehearsed request answered 200
    assert registry.get_sample_value("partners_api_http_requests_total", FACETS_ANSWERED) == (
        counted
    )
    assert client.get("/api/v1/organizations/facets").status_code == 200
    after = registry.get_sample_value("partners_api_http_requests_total", FACETS_ANSWERED)
    assert after == (counted or 0) + 1


FACETS_ANSWERED = {"method": "GET", "endpoint": "/api/v1/organizations/facets", "status": "200"}
PATHS = (
    "/api/v1/organizations?sort=name&region=europe",
    "/api/v1/organizations/facets",
    "/api/v1/organizations/uk-aisi/matches",
    RESOLVE,
)
