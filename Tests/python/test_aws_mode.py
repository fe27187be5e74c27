"""AWS mode end to end (SPEC §5a): a node with `connect.mode: "aws"` in front of a second node in local mode that plays
Amazon Connect (same wire protocol, real SigV4 with the AWS credentials from the environment). What the aws-mode node
creates is checked with unmodified boto3 on the Connect endpoint; events reach it through its own bridge.
"""

from __future__ import annotations

import json
import os
import pathlib
import socket
import sys
import urllib.error
import urllib.request
import uuid

import pytest

from switchboard_node import Node, node_redis_url, user_token
from test_connect_boto3 import CONTACT_FLOW_ID, INSTANCE_ID, WebSocket, make_client

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "ops" / "aws"))
import routing_lambda  # noqa: E402

BRIDGE_KEY = "local-demo-bridge-key"
AGENT_ARN = f"arn:aws:connect:us-west-2:111122223333:instance/{INSTANCE_ID}/agent/a1b2c3d4-agent"
DEMO_AWS_ENV = {"AWS_ACCESS_KEY_ID": "LOCALDEMOACCESSKEY", "AWS_SECRET_ACCESS_KEY": "local-demo-secret", "AWS_PROFILE": "",
                "AWS_SESSION_TOKEN": ""}


def aws_overrides(prefix: str, endpoint: str, **connect) -> dict:
    return {"redis": {"keyPrefix": prefix}, "events": {"stream": f"{prefix}:events"},
            "connect": {"mode": "aws", "endpoint": endpoint + "/connect", "participantEndpoint": endpoint + "/connect", **connect}}


@pytest.fixture(scope="module")
def nodes(switchboard, tmp_path_factory):
    """Starts nodes on demand (each its own key prefix and event stream on database 2), stops them all at the end."""
    if not switchboard.controllable:
        pytest.skip("needs ops/test.sh's build and Redis")
    started = []

    def start(overrides: dict, env: dict | None = None, node_id: str = "aws-node") -> Node:
        node = Node(os.environ["SWITCHBOARD_BIN"], node_redis_url(os.environ["SWITCHBOARD_TEST_REDIS_URL"], 2),
                    tmp_path_factory.mktemp(node_id), overrides, {**DEMO_AWS_ENV, **(env or {})}, node_id=node_id)
        started.append(node)
        node.start()
        return node

    yield start
    for node in started:
        node.close()


@pytest.fixture(scope="module")
def aws(switchboard, nodes):
    """The aws-mode node in front of the `switchboard` node (local mode)."""
    return nodes(aws_overrides(f"sbaws{uuid.uuid4().hex[:6]}", switchboard.base_url))


@pytest.fixture(scope="module")
def connect(switchboard):
    return make_client(switchboard.base_url, "connect")


def post(url: str, body, headers: dict | None = None):
    """(status, JSON body, headers) of a POST."""
    request = urllib.request.Request(url, method="POST", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as res:
            return res.status, json.load(res), dict(res.headers)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}"), dict(e.headers)


def get(url: str, headers: dict | None = None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=30) as res:
            return res.status, json.load(res)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def get_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as res:
            return res.status
    except urllib.error.HTTPError as e:
        return e.code


def new_user():
    return f"user_{uuid.uuid4()}"


def event(event_type: str, contact_id: str, channel: str = "CHAT", agent_arn: str | None = AGENT_ARN) -> dict:
    detail = {"eventType": event_type, "contactId": contact_id, "channel": channel,
              "initiationMethod": "API" if channel == "CHAT" else "WEBRTC_API"}
    if agent_arn:
        detail["agentInfo"] = {"agentArn": agent_arn}
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Amazon Connect Contact Event", "source": "aws.connect",
            "account": "111122223333", "time": "2026-11-29T10:00:00Z", "region": "us-west-2", "resources": [], "detail": detail}


def start_chat(aws, user: str) -> dict:
    status, body, _ = post(aws.base_url + "/start-chat-contact", {"userId": user, "customerName": "Casey"})
    assert status == 200, body
    return body


def registered_socket(node, user: str) -> WebSocket:
    ws = WebSocket(node.base_url.replace("http", "ws") + "/ws")
    ws.send_json({"action": "register", "userId": user, "userToken": user_token(user)})
    next_of_type(ws, "registered")
    return ws


def next_of_type(ws: WebSocket, kind: str) -> dict:
    return ws.recv_json_until(lambda frame: frame.get("type") == kind, what=kind)


def test_widget_config_points_browsers_at_the_participant_endpoint_and_no_engine_is_mounted(aws, switchboard):
    status, config = get(aws.base_url + "/widget-config")
    assert status == 200 and config["mode"] == "aws" and config["participantEndpoint"] == switchboard.base_url + "/connect"
    for path in ("/connect/contact/chat", "/agent/api/login"):
        code, _, _ = post(aws.base_url + path, {})
        assert code == 404, f"{path} is mounted in aws mode"
    for path in ("/agent/", "/agent/app.js"):
        assert get_status(aws.base_url + path) == 404, f"{path} is served in aws mode"
    assert get_status(aws.base_url + "/widget/widget.js") == 200


def test_start_chat_creates_a_connect_chat_with_the_attributes(aws, connect):
    user = new_user()
    chat = start_chat(aws, user)
    assert chat["participantToken"] and chat["participantId"]
    assert chat["userToken"] == user_token(user)
    described = connect.describe_contact(InstanceId=INSTANCE_ID, ContactId=chat["contactId"])["Contact"]
    assert described["Channel"] == "CHAT" and described["InitiationMethod"] == "API"
    attributes = connect.get_contact_attributes(InstanceId=INSTANCE_ID, InitialContactId=chat["contactId"])["Attributes"]
    assert attributes == {"userId": user, "InitiationMethod": "Chat", "interactionMode": "chat-only"}


def test_escalation_is_a_webrtc_contact_related_to_the_chat_with_property_2s_attributes(aws, connect):
    user = new_user()
    chat = start_chat(aws, user)
    status, voice, _ = post(aws.base_url + "/start-voice-contact",
                            {"userId": user, "relatedContactId": chat["contactId"], "initiationMethod": "Chat"})
    assert status == 200, voice
    assert voice["connectionData"]["Meeting"]["MediaPlacement"]["SignalingUrl"]
    described = connect.describe_contact(InstanceId=INSTANCE_ID, ContactId=voice["contactId"])["Contact"]
    assert described["Channel"] == "VOICE" and described["RelatedContactId"] == chat["contactId"]
    attributes = connect.get_contact_attributes(InstanceId=INSTANCE_ID, InitialContactId=voice["contactId"])["Attributes"]
    assert attributes == {"userId": user, "InitiationMethod": "Chat", "interactionMode": "escalated",
                          "relatedContactId": chat["contactId"]}


def test_connected_to_agent_reaches_the_customer_as_enable_escalation_and_names_the_preferred_agent(aws):
    user = new_user()
    chat = start_chat(aws, user)
    ws = registered_socket(aws, user)
    try:
        status, body, _ = post(aws.base_url + "/bridge/events", event("CONNECTED_TO_AGENT", chat["contactId"]),
                               {"X-Switchboard-Bridge-Key": BRIDGE_KEY})
        assert status == 202, body
        pushed = next_of_type(ws, "enable_escalation")
        assert pushed["contactId"] == chat["contactId"] and pushed["userId"] == user
    finally:
        ws.close()

    status, voice, _ = post(aws.base_url + "/start-voice-contact", {"userId": user, "relatedContactId": chat["contactId"]})
    assert status == 200, voice
    key = {"X-Switchboard-Bridge-Key": BRIDGE_KEY}
    status, preferred = get(f"{aws.base_url}/aws/preferred-agent?contactId={voice['contactId']}", key)
    assert status == 200, preferred
    assert preferred == {"contactId": voice["contactId"], "relatedContactId": chat["contactId"], "agentArn": AGENT_ARN,
                         "agentId": "a1b2c3d4-agent"}
    assert get(f"{aws.base_url}/aws/preferred-agent?contactId={voice['contactId']}")[0] == 401
    assert get(f"{aws.base_url}/aws/preferred-agent?contactId={chat['contactId']}", key)[0] == 404  # a chat continues nothing

    # The contact flow's Lambda, as Connect invokes it.
    os.environ.update(SWITCHBOARD_URL=aws.base_url, SWITCHBOARD_BRIDGE_KEY=BRIDGE_KEY)
    try:
        invocation = {"Details": {"ContactData": {"ContactId": voice["contactId"], "RelatedContactId": chat["contactId"],
                                                  "Attributes": {"userId": user}}, "Parameters": {}}, "Name": "ContactFlowEvent"}
        assert routing_lambda.handler(invocation, None) == {
            "hasPreferredAgent": "true", "preferredAgentArn": AGENT_ARN, "preferredAgentId": "a1b2c3d4-agent"}
        unrelated = {"Details": {"ContactData": {"ContactId": chat["contactId"], "Attributes": {}}}}
        assert routing_lambda.handler(unrelated, None)["hasPreferredAgent"] == "false"
        os.environ["SWITCHBOARD_BRIDGE_KEY"] = "wrong"
        assert routing_lambda.handler(invocation, None)["hasPreferredAgent"] == "false"
    finally:
        for name in ("SWITCHBOARD_URL", "SWITCHBOARD_BRIDGE_KEY"):
            os.environ.pop(name, None)


def test_a_contact_the_node_did_not_start_is_described_by_connect(aws, connect):
    """Started by someone else (a contact flow, another system): the node learns its attributes from DescribeContact."""
    user = new_user()
    started = connect.start_chat_contact(InstanceId=INSTANCE_ID, ContactFlowId=CONTACT_FLOW_ID,
                                         Attributes={"userId": user, "InitiationMethod": "Chat", "interactionMode": "chat-only"},
                                         ParticipantDetails={"DisplayName": "Elsewhere"})
    ws = registered_socket(aws, user)
    try:
        post(aws.base_url + "/bridge/events", event("CONNECTED_TO_AGENT", started["ContactId"]), {"X-Switchboard-Bridge-Key": BRIDGE_KEY})
        assert next_of_type(ws, "enable_escalation")["contactId"] == started["ContactId"]
    finally:
        ws.close()


def test_connect_unreachable_is_service_unavailable(nodes):
    # A port that is bound but never listens refuses every connection, and stays ours while the test runs.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        down = nodes(aws_overrides("sbawsdown", f"http://127.0.0.1:{closed.getsockname()[1]}", maxAttempts=2, timeoutMs=2000),
                     node_id="aws-down")
        status, body, _ = post(down.base_url + "/start-chat-contact", {"userId": new_user()})
    assert status == 503 and body["error"]["code"] == "SERVICE_UNAVAILABLE", body


def test_wrong_credentials_are_service_unavailable(switchboard, nodes):
    wrong = nodes(aws_overrides("sbawswrong", switchboard.base_url), {"AWS_SECRET_ACCESS_KEY": "not-the-secret"}, node_id="aws-wrong")
    status, body, _ = post(wrong.base_url + "/start-chat-contact", {"userId": new_user()})
    assert status == 503 and body["error"]["code"] == "SERVICE_UNAVAILABLE", body
    assert "not-the-secret" not in wrong.log(), "a secret reached the log"


def test_throttling_is_rate_limited_with_retry_after(nodes):
    # A Connect stand-in that allows one API call a second, and an aws-mode node that does not retry.
    strict = nodes({"redis": {"keyPrefix": "sbthrottle"}, "events": {"stream": "sbthrottle:events"},
                    "security": {"rateLimits": {"connectApiPerSecondPerKey": 1}}}, node_id="strict-connect")
    impatient = nodes(aws_overrides("sbawsthrottled", strict.base_url, maxAttempts=1), node_id="aws-throttled")
    # Five quick calls span at most two one-second windows, so one window sees two of them.
    answers = [post(impatient.base_url + "/start-chat-contact", {"userId": new_user()}) for _ in range(5)]
    refused = [(status, body, headers) for status, body, headers in answers if status != 200]
    assert refused, f"five quick starts were all served: {answers}"
    for status, body, headers in refused:
        assert status == 429 and body["error"]["code"] == "RATE_LIMITED", body
        assert int(headers["Retry-After"]) >= 1
