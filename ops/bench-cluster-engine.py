#!/usr/bin/env python3
"""How the embedded engine's load spreads over a 3-master Redis Cluster (issue 12): commands per master, from INFO
commandstats, while chats go through the Connect and Participant APIs.

    python3 ops/bench-cluster-engine.py [--chats 200] [--messages 5] [--workers 8] [--binary .build/debug/switchboard]

One node on a fresh cluster of 3 masters (Tests/python/redis_cluster.py). Each chat: StartChatContact,
CreateParticipantConnection, `--messages` SendMessage, GetTranscript, StopContact. Prints each master's commands, its
share, and its five busiest commands. `--binary` and `--repo` (its lua/ and web/) let an older tree run the same
workload, for a before/after.
"""

import argparse
import concurrent.futures
import pathlib
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "Tests"), str(REPO / "Tests" / "python")]
from redis_cluster import RedisCluster  # noqa: E402
from switchboard_node import Node  # noqa: E402
from test_connect_boto3 import CONTACT_FLOW_ID, INSTANCE_ID, make_client  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--chats", type=int, default=200)
parser.add_argument("--messages", type=int, default=5)
parser.add_argument("--workers", type=int, default=8)
parser.add_argument("--binary", default=str(REPO / ".build/debug/switchboard"))
parser.add_argument("--repo", default=str(REPO), help="the tree whose lua/ and web/ the node uses")
args = parser.parse_args()


def chat(node: Node, index: int):
    connect, participant = make_client(node.base_url, "connect"), make_client(node.base_url, "connectparticipant")
    started = connect.start_chat_contact(InstanceId=INSTANCE_ID, ContactFlowId=CONTACT_FLOW_ID,
                                         Attributes={"userId": f"user_bench_{index}"}, ParticipantDetails={"DisplayName": "Bench"})
    token = participant.create_participant_connection(Type=["CONNECTION_CREDENTIALS"], ParticipantToken=started["ParticipantToken"],
                                                      ConnectParticipant=True)["ConnectionCredentials"]["ConnectionToken"]
    for message in range(args.messages):
        participant.send_message(ConnectionToken=token, ContentType="text/plain", Content=f"message {message}")
    participant.get_transcript(ConnectionToken=token)
    connect.stop_contact(InstanceId=INSTANCE_ID, ContactId=started["ContactId"])


def stats(cluster: RedisCluster, port: int) -> dict[str, int]:
    return {name.removeprefix("cmdstat_"): value["calls"] for name, value in cluster.client(port).info("commandstats").items()}


with tempfile.TemporaryDirectory() as work:
    cluster = RedisCluster(pathlib.Path(work) / "cluster", masters=3, replicas=0)
    node = Node(args.binary, f"redis://127.0.0.1:{cluster.ports[0]}/0", pathlib.Path(work) / "node",
                overrides={"redis": {"mode": "cluster"}, "paths": {"web": f"{args.repo}/web", "lua": f"{args.repo}/lua"}})
    try:
        node.start()
        before = {port: stats(cluster, port) for port in cluster.ports}
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(args.workers) as pool:
            list(pool.map(lambda index: chat(node, index), range(args.chats)))
        elapsed = time.monotonic() - started
        ran = {port: {name: calls - before[port].get(name, 0) for name, calls in stats(cluster, port).items()} for port in cluster.ports}
        total = sum(sum(commands.values()) for commands in ran.values()) or 1
        print(f"{args.chats} chats × {args.messages} messages in {elapsed:.1f} s ({args.binary})")
        for port, commands in ran.items():
            busiest = sorted(commands.items(), key=lambda item: -item[1])[:5]
            print(f"  master {port}: {sum(commands.values())} commands ({100 * sum(commands.values()) / total:.0f} %); "
                  + ", ".join(f"{name} {calls}" for name, calls in busiest))
    finally:
        node.close()
        cluster.close()
