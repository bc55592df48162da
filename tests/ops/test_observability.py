"""Request ids on every answer, JSON log lines that carry them, and /metrics."""

from __future__ import annotations

import json
import uuid

import pytest
from prometheus_client.parser import text_string_to_metric_families

from partners_api import create_app
from partners_api.observability.logs import configure_logging
from tests.helpers import bearer

COUNTRY_ROUTE = "/api/v1/countries/<code:code>"


def samples(client) -> dict[tuple[str, frozenset], float]:
    """The samples of /metrics by (name, labels)."""
    response = client.get("/api/v1/metrics")
    assert response.status_code == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }


def labels(**values: str) -> frozenset:
    return frozenset(values.items())


@pytest.fixture
def json_logs_app(app, database_url):
    """An application logging JSON, with a route that fails; text logs are restored after."""
    failing = create_app({"DATABASE_URL": database_url, "LOG_FORMAT": "json"})

    @failing.get("/api/v1/failing")
    def fail():
        raise RuntimeError("the failing route failed")

    yield failing
    failing.extensions["partners_db"].engine.dispose()
    configure_logging(app.config["LOG_FORMAT"])


def test_every_answer_carries_a_new_request_id(client):
    answers = [
        client.get("/api/v1/health"),
        client.get("/api/v1/organizations/no-such-organization"),
        client.get("/api/v1/no-such-route"),
        client.post("/api/v1/organizations", json={}),
    ]
    assert [a.status_code for a in answers] == [200, 404, 404, 401]
    ids = [a.headers["X-Request-ID"] for a in answers]
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    assert len(set(ids)) == len(ids)


def test_a_well_formed_request_id_is_kept(client):
    for given in ("abc", "req-2024.01_x", "A" * 128):
        response = client.get("/api/v1/health", headers={"X-Request-ID": given})
        assert response.headers["X-Request-ID"] == given


@pytest.mark.parametrize(
    "given", ["", "a" * 129, "has space", "quote\"'", "<script>", "é", "a/b", "x;y=1"]
)
def test_a_malformed_request_id_is_replaced_never_echoed(client, given):
    response = client.get("/api/v1/health", headers={"X-Request-ID": given})
    replaced = response.headers["X-Request-ID"]
    assert replaced != given and len(replaced) == 32


def test_the_request_id_is_exposed_to_browsers(database_url):
    app = create_app({"DATABASE_URL": database_url, "CORS_ORIGINS": "https://app.example"})
    response = app.test_client().get(
        "/api/v1/regions", headers={"Origin": "https://app.example", "X-Request-ID": "r-1"}
    )
    assert response.headers["X-Request-ID"] == "r-1"
    exposed = response.headers["Access-Control-Expose-Headers"].lower()
    assert "x-request-id" in exposed
    app.extensions["partners_db"].engine.dispose()


def test_a_failure_logs_one_json_line_with_the_request_id_and_traceback(json_logs_app, capsys):
    response = json_logs_app.test_client().get(
        "/api/v1/failing", headers={"X-Request-ID": "trace-me-1"}
    )
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "trace-me-1"
    assert "failed" not in response.get_data(as_text=True)  # no detail leaks to the caller
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["request_id"] == "trace-me-1"
    assert entry["level"] == "ERROR" and entry["logger"] == "partners_api.api"
    assert entry["message"] == "unhandled error"
    assert "RuntimeError: the failing route failed" in entry["exception"]
    assert entry["time"].endswith("Z") and entry["time"][10] == "T"


def test_text_logs_name_the_request_and_json_outside_a_request_has_no_id(json_logs_app, capsys):
    logger = json_logs_app.logger
    logger.warning("outside any request")
    assert "request_id" not in json.loads(capsys.readouterr().err)
    configure_logging("text")
    with json_logs_app.test_request_context(headers={"X-Request-ID": "text-1"}):
        json_logs_app.preprocess_request()
        logger.warning("inside")
    assert capsys.readouterr().err.rstrip().endswith("partners_api [text-1] inside")


def test_an_unknown_log_format_is_refused(database_url):
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        create_app({"DATABASE_URL": database_url, "LOG_FORMAT": "xml"})


def test_metrics_count_requests_by_route_template_and_time_them(client):
    before = samples(client)
    for code in ("KE", "BR", "KE"):
        assert client.get(f"/api/v1/countries/{code}").status_code == 200
    assert client.get("/api/v1/countries/ZZ").status_code == 404
    after = samples(client)

    def delta(name, **values):
        key = (name, labels(**values))
        return after.get(key, 0) - before.get(key, 0)

    count = "partners_api_http_requests_total"
    assert delta(count, method="GET", endpoint=COUNTRY_ROUTE, status="200") == 3
    assert delta(count, method="GET", endpoint=COUNTRY_ROUTE, status="404") == 1
    latency = "partners_api_http_request_duration_seconds"
    assert delta(f"{latency}_count", method="GET", endpoint=COUNTRY_ROUTE) == 4
    assert delta(f"{latency}_bucket", method="GET", endpoint=COUNTRY_ROUTE, le="+Inf") == 4
    assert delta(f"{latency}_bucket", method="GET", endpoint=COUNTRY_ROUTE, le="60.0") == 4
    assert delta(f"{latency}_sum", method="GET", endpoint=COUNTRY_ROUTE) > 0


def test_metrics_never_hold_raw_paths_or_odd_methods(client):
    probe = uuid.uuid4().hex
    assert client.get(f"/api/v1/{probe}").status_code == 404
    assert client.open("/api/v1/health", method="BREW").status_code == 405
    text = client.get("/api/v1/metrics").get_data(as_text=True)
    assert probe not in text and "BREW" not in text
    assert 'endpoint="unmatched",method="GET",status="404"' in text
    assert 'endpoint="unmatched",method="other",status="405"' in text


def test_metrics_are_plain_text_documented_and_never_rate_limited(database_url, client):
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "RATELIMIT_ANONYMOUS": "1 per minute",
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    )
    limited = app.test_client()
    assert [limited.get("/api/v1/regions").status_code for _ in range(2)] == [200, 429]
    for _ in range(3):
        response = limited.get("/api/v1/metrics")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
        assert "X-RateLimit-Limit" not in response.headers
    app.extensions["partners_db"].engine.dispose()
    spec = client.get("/api/v1/openapi.json").json["paths"]["/api/v1/metrics"]["get"]
    assert list(spec["responses"]["200"]["content"]) == ["text/plain; version=0.0.4; charset=utf-8"]


def test_keyed_requests_are_counted_like_any_other(client, admin_key):
    before = samples(client)
    client.get("/api/v1/keys", headers=bearer(admin_key))
    key = (
        "partners_api_http_requests_total",
        labels(method="GET", endpoint="/api/v1/keys", status="200"),
    )
    assert samples(client)[key] - before.get(key, 0) == 1
