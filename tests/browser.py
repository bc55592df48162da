"""Debian's Chromium driven by Playwright, for the tests that need a real browser.

Never a browser Playwright would download: the machine's `chromium` (CHROMIUM names
another), launched with flags for a closed network (no component updates, sync, QUIC or
first-run calls home). Without it the tests skip saying so; CI installs it, and there
a skip fails (tests/conftest.py).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextlib.contextmanager
def chromium_context(profile: Path, **options) -> Iterator:
    """A persistent browser context on a fresh profile; skips without Chromium or Playwright."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian's `chromium`); .ci/run installs it")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=FLAGS, **options
        )
        try:
            yield context
        finally:
            context.close()
