"""CORS for configured origins only, security headers, and errors that reveal nothing."""

from __future__ import annotations

from partners_api import create_app

ALLOWED = "https://app.partners.example"


def test_cors_answers_only_configured_origins(database_url):
    app = create_app(
        {"DATABASE_URL": database_url, "RATELIMIT_ENABLED": False, "CORS_ORIGINS": [ALLOWED]}
    )
    client = app.test_client()
    allowed = client.get("/api/v1/organizations", headers={"Origin": ALLOWED})
    assert allowed.headers["Access-Control-Allow-Origin"] == ALLOWED
    exposed = {h.strip() for h in allowed.headers["Access-Control-Expose-Headers"].split(",")}
    assert {
        "ETag",
        "Link",
        "X-Pagination",
        "X-RateLimit-Limit",
        "X-RateLimit-Remaining",
        "X-RateLimit-Reset",
    } <= exposed
    preflight = client.options(
        "/api/v1/organizations/1",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "Authorization, If-Match",
        },
    )
    assert preflight.status_code == 200
    assert "PATCH" in preflight.headers["Access-Control-Allow-Methods"]
    other = client.get("/api/v1/organizations", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    app.extensions["partners_db"].engine.dispose()


def test_security_headers_on_every_answer(client):
    for url in ("/api/v1/organizations", "/api/v1/organizations/nope", "/docs"):
        response = client.get(url)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "Authorization" in response.headers["Vary"]
    assert client.get("/api/v1/organizations").headers["Cache-Control"] == "no-cache"
    assert client.get("/api/v1/organizations/nope").headers["Cache-Control"] == "no-store"
    assert "default-src 'none'" in client.get("/api/v1/regions").headers["Content-Security-Policy"]


def test_an_unexpected_error_is_a_bare_problem_document(database_url):
    app = create_app({"DATABASE_URL": database_url, "RATELIMIT_ENABLED": False})

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals: password=hunter2")

    response = app.test_client().get("/boom")
    assert response.status_code == 500 and response.mimetype == "application/problem+json"
    assert "hunter2" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    app.extensions["partners_db"].engine.dispose()
