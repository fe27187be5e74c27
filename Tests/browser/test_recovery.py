"""A reloaded widget or agent app resumes the conversation; a server restart ends in a recovered chat (and call) or a
clear message, never a stuck widget."""

import time

from playwright.sync_api import expect

from flows import (accept, agent_says, customer_says, expect_line, in_call_with_agent1, login_agent, needs_control, offer_for,
                   open_customer, set_status, start_chat_with, wait_audio, wait_offer, widget_contact)



def test_widget_reload_mid_chat_recovers(server, shot):
    agent = login_agent(server, "agent1")
    customer, chat_id = start_chat_with(server, agent)
    customer_says(customer, "My first question")
    agent_says(agent, "My first answer")
    expect_line(customer, "chat-message", "agent", "My first answer")

    customer.reload()
    # Same contact, history rebuilt from GetTranscript, chat usable again, escalation still enabled.
    expect_line(customer, "chat-message", "customer", "My first question")
    expect_line(customer, "chat-message", "agent", "My first answer")
    assert widget_contact(customer) == chat_id
    expect(customer.get_by_test_id("chat-input")).to_be_enabled()
    expect(customer.get_by_test_id("escalate-voice")).to_be_enabled()
    messages = customer.get_by_test_id("chat-message")
    texts = messages.all_text_contents()
    assert sum("My first answer" in t for t in texts) == 1, f"duplicated history after reload: {texts}"
    customer_says(customer, "Still there after a reload?")
    expect_line(agent, "agent-chat-message", "customer", "after a reload")
    agent_says(agent, "Yes!")
    expect_line(customer, "chat-message", "agent", "Yes!")
    shot(customer, "widget-after-reload")
    customer.get_by_test_id("end-contact").click()
    set_status(agent, "Offline")


def test_widget_reload_during_call_rejoins_voice(server):
    agent, customer = in_call_with_agent1(server)
    expect(customer.get_by_test_id("voice-status")).to_have_text("connected", timeout=30000)
    customer.reload()
    expect(customer.get_by_test_id("voice-status")).to_have_text("connected", timeout=30000)
    expect(agent.get_by_test_id("agent-voice-status")).to_have_text("connected", timeout=30000)
    assert wait_audio(customer) > 0
    customer.get_by_test_id("continue-in-chat").click()
    expect(agent.get_by_test_id("agent-voice-status")).to_have_text("ended")
    customer.get_by_test_id("end-contact").click()
    set_status(agent, "Offline")


def test_agent_reload_resumes_contacts(server):
    agent = login_agent(server, "agent1")
    customer, chat_id = start_chat_with(server, agent)
    customer_says(customer, "Before the agent reloads")
    expect_line(agent, "agent-chat-message", "customer", "Before the agent reloads")
    agent.reload()
    expect(agent.locator(f'[data-testid="contact-tab"][data-contact-id="{chat_id}"]')).to_be_visible()
    expect_line(agent, "agent-chat-message", "customer", "Before the agent reloads")
    agent_says(agent, "Back after a reload")
    expect_line(customer, "chat-message", "agent", "Back after a reload")
    customer.get_by_test_id("end-contact").click()
    set_status(agent, "Offline")


def test_agent_reload_keeps_pending_offer(server):
    """An offer made just before the agent app reloads is shown again (`authenticated.offers`) and can be accepted."""
    agent = login_agent(server, "agent1")
    customer, chat_id = start_chat_with(server, agent, accept_offer=False)
    agent.reload()
    expect(agent.get_by_test_id("agent-status")).to_have_attribute("data-state", "Available")
    expect(offer_for(agent, chat_id)).to_be_visible()
    accept(agent, chat_id)
    expect(customer.get_by_test_id("escalate-voice")).to_be_enabled()
    agent_says(agent, "Sorry, my screen reloaded.")
    expect_line(customer, "chat-message", "agent", "my screen reloaded")
    customer.get_by_test_id("end-contact").click()
    set_status(agent, "Offline")


def test_server_restart_mid_chat_recovers_or_explains(server):
    needs_control(server)
    agent = login_agent(server, "agent1")
    customer, chat_id = start_chat_with(server, agent)
    customer_says(customer, "Before the restart")
    expect_line(agent, "agent-chat-message", "customer", "Before the restart")
    server.node.restart()

    # Never stuck: within a minute, either the chat works again or the widget says what happened.
    deadline = time.time() + 60
    outcome = None
    while time.time() < deadline and outcome is None:
        if customer.get_by_test_id("widget-error").is_visible():
            outcome = "message"
        elif customer.get_by_test_id("chat-input").is_enabled() and "Reconnecting" not in customer.locator(".sbw-status").inner_text():
            outcome = "recovered"
        else:
            customer.wait_for_timeout(250)
    assert outcome, "the widget was still reconnecting a minute after the restart"
    if outcome == "recovered":
        expect_line(customer, "chat-message", "customer", "Before the restart")
        customer_says(customer, "After the restart")
        expect_line(agent, "agent-chat-message", "customer", "After the restart", )
        agent_says(agent, "Still with you")
        expect_line(customer, "chat-message", "agent", "Still with you")
        customer.get_by_test_id("end-contact").click()
    else:
        error = customer.get_by_test_id("widget-error").inner_text()
        assert "try again" in error.lower() or "start a new chat" in error.lower(), error
    set_status(agent, "Offline")


def test_server_restart_mid_call_keeps_voice(server):
    """Voice + chat, then the node restarts: both sides rejoin the meeting (the same join tokens), audio flows again on
    a new peer connection, and the chat goes on."""
    needs_control(server)
    agent = login_agent(server, "agent1")
    customer = open_customer(server)
    customer.get_by_test_id("start-voice").click()
    voice_id = widget_contact(customer, "voice")
    wait_offer({"agent": agent}, voice_id)
    accept(agent, voice_id)
    expect(customer.get_by_test_id("voice-status")).to_have_text("connected", timeout=30000)
    expect(agent.get_by_test_id("agent-voice-status")).to_have_text("connected", timeout=30000)
    for page in (customer, agent):  # remember the peer connection in use before the restart
        assert page.evaluate("() => Boolean(window.__beforeRestart = window.switchboardVoice.peerConnection)")
    server.node.restart()

    # Both sides come back to a new peer connection (the relay told them the other one rejoined) with audio on it.
    for page in (customer, agent):
        page.wait_for_function("() => window.switchboardVoice.peerConnection && "
                               "window.switchboardVoice.peerConnection !== window.__beforeRestart", timeout=30000)
    expect(customer.get_by_test_id("voice-status")).to_have_text("connected", timeout=30000)
    expect(agent.get_by_test_id("agent-voice-status")).to_have_text("connected", timeout=30000)
    assert wait_audio(customer) > 0 and wait_audio(agent) > 0
    customer_says(customer, "Can you still hear me?")
    expect_line(agent, "agent-chat-message", "customer", "still hear me")
    agent_says(agent, "Loud and clear.")
    expect_line(customer, "chat-message", "agent", "Loud and clear.")
    customer.get_by_test_id("end-contact").click()
    expect(agent.get_by_test_id("agent-voice-status")).to_have_text("ended")
    set_status(agent, "Offline")
