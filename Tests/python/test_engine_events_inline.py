"""Local-mode lifecycle events reach customers straight from the engine, and are still in the stream (README, "Path of
one event").

Node A runs with SWITCHBOARD_FAILPOINT=consumer.neverReads: its event consumer never reads the stream, so any push its
customer gets was made by the engine's own event sink. The events must still be appended (the stream is the record
other consumers read, and what a node that dies right after appending leaves for others). Then node B, a normal node,
reads the stream: its consumer finds those pushes already made (de-duplicated on the event id), so the customer sees
each push once.

Needs a debug build (failpoints are compiled out of release builds) and ops/test.sh's SWITCHBOARD_BIN and
SWITCHBOARD_TEST_REDIS_URL.
"""

from __future__ import annotations

import json

import pytest

redis = pytest.importorskip("redis")

from switchboard_node import Node, flushed_database  # noqa: E402
from test_lifecycle_faults import OVERRIDES, STREAM, accepted_chat, wait_for  # noqa: E402

DB = 6  # the Swift suites use 0, the fixture node 1, AWS mode 2, the AWS widget 3, lifecycle faults 5
GROUP = "processors"


def stream_entry(db, contact_id: str, event_type: str) -> str:
    """The stream id of the contact's event of `event_type`, or ""."""
    for entry_id, fields in db.xrange(STREAM):
        detail = json.loads(fields["event"])["detail"]
        if detail["contactId"] == contact_id and detail["eventType"] == event_type:
            return entry_id
    return ""


def stream_id(text: str) -> tuple[int, int]:
    millis, seq = text.split("-")
    return int(millis), int(seq)


def test_engine_events_reach_the_customer_without_the_consumer_and_once_with_it(tmp_path):
    binary, url, db = flushed_database(DB)
    a = Node(binary, url, tmp_path / "a", overrides=OVERRIDES, env={"SWITCHBOARD_FAILPOINT": "consumer.neverReads"}, node_id="node-a")
    b = Node(binary, url, tmp_path / "b", overrides=OVERRIDES, node_id="node-b")
    try:
        a.start()
        agent, customer, _, contact = accepted_chat(a)

        def next_push():
            return customer.recv_json_until(lambda f: f.get("type") not in ("pong",), what="a push")

        first, second = next_push(), next_push()
        assert (first["type"], first["contactId"]) == ("agent_connected", contact)
        assert (second["type"], second["contactId"]) == ("enable_escalation", contact)  # InitiationMethod "Chat"

        # The event is in the stream, and the group has not delivered it to anyone: the pushes came from the engine.
        connected = stream_entry(db, contact, "CONNECTED_TO_AGENT")
        assert connected, "CONNECTED_TO_AGENT is not in the stream"
        group = next(g for g in db.xinfo_groups(STREAM) if g["name"] == GROUP)
        assert stream_id(group["last-delivered-id"]) < stream_id(connected), group

        # A normal node's consumer reads everything; once nothing is left pending, its pushes (if any) were published.
        b.start()
        wait_for(lambda: (g := next(g for g in db.xinfo_groups(STREAM) if g["name"] == GROUP))["lag"] == 0 and g["pending"] == 0,
                 "node B's consumer has read and acknowledged every event")
        # Published after anything node B made, on the same node channel: a duplicate would arrive before it.
        agent.ws.send_json({"action": "end", "contactId": contact})
        ended = next_push()
        assert (ended["type"], ended["contactId"]) == ("contact_ended", contact), f"a push came twice: {ended}"
        customer.close()
        agent.ws.close()
    finally:
        for node in (a, b):
            node.close()
        db.flushdb()
        db.close()
