"""The widget served by a node in AWS mode (SPEC §5a), in front of a second node in local mode that plays Amazon
Connect: the page starts its chat through the aws-mode node, chats through the stand-in's Participant Service (as it
would through Amazon Connect's, cross-origin), and an EventBridge stand-in forwards the stand-in's contact events to the
aws-mode node's bridge. The agent answers in the stand-in's agent app, as they would in Connect's agent workspace.
Escalating asks the aws-mode node for the call; with no Chime SDK voice layer on the page the widget says so and the
chat goes on.
"""

from __future__ import annotations

import json
import os
import threading
import urllib.request
import uuid

import pytest
import redis
from playwright.sync_api import expect

from flows import Server, accept, agent_says, customer_says, expect_line, login_agent, set_status, wait_offer, widget_contact
from switchboard_node import Node, Proxy, node_redis_url

DEMO_AWS_ENV = {"AWS_ACCESS_KEY_ID": "LOCALDEMOACCESSKEY", "AWS_SECRET_ACCESS_KEY": "local-demo-secret", "AWS_PROFILE": ""}


class EventBridge:
    """Forwards every entry of a contact-event stream to a bridge URL, as an EventBridge API destination would."""

    def __init__(self, redis_url: str, stream: str, bridge_url: str):
        self.client = redis.Redis.from_url(redis_url)
        self.stream, self.bridge_url = stream, bridge_url
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        last = "$"
        while not self.stopping.is_set():
            for _, entries in self.client.xread({self.stream: last}, block=200) or []:
                for entry_id, fields in entries:
                    last = entry_id
                    request = urllib.request.Request(self.bridge_url, method="POST", data=fields[b"event"],
                                                     headers={"Content-Type": "application/json",
                                                              "X-Switchboard-Bridge-Key": "local-demo-bridge-key"})
                    urllib.request.urlopen(request, timeout=10).close()

    def close(self):
        self.stopping.set()
        self.thread.join(timeout=5)
        self.client.close()


@pytest.fixture(scope="module")
def aws_pair(switchboard, tmp_path_factory):
    if not switchboard.controllable:
        pytest.skip("needs ops/test.sh's build and Redis")
    binary, redis_url = os.environ["SWITCHBOARD_BIN"], node_redis_url(os.environ["SWITCHBOARD_TEST_REDIS_URL"], 3)
    connect_proxy, aws_proxy = Proxy(), Proxy()
    connect_url, aws_url = (f"http://127.0.0.1:{p.port}" for p in (connect_proxy, aws_proxy))
    prefix = f"sbc{uuid.uuid4().hex[:6]}"
    # The stand-in lets the aws-mode node's pages call its Participant Service, as Amazon Connect lets browsers.
    stand_in = Node(binary, redis_url, tmp_path_factory.mktemp("connect"), proxy=connect_proxy, node_id="connect-stand-in",
                    overrides={"redis": {"keyPrefix": prefix}, "events": {"stream": f"{prefix}:events"},
                               "security": {"allowedOrigins": [connect_url, aws_url]}})
    aws = Node(binary, redis_url, tmp_path_factory.mktemp("aws"), proxy=aws_proxy, node_id="aws-mode", env=DEMO_AWS_ENV,
               overrides={"redis": {"keyPrefix": prefix + "aws"}, "events": {"stream": f"{prefix}aws:events"},
                          "connect": {"mode": "aws", "endpoint": connect_url + "/connect", "participantEndpoint": connect_url + "/connect"}})
    bridge = None
    try:
        stand_in.start()
        aws.start()
        bridge = EventBridge(redis_url, f"{prefix}:events", aws_url + "/bridge/events")
        yield stand_in, aws
    finally:
        if bridge:
            bridge.close()
        aws.close()
        stand_in.close()


# Stands in for the Chime SDK layer an operator installs (docs/aws.md): it records what it was asked to join.
FAKE_CHIME_LAYER = """
window.__joined = [];
window.switchboardVoiceLayer = { join(options) { window.__joined.push(options.connectionData); options.onStatus('connecting');
                                                 return { leave() {} }; } };
"""


def preferred_agent(aws, contact_id: str) -> dict:
    request = urllib.request.Request(f"{aws.base_url}/aws/preferred-agent?contactId={contact_id}",
                                     headers={"X-Switchboard-Bridge-Key": "local-demo-bridge-key"})
    with urllib.request.urlopen(request, timeout=10) as res:
        return json.load(res)


def chatting_with_agent(connect_side, customer_side, with_voice_layer: bool):
    agent = login_agent(connect_side, "agent1")
    customer = customer_side.page()
    if with_voice_layer:
        customer.add_init_script(FAKE_CHIME_LAYER)
    customer.goto(customer_side.base_url + "/")
    customer.get_by_test_id("support-launcher").click()
    customer.get_by_test_id("start-chat").click()
    chat_id = widget_contact(customer)
    wait_offer({"agent": agent}, chat_id)
    accept(agent, chat_id)
    # CONNECTED_TO_AGENT went stand-in → EventBridge stand-in → the aws-mode node's bridge → the customer's socket.
    expect(customer.get_by_test_id("escalate-voice")).to_be_enabled(timeout=20000)
    customer_says(customer, "Hello from an AWS-mode page")
    expect_line(agent, "agent-chat-message", "customer", "Hello from an AWS-mode page")
    agent_says(agent, "Hi, Connect here")
    expect_line(customer, "chat-message", "agent", "Hi, Connect here")
    return agent, customer, chat_id


@pytest.fixture
def sides(aws_pair, browser):
    """Browsers on both nodes: the agent app on the stand-in Connect, the customer site on the aws-mode node."""
    stand_in, aws = aws_pair
    connect_side, customer_side = Server(stand_in, browser), Server(aws, browser)
    yield connect_side, customer_side
    customer_side.close()
    connect_side.close()


def test_chat_and_escalation_through_an_aws_mode_node(aws_pair, sides, shot):
    aws = aws_pair[1]
    agent, customer, chat_id = chatting_with_agent(*sides, with_voice_layer=True)
    customer.get_by_test_id("escalate-voice").click()
    voice_id = widget_contact(customer, "voice")
    # The call Connect created continues the chat, and its agent is the one the contact flow would prefer.
    found = preferred_agent(aws, voice_id)
    assert found["relatedContactId"] == chat_id and found["agentId"] == "agent1", found
    customer.wait_for_function("() => window.__joined.length === 1")
    joined = customer.evaluate("() => window.__joined[0]")
    assert joined["Attendee"]["JoinToken"] and joined["Meeting"]["MeetingId"]
    expect(customer.get_by_test_id("voice-status")).to_have_text("connecting")
    shot(customer, "aws-mode-escalating")
    customer.get_by_test_id("end-contact").click()
    set_status(agent, "Offline")


def test_without_a_voice_layer_the_widget_says_so_and_the_chat_goes_on(sides, shot):
    agent, customer, chat_id = chatting_with_agent(*sides, with_voice_layer=False)
    customer.get_by_test_id("escalate-voice").click()
    expect(customer.get_by_test_id("widget-error")).to_contain_text("Calls are not available on this page yet")
    expect(customer.get_by_test_id("retry")).to_be_hidden()
    assert customer.evaluate("() => window.switchboardWidget.state.voice") is None, "a call was asked for all the same"
    shot(customer, "aws-mode-no-voice")
    customer_says(customer, "Still here")
    expect_line(agent, "agent-chat-message", "customer", "Still here")
    customer.get_by_test_id("end-contact").click()
    set_status(agent, "Offline")
