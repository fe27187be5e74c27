"""HTTPS and WSS straight from the node (`node.tls`, issue 13), checked with real TLS clients.

The node gets a certificate for localhost/127.0.0.1 signed by a CA the test makes with `openssl`; the clients trust
only that CA (`SSL_CERT_FILE`, which Python's default TLS contexts read). Over TLS: the customer API starts a chat, and
a voice contact whose signaling URL is `wss://`; the customer's socket registers over WSS, the agent logs in over HTTPS and
accepts over WSS, and the push arrives. A client that does not trust the CA is refused by the handshake, and plain
HTTP to the TLS port gets no HTTP answer.
"""

from __future__ import annotations

import os
import socket
import ssl
import urllib.error
import urllib.request
import uuid

import pytest

redis = pytest.importorskip("redis")

from certificates import make_certificates
from switchboard_node import Node, node_redis_url, user_token
from test_aws_mode import post
from test_connect_boto3 import WebSocket
from test_lifecycle_faults import OVERRIDES, Agent

DB = 7  # the Swift suites use 0, the fixture node 1, AWS mode 2, the AWS widget 3, lifecycle faults 5, inline events 6


@pytest.fixture
def https_node(tmp_path, monkeypatch):
    binary, redis_url = os.environ.get("SWITCHBOARD_BIN"), os.environ.get("SWITCHBOARD_TEST_REDIS_URL")
    if not (binary and redis_url):
        pytest.skip("needs SWITCHBOARD_BIN and SWITCHBOARD_TEST_REDIS_URL (ops/test.sh sets both)")
    certs = make_certificates(tmp_path / "certs")
    monkeypatch.setenv("SSL_CERT_FILE", str(certs / "ca.pem"))
    overrides = {**OVERRIDES, "node": {"tls": {"certFile": str(certs / "server.pem"), "keyFile": str(certs / "server.key")}}}
    url = node_redis_url(redis_url, DB)
    db = redis.Redis.from_url(url)
    db.flushdb()  # the agent starts with free capacity
    node = Node(binary, url, tmp_path / "node", overrides=overrides, node_id="https-node",
                tls_context=ssl.create_default_context(cafile=str(certs / "ca.pem")))
    try:
        node.start()
        yield node
    finally:
        node.close()
        db.flushdb()
        db.close()


def test_customer_and_agent_work_over_https_and_wss(https_node):
    assert https_node.base_url.startswith("https://")
    agent = Agent(https_node.base_url)  # HTTPS login, WSS socket
    user = f"user_{uuid.uuid4()}"
    customer = WebSocket(https_node.base_url.replace("https", "wss") + "/ws")
    customer.send_json({"action": "register", "userId": user, "userToken": user_token(user)})
    customer.recv_json_until(lambda f: f.get("type") == "registered", what="registered")
    status, started, _ = post(https_node.base_url + "/start-chat-contact", {"userId": user})
    assert status == 200 and started["userToken"] == user_token(user), started
    agent.accept(started["contactId"])
    push = customer.recv_json_until(lambda f: f.get("type") == "agent_connected", what="agent_connected")
    assert push["contactId"] == started["contactId"]
    status, voice, _ = post(https_node.base_url + "/start-voice-contact", {"userId": user})
    assert status == 200, voice
    assert voice["connectionData"]["Meeting"]["MediaPlacement"]["SignalingUrl"].startswith("wss://127.0.0.1:")
    customer.close()
    agent.ws.close()


def test_untrusted_clients_and_plain_http_get_nothing(https_node):
    port = int(https_node.base_url.rsplit(":", 1)[1])
    untrusting = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # trusts no CA at all
    with pytest.raises(urllib.error.URLError) as refused:
        urllib.request.urlopen(https_node.base_url + "/health", timeout=5, context=untrusting)
    assert isinstance(refused.value.reason, ssl.SSLCertVerificationError)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as plain:
        plain.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = b""
        try:
            while chunk := plain.recv(4096):
                answer += chunk
        except OSError:
            pass
    assert not answer.startswith(b"HTTP/"), answer
