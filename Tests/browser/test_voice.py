"""Escalation from chat to voice with the same agent, back to chat, and voice + chat started directly."""

import time

import pytest
from playwright.sync_api import expect

from flows import (accept, agent_says, customer_says, expect_line, in_call_with_agent1, login_agent, offer_for, open_customer, set_status,
                   wait_audio, wait_offer, widget_contact)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_escalation_same_agent_audio_and_history(server, shot, viewport):
    # Both agents Available: the voice leg must still go to the agent who has the chat.
    agents = {"agent1": login_agent(server, "agent1", viewport), "agent2": login_agent(server, "agent2", viewport)}
    customer = open_customer(server, viewport)
    customer.get_by_test_id("start-chat").click()
    chat_id = widget_contact(customer)
    escalate = customer.get_by_test_id("escalate-voice")
    expect(escalate).to_be_disabled()

    owner = wait_offer(agents, chat_id)
    other = "agent2" if owner == "agent1" else "agent1"
    agent = agents[owner]
    time.sleep(0.5)
    expect(escalate).to_be_disabled()  # offered is not connected: still no escalation
    accept(agent, chat_id)
    expect(escalate).to_be_enabled()  # enable_escalation arrived only now

    customer_says(customer, "Can we talk? It is easier to explain.")
    agent_says(agent, "Of course, press Switch to voice.")
    expect_line(customer, "chat-message", "agent", "Switch to voice")
    shot(customer, "widget-chat-only")

    escalate.click()
    expect(customer.get_by_test_id("voice-status")).to_have_text("connecting")
    voice_id = widget_contact(customer, "voice")
    assert voice_id != chat_id
    assert wait_offer(agents, voice_id) == owner, "the escalated call must go to the agent who has the chat"
    offer = offer_for(agent, voice_id)
    expect(offer).to_have_attribute("data-channel", "voice")
    expect(offer).to_have_attribute("data-related-contact-id", chat_id)
    expect(offer).to_contain_text("Continues your chat")
    assert offer_for(agents[other], voice_id).count() == 0
    shot(agent, "agent-escalation-offer")
    accept(agent, voice_id)

    expect(customer.get_by_test_id("voice-status")).to_have_text("connected", timeout=30000)
    expect(agent.get_by_test_id("agent-voice-status")).to_have_text("connected", timeout=30000)
    assert wait_audio(customer) > 0
    assert wait_audio(agent) > 0
    # The chat stays visible and usable during the call, on both sides.
    expect_line(customer, "chat-message", "customer", "easier to explain")
    expect_line(agent, "agent-chat-message", "customer", "easier to explain")
    agent_says(agent, "I can hear you now.")
    expect_line(customer, "chat-message", "agent", "I can hear you now.")
    expect(customer.get_by_test_id("continue-in-chat")).to_be_visible()
    expect(escalate).to_be_hidden()
    shot(customer, "widget-escalated")
    shot(agent, "agent-voice")

    customer.get_by_test_id("continue-in-chat").click()
    expect(customer.get_by_test_id("voice-status")).to_have_text("ended")
    expect(agent.get_by_test_id("agent-voice-status")).to_have_text("ended")
    expect(customer.get_by_test_id("continue-in-chat")).to_be_hidden()
    expect_line(customer, "chat-message", "customer", "easier to explain")
    expect_line(customer, "chat-message", "agent", "I can hear you now.")
    customer_says(customer, "Back in chat, thanks!")
    expect_line(agent, "agent-chat-message", "customer", "Back in chat")
    agent_says(agent, "Still here.")
    expect_line(customer, "chat-message", "agent", "Still here.")
    expect(escalate).to_be_enabled()
    shot(customer, "widget-back-to-chat")
    assert not customer.errors and not agent.errors

    customer.get_by_test_id("end-contact").click()
    for page in agents.values():
        set_status(page, "Offline")


def test_agent_hangs_up_keeps_chat(server):
    agent, customer = in_call_with_agent1(server)
    expect(agent.get_by_test_id("agent-voice-status")).to_have_text("connected", timeout=30000)
    agent.get_by_test_id("hangup").click()
    expect(customer.get_by_test_id("voice-status")).to_have_text("ended")
    expect(customer.get_by_test_id("chat-input")).to_be_enabled()
    customer_says(customer, "Call dropped but chat works")
    expect_line(agent, "agent-chat-message", "customer", "chat works")
    customer.get_by_test_id("end-contact").click()
    set_status(agent, "Offline")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_voice_and_chat_started_directly(server, shot, viewport):
    agent = login_agent(server, "agent1", viewport)
    customer = open_customer(server, viewport)
    customer.get_by_test_id("start-voice").click()
    voice_id = widget_contact(customer, "voice")
    assert widget_contact(customer, "chat") == voice_id, "voice + chat chats on the voice contact itself"
    assert wait_offer({"agent1": agent}, voice_id) == "agent1"
    offer = offer_for(agent, voice_id)
    expect(offer).to_have_attribute("data-channel", "voice")
    expect(offer).to_have_attribute("data-related-contact-id", "")
    accept(agent, voice_id)
    expect(customer.get_by_test_id("voice-status")).to_have_text("connected", timeout=30000)
    expect(agent.get_by_test_id("agent-voice-status")).to_have_text("connected", timeout=30000)
    assert wait_audio(customer) > 0 and wait_audio(agent) > 0
    expect(customer.get_by_test_id("escalate-voice")).to_be_hidden()
    expect(customer.get_by_test_id("continue-in-chat")).to_be_hidden()
    customer_says(customer, "Sending my VIN here: KMH123")
    expect_line(agent, "agent-chat-message", "customer", "KMH123")
    agent_says(agent, "Got it, thanks.")
    expect_line(customer, "chat-message", "agent", "Got it, thanks.")
    shot(customer, "widget-voice-chat")
    shot(agent, "agent-voice-chat")
    customer.get_by_test_id("end-contact").click()
    expect(agent.get_by_test_id("agent-voice-status")).to_have_text("ended")
    expect(customer.get_by_test_id("start-voice")).to_be_visible()
    set_status(agent, "Offline")
