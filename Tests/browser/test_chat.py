"""Chat-only conversation both ways, typing indicators, ending, and errors shown in plain words."""

import time

from playwright.sync_api import expect

from flows import (accept, agent_says, customer_says, expect_line, login_agent, offer_for, open_customer,
                   needs_control, participant_connection_status, set_status, start_chat_with, wait_offer, widget_contact)


def test_chat_both_ways(server, shot):
    agent = login_agent(server, "agent1")
    customer = open_customer(server)
    shot(customer, "widget-idle")
    customer.get_by_test_id("start-chat").click()
    chat_id = widget_contact(customer)
    # Until an agent is connected, escalation stays off.
    expect(customer.get_by_test_id("escalate-voice")).to_be_disabled()
    assert wait_offer({"agent1": agent}, chat_id) == "agent1"
    offer = agent.locator(f'[data-testid="contact-offer"][data-contact-id="{chat_id}"]')
    expect(offer).to_have_attribute("data-channel", "chat")
    shot(agent, "agent-offer")
    accept(agent, chat_id)

    customer_says(customer, "Hello, my Terra shows a tyre warning.")
    expect_line(customer, "chat-message", "customer", "tyre warning")
    expect_line(agent, "agent-chat-message", "customer", "tyre warning")

    # Typing both ways.
    agent.get_by_test_id("agent-chat-input").type("Let me")
    expect(customer.locator(".sbw-typing")).to_contain_text("typing")
    customer.get_by_test_id("chat-input").type("Thanks")
    expect(agent.locator(".typing")).to_contain_text("typing")
    customer.get_by_test_id("chat-input").fill("")

    agent_says(agent, "Happy to help. Is the light steady or blinking?")
    expect_line(customer, "chat-message", "agent", "steady or blinking")
    expect_line(agent, "agent-chat-message", "agent", "steady or blinking")
    expect(customer.get_by_test_id("escalate-voice")).to_be_enabled()
    shot(customer, "widget-chat")
    shot(agent, "agent-chat")

    customer.get_by_test_id("end-contact").click()
    expect(customer.get_by_test_id("start-chat")).to_be_visible()
    expect(agent.locator(f'[data-testid="contact-tab"][data-contact-id="{chat_id}"]')).to_contain_text("ended")
    expect(agent.get_by_test_id("agent-chat-input")).to_be_disabled()
    # The conversation stays readable after it ended.
    expect_line(customer, "chat-message", "agent", "steady or blinking")
    assert not customer.errors and not agent.errors
    agent.get_by_test_id("agent-status").select_option("Offline")


def test_agent_ends_chat(server):
    agent = login_agent(server, "agent1")
    customer, chat_id = start_chat_with(server, agent)
    agent_says(agent, "Anything else?")
    expect_line(customer, "chat-message", "agent", "Anything else?")
    agent.get_by_test_id("end-chat").click()
    expect(customer.get_by_test_id("start-chat")).to_be_visible()
    expect(customer.get_by_test_id("chat-input")).to_be_hidden()
    agent.get_by_test_id("agent-status").select_option("Offline")


END_WHILE_CONNECTING = """() => new Promise((resolve) => {
  document.querySelector('[data-testid=start-chat]').click();
  const poll = setInterval(() => {
    const chat = window.switchboardWidget.state.chat;
    if (!chat?.contactId) return;
    clearInterval(poll);
    const seen = { contactId: chat.contactId, participantToken: chat.participantToken, status: chat.status };
    document.querySelector('[data-testid=end-contact]').click();
    resolve(seen);
  }, 0);
})"""


def test_end_while_connecting_ends_the_contact(server):
    """The customer leaves as soon as the contact exists, before the chat connection is up: the contact must end on
    the server too, not wait in the queue and ring an agent for nobody."""
    agent = login_agent(server, "agent1")
    customer = open_customer(server)
    seen = customer.evaluate(END_WHILE_CONNECTING)
    assert seen["status"] == "connecting", seen
    expect(customer.get_by_test_id("start-chat")).to_be_visible()
    deadline = time.time() + 10
    status = None
    while time.time() < deadline:
        status = participant_connection_status(server.base_url, seen["participantToken"])
        if status in (403, 404):
            break
        time.sleep(0.2)
    assert status in (403, 404), f"the contact is still live on the server (CreateParticipantConnection -> {status})"
    expect(offer_for(agent, seen["contactId"])).to_have_count(0)
    set_status(agent, "Offline")


def test_start_failure_is_explained_and_retry_works(server, shot):
    """The server really is down when the customer presses Start chat (the node is stopped; its address still accepts
    the connection and drops it, as a load balancer with no server would). The widget says so in plain words, and
    Retry works once the node is back."""
    needs_control(server)
    customer = open_customer(server)
    error = customer.get_by_test_id("widget-error")
    server.node.stop()
    try:
        customer.get_by_test_id("start-chat").click()
        expect(error).to_be_visible()
    finally:
        server.node.start()
    expect(error).to_contain_text("Service temporarily unavailable. Please try again.")
    expect(customer.get_by_test_id("start-chat")).to_be_visible()
    shot(customer, "widget-error")
    customer.get_by_test_id("retry").click()
    expect(error).to_be_hidden()
    widget_contact(customer)
    expect(customer.get_by_test_id("chat-input")).to_be_enabled()
    assert not customer.errors
    customer.get_by_test_id("end-contact").click()
    expect(customer.get_by_test_id("start-chat")).to_be_visible()
