#!/usr/bin/env python3
"""Push latency on a 3-master Redis Cluster next to one Redis, and how the cluster's load spreads (issue 12).

    python3 ops/bench-cluster.py [--rates 2000 6000 ...] [--seconds 8]

Needs the release build (`swift build -c release`). Starts a Redis Cluster of 3 masters on loopback TCP
(Tests/python/redis_cluster.py), runs `switchboard-bench push` against it and then against one Redis on loopback TCP,
and prints each shard's share of the commands it ran during the cluster run (INFO commandstats).
"""

import argparse
import pathlib
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "Tests" / "python"))
from redis_cluster import RedisCluster  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--rates", nargs="+", default=["2000", "6000"])
parser.add_argument("--seconds", default="8")
args = parser.parse_args()
bench = [str(REPO / ".build/release/switchboard-bench"), "push", "--rates", *args.rates, "--seconds", args.seconds]

with tempfile.TemporaryDirectory() as work:
    cluster = RedisCluster(pathlib.Path(work), masters=3, replicas=0)
    try:
        before = {port: cluster.commandstats(port) for port in cluster.ports}
        subprocess.run(bench + ["--redis-url", f"redis://127.0.0.1:{cluster.ports[0]}/0", "--redis-cluster"], cwd=REPO, check=True)
        ran = {port: cluster.commandstats(port) - before[port] for port in cluster.ports}
        total = sum(ran.values()) or 1
        print("commands per shard during the cluster run: "
              + ", ".join(f"{port}: {count} ({100 * count / total:.0f} %)" for port, count in ran.items()))
    finally:
        cluster.close()
subprocess.run(bench + ["--redis-transport", "tcp"], cwd=REPO, check=True)
