"""Swagger UI and ReDoc served from this application, so the docs work with no outside network.

Swagger UI comes from the `swagger-ui-bundle` package (swagger-ui-dist files); ReDoc's
single standalone bundle is vendored in `static/redoc/` with its licenses, byte for byte
as npm's `redoc` package ships it.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, request, send_from_directory
from swagger_ui_bundle import swagger_ui_path

ASSETS_PREFIX = "/docs-assets"
SWAGGER_UI_DIR = Path(swagger_ui_path)
REDOC_DIR = Path(__file__).resolve().parent / "static" / "redoc"
REDOC_VERSION = "2.5.4"

DOCS_SETTINGS = {
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": f"{ASSETS_PREFIX}/swagger-ui/",
    # Swagger UI would otherwise offer to send the spec to an outside validator.
    "OPENAPI_SWAGGER_UI_CONFIG": {"validatorUrl": None},
    "OPENAPI_REDOC_PATH": "redoc",
    "OPENAPI_REDOC_URL": f"{ASSETS_PREFIX}/redoc/redoc.standalone.js",
}

DOCS_ENDPOINTS = {"api-docs.openapi_swagger_ui", "api-docs.openapi_redoc"}
# The pages run the bundles' inline bootstrap and styles, and ReDoc's search worker from a
# blob; everything else must come from this origin (ReDoc's footer would load its maker's
# logo from a CDN: refused, and the image hides itself).
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)

blp = Blueprint("docs_assets", __name__, url_prefix=ASSETS_PREFIX)


@blp.get("/swagger-ui/<path:filename>")
def swagger_ui_asset(filename: str) -> Response:
    """A file of the Swagger UI distribution."""
    return send_from_directory(SWAGGER_UI_DIR, filename)


@blp.get("/redoc/<path:filename>")
def redoc_asset(filename: str) -> Response:
    """The ReDoc bundle or its licenses."""
    return send_from_directory(REDOC_DIR, filename)


def docs_policy(response: Response) -> Response:
    """The docs pages may load from this origin only."""
    if request.endpoint in DOCS_ENDPOINTS:
        response.headers["Content-Security-Policy"] = DOCS_CSP
    return response


def init_docs(app: Flask) -> None:
    """Serve the files the /docs and /redoc pages load, and fence those pages in."""
    app.register_blueprint(blp)
    app.after_request(docs_policy)
