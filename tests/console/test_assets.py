"""The console's committed build: fresh, small, licensed, served under its own strict policy.

`make console` builds console/ (sources, package.json and its lockfile) into
partners_api/console/static and records there a hash of what it read; a source changed
without a rebuild, or an output edited by hand, fails here without needing Node.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path

import pycountry

from partners_api.console import CONSOLE_CSP, PAGES, STATIC_DIR
from partners_api.docs import DOCS_CSP

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "console"
BUILD = json.loads((STATIC_DIR / "build.json").read_text())
MAX_JS_GZIPPED = 300 * 1024


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def source_files() -> list[str]:
    """What build.mjs reads, in its order: the build script, the manifests, src/."""
    found = [p.relative_to(SOURCES).as_posix() for p in (SOURCES / "src").rglob("*") if p.is_file()]
    return sorted(["build.mjs", "package.json", "package-lock.json", *found])


def test_the_committed_build_is_made_from_the_committed_sources():
    files = source_files()
    assert files == BUILD["sources"], "sources added or removed since the build: make console"
    digest = hashlib.sha256()
    for path in files:
        digest.update(f"{path}\n{sha256((SOURCES / path).read_bytes())}\n".encode())
    assert digest.hexdigest() == BUILD["sources_sha256"], "console/ changed: run make console"


def test_every_output_file_is_the_one_the_build_wrote():
    present = sorted(p.name for p in STATIC_DIR.iterdir() if p.name != "build.json")
    assert present == sorted(BUILD["files"])
    for name, digest in BUILD["files"].items():
        assert sha256((STATIC_DIR / name).read_bytes()) == digest, f"{name} edited after the build"


def test_the_scripts_stay_under_300_kb_gzipped_all_together():
    scripts = sorted(STATIC_DIR.glob("*.js"))
    assert STATIC_DIR / "console.js" in scripts
    size = sum(len(gzip.compress(p.read_bytes(), compresslevel=9)) for p in scripts)
    assert size < MAX_JS_GZIPPED, f"the console's scripts are {size} bytes gzipped"


def test_every_bundled_package_is_pinned_and_licensed():
    lock = json.loads((SOURCES / "package-lock.json").read_text())["packages"]
    notices = (STATIC_DIR / "THIRD-PARTY-LICENSES.txt").read_text()
    assert {"d3-force", "d3-geo", "d3-zoom", "topojson-client", "world-atlas"} <= set(
        BUILD["packages"]
    )
    for name, version in BUILD["packages"].items():
        assert lock[f"node_modules/{name}"]["version"] == version
        assert f"{name} {version} (" in notices
    assert "axe-core" not in BUILD["packages"], "axe-core is for the tests, not the bundle"


def test_the_map_ids_name_the_countries_pycountry_knows():
    table = json.loads((SOURCES / "src" / "iso-numeric.json").read_text())
    assert table == {c.numeric: c.alpha_2 for c in pycountry.countries}


def test_every_console_path_serves_the_page_under_the_console_policy(client):
    paths = [re.sub(r"<[^>]+>", "african-union-commission", rule) for rule in PAGES]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.mimetype == "text/html"
        assert response.headers["Content-Security-Policy"] == CONSOLE_CSP
        assert response.headers["X-Frame-Options"] == "DENY"
        assert b'<script type="module" src="/console-assets/console.js">' in response.data
        response.close()


def test_the_page_loads_only_its_own_assets(client):
    page = client.get("/")
    html = page.text
    page.close()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    local = [u for u in urls if u.startswith("/")]
    assert set(urls) - set(local) <= {"#main", "data:,"}
    for url in local:
        if url.startswith("/console-assets/"):
            asset = client.get(url)
            assert asset.status_code == 200, url
            asset.close()
    assert "https:" not in CONSOLE_CSP and "'unsafe-inline'" not in CONSOLE_CSP
    assert "'unsafe-inline'" in DOCS_CSP, "the console's policy is stricter than the docs'"


def test_assets_stay_inside_their_folder(client):
    for url in (
        "/console-assets/../__init__.py",
        "/console-assets/%2e%2e/__init__.py",
        "/console-assets/nothing.js",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        response.close()


def test_the_api_keeps_its_own_policy(client):
    assert client.get("/api/v1/health").headers["Content-Security-Policy"] == (
        "default-src 'none'; frame-ancestors 'none'"
    )
    unknown = client.get("/nowhere")
    assert unknown.status_code == 404
    assert unknown.mimetype == "application/problem+json"
