"""Nothing lost when Redis stalls or restarts, or a node goes away, under a steady load (issue 12).

Each test starts its own Redis (a Unix socket in a private folder, append-only file on) and two nodes on it
(`switchboard_node.Node`; three behind HAProxy for the node faults), opens U customer sockets spread over the nodes,
and appends CONNECTED_TO_AGENT events for those customers' chats to the contact-event stream at a steady R events/s.
In the middle of the run Redis, its pub/sub connections or a node is faulted:

- `test_redis_stalled`: SIGSTOP for 20 s, then SIGCONT (a stalled Redis: connections stay open, nothing answers);
- `test_redis_restarted`: SIGTERM, then a new redis-server on the same folder and socket, which loads the append-only
  file (Redis restarted by its service manager). Nothing restarts the nodes: they reconnect by themselves;
- `test_cluster_stream_master_killed`: the nodes on a Redis Cluster instead (`redis.mode: "cluster"`, 3 masters and 3
  replicas from redis_cluster.py, the nodes seeded with the first master), the producer writing through redis-py's
  cluster client; the master serving the stream is SIGKILLed and the fault lasts until its replica is promoted and the
  survivors agree on the slot map. (As redis-cli lays the slots out, that master is often the nodes' seed; the
  printed figures say whether it was. It also serves a third of the contacts' buckets.)
- `test_pubsub_connection_killed`: `CLIENT KILL TYPE pubsub`, `SB_FAULT_PUBSUB_KILLS` times (3), each once every
  node's channel is subscribed again plus `SB_FAULT_PUBSUB_INTERVAL_SECONDS` (1 s); the fault lasts until the
  channels are subscribed again after the last kill. Each node, back on its channel, catches every socket up from its
  user's replay log (the nodes' log lines of those catch-ups are printed). Both nodes stay up.
- `test_node_drained_behind_haproxy`: three nodes behind HAProxy (ops/haproxy.cfg with a `server` line per node,
  started through ops/listen-then-exec.py as `ops/run.sh --nodes 3` does), customers connecting through it; the node
  holding the most sockets gets SIGTERM: it answers `/health` with 503 for `node.drainSeconds` (2 s, as run.sh sets
  it; HAProxy's checks take it out), closes its sockets with 1012, removes its socket records and exits, which ends
  the fault. Its customers reconnect through HAProxy and must be on the other nodes; it must have exited with 0 and
  left no socket record.
- `test_node_killed_behind_haproxy`: the same, but SIGKILL, at a moment its event consumer holds stream entries it has
  not acknowledged (stopped with SIGSTOP, at most 2 s, until Redis has handed it some). The survivors claim those
  entries once idle for `events.claimIdleMs` (2000 here, `SB_FAULT_CLAIM_IDLE_MS`; config.json has 10000) and purge
  its socket records once its liveness key has expired (`realtime.nodeTtlSeconds` 4 here, `SB_FAULT_NODE_TTL_SECONDS`,
  with a sweep every quarter of that; config.json has 15 and 5). Printed: when its entries were claimed and its
  records purged, from the kill.

A further test, `test_catch_up_meets_a_loading_redis`, makes certain what the restart under load showed once at 500
users and 1,000 events/s (before the fix): a push a node's channel missed just before Redis restarted must still
arrive when the node's subscription comes back while Redis is still loading (the catch-up retries until Redis serves
the replay logs).

The producer goes on during and after the fault. Its own XADDs fail while Redis does not answer; it keeps the events it
could not append, in order, and appends them once Redis answers again (a producer that drops events is not the system
losing them), noting when each one was finally appended. Then the test waits, bounded, until every appended event's
pushes (`agent_connected` and `enable_escalation`: each contact is a chat) reached its user's socket, and checks:
delivered == appended for every user, no user got an `eventId` twice or a contact's push twice, no user got pushes out
of `eventId` order, and every node (but one a node fault ended) is still the process it was and answers `/health` with
200 again. It prints, per fault (`pytest -s`): appended, delivered, lost, duplicated, the time from
the fault's end to the first push delivered after it and to all caught up (every event made before the fault's end
delivered, and the last push that came more than a second after its event's append delivered),
and push latency (append to socket) p50/p99 outside the fault: of the events delivered before it began and of those
appended after the catch-up.

Customer sockets behave as the widget does: on close or error they reconnect (to the other node, as a balancer without
stickiness might send them; through HAProxy for the node faults) with the last `eventId` they saw, or the replay
position of their `registered` frame when they have seen no push; a reconnection that fails (the node cannot register
while Redis does not answer) is retried with a short backoff, until a deadline. The nodes keep their sockets open
through the Redis and pub/sub faults, so a tenth of the customers lose theirs during the fault (closed from the
client's side, as a network drop would): they must register again while Redis does not answer (or while the nodes'
subscriptions are down), and get what they missed by `lastEventId` once it does. In the node faults the node's own
customers are the ones that reconnect.

Redis runs with `appendonly yes` and `appendfsync everysec`, as ops/redis.conf does: on SIGTERM Redis writes and fsyncs
the whole append-only file before it exits, so a clean restart loses no write either way; `always` only narrows what a
crash (SIGKILL, power loss) loses, from about one second of writes to none, at an fsync per write, and a crash is not
this test's fault. The test uses what production runs.

Sizes come from the environment, so the same test measures: the defaults keep the test command short (50 users,
100 events/s, the stall really 20 s); `SB_FAULT_USERS=500 SB_FAULT_RATE=1000 SB_FAULT_AFTER_SECONDS=25` is the
issue's measurement (load going on well past the catch-up, so latency after it is measured too).
`SB_FAULT_BEFORE_SECONDS` and `SB_FAULT_AFTER_SECONDS` (load before and after the fault), `SB_FAULT_STOP_SECONDS`
(the stall), `SB_FAULT_CATCH_UP_SECONDS` (how long delivery may take once the producer is done), `SB_FAULT_DRAIN_SECONDS`
(the drained node's `node.drainSeconds`) and the others above; `SB_FAULT_KEEP=1` keeps the Redis, node and HAProxy logs;
`SB_FAULT_DUMP=PREFIX` writes each event's times to PREFIX.<fault>.csv.

One thread serves every customer socket (non-blocking sockets and `selectors`), another produces; the time of each
event's append and of each push's arrival are read from the same monotonic clock.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import json
import os
import pathlib
import re
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter, deque

import pytest

redis = pytest.importorskip("redis")
from redis.backoff import NoBackoff  # noqa: E402
from redis.cluster import ClusterNode  # noqa: E402
from redis.exceptions import RedisClusterException  # noqa: E402
from redis.retry import Retry  # noqa: E402

from redis_cluster import RedisCluster  # noqa: E402

from switchboard_node import REPO, Node, contact_prefix, health, log_tail, merge, terminate, user_token, wait_until  # noqa: E402

USERS = int(os.environ.get("SB_FAULT_USERS", "50"))
RATE = float(os.environ.get("SB_FAULT_RATE", "100"))
BEFORE_SECONDS = float(os.environ.get("SB_FAULT_BEFORE_SECONDS", "5"))
AFTER_SECONDS = float(os.environ.get("SB_FAULT_AFTER_SECONDS", "6"))
STOP_SECONDS = float(os.environ.get("SB_FAULT_STOP_SECONDS", "20"))
CATCH_UP_SECONDS = float(os.environ.get("SB_FAULT_CATCH_UP_SECONDS", "60"))
SLOW_SECONDS = 1.0  # a push this much later than its event's append is late (caught up: no push that late any more)
RECONNECT_DEADLINE_SECONDS = 60.0  # a customer that cannot register again for this long gives up (and the test fails)
NODES = 2  # on one Redis; the node faults run BALANCED_NODES behind HAProxy
BALANCED_NODES = 3
PUBSUB_KILLS = int(os.environ.get("SB_FAULT_PUBSUB_KILLS", "3"))
PUBSUB_INTERVAL_SECONDS = float(os.environ.get("SB_FAULT_PUBSUB_INTERVAL_SECONDS", "1"))
# The node faults' configuration (overrides of config.json), kept short so the tests stay bounded. The config's range
# checks hold: the liveness TTL is at least twice the sweep interval; events.blockMs (1000) stays below the command
# timeout (5000).
DRAIN_SECONDS = float(os.environ.get("SB_FAULT_DRAIN_SECONDS", "2"))  # node.drainSeconds (ops/run.sh --nodes N runs 2)
CLAIM_IDLE_MS = int(os.environ.get("SB_FAULT_CLAIM_IDLE_MS", "2000"))  # events.claimIdleMs (config.json: 10000)
NODE_TTL_SECONDS = int(os.environ.get("SB_FAULT_NODE_TTL_SECONDS", "4"))  # realtime.nodeTtlSeconds (config.json: 15)
SWEEP_SECONDS = NODE_TTL_SECONDS / 4  # realtime.sweepIntervalSeconds (config.json: 5)
NODE_FAULT_OVERRIDES = {
    "node": {"drainSeconds": DRAIN_SECONDS},
    "events": {"claimIdleMs": CLAIM_IDLE_MS},
    "realtime": {"nodeTtlSeconds": NODE_TTL_SECONDS, "sweepIntervalSeconds": SWEEP_SECONDS},
    # HAProxy (on this host) says who the client is in X-Forwarded-For, as ops/run.sh configures it.
    "security": {"trustedProxies": ["127.0.0.1/32"]},
}
DROPPED = max(1, USERS // 10)  # customers whose sockets drop during the fault
STREAM = "sb:events"  # config.json's events.stream
GROUP = "processors"  # config.json's events.group; each node's consumer is named by its node id
NODE_SET = "sb:{rt}:nodes"  # nodes with socket records (docs/redis-keys.md)


def node_channel(node_id: str) -> str:
    return f"sb:{{rt}}:node:{node_id}"


def node_connections(node_id: str) -> str:
    return f"sb:{{n:{node_id}}}:conns"


def user_connections(user: str) -> str:
    return f"sb:{{u:{user}}}:conns"
PUSH_TYPES = ("agent_connected", "enable_escalation")  # what CONNECTED_TO_AGENT makes for a chat (EventRules.swift)
# What a client raises while Redis does not answer: a cluster client also raises RedisClusterException (not a RedisError)
# while a slot has no master it can reach.
REDIS_ERRORS = (redis.RedisError, RedisClusterException)


# --------------------------------------------------------------------------------------------------------------------
# Redis


class RedisProcess:
    """A private redis-server on a Unix socket in its own folder, with an append-only file there: stopped and started
    again on the same folder and socket, it comes back with its data (as Tests/TestSupport/RedisServer.swift, plus
    persistence)."""

    def __init__(self, directory: pathlib.Path, arguments: list[str] | None = None):
        self.directory = directory
        self.arguments = arguments or []  # added to the command line
        self.socket_path = directory / "redis.sock"
        self.log_path = directory / "redis.log"
        self.process: subprocess.Popen | None = None
        self.paused = False

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}?db=0"

    overrides: dict = {}  # added to a node's config (besides `url`)

    def client(self, timeout: float = 1.0, retries: int = 3) -> "redis.Redis":
        return redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=timeout, socket_connect_timeout=timeout,
                           retry=Retry(NoBackoff(), retries), decode_responses=True)

    def start(self, timeout: float = 30, loaded: bool = True):
        """Starts redis-server and returns once it answers PING (after loading its append-only file), or with
        `loaded=False` as soon as it answers at all (LOADING while it loads)."""
        assert self.process is None
        executable = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [executable, "--port", "0", "--unixsocket", str(self.socket_path), "--unixsocketperm", "700",
             "--dir", str(self.directory), "--logfile", str(self.log_path), "--save", "",
             "--appendonly", "yes", "--appendfsync", "everysec", "--appenddirname", "appendonly", *self.arguments],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = self.client()
        try:
            deadline = time.monotonic() + timeout
            while True:
                if self.process.poll() is not None:
                    code, self.process = self.process.returncode, None
                    raise RuntimeError(f"redis-server exited at start ({code}):\n{self.log()}")
                try:
                    if client.ping():
                        return
                except redis.BusyLoadingError:
                    if not loaded:
                        return
                except redis.RedisError:  # not listening yet, or LOADING its file
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"redis-server did not answer within {timeout}s:\n{self.log()}")
                time.sleep(0.01)
        finally:
            client.close()

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def pause(self):
        """SIGSTOP: its connections stay open, nothing answers."""
        if self.process:
            os.kill(self.process.pid, signal.SIGSTOP)
            self.paused = True

    def resume(self):
        if self.process and self.paused:
            os.kill(self.process.pid, signal.SIGCONT)
        self.paused = False

    def stop(self, timeout: float = 30):
        """SIGTERM (Redis writes its append-only file and exits) and wait; SIGKILL past `timeout`."""
        if self.process is None:
            return
        # A stopped process acts on SIGTERM only once it runs again.
        terminate(self.process, timeout, then=self.resume)
        self.process = None

    def log(self) -> str:
        return log_tail(self.log_path, 3000)


class ClusterBackend:
    """The same part for a Redis Cluster (redis_cluster.RedisCluster: 3 masters, 3 replicas on loopback): nodes in
    `redis.mode: "cluster"` seeded with the first master's address, clients that follow the slot map."""

    def __init__(self, directory: pathlib.Path):
        self.cluster = RedisCluster(directory)
        self.seed = self.cluster.ports[0]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.seed}/0"

    @property
    def overrides(self) -> dict:
        return {"redis": {"url": self.url, "mode": "cluster"}}

    def client(self, timeout: float = 1.0, retries: int = 3) -> "redis.cluster.RedisCluster":
        live = [p for p, process in self.cluster.processes.items() if process.poll() is None]
        return redis.cluster.RedisCluster(startup_nodes=[ClusterNode("127.0.0.1", p) for p in live],
                                          socket_timeout=timeout, socket_connect_timeout=timeout,
                                          retry=Retry(NoBackoff(), retries), decode_responses=True)

    def resume(self):
        pass

    def stop(self):
        self.cluster.close()

    def log(self) -> str:
        return ""


# --------------------------------------------------------------------------------------------------------------------
# Customers: one thread, every socket non-blocking under one selector.


def ws_frame(opcode: int, payload: bytes) -> bytes:
    """A masked client frame (RFC 6455 §5.2)."""
    mask = os.urandom(4)
    length = len(payload)
    if length < 126:
        header = bytes([0x80 | opcode, 0x80 | length])
    elif length < 65536:
        header = bytes([0x80 | opcode, 0x80 | 126]) + struct.pack("!H", length)
    else:
        header = bytes([0x80 | opcode, 0x80 | 127]) + struct.pack("!Q", length)
    return header + mask + bytes(b ^ mask[i & 3] for i, b in enumerate(payload))


def stream_id(text: str) -> tuple[int, int]:
    ms, _, seq = text.partition("-")
    return int(ms), int(seq or 0)


class Customer:
    """One user's socket and what it knows: the last eventId it saw (what it resumes from)."""

    def __init__(self, user: str, node_index: int):
        self.user = user
        self.node_index = node_index
        self.sock: socket.socket | None = None
        self.state = "waiting"  # waiting, connecting, upgrading, registering, open, gave-up
        self.buffer = bytearray()
        self.message = b""  # a fragmented text message so far
        self.last: str | None = None
        self.last_id = (0, 0)
        self.retry_at = 0.0
        self.backoff = 0.05
        self.down_since: float | None = None
        self.registrations = 0
        self.registered_at: float | None = None  # when it last registered
        self.refusals = 0  # registrations answered with an error frame (Redis not answering)
        self.nodes: list[str] = []


class Customers(threading.Thread):
    """Every customer socket, served by one thread. Pushes are recorded with their arrival time; a push whose eventId
    the user already got, or a second push of one type for one contact, is recorded as a duplicate."""

    def __init__(self, ports: list[int], users: int):
        super().__init__(name="customers", daemon=True)
        self.ports = ports
        self.customers = [Customer(f"user_{uuid.uuid4()}", i % len(ports)) for i in range(users)]
        self.selector = selectors.DefaultSelector()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.arrivals: dict[tuple[str, str], float] = {}  # (push type, contactId) -> first arrival
        self.seen: dict[str, set[str]] = {c.user: set() for c in self.customers}  # user -> eventIds
        self.duplicates: list[str] = []
        self.out_of_order: list[str] = []
        self.closes: Counter[str] = Counter()
        self.failure: str | None = None
        self.to_drop = 0
        self.dropped: list[str] = []

    # Seen from the test's thread.

    def drop(self, count: int):
        """Asks the customers' thread to drop `count` open sockets (every n-th customer), as a network drop would: they
        reconnect at once, while the fault lasts."""
        with self.lock:
            self.to_drop += count

    def registered(self) -> int:
        return sum(1 for c in self.customers if c.registrations > 0)

    def snapshot(self) -> dict[tuple[str, str], float]:
        with self.lock:
            return dict(self.arrivals)

    def stop(self):
        self.stopping.set()
        if self.is_alive():
            self.join(timeout=10)
        for c in self.customers:
            if c.sock is not None:
                c.sock.close()
                c.sock = None
        self.selector.close()

    # The customers' thread.

    def run(self):
        try:
            while not self.stopping.is_set():
                now = time.monotonic()
                if self.to_drop:
                    with self.lock:
                        count, self.to_drop = self.to_drop, 0
                    live = [c for c in self.customers if c.state == "open"]
                    for c in live[::max(1, len(live) // count)][:count]:
                        self.dropped.append(c.user)
                        self._fail(c, "dropped by the test")
                        c.retry_at = now  # reconnect at once
                for c in self.customers:
                    if c.state == "waiting" and c.retry_at <= now:
                        self._connect(c, now)
                for key, _ in self.selector.select(timeout=0.02):
                    self._ready(key.data)
        except Exception as error:  # noqa: BLE001 - reported by the test
            self.failure = f"customer thread failed: {error!r}"
            raise

    def _connect(self, c: Customer, now: float):
        if c.down_since is not None and now - c.down_since > RECONNECT_DEADLINE_SECONDS:
            c.state = "gave-up"
            return
        port = self.ports[c.node_index % len(self.ports)]
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        code = sock.connect_ex(("127.0.0.1", port))
        if code not in (0, errno.EINPROGRESS):
            sock.close()
            self._fail(c, f"connect: {errno.errorcode.get(code, code)}")
            return
        c.sock, c.state = sock, "connecting"
        c.buffer.clear()
        c.message = b""
        self.selector.register(sock, selectors.EVENT_WRITE, c)

    def _send(self, c: Customer, data: bytes) -> bool:
        try:
            sent = c.sock.send(data)
        except OSError as error:
            self._fail(c, f"send: {error.__class__.__name__}")
            return False
        if sent != len(data):  # frames are small; a fresh or idle socket's buffer always takes one whole
            self._fail(c, "send: short write")
            return False
        return True

    def _ready(self, c: Customer):
        if c.sock is None:
            return
        if c.state == "connecting":
            code = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if code:
                self._fail(c, f"connect: {errno.errorcode.get(code, code)}")
                return
            key = base64.b64encode(os.urandom(16)).decode()
            port = self.ports[c.node_index % len(self.ports)]
            request = (f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
            if self._send(c, request.encode()):
                c.state = "upgrading"
                self.selector.modify(c.sock, selectors.EVENT_READ, c)
            return
        try:
            data = c.sock.recv(1 << 18)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            self._fail(c, f"recv: {error.__class__.__name__}")
            return
        if not data:
            self._fail(c, "dropped without a close frame")
            return
        c.buffer += data
        if c.state == "upgrading":
            end = c.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(c.buffer[:c.buffer.find(b"\r\n")])
            del c.buffer[:end + 4]
            if b" 101 " not in status + b" ":
                self._fail(c, f"upgrade refused: {status.decode(errors='replace')}")
                return
            frame = {"action": "register", "userId": c.user, "userToken": user_token(c.user)}
            if c.last:
                frame["lastEventId"] = c.last
            if not self._send(c, ws_frame(0x1, json.dumps(frame).encode())):
                return
            c.state = "registering"
        self._frames(c)

    def _frames(self, c: Customer):
        buffer = c.buffer
        while c.sock is not None and len(buffer) >= 2:
            first, second = buffer[0], buffer[1]
            length, offset = second & 0x7F, 2
            if length == 126:
                if len(buffer) < 4:
                    return
                (length,), offset = struct.unpack_from("!H", buffer, 2), 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                (length,), offset = struct.unpack_from("!Q", buffer, 2), 10
            if len(buffer) < offset + length:
                return
            payload = bytes(buffer[offset:offset + length])
            del buffer[:offset + length]
            opcode = first & 0x0F
            if opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                self._fail(c, f"closed {code}")
                return
            if opcode == 0x9:
                self._send(c, ws_frame(0xA, payload))
                continue
            if opcode not in (0x0, 0x1):
                continue
            c.message += payload
            if first & 0x80:
                text, c.message = c.message, b""
                self._message(c, json.loads(text))

    def _message(self, c: Customer, frame: dict):
        now = time.monotonic()
        kind = frame.get("type")
        if "eventId" in frame:
            self._push(c, frame, now)
        elif kind == "registered":
            c.state = "open"
            c.registrations += 1
            c.registered_at = now
            c.nodes.append(frame["node"])
            c.backoff, c.down_since = 0.05, None
            if c.last is None:
                c.last = frame["lastEventId"]
        elif kind == "error" and c.state == "registering":
            c.refusals += 1
            self._fail(c, f"register refused: {frame.get('code')}")
        elif kind == "error":
            self.closes[f"error frame {frame.get('code')}"] += 1

    def _push(self, c: Customer, frame: dict, now: float):
        event_id = frame["eventId"]
        key = (frame["type"], frame["contactId"])
        with self.lock:
            seen = self.seen[c.user]
            if event_id in seen:
                self.duplicates.append(f"{c.user} got eventId {event_id} again ({key})")
            seen.add(event_id)
            if key in self.arrivals:
                self.duplicates.append(f"{c.user} got {key} again (eventId {event_id})")
            else:
                self.arrivals[key] = now
        position = stream_id(event_id)
        if position < c.last_id:
            self.out_of_order.append(f"{c.user}: {event_id} after {c.last}")
        else:
            c.last_id = position
        c.last = event_id

    def _fail(self, c: Customer, why: str):
        """The socket closed or could not be opened: try again soon, on the next node."""
        if c.sock is not None:
            try:
                self.selector.unregister(c.sock)
            except (KeyError, ValueError):
                pass
            c.sock.close()
            c.sock = None
        now = time.monotonic()
        self.closes[why] += 1
        c.state = "waiting"
        if c.down_since is None:
            c.down_since = now
        c.retry_at = now + c.backoff
        c.backoff = min(1.0, c.backoff * 2)
        c.node_index += 1


# --------------------------------------------------------------------------------------------------------------------
# The producer


class Event:
    __slots__ = ("contact", "user", "due", "appended", "stream_id")

    def __init__(self, contact: str, user: str, due: float):
        self.contact, self.user, self.due = contact, user, due
        self.appended: float | None = None  # when the XADD that appended it answered
        self.stream_id: tuple[int, int] | None = None  # the id of that XADD's entry


def event_json(contact_id: str) -> str:
    """A CONNECTED_TO_AGENT event as EventBridge delivers it (test_load_balancer.py's `event`)."""
    return json.dumps({"version": "0", "id": str(uuid.uuid4()), "detail-type": "Amazon Connect Contact Event",
                       "source": "aws.connect", "account": "111122223333", "time": "2026-11-29T10:00:00Z",
                       "region": "us-west-2", "resources": [],
                       "detail": {"eventType": "CONNECTED_TO_AGENT", "contactId": contact_id, "channel": "CHAT",
                                  "initiationMethod": "API"}})


class Producer(threading.Thread):
    """Makes events at `rate`/s, each for a new chat contact of the next user (its record written with it, as
    switchboard-bench push does), and appends them in order. While Redis does not answer, events wait in `pending`;
    before appending again after a failure it asks Redis for a PING, so it does not pile commands up in a stalled
    Redis's socket buffers."""

    BATCH = 500

    def __init__(self, server: RedisProcess | ClusterBackend, users: list[str], rate: float):
        super().__init__(name="producer", daemon=True)
        self.server, self.users, self.rate = server, users, rate
        self.events: list[Event] = []
        self.pending: deque[tuple[Event, str]] = deque()
        self.finishing = threading.Event()
        self.stopping = threading.Event()
        self.failed_tries = 0
        self.max_pending = 0
        self.failure: str | None = None

    @property
    def made(self) -> int:
        return len(self.events)

    def finish(self, timeout: float):
        """Stop making events; return once every one made is appended (or fail after `timeout`)."""
        self.finishing.set()
        wait_until(lambda: not self.is_alive() or not self.pending, "the producer appended what it held back", timeout)

    def stop(self):
        self.finishing.set()
        self.stopping.set()
        if self.is_alive():
            self.join(timeout=10)

    def run(self):
        # No retries inside redis-py: a failed append is the producer's to keep and retry, without blocking production.
        client = self.server.client(timeout=0.5, retries=0)
        try:
            self._produce(client)
        except Exception as error:  # noqa: BLE001 - reported by the test
            self.failure = f"producer failed: {error!r}"
            raise
        finally:
            client.close()

    def _produce(self, client):
        start = time.monotonic()
        healthy = True
        while not self.stopping.is_set():
            now = time.monotonic()
            if not self.finishing.is_set():
                due = int((now - start) * self.rate) + 1
                while len(self.events) < due:
                    index = len(self.events)
                    event = Event(str(uuid.uuid4()), self.users[index % len(self.users)], start + index / self.rate)
                    self.events.append(event)
                    self.pending.append((event, event_json(event.contact)))
                self.max_pending = max(self.max_pending, len(self.pending))
            elif not self.pending:
                return
            if not self.pending:
                time.sleep(min(0.005, 1 / self.rate))
                continue
            try:
                if not healthy:
                    client.exists(STREAM)  # a PING with a key: a cluster client asks the stream's master
                batch = [self.pending[i] for i in range(min(self.BATCH, len(self.pending)))]
                pipe = client.pipeline(transaction=False)
                initiated = str(int(time.time() * 1000))
                for event, text in batch:
                    pipe.hset(f"{contact_prefix(event.contact)}:contact:{event.contact}", mapping={
                        "id": event.contact, "channel": "CHAT", "initiationMethod": "API", "initiatedAt": initiated,
                        "attr:userId": event.user, "attr:InitiationMethod": "Chat"})
                    pipe.xadd(STREAM, {"event": text})
                replies = pipe.execute()
            except REDIS_ERRORS:
                # Not answering, gone, loading its file, or (a cluster) its slot's master dead and not yet replaced: keep the events and try again shortly. An XADD that did
                # reach Redis may be appended twice; the nodes de-duplicate on the event id.
                self.failed_tries += 1
                healthy = False
                time.sleep(0.05)
                continue
            healthy = True
            appended = time.monotonic()
            for index in range(len(batch)):
                event, _ = self.pending.popleft()
                event.appended = appended
                event.stream_id = stream_id(replies[2 * index + 1])


class HealthWatch:
    """Asks each node for `/health` (on its own port, one thread per node) every 0.1 s: what the nodes answered during
    the fault, and when both answered 200 again. The timeout is longer than the node's Redis command timeout, since
    `/health` PINGs Redis and a stalled Redis keeps that PING waiting until then."""

    def __init__(self, ports: list[int]):
        self.ports = ports
        self.samples: list[tuple[float, int, int | None]] = []  # (answered at, node index, status or None: no answer)
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._watch, args=(i,), name=f"health-{i}", daemon=True)
                        for i in range(len(ports))]

    def start(self):
        for thread in self.threads:
            thread.start()

    def _watch(self, index: int):
        url = f"http://127.0.0.1:{self.ports[index]}/health"
        while not self.stopping.wait(0.1):
            try:
                with urllib.request.urlopen(url, timeout=10) as res:
                    status = res.status
            except urllib.error.HTTPError as error:
                status = error.code
            except (urllib.error.URLError, OSError):
                status = None
            self.samples.append((time.monotonic(), index, status))

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            if thread.is_alive():
                thread.join(timeout=15)

    def during(self, start: float, end: float) -> dict[str, int]:
        """How many answers of each status each node gave between `start` and `end` (and until the next answer)."""
        seen: Counter[str] = Counter()
        for index in range(len(self.ports)):
            mine = [(t, status) for t, i, status in list(self.samples) if i == index]
            later = [k for k, (t, _) in enumerate(mine) if t > end]
            upto = later[0] + 1 if later else len(mine)
            seen.update(f"node{index}:{status}" for t, status in mine[:upto] if t >= start)
        return dict(sorted(seen.items()))

    def healthy_since(self, after: float, gone=()) -> float | None:
        """When every node but those in `gone` (indexes: nodes the fault ended) last turned 200 (after an answer that
        was not) since `after`; `after` when none answered otherwise; None while one does not answer 200."""
        since = after
        for index in range(len(self.ports)):
            if index in gone:
                continue
            mine = [(t, status) for t, i, status in list(self.samples) if i == index and t >= after]
            if not mine or mine[-1][1] != 200:
                return None
            bad = [k for k, (_, status) in enumerate(mine) if status != 200]
            if bad:
                since = max(since, mine[bad[-1] + 1][0])
        return since


class StreamWatch(threading.Thread):
    """Samples the consumer group's last-delivered-id every 0.1 s: when the nodes had read what the fault held back,
    as against when the customers had it."""

    def __init__(self, server: RedisProcess | ClusterBackend):
        super().__init__(name="stream-watch", daemon=True)
        self.server = server
        self.samples: list[tuple[float, tuple[int, int]]] = []
        self.stopping = threading.Event()

    def run(self):
        client = self.server.client(timeout=0.5, retries=0)
        try:
            while not self.stopping.wait(0.1):
                try:
                    groups = client.xinfo_groups(STREAM)
                except REDIS_ERRORS:
                    continue
                if groups:
                    self.samples.append((time.monotonic(), stream_id(groups[0]["last-delivered-id"])))
        finally:
            client.close()

    def stop(self):
        self.stopping.set()
        if self.is_alive():
            self.join(timeout=10)

    def read_since(self, entry: tuple[int, int]) -> float | None:
        """When a node had first read the stream up to `entry`."""
        return next((t for t, last in list(self.samples) if last >= entry), None)


class Watch(threading.Thread):
    """Asks Redis every 20 ms whether `condition(client)` holds, from its start until it does: `at` is when it first
    did (None while it has not)."""

    def __init__(self, what: str, server: RedisProcess | ClusterBackend, condition):
        super().__init__(name=f"watch {what}", daemon=True)
        self.what, self.server, self.condition = what, server, condition
        self.started = time.monotonic()
        self.at: float | None = None
        self.stopping = threading.Event()

    def run(self):
        client = self.server.client(timeout=2, retries=0)
        try:
            while not self.stopping.is_set():
                try:
                    if self.condition(client):
                        self.at = time.monotonic()
                        return
                except REDIS_ERRORS:
                    pass
                self.stopping.wait(0.02)
        finally:
            client.close()

    def wait(self, timeout: float) -> float | None:
        """Waits up to `timeout` for the condition; returns when it held, or None."""
        self.join(timeout)
        return self.at

    def stop(self):
        self.stopping.set()
        if self.is_alive():
            self.join(timeout=10)


# --------------------------------------------------------------------------------------------------------------------
# The harness


class Balancer:
    """HAProxy in front of the nodes, as `ops/run.sh --nodes N` runs it: ops/listen-then-exec.py binds the balancer's
    port first (so the nodes can be told its address), then, once the nodes' ports are known, the per-run config
    (ops/haproxy.cfg plus one `server` line per node) is written and HAProxy started on the bound socket."""

    def __init__(self, directory: pathlib.Path):
        self.directory = directory
        directory.mkdir()
        self.config_path = directory / "haproxy.cfg"
        self.log_path = directory / "haproxy.log"
        self.output: list[str] = []
        executable = shutil.which("haproxy") or "/usr/sbin/haproxy"
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(REPO / "ops" / "listen-then-exec.py"), "127.0.0.1", "0",
                 executable, "-db", "-f", str(self.config_path)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True)
        line = self.process.stdout.readline()
        if not line.strip().isdigit():
            self.stop()
            raise RuntimeError(f"listen-then-exec.py printed no port: {line!r}")
        self.port = int(line)
        # Whatever HAProxy writes on its standard output later is read, so it never blocks on a full pipe.
        threading.Thread(target=lambda: self.output.extend(self.process.stdout), name="haproxy-out", daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, nodes: list[Node], timeout: float = 30):
        """Writes the config with `nodes` as servers and lets HAProxy start; returns once it has sent a request to
        each node (each answered `/health` with its node id through the balancer)."""
        servers = "".join(f"    server {n.node_id} 127.0.0.1:{n.proxy.backend} check\n" for n in nodes)
        self.config_path.write_text((REPO / "ops" / "haproxy.cfg").read_text() + servers)
        self.process.stdin.write("go\n")
        self.process.stdin.close()
        seen: set[str] = set()

        def reached_all() -> bool:
            assert self.process.poll() is None, f"HAProxy exited ({self.process.returncode}):\n{self.log()}"
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as res:
                    seen.add(json.load(res)["node"])
            except (urllib.error.URLError, OSError, ValueError, KeyError):
                pass
            return seen >= {n.node_id for n in nodes}

        wait_until(reached_all, f"HAProxy sending requests to all {len(nodes)} nodes", timeout, poll=0.02)

    def stop(self, timeout: float = 10):
        """SIGTERM (HAProxy stops at once, closing what it proxies) and wait; SIGKILL past `timeout`."""
        if self.process.poll() is None:
            terminate(self.process, timeout)
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError, ValueError):
                stream.close()

    def log(self) -> str:
        return log_tail(self.log_path, 3000)


class Cluster:
    def __init__(self, server: RedisProcess | ClusterBackend, nodes: list[Node], balancer: Balancer | None = None):
        self.server, self.nodes, self.balancer = server, nodes, balancer

    @property
    def node_ports(self) -> list[int]:
        return [node.proxy.backend for node in self.nodes]

    @property
    def ports(self) -> list[int]:
        """Where customers connect: the balancer, or else the nodes themselves (each Node's proxy only serves its
        health checks)."""
        return [self.balancer.port] if self.balancer else self.node_ports


def start_redis_process(work: pathlib.Path) -> RedisProcess:
    # A short folder: a Unix socket's path must fit in 108 bytes.
    server = RedisProcess(work / "redis")
    server.directory.mkdir()
    server.start()
    return server


@contextlib.contextmanager
def nodes_on(start_backend, count: int = NODES, balanced: bool = False, overrides: dict | None = None):
    """`count` nodes on the Redis `start_backend(folder)` starts (a RedisProcess or a ClusterBackend), configured with
    `overrides`, behind HAProxy when `balanced`; all stopped after."""
    binary = os.environ.get("SWITCHBOARD_BIN")
    if os.environ.get("SWITCHBOARD_URL") or not binary:
        pytest.skip("needs SWITCHBOARD_BIN (ops/test.sh sets it): it starts its own Redis and nodes")
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed (ops/test.sh installs it)")
    if balanced and not (shutil.which("haproxy") or os.path.exists("/usr/sbin/haproxy")):
        pytest.skip("haproxy is not installed (ops/test.sh installs it)")
    work = pathlib.Path(tempfile.mkdtemp(prefix="sb-faults-"))
    server = None
    balancer = None
    nodes: list[Node] = []
    try:
        server = start_backend(work)
        config = json.loads(json.dumps(server.overrides))
        merge(config, overrides or {})
        if balanced:
            balancer = Balancer(work / "haproxy")
            merge(config, {"node": {"publicUrl": balancer.url}})
        for i in range(count):
            node = Node(binary, server.url, work / f"node{i}", overrides=config, node_id=f"fault-node-{i}")
            nodes.append(node)
            node.start()
        if balancer:
            balancer.start(nodes)
        yield Cluster(server, nodes, balancer)
    finally:
        if server is not None:
            server.resume()  # a stalled Redis would hold the nodes' drain up
        if balancer is not None:
            balancer.stop()
        # Stopped together: each drains for node.drainSeconds.
        stopping = [threading.Thread(target=node.close, name=f"stop-{node.node_id}") for node in nodes]
        for thread in stopping:
            thread.start()
        for thread in stopping:
            thread.join()
        if server is not None:
            server.stop()
        if os.environ.get("SB_FAULT_KEEP"):
            print(f"\n  Redis and node logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


@pytest.fixture
def cluster():
    with nodes_on(start_redis_process) as nodes:
        yield nodes


@pytest.fixture
def balanced_cluster():
    """BALANCED_NODES nodes behind HAProxy, configured for the node faults (NODE_FAULT_OVERRIDES)."""
    with nodes_on(start_redis_process, BALANCED_NODES, balanced=True, overrides=NODE_FAULT_OVERRIDES) as nodes:
        yield nodes


@pytest.fixture
def redis_cluster_nodes():
    """The nodes on a Redis Cluster of 3 masters and 3 replicas."""
    if not shutil.which("redis-cli"):
        pytest.skip("redis-cli is not installed (it makes the cluster)")
    with nodes_on(ClusterBackend) as nodes:
        yield nodes


class Load:
    """Customers and producer for one run; stopped in `close`, whatever happened."""

    def __init__(self, cluster: Cluster):
        self.cluster = cluster
        self.customers = Customers(cluster.ports, USERS)
        self.producer = Producer(cluster.server, [c.user for c in self.customers.customers], RATE)
        self.health = HealthWatch(cluster.node_ports)
        self.stream = StreamWatch(cluster.server)
        self.watches: list[Watch] = []

    def watch(self, what: str, condition) -> "Watch":
        """Starts watching for `condition(redis client)` to hold; stopped in `close`."""
        watch = Watch(what, self.cluster.server, condition)
        self.watches.append(watch)
        watch.start()
        return watch

    def __enter__(self) -> "Load":
        return self

    def __exit__(self, *_):
        self.close()

    def close(self):
        for watch in self.watches:
            watch.stop()
        self.stream.stop()
        self.producer.stop()
        self.customers.stop()
        self.health.stop()


@pytest.fixture
def load(cluster):
    with Load(cluster) as load:
        yield load


@pytest.fixture
def balanced_load(balanced_cluster):
    with Load(balanced_cluster) as load:
        yield load


@pytest.fixture
def cluster_load(redis_cluster_nodes):
    with Load(redis_cluster_nodes) as load:
        yield load


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run_fault(name: str, load: Load, fault, gone: set[int] | None = None, drops: bool = True, recovery=None) -> dict:
    """Steady load, `fault()` (returns when the fault is over) in the middle, then waits for every push; returns the
    figures and prints them.

    `gone`: indexes of the nodes the fault ended (the fault may fill it in): they must have exited, and the others
    must still be the processes they were, healthy. `drops`: the fault dropped some customers' sockets itself
    (`customers.drop`), each of which must have registered again. `recovery(fault_start, fault_end)`: the fault's own
    figures, taken once every push is in (or the wait gave up), printed with the rest before anything is asserted."""
    gone = set() if gone is None else gone
    cluster, customers, producer, watch = load.cluster, load.customers, load.producer, load.health
    watch.start()
    load.stream.start()
    customers.start()
    wait_until(lambda: customers.registered() == USERS, f"{USERS} customer sockets registered", 30 + USERS / 20)
    producer.start()
    wait_until(lambda: producer.made >= RATE * BEFORE_SECONDS, f"{BEFORE_SECONDS}s of load before the fault",
               BEFORE_SECONDS + 30)

    fault_start = time.monotonic()
    fault_info = fault()
    fault_end = time.monotonic()
    made_at_end = producer.made

    wait_until(lambda: producer.made >= made_at_end + RATE * AFTER_SECONDS, f"{AFTER_SECONDS}s of load after the fault",
               AFTER_SECONDS + 60)
    producer.finish(timeout=60)
    events = producer.events
    assert producer.failure is None, producer.failure
    assert all(e.appended is not None for e in events), "the producer could not append every event"

    expected = [(t, e.contact) for e in events for t in PUSH_TYPES]
    try:
        wait_until(lambda: customers.failure or all(key in customers.arrivals for key in expected),
                   "every appended event's pushes delivered", CATCH_UP_SECONDS, poll=0.2)
    except AssertionError:
        pass  # counted and reported below
    assert customers.failure is None, customers.failure
    arrivals = customers.snapshot()

    # Healthy again: every node but those the fault ended still the process it was, answering 200.
    survivors = [node for index, node in enumerate(cluster.nodes) if index not in gone]
    for index, node in enumerate(cluster.nodes):
        if index in gone:
            assert node.process is None or node.process.poll() is not None, f"{node.node_id} is still running"
        else:
            assert node.process.poll() is None, f"{node.node_id} exited:\n{node.log()}"
    wait_until(lambda: all(health(node.base_url) == 200 for node in survivors), "the surviving nodes answer /health with 200", 30)
    wait_until(lambda: watch.healthy_since(fault_start, gone), "the health watch saw the surviving nodes answer 200", 5)
    healthy = watch.healthy_since(fault_start, gone)
    health_during = watch.during(fault_start, fault_end)
    recovered = recovery(fault_start, fault_end) if recovery else {}

    def delivered_at(e: Event) -> float | None:
        times = [arrivals.get((t, e.contact)) for t in PUSH_TYPES]
        return None if None in times else max(times)

    lost_by_user: Counter[str] = Counter()
    for e in events:
        if delivered_at(e) is None:
            lost_by_user[e.user] += 1
    delivered = [e for e in events if delivered_at(e) is not None]
    after_fault = [t for t in arrivals.values() if t > fault_end]
    first_after = min(after_fault) - fault_end if after_fault else float("nan")
    # Outside the fault: pushed before it began, or appended once all was caught up (below).
    before = [(delivered_at(e) - e.appended) * 1000 for e in delivered if delivered_at(e) < fault_start]
    # Caught up: every event made before the fault's end delivered, and no push any more that waits over a second from
    # its event's append (queued behind the backlog, or stuck in a node): the last such push reached its socket.
    late = [delivered_at(e) for e in delivered if delivered_at(e) >= fault_start
            and (e.due <= fault_end or delivered_at(e) - e.appended > SLOW_SECONDS)]
    caught_up_at = max([fault_end, *late])  # a catch-up done within the fault (a drain's) is done at its end
    after = [(delivered_at(e) - e.appended) * 1000 for e in delivered if e.appended > caught_up_at]
    # Events that waited more than a second between their append and their last push, whatever the reason.
    slow = [delivered_at(e) - e.appended for e in delivered if delivered_at(e) - e.appended > SLOW_SECONDS]
    # When the nodes had read every event the producer held back (as far as its last one's entry).
    held_back = [e for e in events if e.due <= fault_end]
    flushed = max((e.appended for e in held_back), default=fault_end)
    read_all = load.stream.read_since(max(e.stream_id for e in held_back)) if held_back else None
    figures = {
        "appended": len(events), "delivered": len(delivered), "lost": len(events) - len(delivered),
        "duplicated": len(customers.duplicates), "out_of_order": len(customers.out_of_order),
        "fault_seconds": fault_end - fault_start, "first_push_after": first_after,
        "caught_up_after": caught_up_at - fault_end, "healthy_after": max(0.0, healthy - fault_end),
        "health_during": health_during,
        "held_back_by_producer": producer.max_pending, "producer_failed_tries": producer.failed_tries,
        "p50_before": percentile(before, 0.5), "p99_before": percentile(before, 0.99),
        "p50_after": percentile(after, 0.5), "p99_after": percentile(after, 0.99),
        "p50": percentile(before + after, 0.5), "p99": percentile(before + after, 0.99),
        "reconnects": sum(max(0, c.registrations - 1) for c in customers.customers),
        "refused_registrations": sum(c.refusals for c in customers.customers),
        "closes": dict(customers.closes), "slow_events": len(slow), "slowest": max(slow, default=0.0),
        "stream_read_after": (read_all - fault_end) if read_all else float("nan"), **fault_info, **recovered,
    }
    if os.environ.get("SB_FAULT_DUMP"):
        # One line per event, times in seconds from the fault's start: for plotting or looking into a slow catch-up.
        with open(f"{os.environ['SB_FAULT_DUMP']}.{name.split()[1]}.csv", "w") as dump:
            dump.write("user,contact,due,appended,delivered\n")
            for e in events:
                at = delivered_at(e)
                dump.write(f"{e.user},{e.contact},{e.due - fault_start:.4f},{e.appended - fault_start:.4f},"
                           f"{'' if at is None else f'{at - fault_start:.4f}'}\n")
    print(f"\n[{name}] users={USERS} rate={RATE:g}/s nodes={len(cluster.nodes)}"
          f"{' behind HAProxy' if cluster.balancer else ''} before={BEFORE_SECONDS:g}s after={AFTER_SECONDS:g}s\n"
          f"  fault {figures['fault_seconds']:.2f} s {fault_info}\n"
          f"  appended={figures['appended']} delivered={figures['delivered']} lost={figures['lost']} "
          f"duplicated={figures['duplicated']} out-of-order={figures['out_of_order']}\n"
          f"  producer: held back up to {producer.max_pending} events, {producer.failed_tries} failed tries\n"
          f"  recovery after the fault's end: first push {first_after:.3f} s, all caught up {figures['caught_up_after']:.3f} s, "
          f"{'surviving' if gone else 'all'} nodes healthy {figures['healthy_after']:.3f} s; "
          f"{len(slow)} events took over 1 s from append to socket (slowest {figures['slowest']:.3f} s)\n"
          f"  the nodes had read the stream's backlog {figures['stream_read_after']:.3f} s after the fault's end "
          f"(the producer's last held-back event appended {flushed - fault_end:.3f} s after it)\n"
          f"  /health during the fault: {health_during}\n"
          f"  latency append->socket outside the fault: p50 {figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms "
          f"(before: {figures['p50_before']:.1f}/{figures['p99_before']:.1f} ms over {len(before)}, "
          f"after: {figures['p50_after']:.1f}/{figures['p99_after']:.1f} ms over {len(after)})\n"
          f"  customer sockets: {figures['reconnects']} reconnections, closes {figures['closes']}"
          + (f"\n  recovery: {recovered}" if recovered else ""))

    assert not customers.duplicates, f"duplicated pushes ({len(customers.duplicates)}): {customers.duplicates[:10]}"
    assert not customers.out_of_order, f"pushes out of eventId order: {customers.out_of_order[:10]}"
    assert not lost_by_user, (f"{figures['lost']} of {len(events)} appended events' pushes never arrived, by user: "
                              f"{dict(lost_by_user.most_common(10))}\n"
                              + "\n".join(f"--- {n.node_id}\n{n.log()}" for n in cluster.nodes))
    gave_up = [c.user for c in customers.customers if c.state == "gave-up"]
    assert not gave_up, f"customers that could not reconnect: {gave_up[:10]}"
    by_user = {c.user: c for c in customers.customers}
    if drops:
        assert customers.dropped and all(by_user[u].registrations >= 2 for u in customers.dropped), \
            "a customer dropped during the fault did not register again"
    return figures


def test_redis_stalled(load):
    """Redis SIGSTOPped for 20 s (by default) and resumed under a steady load: nothing lost, nothing twice."""
    server = load.cluster.server

    def stall():
        server.pause()
        # The fault itself: Redis frozen this long. Halfway, some customers lose their sockets and must register again
        # while Redis does not answer.
        time.sleep(STOP_SECONDS / 2)
        load.customers.drop(DROPPED)
        time.sleep(STOP_SECONDS / 2)
        server.resume()
        return {"stalled": STOP_SECONDS}

    figures = run_fault(f"redis SIGSTOP {STOP_SECONDS:g} s", load, stall)
    assert load.producer.failed_tries > 0, "the producer never saw Redis stalled"
    assert figures["lost"] == 0 and figures["duplicated"] == 0
    # Every node tried to subscribe again many times while Redis was stopped; it says so once per outage, and each
    # outage ends with one catch-up.
    for node in load.cluster.nodes:
        def logged(text: str, node=node) -> int:
            return node.log_path.read_text(errors="replace").count(text)
        wait_until(lambda: logged("caught sockets up") >= 1, f"{node.node_id} logged its catch-up")
        assert logged("node channel subscription lost") == logged("caught sockets up") == 1, node.log()


def test_redis_restarted(load):
    """Redis stopped with SIGTERM and started again on its append-only file under a steady load: the nodes reconnect
    by themselves, nothing lost, nothing twice."""
    server, customers = load.cluster.server, load.customers
    by_user = {c.user: c for c in customers.customers}
    probe = server.client()

    def restart():
        before = probe.xlen(STREAM)
        last_before = probe.xrevrange(STREAM, count=1)[0][0]
        old = server.pid
        server.stop()
        # Some customers lose their sockets now; Redis is started again once each was refused a registration (the
        # node cannot register a socket without Redis), so every one of them resumes through a retry.
        customers.drop(DROPPED)
        wait_until(lambda: len(customers.dropped) == DROPPED and all(by_user[u].refusals for u in customers.dropped),
                   "every dropped customer refused a registration while Redis is down", 20)
        server.start()
        assert server.pid != old
        # Saved data: what was appended before the stop is there again.
        after = probe.xlen(STREAM)
        assert after >= before and probe.xrange(STREAM, last_before, last_before), \
            f"the stream lost entries over the restart: {before} before, {after} after, {last_before} there: " \
            f"{probe.xrange(STREAM, last_before, last_before)}"
        return {"restarted": True, "stream_before": before, "stream_after_load": after}

    try:
        figures = run_fault("redis restart (SIGTERM, same folder, appendonly)", load, restart)
    finally:
        probe.close()
    assert figures["lost"] == 0 and figures["duplicated"] == 0


def test_cluster_stream_master_killed(cluster_load):
    """On a Redis Cluster of 3 masters and 3 replicas, the master serving the event stream SIGKILLed under a steady load
    and its replica promoted (the nodes were seeded with the first master's address, which may be that one): the nodes
    follow the new slot map by themselves; nothing lost, nothing twice."""
    load = cluster_load
    backend, customers = load.cluster.server, load.customers
    redis_cluster = backend.cluster

    def kill():
        doomed = redis_cluster.master_of(STREAM)
        redis_cluster.kill(doomed)
        # Some customers lose their sockets now: a third of them have their per-user keys on the dead master.
        customers.drop(DROPPED)
        promoted = redis_cluster.wait_failover(STREAM, doomed)
        return {"killed": doomed, "promoted": promoted, "seed_killed": doomed == backend.seed}

    try:
        figures = run_fault("redis cluster-failover (the stream's master SIGKILLed, its replica promoted)", load, kill)
    except AssertionError as error:
        # Replication is asynchronous: an XADD the dead master acknowledged may never have reached its replica. Such an
        # event is Redis's loss, not the nodes': say which lost events are not in the stream at all.
        lost = [e for e in load.producer.events if e.stream_id is not None
                and not all((t, e.contact) in customers.arrivals for t in PUSH_TYPES)]
        if not lost:
            raise
        probe = backend.client(timeout=5)
        try:
            absent = [e for e in lost if not probe.xrange(STREAM, "%d-%d" % e.stream_id, "%d-%d" % e.stream_id)]
        finally:
            probe.close()
        raise AssertionError(f"{error}\n{len(absent)} of the {len(lost)} lost events are not in the stream "
                             f"(acknowledged by the dead master, not replicated): {[e.stream_id for e in absent[:10]]}") from error
    assert load.producer.failed_tries > 0, "the producer never saw the stream's master gone"
    assert figures["lost"] == 0 and figures["duplicated"] == 0


def test_pubsub_connection_killed(load):
    """`CLIENT KILL TYPE pubsub` on Redis, PUBSUB_KILLS times (by default 3) a short interval apart, under a steady load:
    every node's channel subscription dies; each node subscribes again and catches its sockets up from their users'
    replay logs. Both nodes stay up; nothing lost, nothing twice, nothing out of order."""
    server, customers, nodes = load.cluster.server, load.customers, load.cluster.nodes
    probe = server.client(timeout=5)
    channels = [node_channel(node.node_id) for node in nodes]

    def subscribed() -> bool:
        return all(count == 1 for _, count in probe.pubsub_numsub(*channels))

    assert subscribed(), "a node's channel is not subscribed before the fault"

    def kill():
        kills = []
        for k in range(PUBSUB_KILLS):
            if k:
                time.sleep(PUBSUB_INTERVAL_SECONDS)  # the fault's pace: the next kill a short while after the last
            killed = probe.client_kill_filter(_type="pubsub")
            at = time.monotonic()
            if k == 0:
                # Some customers lose their sockets too, and register again while the subscriptions are being made again.
                customers.drop(DROPPED)
            wait_until(subscribed, "every node's channel subscribed again", 30, poll=0.005)
            kills.append({"killed": killed, "resubscribed_after": round(time.monotonic() - at, 3)})
        return {"kills": kills}

    def recovery(start: float, end: float) -> dict:
        # What each node logged of its catch-ups (NodeSubscriber.catchUp): "sockets/pushes replayed/sockets closed".
        def catch_ups(node: Node) -> list[str]:
            lines = [line for line in node.log_path.read_text(errors="replace").splitlines() if "caught sockets up" in line]
            fields = [dict(re.findall(r"(\w+)=(\S+)", line)) for line in lines]
            return [f"{f.get('sockets')}/{f.get('pushes')}/{f.get('closed')}" for f in fields]

        return {"catch_ups": {node.node_id: catch_ups(node) for node in nodes}}

    try:
        figures = run_fault(f"pubsub connections killed ({PUBSUB_KILLS}x CLIENT KILL TYPE pubsub)", load, kill,
                            recovery=recovery)
    finally:
        probe.close()
    assert all(k["killed"] >= len(nodes) for k in figures["kills"]), f"a kill missed a node's subscription: {figures['kills']}"
    assert figures["lost"] == 0 and figures["duplicated"] == 0


def busiest_node(cluster: Cluster, customers: Customers) -> tuple[int, Node, list[str], dict[str, int]]:
    """The node holding the most customer sockets now: its index, the node, the users whose socket it holds, and how
    many sockets each node holds."""
    held: dict[str, list[str]] = {}
    for c in list(customers.customers):
        if c.state == "open" and c.nodes:
            held.setdefault(c.nodes[-1], []).append(c.user)
    node_id = max(held, key=lambda n: len(held[n]))
    index = next(i for i, node in enumerate(cluster.nodes) if node.node_id == node_id)
    return index, cluster.nodes[index], held[node_id], {n: len(users) for n, users in sorted(held.items())}


def pending_of(client, consumer: str) -> int:
    """Stream entries delivered to `consumer` (a node id) and not acknowledged."""
    summary = client.xpending(STREAM, GROUP)
    return next((c["pending"] for c in summary.get("consumers") or [] if c["name"] == consumer), 0)


def records_of(client, node_id: str, users: list[str]) -> int:
    """Socket records naming `node_id` still in Redis: in its own set (and the set of nodes), and in the users' sets."""
    pipe = client.pipeline(transaction=False)
    for user in users:
        pipe.zrange(user_connections(user), 0, -1)
    in_users = sum(1 for members in pipe.execute() for member in members if member.endswith("@" + node_id))
    return in_users + client.scard(node_connections(node_id)) + int(client.sismember(NODE_SET, node_id))


def moved_figures(customers: Customers, node_id: str, users: list[str], since: float) -> dict:
    """Of the customers whose socket `node_id` held: how many registered again on another node since `since`, and
    when the last did."""
    by_user = {c.user: c for c in customers.customers}
    back = [by_user[u].registered_at for u in users
            if by_user[u].nodes[-1] != node_id and by_user[u].registered_at and by_user[u].registered_at > since]
    return {"moved": len(back), "moved_of": len(users),
            "last_moved_after": round(max(back) - since, 3) if back else None}


def moved_and_left(cluster, customers, node, users_on_it: list[str], start: float) -> dict:
    """Where a faulted node's customers went (`moved_figures`) and how many of its socket records Redis still holds."""
    probe = cluster.server.client(timeout=5)
    try:
        left = records_of(probe, node.node_id, [c.user for c in customers.customers])
    finally:
        probe.close()
    return {**moved_figures(customers, node.node_id, users_on_it, start), "records_left": left}


def test_node_drained_behind_haproxy(balanced_load):
    """Three nodes behind HAProxy, customers connected through it; the node holding the most sockets is drained with
    SIGTERM under a steady load: it answers /health with 503 for node.drainSeconds (HAProxy's checks take it out),
    then closes its sockets with 1012, removes its socket records and exits. Its customers reconnect through HAProxy
    with their last eventId and land on the other two. The fault lasts until the drained process has exited; nothing
    lost, nothing twice, the survivors healthy."""
    load = balanced_load
    cluster, customers = load.cluster, load.customers
    gone: set[int] = set()
    drained: dict = {}

    def drain():
        index, node, on_it, spread = busiest_node(cluster, customers)
        drained.update(node=node, users=on_it)
        node.process.send_signal(signal.SIGTERM)
        wait_until(lambda: node.process.poll() is not None, "the drained node exited", DRAIN_SECONDS + 60)
        gone.add(index)
        return {"drained": node.node_id, "sockets_per_node": spread, "exit_code": node.process.returncode}

    def recovery(start: float, end: float) -> dict:
        return moved_and_left(cluster, customers, drained["node"], drained["users"], start)

    figures = run_fault(f"node drained behind HAProxy (SIGTERM, node.drainSeconds {DRAIN_SECONDS:g})", load, drain,
                        gone=gone, drops=False, recovery=recovery)
    assert figures["exit_code"] == 0, f"the drained node exited with {figures['exit_code']}:\n{drained['node'].log()}"
    assert figures["moved"] == figures["moved_of"] > 0, \
        f"{figures['moved_of'] - figures['moved']} of the drained node's {figures['moved_of']} customers are not on another node"
    assert figures["closes"].get("closed 1012", 0) >= figures["moved_of"], "the drained node's sockets did not close with 1012"
    assert figures["records_left"] == 0, "the drained node left socket records behind"
    assert figures["lost"] == 0 and figures["duplicated"] == 0


def test_node_killed_behind_haproxy(balanced_load):
    """Three nodes behind HAProxy, customers connected through it; the node holding the most sockets is SIGKILLed under
    a steady load, at a moment its event consumer holds stream entries it has not acknowledged (it is stopped with
    SIGSTOP, for at most 2 s, until Redis has handed it some; then killed). Its customers' sockets drop; they reconnect
    through HAProxy with their last eventId. The survivors' consumers claim its entries once idle for
    events.claimIdleMs, and purge its socket records once its liveness key (realtime.nodeTtlSeconds) has expired.
    Nothing lost, nothing twice, the survivors healthy."""
    load = balanced_load
    cluster, customers = load.cluster, load.customers
    gone: set[int] = set()
    killed: dict = {}

    def kill():
        index, node, on_it, spread = busiest_node(cluster, customers)
        killed.update(node=node, users=on_it)
        probe = cluster.server.client(timeout=5)
        held = 0
        try:
            stopped = time.monotonic()
            os.kill(node.process.pid, signal.SIGSTOP)
            deadline = stopped + 2
            while (held := pending_of(probe, node.node_id)) == 0 and time.monotonic() < deadline:
                time.sleep(0.005)
        finally:
            node.process.kill()
            node.process.wait()
            killed["at"] = time.monotonic()
            gone.add(index)
            probe.close()
        killed["claimed"] = load.watch("claimed", lambda client: pending_of(client, node.node_id) == 0)
        # Its own set goes last in a purge (HubSweeper → RealtimeHub.purge), after its records in the users' sets.
        killed["purged"] = load.watch("purged", lambda client: not client.sismember(NODE_SET, node.node_id)
                                      and not client.exists(node_connections(node.node_id)))
        return {"killed": node.node_id, "sockets_per_node": spread, "unacknowledged_at_kill": held,
                "stopped_before_kill": round(killed["at"] - stopped, 3)}

    def recovery(start: float, end: float) -> dict:
        at = killed["at"]
        claimed = killed["claimed"].wait(CLAIM_IDLE_MS / 1000 * 2 + 30)
        purged = killed["purged"].wait(NODE_TTL_SECONDS + 2 * SWEEP_SECONDS + 30)
        return {**moved_and_left(cluster, customers, killed["node"], killed["users"], start),
                "claimed_after": None if claimed is None else round(claimed - at, 3),
                "purged_after": None if purged is None else round(purged - at, 3)}

    figures = run_fault(f"node killed behind HAProxy (SIGKILL, events.claimIdleMs {CLAIM_IDLE_MS}, "
                        f"realtime.nodeTtlSeconds {NODE_TTL_SECONDS})", load, kill, gone=gone, drops=False, recovery=recovery)
    assert figures["moved"] == figures["moved_of"] > 0, \
        f"{figures['moved_of'] - figures['moved']} of the killed node's {figures['moved_of']} customers are not on another node"
    assert figures["claimed_after"] is not None, "the killed node's unacknowledged entries were never claimed"
    assert figures["purged_after"] is not None and figures["records_left"] == 0, \
        "the killed node's socket records were never purged"
    assert figures["lost"] == 0 and figures["duplicated"] == 0


# --------------------------------------------------------------------------------------------------------------------
# A push the subscription missed, then a catch-up that meets a loading Redis


LOADING_KEYS = 2_000_000  # filler keys: Redis takes a second or so to load them back (more on a busy machine)


def test_catch_up_meets_a_loading_redis(tmp_path):
    """A node's subscription misses a push (the node is paused, its subscription connection killed, the push made by
    realtime_push.lua as any other node would); then Redis restarts on data that takes it a second or so to load, and
    the node resumes while Redis is loading. Its subscription comes back at once; the catch-up must still get the
    customer the push it missed."""
    binary = os.environ.get("SWITCHBOARD_BIN")
    if os.environ.get("SWITCHBOARD_URL") or not binary:
        pytest.skip("needs SWITCHBOARD_BIN (ops/test.sh sets it): it starts its own Redis and node")
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed (ops/test.sh installs it)")
    from test_connect_boto3 import WebSocket  # noqa: PLC0415 - the blocking client, for one socket

    work = pathlib.Path(tempfile.mkdtemp(prefix="sb-faults-"))
    server = RedisProcess(work / "redis", ["--enable-debug-command", "yes"])
    server.directory.mkdir()
    node = Node(binary, server.url, work / "node", node_id="loading-node")
    ws = None
    try:
        server.start()
        client = server.client(timeout=60)
        client.execute_command("DEBUG", "POPULATE", LOADING_KEYS, "filler")
        client.bgrewriteaof()
        wait_until(lambda: not any(client.info("persistence")[k] for k in ("aof_rewrite_in_progress", "aof_rewrite_scheduled")),
                   "the append-only file rewritten", 60)
        node.start()
        user = f"user_{uuid.uuid4()}"
        ws = WebSocket(f"ws://127.0.0.1:{node.proxy.backend}/ws")
        ws.send_json({"action": "register", "userId": user, "userToken": user_token(user)})
        ws.recv_json_until(lambda f: f.get("type") == "registered", what="registered")

        # The node stalls; its subscription connection is gone; a push for its customer is published to nobody.
        os.kill(node.process.pid, signal.SIGSTOP)
        try:
            assert client.client_kill_filter(_type="pubsub") == 1
            contact = str(uuid.uuid4())
            push = {"type": "agent_connected", "contactId": contact, "channel": "CHAT"}
            lua = (pathlib.Path(__file__).resolve().parents[2] / "lua" / "realtime_push.lua").read_text()
            delivered, event_id = client.eval(lua, 2, f"sb:{{u:{user}}}:replay", f"sb:{{u:{user}}}:conns", json.dumps(push),
                                              60000, 1000, 600000, int(time.time() * 1000), "sb:{rt}:node:", "PUBLISH",
                                              *[x for pair in push.items() for x in pair])
            assert delivered == 1, "the push script did not find the node's socket"
            # Redis restarts on its data; the node goes on the moment Redis is there and still loading.
            client.close()
            server.stop()
            server.start(loaded=False)
            loading_from = time.monotonic()
        finally:
            os.kill(node.process.pid, signal.SIGCONT)
        probe = server.client(timeout=5, retries=0)
        wait_until(lambda: _answers(probe), "Redis loaded its data", 60, poll=0.01)
        loading = time.monotonic() - loading_from
        probe.close()
        if not 0.3 <= loading <= 4:
            pytest.skip(f"Redis loaded in {loading:.1f}s: outside 0.3-4 s, the node may not meet it loading, or may "
                        "reconnect its subscription a second time")
        frames = []
        try:
            while not any(f.get("eventId") == event_id for f in frames):
                frames.append(json.loads(ws.recv_text(timeout=5)))
        except TimeoutError:
            pass
        assert any(f.get("eventId") == event_id for f in frames), (
            f"the push {event_id} made while the node's subscription was down never arrived (Redis loaded for "
            f"{loading:.1f}s after the node resumed); frames: {frames}; node log:\n"
            + "\n".join(line for line in node.log().splitlines() if "catch" in line or "subscri" in line))
    finally:
        if ws is not None:
            ws.close()
        if node.process is not None:
            os.kill(node.process.pid, signal.SIGCONT)
        node.close()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


def _answers(client) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
