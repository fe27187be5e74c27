"""Switchboard on a Redis Cluster (`redis.mode: "cluster"`, SPEC v2 §2; issue 12): 3 masters and 3 replicas on loopback.

A node given one seed node learns the slot map, serves a customer end to end (start, agent accept, push) and feeds
bridge events through its consumer; then the master holding the event stream (and a chat's bucket) is SIGKILLed, its
replica is promoted, and the node finds the new master by itself: a bridge event appended after the failover reaches
the customer, and the chat goes on.

Contacts' data spreads over the masters in buckets (docs/redis-keys.md): chats started and written to through the
Connect and Participant APIs leave records and transcripts on every master, and each master runs its share of the
commands (`INFO commandstats`, printed).
"""

from __future__ import annotations

import json
import os
import urllib.request
import uuid

import pytest

pytest.importorskip("redis")

from redis_cluster import RedisCluster  # noqa: E402
from switchboard_node import CONTACT_BUCKETS, Node, contact_bucket_prefix, contact_prefix  # noqa: E402
from test_aws_mode import post  # noqa: E402
from test_connect_boto3 import CONTACT_FLOW_ID, INSTANCE_ID, make_client  # noqa: E402
from test_lifecycle_faults import OVERRIDES, Agent, accepted_chat  # noqa: E402
from test_load_balancer import event  # noqa: E402

BRIDGE_KEY = "local-demo-bridge-key"
STREAM = "sb:events"


@pytest.fixture
def cluster(tmp_path):
    if not os.environ.get("SWITCHBOARD_BIN"):
        pytest.skip("needs SWITCHBOARD_BIN (ops/test.sh sets it)")
    cluster = RedisCluster(tmp_path / "cluster")
    try:
        yield cluster
    finally:
        cluster.close()


def bridge(node: Node, body) -> int:
    request = urllib.request.Request(node.base_url + "/bridge/events", method="POST", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", "X-Switchboard-Bridge-Key": BRIDGE_KEY})
    with urllib.request.urlopen(request, timeout=30) as res:
        return res.status


def test_a_node_on_a_redis_cluster_serves_pushes_and_survives_the_stream_masters_failover(tmp_path, cluster):
    seed = cluster.ports[0]
    overrides = {**OVERRIDES, "redis": {"url": f"redis://127.0.0.1:{seed}/0", "mode": "cluster"}}
    node = Node(os.environ["SWITCHBOARD_BIN"], "unused", tmp_path / "node", overrides=overrides, node_id="cluster-node")
    try:
        node.start()
        agent, customer, user, contact = accepted_chat(node)
        pushed = customer.recv_json_until(lambda f: f.get("type") == "agent_connected", what="agent_connected")
        assert pushed["contactId"] == contact

        # A bridge event for the same contact: through the stream and the consumer, on whichever master holds them.
        assert bridge(node, event(contact) | {"detail": event(contact)["detail"] | {"eventType": "DISCONNECTED"}}) == 202
        ended = customer.recv_json_until(lambda f: f.get("type") == "contact_ended", what="contact_ended")
        assert ended["contactId"] == contact

        # A chat whose bucket is on the stream's master, with one message, copied to that master's replica.
        doomed = cluster.master_of(STREAM)
        participant = make_client(node.base_url, "connectparticipant")
        while True:
            status, chat, _ = post(node.base_url + "/start-chat-contact", {"userId": user})
            assert status == 200, chat
            if cluster.master_of(contact_prefix(chat["contactId"])) == doomed:
                break
        token = participant.create_participant_connection(Type=["CONNECTION_CREDENTIALS"], ParticipantToken=chat["participantToken"],
                                                          ConnectParticipant=True)["ConnectionCredentials"]["ConnectionToken"]
        participant.send_message(ConnectionToken=token, ContentType="text/plain", Content="before the failover")
        assert cluster.client(doomed).execute_command("WAIT", 1, 5000) == 1

        # The stream's master dies; its replica takes over; the node follows.
        cluster.kill(doomed)
        assert cluster.wait_failover(STREAM, doomed) != doomed
        # The chat's data was on the dead master: its replica serves it now.
        participant.send_message(ConnectionToken=token, ContentType="text/plain", Content="after the failover")
        transcript = participant.get_transcript(ConnectionToken=token)["Transcript"]
        assert [i["Content"] for i in transcript if i["Type"] == "MESSAGE"] == ["before the failover", "after the failover"]
        # The contact record lives in its own slot; it is on a surviving master or its promoted replica either way.
        status, started2, _ = post(node.base_url + "/start-chat-contact", {"userId": user})
        assert status == 200, started2
        second = started2["contactId"]
        assert bridge(node, event(second) | {"detail": event(second)["detail"] | {"eventType": "DISCONNECTED"}}) == 202
        again = customer.recv_json_until(lambda f: f.get("type") == "contact_ended" and f.get("contactId") == second,
                                         what="contact_ended after the failover")
        assert again["contactId"] == second
        customer.close()
        agent.ws.close()
    finally:
        node.close()


def test_contacts_spread_over_the_masters_in_buckets(tmp_path, cluster):
    masters = sorted({cluster.master_of(contact_bucket_prefix(bucket)) for bucket in range(CONTACT_BUCKETS)})
    per_master = [sum(cluster.master_of(contact_bucket_prefix(b)) == m for b in range(CONTACT_BUCKETS)) for m in masters]
    # redis-cli --cluster create gives each master a third of the slot space; each bucket's tag is in its 1/32 of it.
    assert len(masters) == 3 and min(per_master) >= 10, per_master

    overrides = {**OVERRIDES, "redis": {"url": f"redis://127.0.0.1:{cluster.ports[0]}/0", "mode": "cluster"}}
    node = Node(os.environ["SWITCHBOARD_BIN"], "unused", tmp_path / "node", overrides=overrides, node_id="spread-node")
    try:
        node.start()
        connect, participant = make_client(node.base_url, "connect"), make_client(node.base_url, "connectparticipant")
        before = {port: cluster.commandstats(port) for port in masters}
        contacts = []
        for index in range(48):
            started = connect.start_chat_contact(InstanceId=INSTANCE_ID, ContactFlowId=CONTACT_FLOW_ID,
                                                 Attributes={"userId": f"user_spread_{index}"},
                                                 ParticipantDetails={"DisplayName": "Spread"})
            token = participant.create_participant_connection(
                Type=["CONNECTION_CREDENTIALS"], ParticipantToken=started["ParticipantToken"],
                ConnectParticipant=True)["ConnectionCredentials"]["ConnectionToken"]
            for text in ("hello", "are you there?"):
                participant.send_message(ConnectionToken=token, ContentType="text/plain", Content=text)
            transcript = participant.get_transcript(ConnectionToken=token)["Transcript"]
            assert [item.get("Content") for item in transcript if item["Type"] == "MESSAGE"] == ["hello", "are you there?"]
            contacts.append(started["ContactId"])
        calls = {port: cluster.commandstats(port) - before[port] for port in masters}
        records = {port: len(list(cluster.client(port).scan_iter("sb:{c*}:contact:*", count=1000))) for port in masters}
        print(f"\n48 chats, 2 messages each: contact records per master {records}, commands per master {calls} "
              f"({', '.join(f'{100 * c / sum(calls.values()):.0f} %' for c in calls.values())})")
        assert sum(records.values()) == len(contacts)
        assert all(count > 0 for count in records.values()), records
    finally:
        node.close()


def test_routing_profiles_spread_over_the_masters(tmp_path, cluster):
    """One routing profile per master: each profile's routing state lives, and its routing scripts run, on the master of
    its own tag `{routing:<profile>}` (docs/routing.md), and each contact reaches only its queue's agents."""
    masters = sorted({cluster.master_of(contact_bucket_prefix(bucket)) for bucket in range(CONTACT_BUCKETS)})
    chosen = {}
    for n in range(1000):  # the first names p<n> whose tag lands on each master
        chosen.setdefault(cluster.master_of(f"sb:{{routing:p{n}}}"), f"p{n}")
        if len(chosen) == len(masters):
            break
    profiles = [chosen[port] for port in masters]
    agents = [{"username": f"agent-{p}", "password": "local-demo-password", "displayName": p, "chatCapacity": 50,
               "voiceCapacity": 1, "routingProfile": p} for p in profiles]
    overrides = {**OVERRIDES, "redis": {"url": f"redis://127.0.0.1:{cluster.ports[0]}/0", "mode": "cluster"},
                 "local": {**OVERRIDES["local"], "agents": agents},
                 "routing": {**OVERRIDES["routing"], "profiles": {p: [f"q-{p}"] for p in profiles}}}
    node = Node(os.environ["SWITCHBOARD_BIN"], "unused", tmp_path / "node", overrides=overrides, node_id="profiles-node")
    per_profile = 12
    try:
        node.start()
        apps = {p: Agent(node.base_url, username=f"agent-{p}") for p in profiles}
        before = {port: cluster.client(port).info("commandstats").get("cmdstat_evalsha", {}).get("calls", 0) for port in masters}
        for index in range(per_profile):
            for p in profiles:
                status, started, _ = post(node.base_url + "/start-chat-contact", {"userId": f"user_{uuid.uuid4()}", "queue": f"q-{p}"})
                assert status == 200, started
                apps[p].accept(started["contactId"])  # offered to this profile's agent; the others get nothing
        evalsha = {port: cluster.client(port).info("commandstats").get("cmdstat_evalsha", {}).get("calls", 0) - before[port]
                   for port in masters}
        routed = {port: cluster.client(port).hlen(f"sb:{{routing:{chosen[port]}}}:contacts") for port in masters}
        print(f"\n{per_profile} chats in each of {len(profiles)} profiles {profiles}: routing records per master {routed}, "
              f"EVALSHA per master {evalsha}")
        assert routed == {port: per_profile for port in masters}, routed
        for port in masters:
            records = [json.loads(v) for v in cluster.client(port).hvals(f"sb:{{routing:{chosen[port]}}}:contacts")]
            assert {(r["queue"], r["state"], r["agent"]) for r in records} == {(f"q-{chosen[port]}", "connected", f"agent-{chosen[port]}")}
    finally:
        node.close()
