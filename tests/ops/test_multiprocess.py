"""Two gunicorn servers on one PostgreSQL database and one Redis, as in production.

What one server writes the other serves, the matching index follows writes made elsewhere,
rate limits count across both, and a PostgreSQL restart gives 503s, never 500s, then
recovers. The servers use the project's gunicorn configuration on a database this module
creates, migrates and drops (the suite's own keeps transactions open).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from sqlalchemy import make_url

from tests.polling import Poller
from tests.servers import Answer, Server, cli, cli_key, fresh_postgresql, serve

pytestmark = pytest.mark.postgresql

REDIS_URL = "redis://127.0.0.1:6379/0"
ANONYMOUS_LIMIT = 20  # other tests here send keys, so only the limit test counts


@pytest.fixture(scope="module")
def redis_server() -> None:
    """Skip unless Redis answers on 127.0.0.1:6379."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379: the servers share their rate limits there")


@pytest.fixture(scope="module")
def fresh_database() -> Iterator[str]:
    """A new PostgreSQL database migrated by the command line, dropped afterwards."""
    with fresh_postgresql("partners_mp") as url:
        cli(url, "db", "upgrade")
        yield url


@pytest.fixture(scope="module")
def admin_key(fresh_database: str) -> dict[str, str]:
    """The Authorization header of an admin key made with the command line."""
    return cli_key(fresh_database, "two servers")


@pytest.fixture(scope="module")
def servers(redis_server, fresh_database, tmp_path_factory) -> Iterator[tuple[Server, Server]]:
    """Servers A and B, each with two workers, sharing the database and Redis limits."""
    logs = tmp_path_factory.mktemp("gunicorn")
    shared = {
        "DATABASE_URL": fresh_database,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": f"two-servers-{uuid.uuid4().hex}",
        "RATELIMIT_ANONYMOUS": f"{ANONYMOUS_LIMIT} per minute",
    }
    with serve("a", logs, **shared) as a, serve("b", logs, **shared) as b:
        yield a, b


def create(server: Server, key: dict, name: str, **fields) -> Answer:
    """Create an organization through a server."""
    body = {"name": name, "sector": "academia", "country": "KE", **fields}
    answer = server.call("POST", "/api/v1/organizations", body, key)
    assert answer.status == 201, answer.body
    return answer


def patch(server: Server, key: dict, ref: str, etag: str, **fields) -> Answer:
    """Change an organization through a server, given the ETag it was read with."""
    answer = server.call("PATCH", f"/api/v1/organizations/{ref}", fields, {**key, "If-Match": etag})
    assert answer.status == 200, answer.body
    return answer


def test_a_write_through_one_server_is_read_through_the_other(servers, admin_key):
    a, b = servers
    created = create(a, admin_key, "Written Through A", city="Nairobi")
    slug = created.json["slug"]
    read = b.call("GET", f"/api/v1/organizations/{slug}", headers=admin_key)
    assert read.status == 200
    assert read.headers["ETag"] == created.headers["ETag"]
    assert read.json == created.json
    changed = patch(a, admin_key, slug, read.headers["ETag"], city="Mombasa")
    for _ in range(4):  # whichever of B's workers answers
        again = b.call("GET", f"/api/v1/organizations/{slug}", headers=admin_key)
        assert again.json["city"] == "Mombasa"
        assert again.headers["ETag"] == changed.headers["ETag"] != created.headers["ETag"]


def test_matches_through_one_server_follow_a_patch_through_the_other(servers, admin_key):
    a, b = servers
    seeker = create(
        a, admin_key, "Seeker", seeks=["content-provenance"], offers=["labor-impacts"]
    ).json
    mirror = create(
        a,
        admin_key,
        "Mirror",
        sector="industry",
        country="BR",
        offers=["content-provenance"],
        seeks=["labor-impacts"],
    )

    def mirror_match() -> dict:
        path = f"/api/v1/organizations/{seeker['id']}/matches?limit=100"
        answer = b.call("GET", path, headers=admin_key)
        assert answer.status == 200, answer.body
        found = answer.json
        return next(m for m in found["matches"] if m["organization"]["id"] == mirror.json["id"])

    for _ in range(4):
        assert mirror_match()["they_offer_you_seek"] == ["content-provenance"]
    patch(a, admin_key, mirror.json["slug"], mirror.headers["ETag"], offers=["military-ai"])
    for _ in range(4):
        match = mirror_match()
        assert match["they_offer_you_seek"] == []
        assert match["components"]["reciprocity"]["value"] == 0


def test_a_decline_through_one_server_hides_the_pair_on_every_worker_of_both(servers, admin_key):
    a, b = servers
    mirror = {"sector": "industry", "country": "BR", "offers": ["ai-safety"]}
    seeker = create(a, admin_key, "Declined Seeker", seeks=["ai-safety"]).json
    decliner = create(a, admin_key, "Decliner", **mirror).json

    def listed(server: Server, ref: int, **query) -> dict[int, dict]:
        params = "&".join(f"{k}={v}" for k, v in {"limit": 100, **query}.items())
        answer = server.call(
            "GET", f"/api/v1/organizations/{ref}/matches?{params}", None, admin_key
        )
        assert answer.status == 200, answer.body
        return {m["organization"]["id"]: m for m in answer.json["matches"]}

    for server in (a, b) * 4:  # every worker has built its index with the pair in it
        assert decliner["id"] in listed(server, seeker["id"])
    proposed = a.call(
        "POST",
        "/api/v1/partnerships",
        {"proposer_id": seeker["id"], "partner_id": decliner["id"], "kind": "research"},
        admin_key,
    )
    assert proposed.status == 201, proposed.body
    path = f"/api/v1/partnerships/{proposed.json['id']}/decline"
    assert a.call("POST", path, None, admin_key).status == 200
    for server in (b, a) * 4:  # at once, on whichever worker answers
        assert decliner["id"] not in listed(server, seeker["id"])
        assert seeker["id"] not in listed(server, decliner["id"])
        kept = listed(server, seeker["id"], include_declined="true")[decliner["id"]]
        # The index followed the decline too: one proposal received, one answered.
        assert kept["components"]["track_record"]["value"] == 0.25


def test_the_anonymous_limit_counts_requests_to_both_servers(servers):
    statuses = [
        server.call("GET", "/api/v1/regions?page_size=1").status
        for _ in range(ANONYMOUS_LIMIT)
        for server in servers
    ]
    assert statuses.count(200) == ANONYMOUS_LIMIT
    assert statuses.count(429) == ANONYMOUS_LIMIT
    assert statuses[:ANONYMOUS_LIMIT] == [200] * ANONYMOUS_LIMIT


def access_lines(server: Server) -> list[dict]:
    """The JSON access log lines a server has written so far."""
    lines = [json.loads(line) for line in server.stdout.read_text().splitlines()]
    return [line for line in lines if line["logger"] == "gunicorn.access"]


def test_metrics_sum_both_workers_and_access_logs_carry_the_request_id(servers, admin_key):
    a, _ = servers
    path, sent = "/api/v1/countries/NE", 0
    while sent < 200 and len({x["process"] for x in access_lines(a) if x["path"] == path}) < 2:
        for _ in range(10):  # until both workers have answered some
            assert a.call("GET", path, headers=admin_key).status == 200
        sent += 10
    sample = (
        'partners_api_http_requests_total{endpoint="/api/v1/countries/<code:code>",'
        f'method="GET",status="200"}} {float(sent)}'
    )
    for _ in range(4):  # whichever worker answers sums both
        assert sample in a.call("GET", "/api/v1/metrics").body.decode()
    marker = f"trace-{uuid.uuid4().hex}"
    a.call("GET", "/api/v1/health", headers={"X-Request-ID": marker})
    deadline, traced = time.monotonic() + 5, []
    while not traced and time.monotonic() < deadline:  # written once the answer is sent
        traced = [line for line in access_lines(a) if line.get("request_id") == marker]
        time.sleep(0.05)
    assert len(traced) == 1
    assert traced[0]["path"] == "/api/v1/health" and traced[0]["status"] == 200


def postgresql_cluster(database_url: str) -> list[str]:
    """`pg_ctlcluster` arguments naming the local cluster on the database's port, else skip."""
    if shutil.which("pg_ctlcluster") is None or shutil.which("pg_lsclusters") is None:
        pytest.skip("needs pg_ctlcluster to restart PostgreSQL")
    url = make_url(database_url)
    if url.host not in (None, "127.0.0.1", "localhost"):
        pytest.skip("PostgreSQL is not on this machine: it cannot be restarted here")
    listed = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True)
    for version, name, port, *_ in (line.split() for line in listed.stdout.splitlines()):
        if int(port) == (url.port or 5432):
            return ["pg_ctlcluster", "--skip-systemctl-redirect", version, name]
    pytest.skip(f"no local PostgreSQL cluster on port {url.port or 5432}")


def postgresql(cluster: list[str], action: str) -> None:
    """Stop, start or restart the PostgreSQL cluster."""
    subprocess.run([*cluster, action], check=True, capture_output=True, timeout=60)


@contextlib.contextmanager
def started_at_the_end(cluster: list[str]) -> Iterator[None]:
    """Start PostgreSQL when the block ends, however it ends (a no-op when it runs)."""
    try:
        yield
    finally:
        subprocess.run([*cluster, "start"], capture_output=True, timeout=60)


def test_a_postgresql_restart_gives_503_problems_then_recovers(fresh_database, tmp_path):
    cluster = postgresql_cluster(fresh_database)
    with serve("c", tmp_path, DATABASE_URL=fresh_database, RATELIMIT_ENABLED="false") as server:
        pollers = [Poller(server, "/api/v1/organizations?page_size=1") for _ in range(2)]
        for poller in pollers:
            poller.start()
        assert pollers[0].wait_for(lambda answers: len(answers) >= 5, 10), server.logs()
        stopped = time.monotonic()
        with started_at_the_end(cluster):
            postgresql(cluster, "stop")
            down = time.monotonic()
            time.sleep(1)  # a second of outage under the pollers' light load
            restarting = time.monotonic()
        started = time.monotonic()
        for poller in pollers:
            poller.wait_for(lambda a: a[-1].answered > started and a[-1].status == 200, 10)
        time.sleep(1)  # light load goes on after recovery
        for poller in pollers:
            poller.stop(15)
        # Restarted while idle, every worker holds stale connections: checked before use.
        with started_at_the_end(cluster):
            postgresql(cluster, "restart")
        idle_restart = [server.call("GET", pollers[0].path).status for _ in range(6)]

    assert idle_restart == [200] * 6
    answers = [answer for poller in pollers for answer in poller.answers]
    assert not [a for a in answers if a.status == 500], "a 500 answered"
    while_down = [a for p in pollers for a in p.since(down) if a.answered < restarting]
    assert while_down, "no answer while PostgreSQL was down"
    errors = while_down + [a for p in pollers for a in p.since(stopped) if a.status != 200]
    kinds = {(a.status, a.content_type or a.detail) for a in errors}
    assert kinds == {(503, "application/problem+json")}
    recovered = min(p.first_200_since(restarting) or float("inf") for p in pollers)
    assert recovered - restarting < 10, "no 200 within 10 s of the restart"
    after = [a for p in pollers for a in p.since(started)]  # PostgreSQL is up: no stale links
    assert after and {a.status for a in after} == {200}, "an error after recovery"
