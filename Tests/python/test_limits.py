"""Limits that hold behind a balancer (issue 13, SPEC v2 §2): per-token limits on the Participant Service API, per-IP
limits on opening customer sockets (`/ws`: an error frame with `retryAfter`, then close code 1013, since a browser
cannot read the status of a refused upgrade) and on bridge authentication failures (429 and `Retry-After`); the
AWS-shaped API answers `ThrottlingException`.

The node trusts 127.0.0.1 as its proxy, so each test speaks for several clients by `X-Forwarded-For`, as a balancer
does, and checks that one client spending its budget leaves another's intact. Fixed windows may turn over between two
requests; each test therefore keeps sending until it is refused (a bounded number of times, enough for two windows)
and then checks the refusal from the same window.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
import uuid

import pytest

botocore_exceptions = pytest.importorskip("botocore.exceptions")

from switchboard_node import Node, node_redis_url  # noqa: E402
from test_connect_boto3 import CONTACT_FLOW_ID, INSTANCE_ID, WebSocket, WebSocketClosed, make_client  # noqa: E402

DB = 8  # the Swift suites use 0, the fixture node 1, AWS mode 2, the AWS widget 3, lifecycle 5, inline 6, HTTPS 7
LIMIT = 3
BRIDGE_KEY = "local-demo-bridge-key"


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    binary, redis_url = os.environ.get("SWITCHBOARD_BIN"), os.environ.get("SWITCHBOARD_TEST_REDIS_URL")
    if not (binary and redis_url):
        pytest.skip("needs SWITCHBOARD_BIN and SWITCHBOARD_TEST_REDIS_URL (ops/test.sh sets both)")
    node = Node(binary, node_redis_url(redis_url, DB), tmp_path_factory.mktemp("limits"), node_id="limits-node")
    # After Node's own settings, which turn these limits off for every other suite.
    config = json.loads(node.config_path.read_text())
    config["security"]["trustedProxies"] = ["127.0.0.1/32"]
    config["security"]["rateLimits"].update(participantApiPerSecondPerToken=LIMIT, wsRegisterPerMinutePerIp=LIMIT,
                                            bridgeAuthFailuresPerMinutePerIp=LIMIT)
    node.config_path.write_text(json.dumps(config))
    node.start()
    try:
        yield node
    finally:
        node.close()


def window(seconds: int) -> int:
    return int(time.time()) // seconds


def open_socket(node: Node, client: str) -> dict:
    """The answer to a ping on a new customer socket opened for `client` (its X-Forwarded-For): `pong`, or the error
    frame of a refused socket, which must then be closed with 1013 (try again later)."""
    ws = WebSocket(node.base_url.replace("http", "ws") + "/ws", headers={"X-Forwarded-For": client})
    try:
        ws.send_json({"action": "ping"})
        frame = json.loads(ws.recv_text())
        if frame["type"] == "error":
            with pytest.raises(WebSocketClosed) as closed:
                ws.recv_text()
            assert closed.value.code == 1013, closed.value
        return frame
    finally:
        ws.close()


def bridge(node: Node, client: str, key: str) -> tuple[int, dict, dict]:
    request = urllib.request.Request(node.base_url + "/bridge/events", method="POST", data=b"{}",
                                     headers={"Content-Type": "application/json", "X-Switchboard-Bridge-Key": key,
                                              "X-Forwarded-For": client})
    try:
        with urllib.request.urlopen(request, timeout=10) as res:
            return res.status, json.load(res), dict(res.headers)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}"), dict(e.headers)


def until_refused(attempt, refused, what: str):
    """Calls `attempt()` until `refused(result)`; within 2 * LIMIT + 1 calls, whatever windows turned over."""
    for _ in range(2 * LIMIT + 1):
        result = attempt()
        if refused(result):
            return result
    pytest.fail(f"{what}: never refused")


def test_opening_customer_sockets_is_limited_per_client_ip(node):
    client, other = "198.51.100.7", "198.51.100.8"
    while True:
        before = window(60)
        refused = until_refused(lambda: open_socket(node, client), lambda f: f["type"] != "pong", "opening sockets")
        again = open_socket(node, client)
        elsewhere = open_socket(node, other)
        if window(60) == before:
            break  # the refusals and the other client's socket all fell in one window
    assert refused["code"] == "RATE_LIMITED" and 1 <= refused["retryAfter"] <= 60, refused
    assert again["type"] == "error"
    assert elsewhere["type"] == "pong"  # another client's budget is its own


def test_bridge_authentication_failures_are_limited_per_client_ip_and_then_even_the_right_key_waits(node):
    client, other = "203.0.113.7", "203.0.113.8"
    while True:
        before = window(60)
        status, body, headers = until_refused(lambda: bridge(node, client, "wrong-key"), lambda r: r[0] == 429, "bad keys")
        right, _, _ = bridge(node, client, BRIDGE_KEY)
        elsewhere, body_elsewhere, _ = bridge(node, other, BRIDGE_KEY)
        if window(60) == before:
            break
    assert body["error"]["code"] == "RATE_LIMITED" and 1 <= int(headers["Retry-After"]) <= 60, (body, headers)
    assert right == 429  # guessing stops: the right key is not even looked at
    assert elsewhere == 400, body_elsewhere  # another client is authenticated (and "{}" is not an event)


def test_the_participant_api_is_limited_per_token(node):
    connect = make_client(node.base_url, "connect")
    participant = make_client(node.base_url, "connectparticipant")

    def connection_token() -> str:
        chat = connect.start_chat_contact(InstanceId=INSTANCE_ID, ContactFlowId=CONTACT_FLOW_ID,
                                          Attributes={"userId": f"user_{uuid.uuid4()}"}, ParticipantDetails={"DisplayName": "Limits"})
        return participant.create_participant_connection(Type=["CONNECTION_CREDENTIALS"],
                                                         ParticipantToken=chat["ParticipantToken"])["ConnectionCredentials"]["ConnectionToken"]

    busy, quiet = connection_token(), connection_token()

    def transcript(token: str):
        try:
            participant.get_transcript(ConnectionToken=token)
            return None
        except botocore_exceptions.ClientError as error:
            return error

    while True:
        before = window(1)
        error = until_refused(lambda: transcript(busy), lambda e: e is not None, "transcript calls")
        quiet_error = transcript(quiet)
        if window(1) == before:
            break
    assert error.response["Error"]["Code"] == "ThrottlingException", error.response
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert quiet_error is None  # the other token's budget is untouched
