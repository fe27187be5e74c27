"""A node on a TLS-only Redis with an ACL user serves pushes end to end (issue 13; SPEC v2 §2 `rediss://`, `redis.tls`).

The test makes its own certificates with `openssl`: a CA, a server certificate for `localhost`, and a client
certificate, which this Redis requires (`tls-auth-clients yes`). Redis listens on TLS only (`port 0`), its `default`
user is off, and the only user is `switchboard`, allowed only keys and channels under `sb:` and no `@dangerous`
command (what docs/security.md recommends), whose password reaches the node through `{"env": ...}` in
`redis.url`. A chat is started, an agent accepts it, and the customer's socket gets `agent_connected`: the engine's
scripts, the event stream, the pushes and pub/sub all went over TLS as that user. A wrong password stops the node at
start, with Redis's error in its log and the password nowhere in it.
"""

from __future__ import annotations

import os
import pathlib
import random
import socket
import ssl
import subprocess
import time
import uuid

import pytest

from certificates import make_certificates
from switchboard_node import Node
from test_lifecycle_faults import OVERRIDES, accepted_chat

PASSWORD = "tls-test-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def certificates(tmp_path_factory) -> pathlib.Path:
    return make_certificates(tmp_path_factory.mktemp("tls"))


def tls_ping(port: int, certs: pathlib.Path) -> bool:
    """Whether a TLS client with the client certificate gets PONG from the ACL user."""
    context = ssl.create_default_context(cafile=str(certs / "ca.pem"))
    context.load_cert_chain(str(certs / "client.pem"), str(certs / "client.key"))
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as raw, \
                context.wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(f"AUTH switchboard {PASSWORD}\r\nPING\r\n".encode())
            reply = b""
            while b"PONG" not in reply:
                chunk = tls.recv(256)
                if not chunk:
                    return False
                reply += chunk
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def tls_redis(certificates, tmp_path_factory):
    """The port of a TLS-only redis-server with one ACL user. Redis cannot listen for TLS on port 0 and report the port,
    so ports are tried until one binds; a port someone else holds only makes Redis exit, and the next is tried."""
    work = tmp_path_factory.mktemp("tls-redis")
    for _ in range(20):
        port = random.randint(20000, 60000)
        process = subprocess.Popen(
            ["redis-server", "--port", "0", "--tls-port", str(port), "--bind", "127.0.0.1", "--dir", str(work),
             "--save", "", "--appendonly", "no",
             "--tls-cert-file", str(certificates / "server.pem"), "--tls-key-file", str(certificates / "server.key"),
             "--tls-ca-cert-file", str(certificates / "ca.pem"), "--tls-auth-clients", "yes",
             "--user", "default", "off", "--user", "switchboard", "on", f">{PASSWORD}", "~sb:*", "&sb:*", "+@all", "-@dangerous"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while process.poll() is None and not tls_ping(port, certificates) and time.monotonic() < deadline:
            time.sleep(0.05)
        if process.poll() is None and tls_ping(port, certificates):
            try:
                yield port
            finally:
                process.terminate()
                process.wait(timeout=10)
            return
        if process.poll() is None:
            process.kill()
        process.wait()
    pytest.fail("no TLS Redis started on 20 ports")


def tls_node(tmp_path, certificates, port: int, password: str, name: str) -> Node:
    binary = os.environ.get("SWITCHBOARD_BIN")
    if not binary:
        pytest.skip("needs SWITCHBOARD_BIN (ops/test.sh sets it)")
    overrides = {**OVERRIDES, "redis": {
        "url": {"env": "SWITCHBOARD_TEST_TLS_REDIS_URL"},
        "tls": {"caFile": str(certificates / "ca.pem"), "certFile": str(certificates / "client.pem"),
                "keyFile": str(certificates / "client.key"), "serverName": "localhost"}}}
    env = {"SWITCHBOARD_TEST_TLS_REDIS_URL": f"rediss://switchboard:{password}@127.0.0.1:{port}/0"}
    return Node(binary, "unused", tmp_path / name, overrides=overrides, env=env, node_id=name)


def test_a_node_on_tls_redis_with_an_acl_user_serves_pushes_end_to_end(tmp_path, certificates, tls_redis):
    node = tls_node(tmp_path, certificates, tls_redis, PASSWORD, "tls-node")
    try:
        node.start()
        agent, customer, _, contact = accepted_chat(node)
        push = customer.recv_json_until(lambda f: f.get("type") == "agent_connected", what="agent_connected")
        assert push["contactId"] == contact
        customer.close()
        agent.ws.close()
        assert PASSWORD not in node.log()
    finally:
        node.close()


def test_a_wrong_password_stops_the_node_at_start_naming_the_error_not_the_password(tmp_path, certificates, tls_redis):
    wrong = "wrong-" + uuid.uuid4().hex
    node = tls_node(tmp_path, certificates, tls_redis, wrong, "tls-wrong")
    try:
        with pytest.raises(RuntimeError, match="exited at start"):
            node.start()
        node.process = None  # exited by itself
        assert "WRONGPASS" in node.log()
        assert wrong not in node.log()
    finally:
        node.close()
