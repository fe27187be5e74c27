"""Three nodes behind HAProxy, as `bash ops/run.sh --nodes 3` runs them (ops/haproxy.cfg): a customer's socket goes
through the balancer; its node is drained with SIGTERM (it answers /health with 503, then closes the socket with
1012), then the next node is killed with SIGKILL. Each time the client reconnects through the balancer with the last
event id it knows (at first the replay position its `registered` frame gave it), and every push made before, during
and after the faults reaches it exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.request
import uuid

import pytest

from test_connect_boto3 import WebSocket, WebSocketClosed
from switchboard_node import user_token
from test_run_sh import run_sh, session_members

BRIDGE_KEY = "local-demo-bridge-key"


def post(url: str, body, headers: dict | None = None) -> dict:
    request = urllib.request.Request(url, method="POST", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=30) as res:
        return json.load(res)


def event(contact_id: str) -> dict:
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Amazon Connect Contact Event", "source": "aws.connect",
            "account": "111122223333", "time": "2026-11-29T10:00:00Z", "region": "us-west-2", "resources": [],
            "detail": {"eventType": "CONNECTED_TO_AGENT", "contactId": contact_id, "channel": "CHAT", "initiationMethod": "API"}}


class Client:
    """A customer socket that reconnects through the balancer with the last event id it knows, as the widget does."""

    def __init__(self, base: str, user: str):
        self.base, self.user = base, user
        self.last: str | None = None
        self.pushes: list[dict] = []
        self.nodes: list[str] = []
        self.ws: WebSocket | None = None

    def connect(self):
        self.ws = WebSocket(self.base.replace("http", "ws") + "/ws")
        frame = {"action": "register", "userId": self.user, "userToken": user_token(self.user)}
        if self.last:
            frame["lastEventId"] = self.last
        self.ws.send_json(frame)
        registered = self.ws.recv_json_until(lambda f: f.get("type") == "registered", what="registered")
        self.nodes.append(registered["node"])
        self.last = self.last or registered["lastEventId"]

    def read_until(self, predicate, timeout: float = 20) -> None:
        """Reads pushes until `predicate(pushes)` holds; returns when the socket closes too (code in self.closed)."""
        deadline = time.monotonic() + timeout
        while not predicate(self.pushes):
            assert time.monotonic() < deadline, f"no such pushes within {timeout}s: {self.pushes}"
            try:
                frame = json.loads(self.ws.recv_text(timeout=max(0.01, deadline - time.monotonic())))
            except WebSocketClosed as closed:
                self.closed = closed.code
                return
            if "eventId" in frame:
                self.pushes.append(frame)
                self.last = frame["eventId"]

    def wait_closed(self, timeout: float = 20) -> int:
        self.closed = None
        self.read_until(lambda _: False if self.closed is None else True, timeout)
        return self.closed

    def keys(self):
        return [(p["type"], p["contactId"]) for p in self.pushes]


def test_pushes_survive_a_drained_and_a_killed_node_behind_haproxy(tmp_path):
    if os.environ.get("SWITCHBOARD_URL"):
        pytest.skip("runs only under ops/test.sh, which has built the debug binary")
    data = tmp_path / "data"
    with run_sh("--nodes", "3", "--port", "0", "--redis-port", "0", "--data", str(data), "--build", "debug") as (run, base, _):
        pids = {line.split()[0]: int(line.split()[1]) for line in (data / "nodes.txt").read_text().splitlines()}
        assert len(pids) == 3

        user = f"user_{uuid.uuid4()}"
        chats = [post(base + "/start-chat-contact", {"userId": user})["contactId"] for _ in range(4)]
        client = Client(base, user)
        client.connect()
        expect = lambda n: lambda pushes: len(pushes) >= 2 * n  # noqa: E731 - agent_connected + enable_escalation per chat

        # 1. Drained: SIGTERM; the socket closes with 1012 and a push is made before the client is back. It has seen
        # no push yet: it resumes from the position its `registered` frame gave it.
        drained = client.nodes[-1]
        os.kill(pids[drained], signal.SIGTERM)
        assert client.wait_closed() == 1012 and client.pushes == [] and client.last == "0-0"
        post(base + "/bridge/events", event(chats[0]), {"X-Switchboard-Bridge-Key": BRIDGE_KEY})
        client.connect()
        assert client.nodes[-1] != drained
        client.read_until(expect(1))

        # 2. Killed: no goodbye; a push made while the client is away.
        killed = client.nodes[-1]
        os.kill(pids[killed], signal.SIGKILL)
        client.wait_closed()
        post(base + "/bridge/events", event(chats[1]), {"X-Switchboard-Bridge-Key": BRIDGE_KEY})
        client.connect()
        assert client.nodes[-1] not in (drained, killed)
        client.read_until(expect(2))

        # 3. And after: the one node left serves it live, two pushes' worth.
        for chat in chats[2:]:
            post(base + "/bridge/events", event(chat), {"X-Switchboard-Bridge-Key": BRIDGE_KEY})
        client.read_until(expect(4))
        assert sorted(client.keys()) == sorted((t, c) for c in chats for t in ("agent_connected", "enable_escalation")), \
            f"lost or duplicated pushes: {client.keys()}"
        ids = [p["eventId"] for p in client.pushes]
        assert len(ids) == len(set(ids))
        client.ws.close()
    assert session_members(run.pid) == [], "left running after Ctrl-C"
