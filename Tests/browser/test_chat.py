"""Chat-only conversation both ways, typing indicators, ending, and errors shown in plain words."""

from playwright.sync_api import expect

from flows import accept, agent_says, customer_says, expect_line, login_agent, open_customer, wait_offer, widget_contact


def test_chat_both_ways(backend, shot):
    agent = login_agent(backend, "agent1")
    customer = open_customer(backend)
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


def test_agent_ends_chat(backend):
    agent = login_agent(backend, "agent1")
    customer = open_customer(backend)
    customer.get_by_test_id("start-chat").click()
    chat_id = widget_contact(customer)
    wait_offer({"agent1": agent}, chat_id)
    accept(agent, chat_id)
    agent_says(agent, "Anything else?")
    expect_line(customer, "chat-message", "agent", "Anything else?")
    agent.get_by_test_id("end-chat").click()
    expect(customer.get_by_test_id("start-chat")).to_be_visible()
    expect(customer.get_by_test_id("chat-input")).to_be_hidden()
    agent.get_by_test_id("agent-status").select_option("Offline")


def test_start_failure_is_explained_and_retry_works(fake_backend):
    fake_backend.fake.fail_next["/start-chat-contact"] = 503
    customer = open_customer(fake_backend)
    customer.get_by_test_id("start-chat").click()
    error = customer.get_by_test_id("widget-error")
    expect(error).to_contain_text("Service temporarily unavailable. Please try again.")
    customer.get_by_test_id("retry").click()
    expect(error).to_be_hidden()
    widget_contact(customer)
    expect(customer.get_by_test_id("chat-input")).to_be_visible()
