"""The console in a real browser: gunicorn on the demo directory, Chromium, axe-core.

The server is the project's gunicorn configuration on a fresh SQLite file, migrated and
loaded with the demo directory by the command line, with an admin key made there. Each
page a test opens is watched: an uncaught error, a failed promise, a request to another
origin or a refusal by the Content-Security-Policy fails the test. axe-core comes from
console/'s lockfile (a devDependency, never bundled) and is run inside the page through
the DevTools protocol, which the page's policy does not govern.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser import chromium_context
from tests.node import npm_ci
from tests.servers import ROOT, Server, cli, serve

ARTIFACTS = ROOT / "tests" / "console" / "artifacts"
AXE = ROOT / "console" / "node_modules" / "axe-core" / "axe.min.js"
# What axe-core must not find on any page.
BLOCKING = {"serious", "critical"}


@dataclass
class Live:
    """The running server, its database and an admin key."""

    server: Server
    database_url: str
    admin_key: str

    @property
    def url(self) -> str:
        """Where it listens."""
        return self.server.url

    def admin(self) -> dict[str, str]:
        """The admin key's Authorization header."""
        return {"Authorization": f"Bearer {self.admin_key}"}

    def key_for(self, organization_id: int | None, name: str, scope: str = "org:write") -> str:
        """A new key made by the command line, bound to an organization when one is given."""
        bound = () if organization_id is None else ("--organization", str(organization_id))
        printed = cli(
            self.database_url, *("keys", "create", "--name", name, "--scope", scope), *bound
        )
        return printed.strip().splitlines()[-1]

    def organization(self, ref: str) -> dict:
        """An organization as the API gives it."""
        return self.server.call("GET", f"/api/v1/organizations/{ref}").json


@pytest.fixture(scope="package")
def live(tmp_path_factory) -> Iterator[Live]:
    """Gunicorn with two workers on a fresh SQLite file with the demo directory."""
    folder = tmp_path_factory.mktemp("console-live")
    database_url = f"sqlite:///{folder / 'console.db'}"
    cli(database_url, "db", "upgrade")
    cli(database_url, "demo", "load")
    printed = cli(database_url, "keys", "create", "--name", "console", "--scope", "admin")
    # The tests click through many pages from one address: the limits are not what they test.
    limits = {"RATELIMIT_ANONYMOUS": "100000 per minute", "RATELIMIT_KEYED": "100000 per minute"}
    with serve("console", folder, DATABASE_URL=database_url, **limits) as server:
        yield Live(server, database_url, printed.strip().splitlines()[-1])


@pytest.fixture(scope="package")
def axe_source() -> str:
    """axe-core's browser build, from console/'s committed lockfile."""
    npm_ci(ROOT / "console", "it installs axe-core, which checks each page's accessibility")
    return AXE.read_text()


@pytest.fixture(scope="package")
def browser(tmp_path_factory) -> Iterator:
    """Debian's Chromium with a fresh profile."""
    with chromium_context(tmp_path_factory.mktemp("console-profile")) as context:
        yield context


@dataclass
class Tab:
    """A page of the console and what happened on it."""

    page: object
    live: Live
    axe: str
    shots: Path
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    audited: list[str] = field(default_factory=list)

    def open(self, path: str) -> None:
        """Go to a console path and wait for its first heading."""
        self.page.goto(f"{self.live.url}{path}")
        self.page.locator("main h1").first.wait_for()

    def audit(self, name: str) -> None:
        """Run axe-core on the page as it is: no serious or critical violation."""
        self.page.evaluate(f"() => {{ {self.axe}\n }}")
        found = self.page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
                .map(v => ({id: v.id, impact: v.impact, help: v.help,
                            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
        )
        blocking = [v for v in found if v["impact"] in BLOCKING]
        assert not blocking, f"{name}: {json.dumps(blocking, indent=1)}"
        self.audited.append(name)

    def shot(self, name: str) -> Path:
        """A screenshot of the whole page, kept under the tests' artifacts."""
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def stayed_home(self) -> None:
        """No request left the server's origin, and the page raised no error."""
        home = urlsplit(self.live.url).netloc
        away = [u for u in self.requests if urlsplit(u).scheme in ("http", "https")]
        assert all(urlsplit(u).netloc == home for u in away), away
        assert not self.errors, self.errors


@pytest.fixture
def tab(browser, live: Live, axe_source: str) -> Iterator[Tab]:
    """A new tab on the live server whose requests and errors are noted."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    seen = Tab(page, live, axe_source, ARTIFACTS)
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("pageerror", lambda error: seen.errors.append(f"uncaught: {error}"))

    def console(message) -> None:
        # A failed fetch logs "Failed to load resource"; the page shows those as problems.
        if message.type == "error" and "Failed to load resource" not in message.text:
            seen.errors.append(message.text)

    page.on("console", console)
    try:
        yield seen
    finally:
        page.close()
