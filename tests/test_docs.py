"""Swagger UI and ReDoc come from this server: no page of the docs names another host."""

from __future__ import annotations

import re

from partners_api.docs import DOCS_CSP, REDOC_VERSION


def loaded_urls(html: str) -> list[str]:
    """What a page loads: scripts, stylesheets and the spec."""
    return re.findall(r'(?:src|href|spec-url)="([^"]+)"', html) + re.findall(
        r'url: "([^"]+)"', html
    )


def test_docs_pages_load_only_local_assets(client):
    for page in ("/docs", "/redoc"):
        response = client.get(page)
        assert response.status_code == 200
        urls = loaded_urls(response.text)
        assert urls, page
        for url in urls:
            assert url.startswith("/"), f"{page} loads {url} from elsewhere"
            assert not url.startswith("//"), url
            asset = client.get(url)
            assert asset.status_code == 200, url
            asset.close()
        assert response.headers["Content-Security-Policy"] == DOCS_CSP


def test_the_assets_are_the_real_bundles(client):
    swagger = client.get("/docs-assets/swagger-ui/swagger-ui-bundle.js")
    assert swagger.mimetype == "text/javascript" and b"SwaggerUIBundle" in swagger.data
    redoc = client.get("/docs-assets/redoc/redoc.standalone.js")
    assert redoc.mimetype == "text/javascript"
    assert redoc.data.startswith(b"/*! For license information please see")
    license_ = client.get("/docs-assets/redoc/LICENSE")
    assert b"MIT License" in license_.data
    notices = client.get("/docs-assets/redoc/redoc.standalone.js.LICENSE.txt")
    assert f'Version: "{REDOC_VERSION}"'.encode() in notices.data
    for response in (swagger, redoc, license_, notices):
        response.close()


def test_assets_stay_inside_their_folders(client):
    for url in (
        "/docs-assets/redoc/../docs.py",
        "/docs-assets/redoc/%2e%2e/%2e%2e/__init__.py",
        "/docs-assets/swagger-ui/../../../../etc/passwd",
        "/docs-assets/redoc/nothing.js",
    ):
        assert client.get(url).status_code == 404, url


def test_the_docs_policy_keeps_the_api_policy_on_the_api(client):
    policy = client.get("/api/v1/health").headers["Content-Security-Policy"]
    assert policy == "default-src 'none'; frame-ancestors 'none'"
    assert "'self'" in DOCS_CSP and "https:" not in DOCS_CSP
