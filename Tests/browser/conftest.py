"""Fixtures for the browser tests (Python Playwright + Debian's Chromium).

Every story runs against the real Switchboard node of the `switchboard` fixture (Tests/conftest.py); nothing of the
server, Redis, the network or the browser is replaced.
"""

from __future__ import annotations

import os
import pathlib

import pytest
from playwright.sync_api import sync_playwright

from flows import Server

REPO = pathlib.Path(__file__).resolve().parents[2]
SHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def server_url(switchboard):
    return switchboard.base_url


@pytest.fixture(scope="session")
def browser(server_url):
    if not pathlib.Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            # Chromium's own fake microphone (a beep) stands in for a person speaking; the audio really travels over
            # WebRTC between the two pages.
            args=["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", "--autoplay-policy=no-user-gesture-required"],
        )
        yield b
        b.close()


# Ends every contact waiting in the server's queues (or left with a demo agent), through the real agent API: each agent
# logs in, goes Available, accepts whatever it is offered and ends it, until nothing has come for `quietMs`.
DRAIN_AGENTS_JS = """async ({ usernames, password, quietMs, maxMs }) => {
  const drainAs = async (username) => {
    const res = await fetch('/agent/api/login', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) });
    if (!res.ok) throw new Error(`login of ${username} answered ${res.status}`);
    const { token } = await res.json();
    const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/agent/ws');
    const send = (frame) => ws.send(JSON.stringify(frame));
    const started = Date.now();
    let last = started;
    let ended = 0;
    await new Promise((resolve, reject) => {
      ws.onerror = () => reject(new Error(`agent socket of ${username} failed`));
      ws.onopen = () => send({ action: 'auth', token });
      ws.onmessage = (ev) => {
        const m = JSON.parse(ev.data);
        if (m.type === 'authenticated') {
          for (const c of m.contacts || []) { send({ action: 'end', contactId: c.contactId }); ended += 1; }
          for (const o of m.offers || []) send({ action: 'accept', contactId: o.contactId });
          send({ action: 'set_state', state: 'Available' });
        } else if (m.type === 'offer') {
          last = Date.now();
          send({ action: 'accept', contactId: m.contactId });
        } else if (m.type === 'contact_connected') {
          last = Date.now();
          send({ action: 'end', contactId: m.contactId });
          ended += 1;
        }
      };
      const timer = setInterval(() => {
        if (Date.now() - last > quietMs || Date.now() - started > maxMs) { clearInterval(timer); resolve(); }
      }, 100);
    });
    send({ action: 'set_state', state: 'Offline' });
    await new Promise((r) => setTimeout(r, 300));
    ws.close();
    return ended;
  };
  const counts = await Promise.all(usernames.map(drainAs));
  return counts.reduce((a, b) => a + b, 0);
}"""


@pytest.fixture(scope="session", autouse=True)
def empty_queues(server_url, browser):
    """The server is shared with other suites (Tests/python runs first in ops/test.sh) that may leave contacts waiting:
    they would be offered to our agents before the contacts our stories start. End them first, as agents would."""
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        page.goto(server_url + "/agent/")
        page.evaluate(DRAIN_AGENTS_JS, {"usernames": ["agent1", "agent2"], "password": "local-demo-password",
                                        "quietMs": 1500, "maxMs": 20000})
    finally:
        ctx.close()


@pytest.fixture
def server(switchboard, browser):
    s = Server(switchboard, browser)
    yield s
    s.close()


@pytest.fixture
def shot(request):
    """shot(page, name): screenshot into test-artifacts/screenshots/<name>-<desktop|phone>.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, full_page: bool = False):
        label = "desktop" if page.viewport_size["width"] >= 1000 else "phone"
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=full_page)

    return take
