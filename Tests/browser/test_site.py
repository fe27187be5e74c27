"""The brand site and the agent app render at desktop and phone widths, with the widget on the page."""

import pytest
from playwright.sync_api import expect

from flows import login_agent


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_site_renders_with_widget(server, shot, viewport):
    page = server.page(viewport)
    page.goto(server.base_url + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Auron")
    expect(page.locator("#models .model")).to_have_count(6)
    launcher = page.get_by_test_id("support-launcher")
    expect(launcher).to_be_visible()
    # Nothing may stick out sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    shot(page, "site", full_page=True)
    shot(page, "site-top")
    if viewport == "phone":
        page.get_by_role("button", name="Menu").click()
        expect(page.locator("#site-nav")).to_be_visible()
        shot(page, "site-menu")
        page.keyboard.press("Escape")
    # Any "Chat with support" link on the page opens the widget.
    page.get_by_role("button", name="Chat with support").click()
    expect(page.get_by_test_id("start-chat")).to_be_visible()
    expect(page.get_by_test_id("start-chat")).to_be_focused()
    shot(page, "widget-open")
    assert not page.errors


def test_widget_keyboard_only(server):
    page = server.page("desktop")
    page.goto(server.base_url + "/")
    launcher = page.get_by_test_id("support-launcher")
    launcher.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("start-chat")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("start-chat")).to_be_hidden()
    user_id = page.evaluate("sessionStorage.getItem('switchboard.userId')")
    assert user_id and __import__("re").fullmatch(r"user_[0-9a-fA-F-]{36}", user_id)
    page.reload()
    assert page.evaluate("sessionStorage.getItem('switchboard.userId')") == user_id, "one userId per browser session"


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_agent_app_renders(server, shot, viewport):
    page = server.page(viewport)
    page.goto(server.base_url + "/agent/")
    expect(page.get_by_test_id("agent-login")).to_be_visible()
    shot(page, "agent-login")
    page.get_by_test_id("agent-username").fill("agent1")
    page.get_by_test_id("agent-password").fill("wrong")
    page.get_by_test_id("agent-login").click()
    expect(page.locator("#login-error")).to_contain_text("Wrong username or password")
    page.close()
    agent = login_agent(server, "agent1", viewport, available=False)
    expect(agent.get_by_test_id("agent-status").locator("option")).to_have_text(["Available", "Offline"])
    shot(agent, "agent-empty")
