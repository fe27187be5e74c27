"""Real Switchboard nodes for the Python suites: `Node` (one `switchboard serve` process behind a `Proxy` whose port
never changes), `merge`, `node_redis_url` and `health`. Tests/conftest.py builds its `switchboard` fixture on them; a
suite that needs more nodes (Tests/python/test_aws_mode.py) starts its own.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
import pathlib
import re
import signal
import socket
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request

REPO = pathlib.Path(__file__).resolve().parents[1]


class Proxy:
    """Forwards every TCP connection on 127.0.0.1:<port> to the node's current port; while no node runs, a connection
    is accepted and closed at once (what a browser sees of a server that is down)."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.backend: int | None = None
        self.lock = threading.Lock()
        self.sockets: set[socket.socket] = set()
        self.thread = threading.Thread(target=self._accept, name="proxy-accept", daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            backend = self.backend
            try:
                if backend is None:
                    raise ConnectionRefusedError
                upstream = socket.create_connection(("127.0.0.1", backend), timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for s in (source, target):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
            with self.lock:
                self.sockets.discard(s)

    def close(self):
        self.listener.close()
        with self.lock:
            live = list(self.sockets)
        for s in live:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class Node:
    """One `switchboard serve` process behind a Proxy."""

    controllable = True

    def __init__(self, binary: str, redis_url: str, work: pathlib.Path, overrides: dict | None = None, env: dict | None = None,
                 node_id: str = "test-node", proxy: Proxy | None = None, tls_context: ssl.SSLContext | None = None):
        """`tls_context`: the node serves HTTPS (overrides give `node.tls`); health checks trust what the context trusts."""
        self.binary = binary
        self.work = work
        self.node_id = node_id
        self.env = {**os.environ, **(env or {})}
        self.proxy = proxy or Proxy()  # made first by a caller that must know the URL before the config
        self.tls_context = tls_context
        self.base_url = f"{'https' if tls_context else 'http'}://127.0.0.1:{self.proxy.port}"
        config = json.loads((REPO / "config.json").read_text())
        config["node"].update(port=0, publicUrl=self.base_url)
        config["redis"]["url"] = redis_url
        config["security"]["allowedOrigins"] = [self.base_url, f"http://localhost:{self.proxy.port}"]
        config["security"]["rateLimits"].update(startContactPerMinutePerIp=0, loginPerMinutePerIp=0, loginPerMinutePerUsername=0,
                                                wsRegisterPerMinutePerIp=0, participantApiPerSecondPerToken=0)
        config["paths"] = {"web": str(REPO / "web"), "lua": str(REPO / "lua")}
        merge(config, overrides or {})
        work.mkdir(parents=True, exist_ok=True)
        self.config_path = work / "config.json"
        self.config_path.write_text(json.dumps(config, indent=2))
        self.address_path = work / "node.address"
        self.log_path = work / "node.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60):
        """Start the node and return once /health answers 200 through the proxy."""
        assert self.process is None, "the node is already running"
        self.address_path.unlink(missing_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [self.binary, "serve", "--config", str(self.config_path), "--node-id", self.node_id,
                 "--address-file", str(self.address_path)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the node exited at start ({self.process.returncode}):\n{self.log()}")
            if self.proxy.backend is None and self.address_path.exists():
                self.proxy.backend = int(self.address_path.read_text().strip().rsplit(":", 1)[1])
            if self.proxy.backend is not None and health(self.base_url, self.tls_context) == 200:
                return
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"the node did not become healthy in {timeout}s:\n{self.log()}")

    def stop(self, timeout: float = 30):
        """SIGTERM (the node drains: sockets closed with 1012) and wait for the exit."""
        if self.process is None:
            return
        terminate(self.process, timeout)
        self.process = None
        self.proxy.backend = None

    def restart(self):
        self.stop()
        self.start()

    def close(self):
        self.stop()
        self.proxy.close()

    def log(self) -> str:
        return log_tail(self.log_path, 4000)


class ExternalServer:
    """A server somebody else runs ($SWITCHBOARD_URL): it cannot be stopped from here."""

    controllable = False

    def __init__(self, url: str):
        self.base_url = url.rstrip("/")


def merge(base: dict, overrides: dict) -> dict:
    """`overrides` merged into `base` in place: nested objects key by key, everything else replaced."""
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = value
    return base


def terminate(process: subprocess.Popen, timeout: float, then=None):
    """SIGTERM, `then()` if given, and wait for the exit; SIGKILL past `timeout`."""
    process.send_signal(signal.SIGTERM)
    if then:
        then()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def log_tail(path: pathlib.Path, chars: int) -> str:
    """The last `chars` characters of a log file, or "" when there is none."""
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


def node_redis_url(redis_url: str, db: int) -> str:
    """The test Redis URL with database `db`."""
    return re.sub(r"(\?db=\d+|/\d*)$", "", redis_url) + (f"?db={db}" if redis_url.startswith("unix:") else f"/{db}")


def health(base_url: str, tls_context: ssl.SSLContext | None = None):
    """HTTP status of GET /health, or None when nothing answers."""
    try:
        with urllib.request.urlopen(base_url + "/health", timeout=2, context=tls_context) as res:
            return res.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, OSError):
        return None


def user_token(user_id: str, secret: str = "local-demo-user-token-secret") -> str:
    """The `userToken` the start calls give `user_id` (HMAC-SHA256, base64url without padding; SPEC v2 §3)."""
    mac = hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def wait_until(condition, what: str, timeout: float = 20, poll: float = 0.05):
    """Polls `condition` until it returns something truthy, which is returned; fails naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"not within {timeout:.0f}s: {what}"
        time.sleep(poll)


def flushed_database(db: int):
    """(binary, Redis URL of database `db`, a redis-py client on it) for a suite that starts its own nodes on the test
    Redis, the database emptied first; skips the test when ops/test.sh's environment is not there."""
    import pytest
    redis = pytest.importorskip("redis")
    binary, redis_url = os.environ.get("SWITCHBOARD_BIN"), os.environ.get("SWITCHBOARD_TEST_REDIS_URL")
    if not (binary and redis_url):
        pytest.skip("needs SWITCHBOARD_BIN (a debug build) and SWITCHBOARD_TEST_REDIS_URL (ops/test.sh sets both)")
    url = node_redis_url(redis_url, db)
    client = redis.Redis.from_url(url, decode_responses=True)
    client.flushdb()
    return binary, url, client


def key_slot(key: str) -> int:
    """Redis Cluster slot of a key: CRC16 (XMODEM) of its hash tag, or of the whole key without one."""
    k = key.encode()
    start = k.find(b"{")
    if start != -1:
        end = k.find(b"}", start + 1)
        if end != -1 and end != start + 1:
            k = k[start + 1:end]
    crc = 0
    for byte in k:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc % 16384


CONTACT_BUCKETS = 32


@functools.cache  # the fault suite's producer names a contact's key per event
def contact_bucket_prefix(bucket: int, prefix: str = "sb") -> str:
    """`<prefix>:{c<bucket>-<n>}`: the first `c<bucket>-<n>` (n in base 36) hashing into the bucket's 1/32 of the slot
    space (RedisKeys+ContactBuckets.swift)."""
    low, high = bucket * 16384 // CONTACT_BUCKETS, (bucket + 1) * 16384 // CONTACT_BUCKETS
    n = 0
    while True:
        tag = f"c{bucket}-{_base36(n)}"
        if low <= key_slot(tag) < high:
            return f"{prefix}:{{{tag}}}"
        n += 1


def contact_prefix(contact_id: str, prefix: str = "sb") -> str:
    """The prefix of one contact's keys: its bucket's, `<prefix>:{c<k>-<n>}` (e.g. + `:contact:<id>`)."""
    return contact_bucket_prefix(key_slot(contact_id) * CONTACT_BUCKETS // 16384, prefix)


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        n, digit = divmod(n, 36)
        text = digits[digit] + text
        if n == 0:
            return text
