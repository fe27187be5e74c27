"""A throwaway Redis Cluster for tests: 3 masters and 3 replicas on loopback, made with `redis-cli --cluster create`.

Cluster nodes need TCP ports (and each its bus port, +10000); Redis cannot pick one and report it, so ports are tried
until every node binds. Everything started is stopped by `close()`.
"""

from __future__ import annotations

import pathlib
import random
import signal
import subprocess
import time

import redis


class RedisCluster:
    def __init__(self, work: pathlib.Path, masters: int = 3, replicas: int = 1, node_timeout_ms: int = 1000):
        self.work = work
        self.processes: dict[int, subprocess.Popen] = {}
        for _ in range(10):
            base = random.randint(20000, 50000)
            ports = [base + i for i in range(masters * (1 + replicas))]
            if self._start(ports, node_timeout_ms):
                self.ports = ports
                break
            self.close()
        else:
            raise RuntimeError("no free ports for a Redis Cluster after 10 tries")
        result = subprocess.run(["redis-cli", "--cluster", "create", *[f"127.0.0.1:{p}" for p in self.ports],
                                 "--cluster-replicas", str(replicas), "--cluster-yes"], capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            self.close()
            raise RuntimeError(f"redis-cli --cluster create failed:\n{result.stdout}\n{result.stderr}")
        self.wait_ok(self.ports)
        self.wait_replicas_synced()

    def _start(self, ports: list[int], node_timeout_ms: int) -> bool:
        for port in ports:
            folder = self.work / str(port)
            folder.mkdir(parents=True, exist_ok=True)
            self.processes[port] = subprocess.Popen(
                ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
                 "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", str(node_timeout_ms), "--dir", str(folder),
                 "--save", "", "--appendonly", "no", "--logfile", "redis.log", "--repl-diskless-sync-delay", "0"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        for port in ports:
            while True:
                if self.processes[port].poll() is not None:
                    return False  # most likely the port or its bus port was taken
                try:
                    if redis.Redis(port=port, socket_timeout=1).ping():
                        break
                except redis.ConnectionError:
                    pass
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.02)
        return True

    def wait_replicas_synced(self, timeout: float = 30):
        """Until every replica's link to its master is up: a replica that never synced is not promoted."""
        deadline = time.monotonic() + timeout
        for port in self.ports:
            while True:
                info = self.client(port).info("replication")
                if info["role"] == "master" or info.get("master_link_status") == "up":
                    break
                assert time.monotonic() < deadline, f"replica {port} not synced within {timeout}s"
                time.sleep(0.05)

    def client(self, port: int) -> redis.Redis:
        return redis.Redis(port=port, decode_responses=True, socket_timeout=2)

    def wait_ok(self, ports: list[int], timeout: float = 30):
        """Until every node in `ports` says cluster_state:ok and all slots are served."""
        deadline = time.monotonic() + timeout
        for port in ports:
            while True:
                try:
                    info = self.client(port).cluster("info")
                    if info.get("cluster_state") == "ok" and int(info.get("cluster_slots_ok", 0)) == 16384:
                        break
                except redis.RedisError:
                    pass
                assert time.monotonic() < deadline, f"cluster not ok on {port} within {timeout}s"
                time.sleep(0.05)

    def master_of(self, key: str, asking: int | None = None) -> int:
        """The port of the master serving `key`'s slot."""
        port = asking or next(p for p in self.ports if self.processes[p].poll() is None)
        client = self.client(port)
        slot = client.cluster("keyslot", key)
        for start, end, master, *_ in client.execute_command("CLUSTER", "SLOTS"):
            if start <= slot <= end:
                return int(master[1])
        raise AssertionError(f"no master for slot {slot}")

    def kill(self, port: int):
        process = self.processes[port]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def wait_failover(self, key: str, dead: int, timeout: float = 30) -> int:
        """Until the survivors agree that a new master serves `key` (its replica, promoted) and the cluster is ok;
        returns the new master's port."""
        survivors = [p for p in self.ports if self.processes.get(p) and self.processes[p].poll() is None]
        deadline = time.monotonic() + timeout
        while True:
            try:
                masters = {self.master_of(key, asking=p) for p in survivors}
                if len(masters) == 1 and dead not in masters:
                    self.wait_ok(survivors, timeout=max(1, deadline - time.monotonic()))
                    return masters.pop()
            except redis.RedisError:
                pass
            assert time.monotonic() < deadline, f"no failover of {key} within {timeout}s"
            time.sleep(0.05)

    def commandstats(self, port: int) -> int:
        """Commands this node has run."""
        stats = self.client(port).info("commandstats")
        return sum(v["calls"] for v in stats.values())

    def close(self):
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes = {}
