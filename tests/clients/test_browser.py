"""A real browser: headless Chromium, driven by Playwright, against a live server.

Swagger UI at /docs and ReDoc at /redoc load from the server alone (no request leaves its
origin, under the pages' Content-Security-Policy) and list every operation of the spec.
A page from an origin named in CORS_ORIGINS reads the API with fetch(), headers
included, and creates an organization with a key (a preflighted request); the same page
from an origin not named there is refused by the browser.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest

from tests.browser import chromium_context
from tests.clients.conftest import LiveApi, Origin

pytestmark = pytest.mark.database_independent

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator:
    """Debian's Chromium with a fresh profile (Playwright's own browsers are not used)."""
    with chromium_context(tmp_path_factory.mktemp("chromium-profile")) as context:
        yield context


@dataclass
class Watched:
    """A page and what happened on it."""

    page: object
    requests: list[str] = field(default_factory=list)
    blocked: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def watched(browser) -> Iterator[Watched]:
    """A new tab whose requests, failures and errors are noted."""
    page = browser.new_page()
    seen = Watched(page)
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("requestfailed", lambda r: seen.blocked.append((r.url, r.failure or "")))
    page.on("pageerror", lambda error: seen.errors.append(f"uncaught: {error}"))

    def console(message) -> None:
        if message.type == "error":
            seen.errors.append(f"{message.text} at {message.location.get('url')}")

    page.on("console", console)
    try:
        yield seen
    finally:
        page.close()


def served_operations(api: LiveApi) -> dict[tuple[str, str], str]:
    """The operations of the spec the server serves: (method, path) -> summary."""
    with urlopen(f"{api.url}/api/v1/openapi.json", timeout=10) as response:
        spec = json.load(response)
    return {
        (method, path): item[method]["summary"]
        for path, item in spec["paths"].items()
        for method in METHODS
        if method in item
    }


def assert_stayed_home(seen: Watched, api: LiveApi) -> None:
    """Nothing was fetched from another origin; what a bundle tried was refused by the CSP."""
    home = urlsplit(api.url).netloc
    away = [u for u in seen.requests if urlsplit(u).scheme in ("http", "https")]
    away = [u for u in away if urlsplit(u).netloc != home]
    refused = {url for url, failure in seen.blocked if failure == "csp"}
    assert set(away) <= refused, f"requests left the server: {set(away) - refused}"
    # The browser asks for /favicon.ico by itself; the API has none. A CSP refusal is the
    # policy at work. Any other error is the page failing.
    errors = [
        e
        for e in seen.errors
        if not e.endswith("/favicon.ico") and "Content Security Policy" not in e
    ]
    assert not errors, errors


def test_swagger_ui_lists_every_operation_from_local_assets(watched: Watched, live_api: LiveApi):
    operations = served_operations(live_api)
    page = watched.page
    page.goto(f"{live_api.url}/docs")
    page.wait_for_function(
        "n => document.querySelectorAll('.opblock').length >= n", arg=len(operations)
    )
    listed = page.eval_on_selector_all(
        ".opblock",
        """blocks => blocks.map(b => [
            b.querySelector('.opblock-summary-method').textContent.toLowerCase(),
            b.querySelector('.opblock-summary-path').getAttribute('data-path'),
            b.querySelector('.opblock-summary-description').textContent,
        ])""",
    )
    assert {(method, path): summary for method, path, summary in listed} == operations
    assert len(listed) == len(operations)
    assert_stayed_home(watched, live_api)
    assert any(u.endswith("/docs-assets/swagger-ui/swagger-ui-bundle.js") for u in watched.requests)


def test_redoc_lists_every_operation_from_local_assets(watched: Watched, live_api: LiveApi):
    operations = served_operations(live_api)
    page = watched.page
    page.goto(f"{live_api.url}/redoc")
    selector = "li[data-item-id*='/operation/'], li[data-item-id*='/paths/']"
    page.wait_for_function(
        "([s, n]) => document.querySelectorAll(s).length >= n", arg=[selector, len(operations)]
    )
    labels = page.eval_on_selector_all(
        selector, "items => items.map(i => i.querySelector('label').textContent)"
    )
    assert len(labels) == len(operations)
    for summary in operations.values():
        assert any(label.endswith(summary) for label in labels), summary
    assert page.locator("h1").first.inner_text().startswith("Partners API")
    assert_stayed_home(watched, live_api)
    assert any(u.endswith("/docs-assets/redoc/redoc.standalone.js") for u in watched.requests)


def call(page, origin: Origin, script: str, *args):
    """Open the client page on an origin and run one of its calls there."""
    page.goto(f"{origin.url}/index.html")
    return page.evaluate(f"(args) => partnersClient.attempt(() => {script}(...args))", list(args))


def test_a_page_from_an_allowed_origin_reads_data_and_exposed_headers(
    watched: Watched, live_api: LiveApi, allowed_origin: Origin
):
    read = call(watched.page, allowed_origin, "partnersClient.readDirectory", live_api.url)
    assert read["ok"], read
    value = read["value"]
    assert value["status"] == 200 and len(value["slugs"]) == 3
    pagination = json.loads(value["pagination"])
    assert pagination["page"] == 1 and pagination["total"] > 3
    assert 'rel="next"' in value["link"]
    assert value["requestId"]
    assert value["rateLimit"] is not None
    assert value["etag"].startswith('"') or value["etag"].startswith('W/"')
    # Sent by the server, but not in Access-Control-Expose-Headers: hidden from the page.
    with urlopen(f"{live_api.url}/api/v1/organizations?page_size=1", timeout=10) as direct:
        assert direct.headers["X-Frame-Options"] == "DENY"
    assert value["frameOptions"] is None

    created = call(
        watched.page,
        allowed_origin,
        "partnersClient.createOrganization",
        live_api.url,
        live_api.admin_key,
        "Ghana NLP from the browser",
    )
    assert created["ok"], created
    value = created["value"]
    assert value["status"] == 201, value
    assert value["body"]["slug"] == "ghana-nlp-from-the-browser"
    assert value["location"].endswith(f"/api/v1/organizations/{value['body']['id']}")
    assert value["etag"] and value["requestId"] == "browser-create-0001"


def test_a_page_from_another_origin_is_refused(
    watched: Watched, live_api: LiveApi, other_origin: Origin
):
    read = call(watched.page, other_origin, "partnersClient.readDirectory", live_api.url)
    assert not read["ok"] and read["error"].startswith("TypeError"), read
    created = call(
        watched.page,
        other_origin,
        "partnersClient.createOrganization",
        live_api.url,
        live_api.admin_key,
        "Refused Origin",
    )
    assert not created["ok"] and created["error"].startswith("TypeError"), created
    # The preflight failed, so the POST itself was never sent.
    with urlopen(f"{live_api.url}/api/v1/organizations?q=refused+origin", timeout=10) as found:
        assert json.load(found) == []
    assert any("CORS policy" in error for error in watched.errors), watched.errors
