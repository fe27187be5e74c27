"""Steps shared by the browser tests: a customer on the site, agents in the agent app, audio checks."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import Page, expect

VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}

INBOUND_AUDIO_BYTES = """async () => {
  const pc = window.switchboardVoice && window.switchboardVoice.peerConnection;
  if (!pc) return 0;
  const stats = await pc.getStats();
  let bytes = 0;
  stats.forEach((r) => { if (r.type === 'inbound-rtp' && (r.kind === 'audio' || r.mediaType === 'audio')) bytes += r.bytesReceived || 0; });
  return bytes;
}"""


def open_customer(server, viewport: str = "desktop") -> Page:
    page = server.page(viewport)
    page.goto(server.base_url + "/")
    page.get_by_test_id("support-launcher").click()
    expect(page.get_by_test_id("start-chat")).to_be_visible()
    return page


def widget_contact(page: Page, leg: str = "chat") -> str:
    """contactId of the widget's chat (or voice) leg, once the server has named it."""
    page.wait_for_function(f"() => window.switchboardWidget?.state?.{leg}?.contactId")
    return page.evaluate(f"() => window.switchboardWidget.state.{leg}.contactId")


def login_agent(server, username: str, viewport: str = "desktop", available: bool = True) -> Page:
    page = server.page(viewport)
    server.agent_pages.append(page)
    page.goto(server.base_url + "/agent/")
    page.get_by_test_id("agent-username").fill(username)
    page.get_by_test_id("agent-password").fill("local-demo-password")
    page.get_by_test_id("agent-login").click()
    expect(page.get_by_test_id("agent-status")).to_be_visible()
    set_status(page, "Available" if available else "Offline")
    return page


def set_status(page: Page, state: str) -> None:
    status = page.get_by_test_id("agent-status")
    # The socket may still be authenticating; choose until the server's `state` frame agrees.
    deadline = time.time() + 15
    while time.time() < deadline:
        status.select_option(state)
        try:
            expect(status).to_have_attribute("data-state", state, timeout=2000)
            return
        except AssertionError:
            continue
    raise AssertionError(f"agent status never became {state}")


def offer_for(page: Page, contact_id: str):
    return page.locator(f'[data-testid="contact-offer"][data-contact-id="{contact_id}"]')


def wait_offer(agent_pages: dict, contact_id: str, timeout: float = 30) -> str:
    """Name of the agent whose app shows an offer for `contact_id`."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for name, page in agent_pages.items():
            if offer_for(page, contact_id).count() > 0:
                return name
        time.sleep(0.2)
    raise AssertionError(f"no agent was offered contact {contact_id}")


def accept(page: Page, contact_id: str) -> None:
    offer = offer_for(page, contact_id)
    offer.get_by_test_id("accept-contact").click()
    expect(offer).to_have_count(0)
    expect(page.locator(f'[data-testid="contact-tab"][data-contact-id="{contact_id}"]')).to_be_visible()


def start_chat_with(server, agent: Page, accept_offer: bool = True) -> tuple[Page, str]:
    """A customer starts a chat that is offered to `agent` (and accepted, unless told not to); returns the customer's
    page and the chat's contact id."""
    customer = open_customer(server)
    customer.get_by_test_id("start-chat").click()
    chat_id = widget_contact(customer)
    wait_offer({"agent": agent}, chat_id)
    if accept_offer:
        accept(agent, chat_id)
    return customer, chat_id


def escalate_to_voice(customer: Page, agent: Page) -> str:
    """The customer escalates their chat to a call, which `agent` is offered and accepts; returns the call's contact id."""
    expect(customer.get_by_test_id("escalate-voice")).to_be_enabled()
    customer.get_by_test_id("escalate-voice").click()
    voice_id = widget_contact(customer, "voice")
    wait_offer({"agent": agent}, voice_id)
    accept(agent, voice_id)
    return voice_id


def in_call_with_agent1(server) -> tuple[Page, Page]:
    """agent1 takes a customer's chat, which the customer then escalates to a call agent1 accepts: (agent, customer)."""
    agent = login_agent(server, "agent1")
    customer, _ = start_chat_with(server, agent)
    escalate_to_voice(customer, agent)
    return agent, customer


def customer_says(page: Page, text: str) -> None:
    page.get_by_test_id("chat-input").fill(text)
    page.get_by_test_id("chat-input").press("Enter")


def agent_says(page: Page, text: str) -> None:
    box = page.get_by_test_id("agent-chat-input")
    expect(box).to_be_enabled()
    box.fill(text)
    page.get_by_test_id("agent-chat-send").click()


def expect_line(page: Page, testid: str, role: str, text: str) -> None:
    expect(page.locator(f'[data-testid="{testid}"][data-role="{role}"]', has_text=text)).to_be_visible()


def wait_audio(page: Page, timeout: float = 30) -> int:
    """bytesReceived of the inbound audio RTP stream, once it is above zero."""
    deadline = time.time() + timeout
    received = 0
    while time.time() < deadline:
        received = page.evaluate(INBOUND_AUDIO_BYTES)
        if received > 0:
            return received
        time.sleep(0.25)
    raise AssertionError(f"no inbound audio after {timeout}s (bytesReceived={received})")


def needs_control(server) -> None:
    """Skip unless the test may stop and start the node under test (not so for a $SWITCHBOARD_URL server)."""
    if not server.node.controllable:
        pytest.skip("the server under test is not ours to stop (SWITCHBOARD_URL)")


def participant_connection_status(base_url: str, participant_token: str) -> int:
    """HTTP status of CreateParticipantConnection for a participant token: 200 while its contact lives, 403 after."""
    req = urllib.request.Request(
        base_url + "/connect/participant/connection", method="POST",
        data=json.dumps({"Type": ["CONNECTION_CREDENTIALS"]}).encode(),
        headers={"X-Amz-Bearer": participant_token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as res:
            return res.status
    except urllib.error.HTTPError as e:
        return e.code


class Server:
    """The Switchboard under test and the browser contexts a test opened on it."""

    def __init__(self, node, browser):
        self.node = node  # stop(), start(), restart(): see Tests/conftest.py
        self.base_url = node.base_url
        self.browser = browser
        self.contexts = []
        self.pages = []
        self.agent_pages = []  # flows.login_agent adds to it; close() sets them Offline

    def context(self, viewport: str = "desktop"):
        ctx = self.browser.new_context(viewport=VIEWPORTS[viewport], permissions=["microphone"])
        ctx.set_default_timeout(15000)
        self.contexts.append(ctx)
        return ctx

    def page(self, viewport: str = "desktop"):
        page = self.context(viewport).new_page()
        page.errors = []  # type: ignore[attr-defined]
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        self.pages.append(page)
        return page

    def close(self):
        # The server is shared by every test: a failed test must leave neither a live contact (it would wait in the
        # queue and be offered to the next test's agent) nor an agent Available (routing of the next test depends on it).
        for page in self.pages:
            if page in self.agent_pages or page.is_closed():
                continue
            try:
                end = page.get_by_test_id("end-contact")
                if end.is_visible():
                    end.click(timeout=2000)
                    page.wait_for_timeout(300)
            except Exception:
                pass
        for page in self.agent_pages:
            try:
                page.get_by_test_id("agent-status").select_option("Offline", timeout=2000)
                page.wait_for_timeout(300)
            except Exception:
                pass
        for ctx in self.contexts:
            ctx.close()
