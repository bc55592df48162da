"""The web console served at `/`: static pages that do everything through /api/v1 with fetch.

Its JavaScript and CSS are built from `console/` at the top of the repository (`make
console`) into `static/`, which is committed with the licenses of the npm packages bundled,
so that installing the package needs no Node step. The pages are routed in the browser;
each of their paths answers the same HTML page, under a policy that lets it load and call
nothing but this origin, and run no inline script or style.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, send_from_directory
from flask.views import MethodView

STATIC_DIR = Path(__file__).resolve().parent / "static"
ASSETS_PREFIX = "/console-assets"
# Paths the console routes in the browser; each serves index.html.
PAGES = ("/", "/org/<path:ref>", "/map", "/roster", "/account", "/admin")
CONSOLE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

blp = Blueprint("console", __name__)


def _fenced(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONSOLE_CSP
    return response


class ConsolePage(MethodView):
    """The console's single HTML page; its script shows what the path asks for."""

    # Static files: the API calls the page makes are what the rate limits count.
    rate_limited = False

    def get(self, ref: str | None = None) -> Response:
        """The page."""
        return _fenced(send_from_directory(STATIC_DIR, "index.html"))


class ConsoleAsset(MethodView):
    """A built script, stylesheet, map or license of the console."""

    rate_limited = False

    def get(self, filename: str) -> Response:
        """The file."""
        return _fenced(send_from_directory(STATIC_DIR, filename))


_page = ConsolePage.as_view("page")
for _rule in PAGES:
    blp.add_url_rule(_rule, view_func=_page)
blp.add_url_rule(f"{ASSETS_PREFIX}/<path:filename>", view_func=ConsoleAsset.as_view("asset"))


def init_console(app: Flask) -> None:
    """Serve the console at `/` and its assets under /console-assets."""
    app.register_blueprint(blp)
