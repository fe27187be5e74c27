"""Fixtures for the browser tests (Python Playwright + Debian's Chromium).

Every story runs against two backends:
- "fake": the static files from web/ plus FakeBackend answering every API path and socket inside the browser;
  it needs no server, so these runs always happen and check the UI against the contracts;
- "server": a running Switchboard at $SWITCHBOARD_URL (skipped with a reason when it is not set).
"""

from __future__ import annotations

import os
import pathlib

import pytest
from playwright.sync_api import sync_playwright

import static_server
from fake_backend import FakeBackend

REPO = pathlib.Path(__file__).resolve().parents[2]
SHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="session")
def browser():
    if not pathlib.Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", "--autoplay-policy=no-user-gesture-required"],
        )
        yield b
        b.close()


@pytest.fixture(scope="session")
def static_url():
    server, url = static_server.start()
    yield url
    server.shutdown()
    server.server_close()


class Backend:
    """Where the app lives and how to open a browser context on it."""

    def __init__(self, kind: str, base_url: str, browser):
        self.kind = kind
        self.base_url = base_url.rstrip("/")
        self.browser = browser
        self.fake = FakeBackend() if kind == "fake" else None
        self.contexts = []
        self.agent_pages = []  # flows.login_agent adds to it; close() sets them Offline

    def context(self, viewport: str = "desktop"):
        ctx = self.browser.new_context(viewport=VIEWPORTS[viewport], permissions=["microphone"])
        ctx.set_default_timeout(15000)
        if self.fake:
            self.fake.install(ctx)
        self.contexts.append(ctx)
        return ctx

    def page(self, viewport: str = "desktop"):
        page = self.context(viewport).new_page()
        page.errors = []  # type: ignore[attr-defined]
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        return page

    def close(self):
        # A failed test must not leave an agent Available on a shared server: the next test's routing depends on it.
        for page in self.agent_pages:
            try:
                page.get_by_test_id("agent-status").select_option("Offline", timeout=2000)
                page.wait_for_timeout(300)
            except Exception:
                pass
        for ctx in self.contexts:
            ctx.close()


@pytest.fixture(params=["fake", "server"])
def backend(request, browser, static_url):
    if request.param == "server":
        url = os.environ.get("SWITCHBOARD_URL")
        if not url:
            pytest.skip("SWITCHBOARD_URL is not set: no running Switchboard server to test against")
        b = Backend("server", url, browser)
    else:
        b = Backend("fake", static_url, browser)
    yield b
    b.close()


@pytest.fixture
def fake_backend(browser, static_url):
    b = Backend("fake", static_url, browser)
    yield b
    b.close()


@pytest.fixture
def shot(request):
    """shot(page, name): full screenshot into test-artifacts/screenshots/, named after the backend and the width."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, full_page: bool = False):
        width = page.viewport_size["width"]
        label = "desktop" if width >= 1000 else "phone"
        kind = request.node.callspec.params.get("backend", "fake") if hasattr(request.node, "callspec") else "fake"
        page.screenshot(path=str(SHOTS / f"{kind}-{name}-{label}.png"), full_page=full_page)

    return take
