"""A node dies at every step of starting or ending a contact; another node completes the work (README, "Contact lifecycle").

For each failpoint (Sources/ContactEngine/Failpoints.swift) node A runs with SWITCHBOARD_FAILPOINT set to it and node
B without; both share one Redis database. The agent (chat capacity 1) works on B. A start or an end is sent to A, which
SIGKILLs itself at the failpoint; then B's sweeper (after `local.lifecycleGraceMs`) must finish it: a started contact
is routed to the agent, an ended one is ended everywhere (state, participants, routing, one `chat.ended` item, one
DISCONNECTED and one COMPLETED in the event stream), no sweeper entry is left, and the agent's capacity is free again:
it is offered the next contact.

Needs a debug build (failpoints are compiled out of release builds) and ops/test.sh's SWITCHBOARD_BIN and
SWITCHBOARD_TEST_REDIS_URL.
"""

from __future__ import annotations

import json
import signal
import urllib.request
import uuid

import pytest

redis = pytest.importorskip("redis")

from switchboard_node import Node, contact_prefix, flushed_database, wait_until as wait_for  # noqa: E402
from test_connect_boto3 import CONTACT_FLOW_ID, INSTANCE_ID, WebSocket, make_client  # noqa: E402

DB = 5  # the Swift suites use 0, the fixture node 1, AWS mode 2, the AWS widget 3
GRACE_MS = 1000
CONTACTS = "sb:{c*}:contact:*"  # every contact record, whatever its bucket (docs/redis-keys.md)
R = "sb:{routing:default}"  # routing keys (docs/routing.md): agents and contacts are JSON records in R:agents / R:contacts
STREAM = "sb:events"
AGENT = "agent1"
OVERRIDES = {
    "local": {
        "lifecycleGraceMs": GRACE_MS,
        "agents": [{"username": AGENT, "password": "local-demo-password", "displayName": "Ava", "chatCapacity": 1, "voiceCapacity": 1}],
    },
    "routing": {"tickIntervalMs": 100},
}
START_POINTS = ["start.afterRecord", "start.afterInitiated", "start.afterQueuedState", "start.afterQueuedEvent",
                "start.afterEnqueue", "start.afterDeliver"]
END_POINTS = ["end.afterCommit", "end.afterParticipants", "end.afterChatEnded", "end.afterRoutingEnd", "end.afterEvents",
              "end.afterFrames"]


@pytest.fixture
def cluster(tmp_path, request):
    """(A with the failpoint, B without, Redis client on their database)."""
    binary, url, db = flushed_database(DB)
    a = Node(binary, url, tmp_path / "a", overrides=OVERRIDES, env={"SWITCHBOARD_FAILPOINT": request.param}, node_id="node-a")
    b = Node(binary, url, tmp_path / "b", overrides=OVERRIDES, node_id="node-b")
    try:
        b.start()
        a.start()
        yield a, b, db
    finally:
        for node in (a, b):
            if node.process is not None and node.process.poll() is not None:
                node.process = None  # died at its failpoint; nothing to stop
            node.close()
        db.flushdb()
        db.close()


class Agent:
    """The agent app on one node: logged in, socket authenticated, Available."""

    def __init__(self, base_url: str, username: str = AGENT):
        request = urllib.request.Request(base_url + "/agent/api/login", method="POST",
                                         data=json.dumps({"username": username, "password": "local-demo-password"}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as res:
            token = json.load(res)["token"]
        self.ws = WebSocket(base_url.replace("http", "ws") + "/agent/ws")
        self.ws.send_json({"action": "auth", "token": token})
        self.ws.recv_json_until(lambda f: f.get("type") == "authenticated", what="authenticated")
        self.ws.send_json({"action": "set_state", "state": "Available"})
        self.ws.recv_json_until(lambda f: f.get("type") == "state" and f.get("state") == "Available", what="state Available")

    def frame(self, type_: str, contact_id: str, timeout: float = 20) -> dict:
        return self.ws.recv_json_until(lambda f: f.get("type") == type_ and f.get("contactId") == contact_id, timeout=timeout,
                                       what=f"{type_} for {contact_id}")

    def accept(self, contact_id: str):
        self.frame("offer", contact_id)
        self.ws.send_json({"action": "accept", "contactId": contact_id})
        self.frame("contact_connected", contact_id)


def accepted_chat(node: Node):
    """An Available agent on `node`, a customer socket registered there, and a chat that customer started through the
    customer API and the agent accepted: (agent, customer socket, userId, contactId). The customer's pushes are unread."""
    from test_aws_mode import post, registered_socket  # noqa: PLC0415 - test_aws_mode imports this module's neighbours

    agent = Agent(node.base_url)
    user = f"user_{uuid.uuid4()}"
    customer = registered_socket(node, user)
    status, started, _ = post(node.base_url + "/start-chat-contact", {"userId": user})
    assert status == 200, started
    agent.accept(started["contactId"])
    return agent, customer, user, started["contactId"]


def start_chat(node: Node) -> str:
    response = make_client(node.base_url, "connect").start_chat_contact(
        InstanceId=INSTANCE_ID, ContactFlowId=CONTACT_FLOW_ID, Attributes={"userId": "user_lifecycle"},
        ParticipantDetails={"DisplayName": "Fault Test"})
    return response["ContactId"]


def died_at_failpoint(node: Node):
    """A was killed by its own SIGKILL (not a crash of another kind), and says which failpoint."""
    code = node.process.wait(timeout=20)
    assert code == -signal.SIGKILL, f"node A exited with {code}, not by SIGKILL:\n{node.log()}"
    assert "failpoint " in node.log(), node.log()


def events_of(db, contact_id: str) -> list[str]:
    """The event types of `contact_id` in the stream, one per entry (so duplicates show)."""
    types = []
    for _, fields in db.xrange(STREAM):
        event = json.loads(fields["event"])
        if event["detail"]["contactId"] == contact_id:
            types.append(event["detail"]["eventType"])
    return types


def routing_record(db, hash_name: str, id_: str) -> dict:
    """The routing record of an agent (hash_name "agents") or contact ("contacts"): decoded JSON, {} when absent."""
    raw = db.hget(f"{R}:{hash_name}", id_)
    return json.loads(raw) if raw is not None else {}


def agent_load(db, channel: str = "chat") -> set:
    """The contacts routing has offered or connected to the agent on `channel`."""
    return set(routing_record(db, "agents", AGENT).get(channel, {}))


def capacity_is_free(db, b: Node, agent: Agent):
    """Nothing held by the agent in routing, and (chat capacity 1) the next contact is offered to it."""
    assert agent_load(db) == set()
    assert agent.frame("offer", start_chat(b))


@pytest.mark.parametrize("cluster", START_POINTS, indirect=True)
def test_a_start_cut_short_is_finished_by_another_node(cluster):
    a, b, db = cluster
    agent = Agent(b.base_url)
    with pytest.raises(Exception):  # the connection drops: A died answering
        start_chat(a)
    died_at_failpoint(a)

    contact_ids = [key.rsplit(":", 1)[1] for key in db.scan_iter(CONTACTS)]
    assert len(contact_ids) == 1, contact_ids
    contact_id = contact_ids[0]
    C = contact_prefix(contact_id)
    wait_for(lambda: db.zcard(f"{C}:starting") == 0, "B's sweeper finished the start")
    assert db.hget(f"{C}:contact:{contact_id}", "state") == "queued"
    assert routing_record(db, "contacts", contact_id).get("state") == "offered"
    agent.accept(contact_id)
    assert db.hget(f"{C}:contact:{contact_id}", "state") == "connected"
    assert sorted(events_of(db, contact_id)) == sorted(["INITIATED", "QUEUED", "CONNECTED_TO_AGENT"])

    # Ended on B, the agent's capacity comes back.
    agent.ws.send_json({"action": "end", "contactId": contact_id})
    agent.frame("contact_ended", contact_id)
    wait_for(lambda: db.zscore(f"{C}:deadlines", contact_id) is None, "the end removed the deadline")
    capacity_is_free(db, b, agent)
    assert not [c for c in db.scan_iter(CONTACTS) if db.hget(c, "state") == "initiated"], "a contact stranded in initiated"


@pytest.mark.parametrize("cluster", END_POINTS, indirect=True)
def test_an_end_cut_short_is_finished_by_another_node(cluster):
    a, b, db = cluster
    agent = Agent(b.base_url)
    contact_id = start_chat(b)
    C = contact_prefix(contact_id)
    agent.accept(contact_id)
    assert agent_load(db) == {contact_id}

    with pytest.raises(Exception):  # the connection drops: A died answering
        make_client(a.base_url, "connect").stop_contact(ContactId=contact_id, InstanceId=INSTANCE_ID)
    died_at_failpoint(a)

    wait_for(lambda: db.zscore(f"{C}:deadlines", contact_id) is None, "B's sweeper finished the end")
    contact = db.hgetall(f"{C}:contact:{contact_id}")
    assert contact["state"] == "ended" and contact["disconnectReason"] == "API", contact
    assert db.ttl(f"{C}:contact:{contact_id}") > 0
    for participant in (contact["customerParticipantId"], contact["agentParticipantId"]):
        assert db.hget(f"{C}:participant:{participant}", "state") == "left"
    assert routing_record(db, "contacts", contact_id).get("state") == "ended"
    assert db.zscore(f"{R}:ended", contact_id) is not None  # kept for its TTL, then dropped by the routing tick
    items = [json.loads(fields["item"]) for _, fields in db.xrange(f"{C}:transcript:{contact_id}")]
    assert [i["ContentType"] for i in items].count("application/vnd.amazonaws.connect.event.chat.ended") == 1, items
    assert db.ttl(f"{C}:transcript:{contact_id}") > 0
    assert sorted(events_of(db, contact_id)) == sorted(["INITIATED", "QUEUED", "CONNECTED_TO_AGENT", "DISCONNECTED", "COMPLETED"])
    assert db.zscore(f"{C}:starting", contact_id) is None
    agent.frame("contact_ended", contact_id)
    capacity_is_free(db, b, agent)
