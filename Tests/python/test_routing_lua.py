"""Routing Lua scripts (lua/routing_*.lua, SPEC §7, docs/routing.md) against a real Redis.

Run:
    pip install redis pytest
    SWITCHBOARD_TEST_REDIS_URL=redis://127.0.0.1:6391/0 python3 -m pytest -q Tests/python/test_routing_lua.py

Without SWITCHBOARD_TEST_REDIS_URL the Redis-backed tests are skipped (the static checks on the script
files still run). Every test works under its own random key prefix ("sbtest-<hex>:{routing}") and deletes
its keys afterwards, so a shared Redis is fine; nothing is flushed.

The routing core lives once in lua/include/routing_core.lua; each script has a line
`--#include include/routing_core.lua` that is expanded before SCRIPT LOAD, here as in the server (ScriptCatalog).
"""

from __future__ import annotations

import os
import pathlib
import random
import re
import threading
import sys
import uuid
from dataclasses import dataclass, field

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # run as a script (sync-core) too
from switchboard_node import key_slot  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[2]
LUA_DIR = REPO / "lua"
OPS = ["agent_upsert", "agent_state", "enqueue", "accept", "reject", "end", "tick"]
INCLUDE = "--#include "
REDIS_URL = os.environ.get("SWITCHBOARD_TEST_REDIS_URL", "")

try:
    import redis  # type: ignore
except ImportError:  # pragma: no cover - depends on the environment
    redis = None

needs_redis = pytest.mark.skipif(
    not REDIS_URL or redis is None,
    reason="routing Lua tests need a real Redis: set SWITCHBOARD_TEST_REDIS_URL (e.g. redis://127.0.0.1:6391/0) "
    "and `pip install redis`",
)


def expand_includes(text: str) -> str:
    """Splices `--#include <file>` lines, as the server's ScriptCatalog does."""
    return "\n".join((LUA_DIR / line[len(INCLUDE):].strip()).read_text() if line.startswith(INCLUDE) else line
                     for line in text.split("\n"))


def script_text(op: str) -> str:
    return expand_includes((LUA_DIR / f"routing_{op}.lua").read_text())


# --------------------------------------------------------------------------------------------------
# Harness
# --------------------------------------------------------------------------------------------------


@dataclass
class Result:
    offers: list = field(default_factory=list)  # [(contactId, agentId)]
    withdrawn: list = field(default_factory=list)  # [(contactId, agentId, reason)]
    connected: list = field(default_factory=list)  # [(contactId, agentId)]
    more: int | None = None


def _pairs(flat):
    assert len(flat) % 2 == 0, flat
    return [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]


def _triples(flat):
    assert len(flat) % 3 == 0, flat
    return [(flat[i], flat[i + 1], flat[i + 2]) for i in range(0, len(flat), 3)]


class Routing:
    """Loads the scripts with SCRIPT LOAD and calls them with EVALSHA under one key prefix."""

    _shas: dict = {}

    def __init__(self, client):
        self.r = client
        self.prefix = f"sbtest-{uuid.uuid4().hex[:10]}:{{routing}}"
        for op in OPS:
            if op not in Routing._shas:
                Routing._shas[op] = client.script_load(script_text(op))

    def k(self, *parts) -> str:
        return ":".join([self.prefix, *parts])

    def raw(self, op, *args, prefix=None):
        sha = Routing._shas[op]
        keys = [prefix if prefix is not None else self.prefix]
        argv = [str(a) for a in args]
        try:
            return self.r.evalsha(sha, 1, *keys, *argv)
        except redis.exceptions.NoScriptError:
            Routing._shas[op] = self.r.script_load(script_text(op))
            return self.r.evalsha(Routing._shas[op], 1, *keys, *argv)

    def call(self, op, *args) -> Result:
        out = self.raw(op, *args)
        assert isinstance(out, list) and len(out) == (4 if op == "tick" else 3), out
        res = Result(_pairs(out[0]), _triples(out[1]), _pairs(out[2]))
        if op == "tick":
            res.more = out[3]
        return res

    # Script wrappers (argument order = the scripts' ARGV order).
    def upsert(self, agent, chat=3, voice=1, now=0):
        return self.call("agent_upsert", agent, chat, voice, now)

    def state(self, agent, state, now):
        return self.call("agent_state", agent, state, now)

    def enqueue(self, contact, channel="chat", queue="default", related="", now=0, timeout=20_000, window=30_000,
                cooldown=60_000):
        return self.call("enqueue", contact, channel, queue, related, now, timeout, window, cooldown)

    def accept(self, contact, agent, now):
        return self.call("accept", contact, agent, now)

    def reject(self, contact, agent, now):
        return self.call("reject", contact, agent, now)

    def end(self, contact, now, ttl=None):
        return self.call("end", contact, now, *([] if ttl is None else [ttl]))

    def tick(self, now, limit=100):
        return self.call("tick", now, limit)

    # Readers.
    def contact(self, c) -> dict:
        return self.r.hgetall(self.k("contact", c))

    def agent(self, a) -> dict:
        return self.r.hgetall(self.k("agent", a))

    def keys(self) -> list:
        return list(self.r.scan_iter(match=self.prefix + ":*", count=1000))

    def snapshot(self) -> dict:
        """Every key of this prefix with its type and contents (to prove a failed call wrote nothing)."""
        out = {}
        for key in self.keys():
            kind = self.r.type(key)
            if kind == "hash":
                out[key] = (kind, self.r.hgetall(key))
            elif kind == "set":
                out[key] = (kind, sorted(self.r.smembers(key)))
            elif kind == "zset":
                out[key] = (kind, self.r.zrange(key, 0, -1, withscores=True))
            else:
                out[key] = (kind, self.r.get(key))
        return out

    def cleanup(self):
        ks = self.keys()
        for i in range(0, len(ks), 500):
            self.r.delete(*ks[i:i + 500])


@pytest.fixture(scope="module")
def client():
    if not REDIS_URL or redis is None:
        pytest.skip("SWITCHBOARD_TEST_REDIS_URL unset or the redis package is missing")
    c = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        c.ping()
    except redis.exceptions.ConnectionError as e:  # set but unreachable: a real failure, not a skip
        pytest.fail(f"SWITCHBOARD_TEST_REDIS_URL={REDIS_URL} is unreachable: {e}")
    yield c
    c.close()


@pytest.fixture()
def rt(client):
    routing = Routing(client)
    yield routing
    routing.cleanup()


def available(rt, agents, start=1_000, step=100, chat=3, voice=1):
    """Upsert agents and make them Available in the given order (first = longest idle)."""
    for i, a in enumerate(agents):
        rt.upsert(a, chat, voice, now=0)
        rt.state(a, "Available", start + i * step)


def connect_to(rt, contact, agent, channel="chat", now=0, **kw):
    """Enqueue a contact that must be offered to `agent`, and accept it."""
    res = rt.enqueue(contact, channel, now=now, **kw)
    assert res.offers == [(contact, agent)], res
    rt.accept(contact, agent, now + 1)


# --------------------------------------------------------------------------------------------------
# Invariant checker: reads only what Redis holds.
# --------------------------------------------------------------------------------------------------

CHANNELS = ("chat", "voice")


class Checker:
    def __init__(self, rt, agents, queues):
        self.rt = rt
        self.agents = list(agents)
        self.queues = list(queues)
        self.contacts: list = []
        self.ended_checked: set = set()
        self.prev_sets: dict = {}

    def add_contact(self, c):
        self.contacts.append(c)

    def check(self, ctx="", tick_now=None, check_keys=False):
        rt, r = self.rt, self.rt.r
        live = [c for c in self.contacts if c not in self.ended_checked]
        p = r.pipeline(transaction=False)
        for a in self.agents:
            p.hgetall(rt.k("agent", a))
            p.smembers(rt.k("agent", a, "chat"))
            p.smembers(rt.k("agent", a, "voice"))
            p.zrange(rt.k("agent", a, "waiting"), 0, -1, withscores=True)
        for ch in CHANNELS:
            p.zrange(rt.k("agents", "free", ch), 0, -1, withscores=True)
        p.zrange(rt.k("agents", "available"), 0, -1, withscores=True)
        p.zrange(rt.k("offers"), 0, -1, withscores=True)
        p.zrange(rt.k("preferred"), 0, -1, withscores=True)
        p.smembers(rt.k("queues"))
        p.smembers(rt.k("agents"))
        for q in self.queues:
            for ch in CHANNELS:
                p.zrange(rt.k("queue", q, ch), 0, -1, withscores=True)
        for c in live:
            p.hgetall(rt.k("contact", c))
            p.zrange(rt.k("contact", c, "rejected"), 0, -1, withscores=True)
        out = iter(p.execute())

        agents, held, waiting = {}, {}, {}
        where: dict = {}  # contact -> list of (structure, score)

        def put(c, s, score=None):
            where.setdefault(c, []).append((s, score))

        for a in self.agents:
            agents[a] = next(out)
            for ch in CHANNELS:
                held[(a, ch)] = next(out)
                for c in held[(a, ch)]:
                    put(c, f"agent:{a}:{ch}")
            waiting[a] = next(out)
            for c, s in waiting[a]:
                put(c, f"agent:{a}:waiting", s)
        free = {ch: dict(next(out)) for ch in CHANNELS}
        avail = dict(next(out))
        for c, s in next(out):
            put(c, "offers", s)
        for c, s in next(out):
            put(c, "preferred", s)
        queue_set = next(out)
        agent_set = next(out)
        nonempty_queues = set()
        queued_in = {}
        for q in self.queues:
            for ch in CHANNELS:
                entries = next(out)
                if entries:
                    nonempty_queues.add(q)
                for c, s in entries:
                    put(c, f"queue:{q}:{ch}", s)
                    queued_in[c] = (q, ch)
        contacts, rejected = {}, {}
        for c in live:
            contacts[c] = next(out)
            rejected[c] = dict(next(out))

        msg = f"[{ctx}]"
        assert queue_set == nonempty_queues, (msg, "queues set", queue_set, nonempty_queues)
        assert agent_set == {a for a in self.agents if agents[a]}, (msg, "agents set")
        unknown = set(where) - set(live)
        assert not unknown, (msg, "unknown or ended contacts in structures", unknown)

        # Contacts: exactly one state, present in exactly the right structures.
        for c in live:
            h = contacts[c]
            st = h.get("state")
            ch = h.get("channel")
            got = sorted(where.get(c, []), key=lambda x: x[0])
            names = sorted(s for s, _ in got)
            assert st in ("queued", "offered", "connected", "ended"), (msg, c, h)
            if st == "queued" and "preferredUntil" in h:
                pa = h["preferredAgent"]
                assert names == sorted([f"agent:{pa}:waiting", "preferred"]), (msg, c, h, got)
                scores = dict(got)
                assert scores["preferred"] == float(h["preferredUntil"]), (msg, c)
                assert scores[f"agent:{pa}:waiting"] == float(h["seq"]), (msg, c)
                # Waiting for an agent only while it is Available and full on that channel.
                assert agents[pa].get("state") == "Available", (msg, c, "waits for non-Available", pa)
                assert len(held[(pa, ch)]) >= int(agents[pa][f"{ch}Capacity"]), (msg, c, "waits but agent has room")
                if tick_now is not None:
                    assert float(h["preferredUntil"]) > tick_now, (msg, c, "window passed but still waiting")
            elif st == "queued":
                assert names == [f"queue:{h['queue']}:{ch}"], (msg, c, h, got)
                assert got[0][1] == float(h["seq"]), (msg, c)
                # Work conservation: every free agent on this channel is skipped for this contact.
                for a in free[ch]:
                    assert a in rejected[c], (msg, c, "queued while free agent", a, "never rejected it")
                    if tick_now is not None:
                        assert tick_now < rejected[c][a] + float(h["rejectCooldownMs"]), (
                            msg, c, "queued after tick while", a, "is free and its cooldown lapsed")
            elif st == "offered":
                a = h["offeredTo"]
                assert names == sorted(["offers", f"agent:{a}:{ch}"]), (msg, c, h, got)
                assert dict(got)["offers"] == float(h["offerDeadline"]), (msg, c)
            elif st == "connected":
                a = h["agent"]
                assert names == [f"agent:{a}:{ch}"], (msg, c, h, got)
                assert "offeredTo" not in h and "preferredUntil" not in h, (msg, c, h)
            else:  # ended: in no structure, expiring
                assert names == [], (msg, c, h, got)
                assert "preferredUntil" not in h and "offeredTo" not in h, (msg, c, h)
                ttl = self.rt.r.ttl(rt.k("contact", c))
                assert 0 < ttl <= 86_400, (msg, c, "ended contact must expire", ttl)
                self.ended_checked.add(c)

        # Agents: capacity, routing-set membership.
        for a in self.agents:
            h = agents[a]
            if not h:
                continue
            is_avail = h["state"] == "Available"
            idle = float(h["idleSince"])
            assert (a in avail) == is_avail, (msg, a, "available set")
            if is_avail:
                assert avail[a] == idle, (msg, a)
            for ch in CHANNELS:
                cap = int(h[f"{ch}Capacity"])
                now_set = held[(a, ch)]
                if len(now_set) > cap:  # only after a capacity decrease, and then nothing new
                    assert now_set <= self.prev_sets.get((a, ch), set()), (msg, a, ch, "over capacity got new work")
                has_room = len(now_set) < cap
                assert (a in free[ch]) == (is_avail and has_room), (msg, a, ch, "free set", h, now_set)
                if a in free[ch]:
                    assert free[ch][a] == idle, (msg, a, ch)
                for c in now_set:
                    hc = contacts.get(c) or rt.contact(c)
                    assert hc["channel"] == ch, (msg, c)
                    assert (hc["state"] == "offered" and hc["offeredTo"] == a) or (
                        hc["state"] == "connected" and hc["agent"] == a), (msg, a, c, hc)
                # Drain: an Available agent with room on ch has no contact waiting specifically for it on ch.
                if is_avail and has_room:
                    for c, _ in waiting[a]:
                        assert (contacts.get(c) or {}).get("channel") != ch, (msg, a, "room but", c, "waits")
        self.prev_sets = {key: set(v) for key, v in held.items()}

        if check_keys:
            self.check_keys(ctx)

    def check_keys(self, ctx=""):
        """Every key is one of the documented shapes and in the hash tag's slot."""
        rt = self.rt
        pats = [
            r"agents", r"agents:available", r"agents:free:(chat|voice)", r"queues", r"offers", r"preferred",
            r"seq", r"agent:[^:]+", r"agent:[^:]+:(chat|voice|waiting)", r"contact:[^:]+",
            r"contact:[^:]+:rejected", r"queue:[^:]+:(chat|voice)",
        ]
        rx = re.compile("^" + re.escape(rt.prefix) + ":(" + "|".join(pats) + ")$")
        slot = key_slot(rt.prefix)
        for key in rt.keys():
            assert rx.match(key), (ctx, "unexpected key", key)
            assert key_slot(key) == slot, (ctx, "key outside the hash-tag slot", key)


# --------------------------------------------------------------------------------------------------
# Static checks on the script files (no Redis needed)
# --------------------------------------------------------------------------------------------------


def test_scripts_exist_and_include_the_core_once():
    files = sorted(LUA_DIR.glob("routing_*.lua"))
    assert sorted(f.name for f in files) == sorted(f"routing_{op}.lua" for op in OPS)
    for f in files:
        lines = f.read_text().split("\n")
        assert lines.count("--#include include/routing_core.lua") == 1, f"{f.name} must include the routing core exactly once"


@pytest.mark.parametrize("op", OPS)
def test_script_header_names_every_key_and_argv(op):
    text = script_text(op)
    assert text.startswith(f"-- routing_{op}.lua"), "script must open with its header comment"
    header = []
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        header.append(line)
    header = "\n".join(header)
    body = text[len(header):]
    for n in set(re.findall(r"ARGV\[(\d+)\]", body)):
        assert re.search(rf"-- ARGV\[{n}\]", header), f"header of {op} does not describe ARGV[{n}]"
    for n in set(re.findall(r"KEYS\[(\d+)\]", body)):
        assert re.search(rf"-- KEYS\[{n}\]", header), f"header of {op} does not describe KEYS[{n}]"
    assert set(re.findall(r"KEYS\[(\d+)\]", body)) == {"1"}, "only KEYS[1] (the hash-tagged prefix) is declared"
    assert "Returns" in header


def test_key_slot_helper():
    # Known values from the Redis Cluster specification.
    assert key_slot("123456789") == 12739
    assert key_slot("foo{bar}baz") == key_slot("bar")
    assert key_slot("sb:{routing}:agent:x") == key_slot("sb:{routing}")


# --------------------------------------------------------------------------------------------------
# Standard routing
# --------------------------------------------------------------------------------------------------


@needs_redis
def test_longest_idle_agent_gets_the_offer(rt):
    rt.upsert("a1", now=0)
    rt.upsert("a2", now=0)
    rt.upsert("a3", now=0)
    rt.state("a2", "Available", 1_000)  # longest idle
    rt.state("a3", "Available", 2_000)
    rt.state("a1", "Available", 3_000)
    res = rt.enqueue("c1", "chat", now=5_000)
    assert res.offers == [("c1", "a2")] and res.withdrawn == [] and res.connected == []
    c = rt.contact("c1")
    assert c["state"] == "offered" and c["offeredTo"] == "a2" and c["offerDeadline"] == "25000"
    # An offer is activity: a2's idle-since is now 5000, so a3 is the longest idle now.
    assert rt.agent("a2")["idleSince"] == "5000"
    assert rt.enqueue("c2", "chat", now=6_000).offers == [("c2", "a3")]
    assert rt.enqueue("c3", "chat", now=7_000).offers == [("c3", "a1")]
    # Finishing a contact also resets idle-since: a2 accepted c1 and ends it at 9000.
    rt.accept("c1", "a2", 8_000)
    rt.end("c1", 9_000)
    assert rt.agent("a2")["idleSince"] == "9000"
    assert rt.enqueue("c4", "chat", now=10_000).offers == [("c4", "a3")]


@needs_redis
def test_offline_agents_are_not_offered(rt):
    rt.upsert("a1", now=0)
    rt.upsert("a2", now=0)
    rt.state("a2", "Available", 1_000)
    rt.state("a2", "Offline", 1_500)
    res = rt.enqueue("c1", "chat", now=2_000)
    assert res.offers == []
    assert rt.contact("c1")["state"] == "queued"
    assert rt.r.zrange(rt.k("queue", "default", "chat"), 0, -1) == ["c1"]
    # Going Available offers it the waiting contact.
    assert rt.state("a1", "Available", 3_000).offers == [("c1", "a1")]


@needs_redis
def test_capacity_per_channel_chat_and_voice_together(rt):
    available(rt, ["a1"], chat=3, voice=1)
    for i in range(3):
        assert rt.enqueue(f"c{i}", "chat", now=2_000 + i).offers == [(f"c{i}", "a1")]
    assert rt.enqueue("c3", "chat", now=2_010).offers == []  # chat full (pending offers reserve capacity)
    assert rt.contact("c3")["state"] == "queued"
    # Chat and voice together: the voice slot is independent.
    assert rt.enqueue("v0", "voice", now=2_020).offers == [("v0", "a1")]
    assert rt.enqueue("v1", "voice", now=2_030).offers == []
    assert rt.contact("v1")["state"] == "queued"
    for c in ["c0", "c1", "c2", "v0"]:
        rt.accept(c, "a1", 3_000)
    assert rt.r.scard(rt.k("agent", "a1", "chat")) == 3
    assert rt.r.scard(rt.k("agent", "a1", "voice")) == 1
    assert rt.r.zscore(rt.k("agents", "free", "chat"), "a1") is None
    # Capacity freed (end) -> the oldest waiting contact of that channel is offered.
    assert rt.end("c1", 4_000).offers == [("c3", "a1")]
    assert rt.end("v0", 4_100).offers == [("v1", "a1")]


@needs_redis
def test_pending_offer_reserves_capacity(rt):
    available(rt, ["a1"], chat=1, voice=0)
    assert rt.enqueue("c1", "chat", now=2_000).offers == [("c1", "a1")]
    assert rt.enqueue("c2", "chat", now=2_001).offers == []
    assert rt.enqueue("v1", "voice", now=2_002).offers == []  # voice capacity 0: never offered voice
    # Reject frees the reservation: the next chat is offered, the rejected one waits (skipped for a1).
    res = rt.reject("c1", "a1", 2_500)
    assert res.withdrawn == [("c1", "a1", "rejected")]
    assert res.offers == [("c2", "a1")]
    assert rt.contact("c1")["state"] == "queued"


@needs_redis
def test_queue_is_fifo_across_queues_and_offered_when_capacity_frees(rt):
    rt.upsert("a1", chat=2, voice=1, now=0)
    order = [("c1", "default"), ("c2", "vip"), ("c3", "default"), ("c4", "vip"), ("c5", "default")]
    for i, (c, q) in enumerate(order):
        assert rt.enqueue(c, "chat", queue=q, now=1_000 + i).offers == []
    assert rt.r.zrange(rt.k("queue", "default", "chat"), 0, -1) == ["c1", "c3", "c5"]
    assert rt.r.zrange(rt.k("queue", "vip", "chat"), 0, -1) == ["c2", "c4"]
    assert rt.r.smembers(rt.k("queues")) == {"default", "vip"}
    res = rt.state("a1", "Available", 2_000)
    assert res.offers == [("c1", "a1"), ("c2", "a1")]
    rt.accept("c1", "a1", 2_100)
    assert rt.reject("c2", "a1", 2_200).offers == [("c3", "a1")]  # c2 now skipped for a1
    # Capacity increase (config upsert) offers the next one.
    assert rt.upsert("a1", chat=3, voice=1, now=2_300).offers == [("c4", "a1")]
    assert rt.end("c1", 2_400).offers == [("c5", "a1")]
    assert rt.r.zrange(rt.k("queue", "default", "chat"), 0, -1) == []
    assert rt.r.zrange(rt.k("queue", "vip", "chat"), 0, -1) == ["c2"]
    # A second agent takes the contact a1 rejected; a1 is still skipped for it.
    rt.upsert("a2", now=0)
    assert rt.state("a2", "Available", 2_500).offers == [("c2", "a2")]


@needs_redis
def test_upsert_keeps_live_state(rt):
    available(rt, ["a1"], chat=3, voice=1)
    connect_to(rt, "c1", "a1", now=2_000)
    res = rt.upsert("a1", chat=1, voice=1, now=3_000)
    assert res.offers == [] and res.withdrawn == []
    a = rt.agent("a1")
    assert a["state"] == "Available" and a["chatCapacity"] == "1" and a["idleSince"] == "2000"
    assert rt.r.smembers(rt.k("agent", "a1", "chat")) == {"c1"}
    assert rt.enqueue("c2", "chat", now=3_100).offers == []  # at the lowered capacity


@needs_redis
def test_end_queued_and_offered_contacts(rt):
    available(rt, ["a1"], chat=1, voice=1)
    assert rt.enqueue("c1", "chat", now=2_000).offers == [("c1", "a1")]
    rt.enqueue("c2", "chat", now=2_001)
    rt.enqueue("c3", "chat", now=2_002)
    assert rt.end("c2", 2_100).offers == []  # queued contact abandoned: just leaves the queue
    assert rt.r.zrange(rt.k("queue", "default", "chat"), 0, -1) == ["c3"]
    res = rt.end("c1", 2_200)  # ended while offered
    assert res.withdrawn == [("c1", "a1", "ended")] and res.offers == [("c3", "a1")]
    assert rt.end("c1", 2_300).offers == []  # idempotent
    ttl = rt.r.ttl(rt.k("contact", "c1"))
    assert 86_000 < ttl <= 86_400
    rt.end("c3", 2_400, ttl=60)
    assert 0 < rt.r.ttl(rt.k("contact", "c3")) <= 60
    assert rt.r.zcard(rt.k("offers")) == 0
    assert rt.r.exists(rt.k("queue", "default", "chat")) == 0
    assert rt.r.smembers(rt.k("queues")) == set()


# --------------------------------------------------------------------------------------------------
# Timeouts, rejects and the skip list
# --------------------------------------------------------------------------------------------------


@needs_redis
def test_offer_timeout_reroutes_and_skips_agent_until_cooldown(rt):
    available(rt, ["a1"], chat=1, voice=1)
    assert rt.enqueue("c1", "chat", now=2_000, timeout=10_000, cooldown=30_000).offers == [("c1", "a1")]
    assert rt.tick(11_999).withdrawn == []  # deadline 12000 not reached
    res = rt.tick(12_000)
    assert res.withdrawn == [("c1", "a1", "timeout")]
    assert res.offers == [] and res.more == 0  # a1 is the only agent and is skipped for c1
    c = rt.contact("c1")
    assert c["state"] == "queued" and "offeredTo" not in c
    assert rt.r.zscore(rt.k("contact", "c1", "rejected"), "a1") == 12_000
    # Another contact may go to a1 meanwhile.
    assert rt.enqueue("c2", "chat", now=13_000).offers == [("c2", "a1")]
    rt.accept("c2", "a1", 13_100)
    assert rt.end("c2", 14_000).offers == []  # c1 still skipped for a1
    assert rt.tick(41_999).offers == []
    # Cooldown lapsed (12000 + 30000): the sweep offers c1 to a1 again.
    assert rt.tick(42_000).offers == [("c1", "a1")]


@needs_redis
def test_tick_reoffers_after_cooldown_to_longest_idle_agent_of_that_channel(rt):
    rt.upsert("a2", chat=0, voice=1, now=0)  # voice only: never in the chat-free set
    rt.upsert("a3", chat=3, voice=1, now=0)
    rt.state("a2", "Available", 1_000)
    rt.state("a3", "Available", 2_000)
    assert rt.enqueue("v", "voice", now=5_000, cooldown=10_000).offers == [("v", "a2")]
    assert rt.reject("v", "a2", 5_100).offers == [("v", "a3")]
    assert rt.reject("v", "a3", 5_200).offers == []
    assert rt.tick(15_099).offers == []  # both still skipped (a2 until 15100, a3 until 15200)
    # Both cooldowns over: the longest idle agent with voice room (a2, idle since its offer at 5000) gets
    # it, even though a2 is not in the chat-free set and a3 is.
    assert rt.tick(15_200).offers == [("v", "a2")]


@needs_redis
def test_reject_moves_offer_to_next_longest_idle_agent(rt):
    available(rt, ["a1", "a2", "a3"])
    assert rt.enqueue("c1", "chat", now=5_000).offers == [("c1", "a1")]
    res = rt.reject("c1", "a1", 5_100)
    assert res.withdrawn == [("c1", "a1", "rejected")] and res.offers == [("c1", "a2")]
    res = rt.reject("c1", "a2", 5_200)
    assert res.offers == [("c1", "a3")]
    res = rt.reject("c1", "a3", 5_300)
    assert res.offers == []  # everyone rejected it: waits in the queue
    assert rt.contact("c1")["state"] == "queued"
    assert set(rt.r.zrange(rt.k("contact", "c1", "rejected"), 0, -1)) == {"a1", "a2", "a3"}
    # A fresh agent takes it at once.
    rt.upsert("a4", now=0)
    assert rt.state("a4", "Available", 6_000).offers == [("c1", "a4")]


@needs_redis
def test_accept_and_reject_errors(rt):
    available(rt, ["a1", "a2"])
    rt.enqueue("c1", "chat", now=5_000)  # -> a1
    for op, args, code in [
        ("accept", ("c1", "a2", 5_100), "NOTOFFERED"),
        ("reject", ("c1", "a2", 5_100), "NOTOFFERED"),
        ("accept", ("nope", "a1", 5_100), "NOCONTACT"),
        ("end", ("nope", 5_100), "NOCONTACT"),
        ("agent_state", ("ghost", "Available", 5_100), "NOAGENT"),
        ("agent_state", ("a1", "Busy", 5_100), "BADARG"),
        ("enqueue", ("c1", "chat", "default", "", 5_100, 1, 1, 1), "EXISTS"),
        ("enqueue", ("c9", "sms", "default", "", 5_100, 1, 1, 1), "BADARG"),
        ("enqueue", ("c:9", "chat", "default", "", 5_100, 1, 1, 1), "BADARG"),
        ("enqueue", ("c9", "chat", "default", "c9", 5_100, 1, 1, 1), "BADARG"),
        ("enqueue", ("c9", "chat", "default", "", "soon", 1, 1, 1), "BADARG"),
        ("agent_upsert", ("a3", -1, 1, 5_100), "BADARG"),
        ("tick", (5_100, 0), "BADARG"),
    ]:
        before = rt.snapshot()
        with pytest.raises(redis.exceptions.ResponseError) as e:
            rt.raw(op, *args)
        assert str(e.value).startswith(code), (op, args, str(e.value))
        assert rt.snapshot() == before, f"{op} {args} wrote before failing"
    with pytest.raises(redis.exceptions.ResponseError) as e:
        rt.raw("tick", 5_100, prefix="sb:routing")
    assert str(e.value).startswith("BADPREFIX")
    with pytest.raises(redis.exceptions.ResponseError) as e:
        rt.r.evalsha(Routing._shas["tick"], 0, 5_100)  # no KEYS at all
    assert str(e.value).startswith("BADPREFIX")
    rt.accept("c1", "a1", 5_200)
    rt.accept("c1", "a1", 5_300)  # retried accept: no-op
    with pytest.raises(redis.exceptions.ResponseError) as e:
        rt.reject("c1", "a1", 5_400)  # connected: no longer an offer
    assert str(e.value).startswith("NOTOFFERED")


@needs_redis
def test_agent_going_offline_withdraws_offers_and_keeps_connected_contacts(rt):
    available(rt, ["a1", "a2"], chat=3, voice=1)
    connect_to(rt, "c1", "a1", now=5_000)  # a1 -> idle 5000, a2 longest idle
    assert rt.enqueue("c2", "chat", now=5_100).offers == [("c2", "a2")]
    assert rt.enqueue("c3", "chat", now=5_200).offers == [("c3", "a1")]
    res = rt.state("a1", "Offline", 6_000)
    assert res.withdrawn == [("c3", "a1", "offline")]
    assert res.offers == [("c3", "a2")]
    assert rt.contact("c1")["state"] == "connected"
    assert rt.r.smembers(rt.k("agent", "a1", "chat")) == {"c1"}
    assert rt.r.zscore(rt.k("agents", "available"), "a1") is None
    assert rt.end("c1", 7_000).offers == []  # Offline agents get nothing new


# --------------------------------------------------------------------------------------------------
# Agent continuity
# --------------------------------------------------------------------------------------------------


def _chat_with(rt, agent_order, chat_agent, now=5_000):
    """Agents Available in order; the chat c-chat is connected to chat_agent (made the longest idle)."""
    available(rt, agent_order)
    connect_to(rt, "c-chat", chat_agent, now=now)


@needs_redis
def test_escalated_voice_goes_to_the_chat_agent_while_others_are_idle(rt):
    _chat_with(rt, ["a1", "a2", "a3"], "a1")  # a1 now the most recently active
    res = rt.enqueue("v1", "voice", related="c-chat", now=6_000, window=30_000)
    assert res.offers == [("v1", "a1")]
    c = rt.contact("v1")
    assert c["preferredAgent"] == "a1" and c["related"] == "c-chat" and "preferredUntil" not in c
    # Standard routing would have picked a2.
    assert rt.enqueue("v2", "voice", now=6_001).offers == [("v2", "a2")]


@needs_redis
@pytest.mark.parametrize("why", ["rejected", "timeout", "offline"])
def test_continuity_falls_back(rt, why):
    """The escalated contact offered to the chat's agent goes to the next agent when that agent rejects it, lets the
    offer time out, or goes Offline."""
    _chat_with(rt, ["a1", "a2", "a3"], "a1")
    rt.enqueue("v1", "voice", related="c-chat", now=6_000, timeout=10_000)
    if why == "rejected":
        res = rt.reject("v1", "a1", 6_500)
    elif why == "timeout":
        assert rt.tick(15_999).offers == []
        res = rt.tick(16_000)
    else:
        res = rt.state("a1", "Offline", 6_500)
    assert res.withdrawn == [("v1", "a1", why)] and res.offers == [("v1", "a2")]
    if why == "offline":
        # Agent already Offline when the contact arrives: standard routing at once.
        assert rt.enqueue("v2", "voice", related="c-chat", now=7_000).offers == [("v2", "a3")]


@needs_redis
def test_contact_waits_for_busy_preferred_agent_within_window(rt):
    _chat_with(rt, ["a1", "a2", "a3"], "a1")
    connect_to(rt, "v-other", "a2", channel="voice", now=5_500)  # a2 longest idle -> takes it
    # Make a1 busy on voice: a1 is the only agent we leave free for voice.
    rt.state("a2", "Offline", 5_600)
    rt.state("a3", "Offline", 5_600)
    connect_to(rt, "v-busy", "a1", channel="voice", now=5_700)
    rt.state("a3", "Available", 5_800)
    res = rt.enqueue("v1", "voice", related="c-chat", now=6_000, window=30_000)
    assert res.offers == []  # a3 is idle with room, but v1 waits for a1
    c = rt.contact("v1")
    assert c["state"] == "queued" and c["preferredUntil"] == "36000"
    assert rt.r.zrange(rt.k("agent", "a1", "waiting"), 0, -1) == ["v1"]
    assert rt.r.zscore(rt.k("preferred"), "v1") == 36_000
    assert rt.r.zrange(rt.k("queue", "default", "voice"), 0, -1) == []
    assert rt.tick(20_000).offers == []
    # a1 frees its voice slot within the window: v1 is offered to a1, not to idle a3.
    res = rt.end("v-busy", 21_000)
    assert res.offers == [("v1", "a1")]
    assert "preferredUntil" not in rt.contact("v1")
    assert rt.r.zcard(rt.k("preferred")) == 0


@needs_redis
def test_continuity_falls_back_when_window_passes(rt):
    _chat_with(rt, ["a1", "a2"], "a1")
    connect_to(rt, "v-busy", "a1", channel="voice", related="c-chat", now=5_700)
    res = rt.enqueue("v1", "voice", related="c-chat", now=6_000, window=30_000)
    assert res.offers == []
    assert rt.tick(35_999).offers == []
    res = rt.tick(36_000)
    assert res.offers == [("v1", "a2")]
    c = rt.contact("v1")
    assert "preferredUntil" not in c and c["preferredAgent"] == "a1"


@needs_redis
def test_waiting_for_preferred_agent_falls_back_when_it_goes_offline(rt):
    _chat_with(rt, ["a1", "a2"], "a1")
    connect_to(rt, "v-busy", "a1", channel="voice", related="c-chat", now=5_700)
    rt.enqueue("v1", "voice", related="c-chat", now=6_000)
    res = rt.state("a1", "Offline", 7_000)
    assert res.withdrawn == [] and res.offers == [("v1", "a2")]
    assert rt.r.exists(rt.k("agent", "a1", "waiting")) == 0


@needs_redis
def test_continuity_window_zero_is_standard_routing(rt):
    _chat_with(rt, ["a1", "a2"], "a1")
    assert rt.enqueue("v1", "voice", related="c-chat", now=6_000, window=0).offers == [("v1", "a2")]


# --------------------------------------------------------------------------------------------------
# Auto-accept
# --------------------------------------------------------------------------------------------------


@needs_redis
def test_chat_related_to_active_voice_is_auto_accepted(rt):
    available(rt, ["a1", "a2"])
    connect_to(rt, "v1", "a1", channel="voice", now=5_000)
    res = rt.enqueue("c1", "chat", related="v1", now=6_000)
    assert res.connected == [("c1", "a1")] and res.offers == []
    c = rt.contact("c1")
    assert c["state"] == "connected" and c["agent"] == "a1" and c["autoAccepted"] == "1"
    assert rt.r.smembers(rt.k("agent", "a1", "chat")) == {"c1"}  # counts against chat capacity
    assert rt.r.zcard(rt.k("offers")) == 0


@needs_redis
def test_auto_accept_respects_chat_capacity(rt):
    available(rt, ["a1", "a2"], chat=1, voice=1)
    connect_to(rt, "v1", "a1", channel="voice", now=5_000)
    connect_to(rt, "c0", "a2", now=5_100)  # a2 longest idle -> takes c0...
    rt.state("a2", "Offline", 5_150)
    connect_to(rt, "c-full", "a1", now=5_200)  # ...and a1's only chat slot is taken
    rt.state("a2", "Available", 5_250)
    rt.end("c0", 5_260)  # a2 has room again
    res = rt.enqueue("c1", "chat", related="v1", now=6_000, window=30_000)
    assert res.connected == [] and res.offers == []  # waits for a1 (a2 idle with room)
    assert rt.r.zrange(rt.k("agent", "a1", "waiting"), 0, -1) == ["c1"]
    res = rt.end("c-full", 7_000)
    assert res.connected == [("c1", "a1")] and res.offers == []  # connected directly, not offered
    assert rt.contact("c1")["autoAccepted"] == "1"
    # Without a window and no room: standard routing (offered, not auto-accepted).
    rt.enqueue("c2", "chat", related="v1", now=8_000, window=0)
    assert rt.contact("c2")["offeredTo"] == "a2"


@needs_redis
def test_auto_accept_only_for_connected_voice_of_the_same_agent(rt):
    available(rt, ["a1", "a2", "a3"])
    rt.enqueue("v1", "voice", now=5_000)  # offered to a1, not yet accepted
    res = rt.enqueue("c1", "chat", related="v1", now=5_100)
    assert res.connected == []  # related voice not connected: no continuity target yet
    assert res.offers == [("c1", "a2")]
    connect_to(rt, "c-chat", "a3", now=5_200)
    res = rt.enqueue("c2", "chat", related="c-chat", now=5_300)  # related is a chat: offer, not auto
    assert res.offers == [("c2", "a3")] and res.connected == []


@needs_redis
def test_auto_accept_reaches_offline_agent_on_the_call(rt):
    available(rt, ["a1", "a2"])
    connect_to(rt, "v1", "a1", channel="voice", now=5_000)
    rt.state("a1", "Offline", 5_500)  # finishing the call, no new work
    assert rt.enqueue("c0", "chat", now=5_600).offers == [("c0", "a2")]
    res = rt.enqueue("c1", "chat", related="v1", now=6_000)
    assert res.connected == [("c1", "a1")]


# --------------------------------------------------------------------------------------------------
# Property 4: agent continuity (randomized)
# --------------------------------------------------------------------------------------------------


@needs_redis
def test_property4_agent_continuity_randomized(client):
    cases, branches = 0, {"preferred-offer": 0, "beats-longer-idle": 0, "waits": 0, "fallback": 0}
    for seed in range(150):
        rng = random.Random(seed)
        rt = Routing(client)
        try:
            n = rng.randint(2, 8)
            agents = [f"ag{i}" for i in range(n)]
            t = 10_000
            for a in agents:
                rt.upsert(a, chat=rng.randint(1, 3), voice=rng.randint(0, 2), now=0)
            for a in rng.sample(agents, n):
                t += rng.randint(1, 5_000)
                rt.state(a, "Available", t)
            # The related chat: connected to whoever standard routing picks.
            t += 1
            res = rt.enqueue("chat0", "chat", now=t, timeout=10**9)
            assert len(res.offers) == 1
            rt.accept("chat0", res.offers[0][1], t)
            # Random load.
            for i in range(rng.randint(0, 14)):
                t += rng.randint(1, 2_000)
                ch = rng.choice(["chat", "voice"])
                res = rt.enqueue(f"x{i}", ch, now=t, timeout=10**9)
                for c, a in res.offers:
                    if rng.random() < 0.7:
                        rt.accept(c, a, t)
            for a in agents:
                if rng.random() < 0.2:
                    t += 1
                    rt.state(a, "Offline", t)
            target = rt.contact("chat0")["agent"]
            # Independent oracle from raw agent hashes and contact sets.
            info = {}
            for a in agents:
                h = rt.agent(a)
                info[a] = (h["state"], float(h["idleSince"]), int(h["voiceCapacity"]),
                           rt.r.scard(rt.k("agent", a, "voice")))
            t += rng.randint(1, 3_000)
            window = rng.choice([5_000, 30_000])
            res = rt.enqueue("esc", "voice", related="chat0", now=t, window=window, timeout=10**9)
            st, _, cap, load = info[target]
            if st == "Available" and load < cap:
                assert res.offers == [("esc", target)], (seed, res, info)
                branches["preferred-offer"] += 1
                rivals = [a for a, (s, idle, c, l) in info.items()
                          if a != target and s == "Available" and l < c and idle < info[target][1]]
                if rivals:
                    branches["beats-longer-idle"] += 1
            elif st == "Available" and cap > 0:
                assert res.offers == [], (seed, res, info)
                c = rt.contact("esc")
                assert c["state"] == "queued" and c["preferredUntil"] == str(t + window)
                branches["waits"] += 1
                # The window passes: standard routing among the others.
                res = rt.tick(t + window)
                free = sorted((idle, a) for a, (s, idle, c, l) in info.items() if s == "Available" and l < c)
                assert res.offers == ([("esc", free[0][1])] if free else []), (seed, res, info)
            else:  # Offline, or no voice capacity at all: standard routing at once
                free = sorted((idle, a) for a, (s, idle, c, l) in info.items() if s == "Available" and l < c)
                assert res.offers == ([("esc", free[0][1])] if free else []), (seed, res, info)
                assert "preferredUntil" not in rt.contact("esc")
                branches["fallback"] += 1
            assert rt.contact("esc")["related"] == "chat0"
            cases += 1
        finally:
            rt.cleanup()
    assert cases >= 100
    assert all(v >= 5 for v in branches.values()), branches


# --------------------------------------------------------------------------------------------------
# Property 5: contact linkage kept through the lifecycle
# --------------------------------------------------------------------------------------------------


@needs_redis
def test_property5_related_contact_kept_through_lifecycle(rt):
    rt.upsert("a1", now=0)
    rt.upsert("a2", now=0)
    rt.state("a1", "Available", 1_000)
    connect_to(rt, "chat1", "a1", now=2_000)
    rt.state("a1", "Offline", 2_500)
    seen = []

    def snap():
        c = rt.contact("voice1")
        seen.append(c["state"])
        assert c["related"] == "chat1", c

    rt.enqueue("voice1", "voice", related="chat1", now=3_000)
    snap()  # queued (a1 Offline, nobody else)
    rt.state("a2", "Available", 3_500)
    snap()  # offered to a2
    rt.reject("voice1", "a2", 3_600)
    snap()  # queued again
    rt.state("a1", "Available", 4_000)
    snap()  # offered to a1
    rt.accept("voice1", "a1", 4_100)
    snap()  # connected
    rt.end("voice1", 5_000)
    snap()  # ended, kept for the TTL
    assert seen == ["queued", "offered", "queued", "offered", "connected", "ended"]
    assert rt.contact("voice1")["agent"] == "a1"


@needs_redis
def test_property5_randomized_linkage(client):
    for seed in range(100):
        rng = random.Random(1_000 + seed)
        rt = Routing(client)
        try:
            for a in ["a1", "a2", "a3"]:
                rt.upsert(a, now=0)
                if rng.random() < 0.7:
                    rt.state(a, "Available", rng.randint(1, 1_000))
            rt.enqueue("base", rng.choice(["chat", "voice"]), now=2_000)
            rt.enqueue("linked", rng.choice(["chat", "voice"]), related="base", now=2_001,
                       window=rng.choice([0, 5_000]))
            t = 2_002
            for _ in range(30):
                t += rng.randint(1, 4_000)
                c = rt.contact("linked")
                assert c["related"] == "base", (seed, c)
                if c["state"] == "ended":
                    break
                op = rng.random()
                if c["state"] == "offered" and op < 0.4:
                    rt.accept("linked", c["offeredTo"], t)
                elif c["state"] == "offered" and op < 0.6:
                    rt.reject("linked", c["offeredTo"], t)
                elif op < 0.7:
                    rt.end("linked", t)
                elif op < 0.85:
                    rt.state(rng.choice(["a1", "a2", "a3"]), rng.choice(["Available", "Offline"]), t)
                else:
                    rt.tick(t)
            assert rt.contact("linked")["related"] == "base"
        finally:
            rt.cleanup()


# --------------------------------------------------------------------------------------------------
# Randomized invariants
# --------------------------------------------------------------------------------------------------


def _check_result(rt, res, ctx):
    offered = [c for c, _ in res.offers]
    assert len(offered) == len(set(offered)), (ctx, "contact offered twice in one call", res.offers)
    for c, a in res.offers:
        h = rt.contact(c)
        assert h["state"] == "offered" and h["offeredTo"] == a, (ctx, c, a, h)
    for c, a in res.connected:
        h = rt.contact(c)
        assert h["state"] == "connected" and h["agent"] == a and h["autoAccepted"] == "1", (ctx, c, h)
    for c, a, reason in res.withdrawn:
        assert reason in ("timeout", "rejected", "offline", "ended"), (ctx, reason)
        if (c, a) not in res.offers:
            assert rt.contact(c).get("offeredTo") != a, (ctx, c, a)


def _some_offer(rt, rng):
    """A contact offered right now and the agent it is offered to, or None when nothing is offered."""
    offered = rt.r.zrange(rt.k("offers"), 0, -1)
    if not offered:
        return None
    c = rng.choice(offered)
    return c, rt.contact(c)["offeredTo"]


@pytest.mark.parametrize("seed", [1, 2, 3])
@needs_redis
def test_randomized_invariants(client, seed):
    rng = random.Random(seed)
    rt = Routing(client)
    agents = [f"ag{i:02d}" for i in range(50)]
    queues = ["default", "vip", "billing"]
    chk = Checker(rt, agents, queues)
    t = 1_000_000
    made = 0
    try:
        for a in agents:
            rt.upsert(a, chat=rng.randint(0, 3), voice=rng.randint(0, 1), now=t)
        chk.check("setup")
        counts = {}
        for step in range(1_200):
            t += rng.randint(0, 3_000)
            now = t + rng.randint(-50, 50)  # small clock skew between "nodes"
            roll = rng.random()
            contacts = [c for c in chk.contacts if c not in chk.ended_checked]
            op = "?"
            res = None
            tick_now = None
            if roll < 0.30:
                op = "enqueue"
                c = f"k{made}"
                made += 1
                related = ""
                if chk.contacts and rng.random() < 0.4:
                    related = rng.choice(chk.contacts)
                res = rt.enqueue(c, rng.choice(["chat", "voice"]), queue=rng.choice(queues), related=related,
                                 now=now, timeout=rng.choice([5_000, 20_000]), window=rng.choice([0, 10_000, 30_000]),
                                 cooldown=rng.choice([0, 15_000, 60_000]))
                chk.add_contact(c)
                assert rt.contact(c)["state"] in ("queued", "offered", "connected")
            elif roll < 0.50:
                picked = _some_offer(rt, rng)
                if picked:
                    op = "accept"
                    c, a = picked
                    if rng.random() < 0.1:  # wrong agent: refused, nothing changes
                        other = rng.choice([x for x in agents if x != a])
                        with pytest.raises(redis.exceptions.ResponseError, match="^NOTOFFERED"):
                            rt.accept(c, other, now)
                    res = rt.accept(c, a, now)
                    h = rt.contact(c)
                    assert h["state"] == "connected" and h["agent"] == a
            elif roll < 0.58:
                picked = _some_offer(rt, rng)
                if picked:
                    op = "reject"
                    c, a = picked
                    res = rt.reject(c, a, now)
                    assert (c, a, "rejected") in res.withdrawn
            elif roll < 0.75:
                if contacts:
                    op = "end"
                    c = rng.choice(contacts)
                    res = rt.end(c, now)
                    assert rt.contact(c)["state"] == "ended"
            elif roll < 0.87:
                op = "state"
                a = rng.choice(agents)
                st = rng.choice(["Available", "Available", "Offline"])
                res = rt.state(a, st, now)
                if st == "Offline":
                    held = rt.r.smembers(rt.k("agent", a, "chat")) | rt.r.smembers(rt.k("agent", a, "voice"))
                    assert all(rt.contact(c)["state"] == "connected" for c in held), "Offline agent kept an offer"
            elif roll < 0.90:
                op = "upsert"
                res = rt.upsert(rng.choice(agents), chat=rng.randint(0, 4), voice=rng.randint(0, 2), now=now)
            else:
                op = "tick"
                res = rt.tick(now, limit=1_000)
                assert res.more == 0
                tick_now = now
            counts[op] = counts.get(op, 0) + 1
            ctx = f"seed {seed} step {step} {op}"
            if res is not None:
                _check_result(rt, res, ctx)
            chk.check(ctx, tick_now=tick_now, check_keys=(step % 100 == 0))
        chk.check("final", check_keys=True)
        assert counts.get("accept", 0) > 100 and counts.get("tick", 0) > 50 and counts.get("end", 0) > 100, counts
    finally:
        rt.cleanup()


@needs_redis
def test_concurrent_nodes_keep_invariants(client):
    """Several clients (as several server nodes) race on one deployment; Lua atomicity keeps the invariants."""
    rt = Routing(client)
    agents = [f"ag{i:02d}" for i in range(20)]
    queues = ["default"]
    for a in agents:
        rt.upsert(a, chat=2, voice=1, now=0)
    made, lock, errors = [], threading.Lock(), []
    clock = [1_000_000]

    def worker(wid):
        rng = random.Random(wid)
        node = Routing(redis.Redis.from_url(REDIS_URL, decode_responses=True))
        node.prefix = rt.prefix
        try:
            for i in range(200):
                with lock:
                    clock[0] += rng.randint(0, 500)
                    now = clock[0]
                roll = rng.random()
                try:
                    if roll < 0.3:
                        c = f"w{wid}-{i}"
                        node.enqueue(c, rng.choice(["chat", "voice"]), now=now, timeout=3_000, cooldown=5_000)
                        with lock:
                            made.append(c)
                    elif roll < 0.55:
                        offered = node.r.zrange(node.k("offers"), 0, 5)
                        if offered:
                            c = rng.choice(offered)
                            node.accept(c, node.contact(c).get("offeredTo", "x"), now)
                    elif roll < 0.65:
                        offered = node.r.zrange(node.k("offers"), 0, 5)
                        if offered:
                            c = rng.choice(offered)
                            node.reject(c, node.contact(c).get("offeredTo", "x"), now)
                    elif roll < 0.8:
                        with lock:
                            c = rng.choice(made) if made else None
                        if c:
                            node.end(c, now)
                    elif roll < 0.92:
                        node.state(rng.choice(agents), rng.choice(["Available", "Available", "Offline"]), now)
                    else:
                        node.tick(now)
                except redis.exceptions.ResponseError as e:
                    # Losing a race (the offer moved on between our read and our call) is expected.
                    if not str(e).startswith("NOTOFFERED"):
                        raise
        except Exception as e:  # pragma: no cover - reported below
            errors.append(repr(e))
        finally:
            node.r.close()

    try:
        threads = [threading.Thread(target=worker, args=(w,)) for w in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert not errors, errors
        chk = Checker(rt, agents, queues)
        for c in made:
            chk.add_contact(c)
        chk.check("after concurrent run", check_keys=True)
    finally:
        rt.cleanup()
