#!/usr/bin/env python3
"""One message's latency through Redis Cluster pub/sub (issue 12): a classic PUBLISH heard on another master (it crosses
the cluster bus), on the publishing master, and a sharded SPUBLISH on the channel's master. 400 messages each, one at a
time, on a throwaway 3-master cluster (Tests/python/redis_cluster.py).

    python3 ops/bench-cluster-pubsub.py
"""
import pathlib
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "Tests" / "python"))
from redis_cluster import RedisCluster  # noqa: E402
import redis  # noqa: E402


def measure(sub_port, pub_port, sharded, n=400):
    sub = redis.Redis(port=sub_port).pubsub()
    (sub.ssubscribe if sharded else sub.subscribe)("ch{x}")
    time.sleep(0.1); sub.get_message(timeout=1) if not sharded else sub.get_sharded_message(timeout=1)
    pub = redis.Redis(port=pub_port)
    lat = []
    for i in range(n):
        t = time.perf_counter()
        (pub.spublish if sharded else pub.publish)("ch{x}", str(t))
        while True:
            m = sub.get_sharded_message(timeout=1) if sharded else sub.get_message(timeout=1)
            if m and m["type"] in ("message", "smessage"): break
        lat.append((time.perf_counter() - float(m["data"])) * 1000)
        time.sleep(0.002)
    lat.sort(); sub.close()
    return "p50 %.2f p99 %.2f max %.2f ms" % (lat[n//2], lat[int(n*.99)], lat[-1])
with tempfile.TemporaryDirectory() as w:
    c = RedisCluster(pathlib.Path(w), masters=3, replicas=0)
    try:
        owner = c.master_of("ch{x}")
        other = next(p for p in c.ports if p != owner)
        print("classic, subscriber on another master:", measure(other, owner, False))
        print("classic, subscriber on the publishing master:", measure(owner, owner, False))
        print("sharded, on the channel's master:", measure(owner, owner, True))
    finally:
        c.close()
