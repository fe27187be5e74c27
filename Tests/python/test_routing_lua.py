"""Routing Lua scripts (lua/routing_*.lua, SPEC §7, docs/routing.md) against a real Redis.

Run:
    pip install redis pytest
    SWITCHBOARD_TEST_REDIS_URL=redis://127.0.0.1:6391/0 python3 -m pytest -q Tests/python/test_routing_lua.py

Without SWITCHBOARD_TEST_REDIS_URL the Redis-backed tests are skipped (the static checks on the script
files still run). Every test works under its own random key prefix ("sbtest-<hex>:{routing}") and deletes
its keys afterwards, so a shared Redis is fine; nothing is flushed.

Every routing script takes the same eleven keys (KEY_NAMES below, in that order, each "<prefix>:<name>") and
touches no other key: agents and contacts are JSON records in the two hashes `agents` and `contacts`.

The routing core lives once in lua/include/routing_core.lua; each script has a line
`--#include include/routing_core.lua` that is expanded before SCRIPT LOAD, here as in the server (ScriptCatalog).
"""

from __future__ import annotations

import json
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
# KEYS[1..11] of every routing script, in order (each is "<prefix>:<name>"), with its Redis type.
KEY_NAMES = ("agents", "contacts", "agents:available", "agents:free:chat", "agents:free:voice", "queued:chat",
             "queued:voice", "offers", "preferred", "ended", "seq")
KEY_TYPES = {"agents": "hash", "contacts": "hash", "seq": "string"}  # the others are zsets
# The names lua/include/routing_core.lua binds KEYS[1..11] to, in order.
KEY_BINDINGS = ("K_AGENTS", "K_CONTACTS", "K_AVAILABLE", "FREE.chat", "FREE.voice", "QUEUED.chat", "QUEUED.voice",
                "K_OFFERS", "K_PREFERRED", "K_ENDED", "K_SEQ")

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

    def key_names(self) -> list:
        """KEYS[1..11] of every routing script under this prefix, in order."""
        return [self.k(name) for name in KEY_NAMES]

    def raw(self, op, *args, keys=None):
        """EVALSHA with the 11 routing keys (numkeys 11), or with `keys` instead (to test BADKEYS)."""
        sha = Routing._shas[op]
        keys = self.key_names() if keys is None else list(keys)
        argv = [str(a) for a in args]
        try:
            return self.r.evalsha(sha, len(keys), *keys, *argv)
        except redis.exceptions.NoScriptError:
            Routing._shas[op] = self.r.script_load(script_text(op))
            return self.r.evalsha(Routing._shas[op], len(keys), *keys, *argv)

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
    def _record(self, name, field_) -> dict:
        raw = self.r.hget(self.k(name), field_)
        return json.loads(raw) if raw is not None else {}

    def contact(self, c) -> dict:
        """The contact's record (decoded JSON of its field in `contacts`), {} when there is none."""
        return self._record("contacts", c)

    def agent(self, a) -> dict:
        """The agent's record (decoded JSON of its field in `agents`), {} when there is none."""
        return self._record("agents", a)

    def held(self, a, ch) -> set:
        """The agent's load on channel `ch`: contacts offered or connected to it there."""
        return set(self.agent(a).get(ch, {}))

    def waiting(self, a) -> list:
        """Contacts waiting for agent `a` (agent continuity), oldest arrival (seq) first."""
        return [c for c, _ in sorted(self.agent(a).get("waiting", {}).items(), key=lambda e: e[1])]

    def queued(self, ch, queue=None) -> list:
        """Waiting contacts of channel `ch` in arrival order; only those of `queue` when given."""
        out = self.r.zrange(self.k("queued", ch), 0, -1)
        return out if queue is None else [c for c in out if self.contact(c).get("queue") == queue]

    def keys(self) -> list:
        return list(self.r.scan_iter(match=self.prefix + ":*", count=1000))

    def snapshot(self) -> dict:
        """Every key of this prefix with its type, contents and whether it expires (to prove a failed call wrote
        nothing). Hash fields (the agent and contact records) are decoded JSON."""
        out = {}
        for key in self.keys():
            kind = self.r.type(key)
            if kind == "hash":
                value = {f: json.loads(v) for f, v in self.r.hgetall(key).items()}
            elif kind == "set":
                value = sorted(self.r.smembers(key))
            elif kind == "zset":
                value = self.r.zrange(key, 0, -1, withscores=True)
            else:
                value = self.r.get(key)
            out[key] = (kind, value, self.r.pttl(key) >= 0)
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
ZSETS = ("agents:available", "agents:free:chat", "agents:free:voice", "queued:chat", "queued:voice", "offers",
         "preferred", "ended")
DEFAULT_ENDED_TTL_MS = 86_400_000


def _num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


class Checker:
    def __init__(self, rt, agents, queues):
        self.rt = rt
        self.agents = list(agents)
        self.queues = list(queues)
        self.contacts: list = []
        self.ended_checked: set = set()  # contacts seen ended (they stay ended)
        self.dropped: set = set()  # ended contacts whose record a tick dropped
        self.prev_ended: dict = {}  # contact -> its score in `ended` at the previous check
        self.prev_sets: dict = {}

    def add_contact(self, c):
        self.contacts.append(c)

    def check(self, ctx="", tick_now=None, check_keys=False):
        rt = self.rt
        p = rt.r.pipeline(transaction=True)  # one consistent view of all eleven keys
        p.hgetall(rt.k("agents"))
        p.hgetall(rt.k("contacts"))
        for name in ZSETS:
            p.zrange(rt.k(name), 0, -1, withscores=True)
        p.get(rt.k("seq"))
        out = p.execute()
        msg = f"[{ctx}]"
        agents = {a: json.loads(v) for a, v in out[0].items()}
        contacts = {c: json.loads(v) for c, v in out[1].items()}
        zsets = dict(zip(ZSETS, out[2:2 + len(ZSETS)]))
        seq_counter = int(out[-1] or 0)

        assert set(agents) <= set(self.agents), (msg, "records of unknown agents", set(agents) - set(self.agents))
        assert set(contacts) <= set(self.contacts), (msg, "records of unknown contacts",
                                                     set(contacts) - set(self.contacts))

        # Records are well-formed (sets are JSON objects, numbers are JSON numbers).
        for a, h in agents.items():
            assert h.get("state") in ("Available", "Offline"), (msg, a, h)
            for f in ("stateSince", "idleSince", "chatCapacity", "voiceCapacity"):
                assert _num(h.get(f)), (msg, a, f, h)
            for f in ("chat", "voice", "waiting"):
                assert isinstance(h.get(f), dict), (msg, a, f, h)
            for ch in CHANNELS:
                assert all(v == 1 for v in h[ch].values()), (msg, a, ch, h)
            assert all(_num(v) for v in h["waiting"].values()), (msg, a, h)
        for c, h in contacts.items():
            assert h.get("channel") in CHANNELS and h.get("queue") in self.queues, (msg, c, h)
            for f in ("seq", "createdAt", "offerTimeoutMs", "rejectCooldownMs"):
                assert _num(h.get(f)), (msg, c, f, h)
            assert isinstance(h.get("rejected"), dict) and all(_num(v) for v in h["rejected"].values()), (msg, c, h)
        seqs = [h["seq"] for h in contacts.values()]
        assert len(seqs) == len(set(seqs)) and all(1 <= s <= seq_counter for s in seqs), (msg, "seq", seqs, seq_counter)

        where: dict = {}  # contact -> list of (structure, score)

        def put(c, s, score=None):
            where.setdefault(c, []).append((s, score))

        held, waiting = {}, {}
        for a in self.agents:
            h = agents.get(a, {})
            for ch in CHANNELS:
                held[(a, ch)] = set(h.get(ch, {}))
                for c in held[(a, ch)]:
                    put(c, f"agent:{a}:{ch}")
            waiting[a] = h.get("waiting", {})
            for c, s in waiting[a].items():
                put(c, f"agent:{a}:waiting", s)
        free = {ch: dict(zsets[f"agents:free:{ch}"]) for ch in CHANNELS}
        avail = dict(zsets["agents:available"])
        for name in ("offers", "preferred", "ended", "queued:chat", "queued:voice"):
            for c, s in zsets[name]:
                put(c, name, s)

        unknown = set(where) - set(contacts)
        assert not unknown, (msg, "contacts without a record in routing structures", unknown)
        for name, members in [("available", avail), *((f"free:{ch}", free[ch]) for ch in CHANNELS)]:
            assert set(members) <= set(agents), (msg, name, "names agents without a record", set(members) - set(agents))

        # A record leaves `contacts` only when a tick drops an ended contact whose retention passed; never comes back.
        for c in self.contacts:
            if c in contacts:
                assert c not in self.dropped, (msg, c, "dropped record came back")
                continue
            if c in self.dropped:
                continue
            assert c in self.prev_ended, (msg, c, "record vanished (not an ended contact)")
            assert tick_now is not None and self.prev_ended[c] <= tick_now, (
                msg, c, "ended record dropped before its retention passed", self.prev_ended[c], tick_now)
            self.dropped.add(c)

        # Contacts: exactly one state, present in exactly the right structures.
        ended_now = {}
        for c, h in contacts.items():
            st = h.get("state")
            ch = h.get("channel")
            got = sorted(where.get(c, []), key=lambda x: x[0])
            names = sorted(s for s, _ in got)
            assert st in ("queued", "offered", "connected", "ended"), (msg, c, h)
            if c in self.ended_checked:
                assert st == "ended", (msg, c, "ended contact left the ended state", h)
            if st == "queued" and "preferredUntil" in h:
                pa = h["preferredAgent"]
                assert names == sorted([f"agent:{pa}:waiting", "preferred"]), (msg, c, h, got)
                scores = dict(got)
                assert scores["preferred"] == h["preferredUntil"], (msg, c)
                assert scores[f"agent:{pa}:waiting"] == h["seq"], (msg, c)
                assert "offeredTo" not in h, (msg, c, h)
                # Waiting for an agent only while it is Available and full on that channel.
                assert agents[pa].get("state") == "Available", (msg, c, "waits for non-Available", pa)
                assert len(held[(pa, ch)]) >= agents[pa][f"{ch}Capacity"], (msg, c, "waits but agent has room")
                if tick_now is not None:
                    assert h["preferredUntil"] > tick_now, (msg, c, "window passed but still waiting")
            elif st == "queued":
                assert names == [f"queued:{ch}"], (msg, c, h, got)
                assert got[0][1] == h["seq"], (msg, c)
                assert "offeredTo" not in h, (msg, c, h)
                # Work conservation: every free agent on this channel is skipped for this contact.
                rejected = h["rejected"]
                for a in free[ch]:
                    assert a in rejected, (msg, c, "queued while free agent", a, "never rejected it")
                    if tick_now is not None:
                        assert tick_now < rejected[a] + h["rejectCooldownMs"], (
                            msg, c, "queued after tick while", a, "is free and its cooldown lapsed")
            elif st == "offered":
                a = h["offeredTo"]
                assert names == sorted(["offers", f"agent:{a}:{ch}"]), (msg, c, h, got)
                assert dict(got)["offers"] == h["offerDeadline"], (msg, c)
                assert h["offerDeadline"] == h["offeredAt"] + h["offerTimeoutMs"], (msg, c, h)
                assert "preferredUntil" not in h, (msg, c, h)
            elif st == "connected":
                a = h["agent"]
                assert names == [f"agent:{a}:{ch}"], (msg, c, h, got)
                assert "offeredTo" not in h and "preferredUntil" not in h, (msg, c, h)
            else:  # ended: only in `ended`, until a tick drops it
                assert names == ["ended"], (msg, c, h, got)
                assert "preferredUntil" not in h and "offeredTo" not in h, (msg, c, h)
                due = dict(got)["ended"]
                assert 0 < due - h["endedAt"] <= DEFAULT_ENDED_TTL_MS, (msg, c, "ended contact must be dropped", due, h)
                if tick_now is not None:
                    assert due > tick_now, (msg, c, "a tick left an ended record whose retention passed", due)
                self.ended_checked.add(c)
                ended_now[c] = due
        self.prev_ended = ended_now

        # Agents: capacity, routing-set membership.
        for a in self.agents:
            h = agents.get(a)
            if not h:
                continue
            is_avail = h["state"] == "Available"
            idle = h["idleSince"]
            assert (a in avail) == is_avail, (msg, a, "available set")
            if is_avail:
                assert avail[a] == idle, (msg, a)
            for ch in CHANNELS:
                cap = h[f"{ch}Capacity"]
                now_set = held[(a, ch)]
                if len(now_set) > cap:  # only after a capacity decrease, and then nothing new
                    assert now_set <= self.prev_sets.get((a, ch), set()), (msg, a, ch, "over capacity got new work")
                has_room = len(now_set) < cap
                assert (a in free[ch]) == (is_avail and has_room), (msg, a, ch, "free set", h, now_set)
                if a in free[ch]:
                    assert free[ch][a] == idle, (msg, a, ch)
                for c in now_set:
                    hc = contacts[c]
                    assert hc["channel"] == ch, (msg, c)
                    assert (hc["state"] == "offered" and hc["offeredTo"] == a) or (
                        hc["state"] == "connected" and hc["agent"] == a), (msg, a, c, hc)
                # Drain: an Available agent with room on ch has no contact waiting specifically for it on ch.
                if is_avail and has_room:
                    for c in waiting[a]:
                        assert contacts[c]["channel"] != ch, (msg, a, "room but", c, "waits")
        self.prev_sets = {key: set(v) for key, v in held.items()}

        if check_keys:
            self.check_keys(ctx)

    def check_keys(self, ctx=""):
        assert_routing_keys(self.rt, ctx)


def assert_routing_keys(rt, ctx=""):
    """The prefix holds no key but the eleven routing keys, each of its documented type, in the hash tag's slot,
    and none expires (ended contacts are dropped by routing_tick.lua, not by EXPIRE)."""
    expected = {rt.k(name): KEY_TYPES.get(name, "zset") for name in KEY_NAMES}
    slot = key_slot(rt.prefix)
    assert {key_slot(key) for key in expected} == {slot}, (ctx, "routing keys in different slots")
    for key in rt.keys():
        assert key in expected, (ctx, "unexpected key", key)
        assert rt.r.type(key) == expected[key], (ctx, "wrong type", key, rt.r.type(key))
        assert rt.r.pttl(key) == -1, (ctx, "routing key with an expiry", key)


# --------------------------------------------------------------------------------------------------
# Static check: no key name is built inside Lua
# --------------------------------------------------------------------------------------------------

_LUA_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>--\[(?P<ceq>=*)\[.*?\](?P=ceq)\]|--[^\n]*)
  | (?P<str>\[(?P<leq>=*)\[.*?\](?P=leq)\]|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<num>0[xX][0-9a-fA-F]+|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_]\w*)
  | (?P<op>\.\.\.|\.\.|==|~=|<=|>=|::|[-+*/%^\#&~|<>=(){}\[\];:,.])
""", re.X | re.S)


@dataclass
class Tok:
    kind: str  # str | num | name | op
    text: str
    line: int
    col: int


def lua_tokens(text: str) -> list:
    """Tokens of Lua source, comments and whitespace dropped."""
    out, pos, line, line_start = [], 0, 1, 0
    while pos < len(text):
        m = _LUA_TOKEN.match(text, pos)
        assert m, f"cannot tokenize Lua at line {line}: {text[pos:pos + 40]!r}"
        kind = next(k for k in ("ws", "comment", "str", "num", "name", "op") if m.group(k) is not None)
        if kind not in ("ws", "comment"):
            out.append(Tok(kind, m.group(), line, pos - line_start))
        for i in [i for i, ch in enumerate(m.group()) if ch == "\n"]:
            line, line_start = line + 1, pos + i + 1
        pos = m.end()
    return out


_OPEN = {"(": ")", "[": "]", "{": "}"}


def _match(toks, i) -> int:
    """Index of the bracket closing the one opened at toks[i]."""
    depth = 0
    for j in range(i, len(toks)):
        if toks[j].kind == "op" and toks[j].text in _OPEN:
            depth += 1
        elif toks[j].kind == "op" and toks[j].text in _OPEN.values():
            depth -= 1
            if depth == 0:
                return j
    raise AssertionError(f"unbalanced bracket at line {toks[i].line}")


def _match_back(toks, j) -> int:
    """Index of the bracket opening the one closed at toks[j]."""
    depth = 0
    for i in range(j, -1, -1):
        if toks[i].kind == "op" and toks[i].text in _OPEN.values():
            depth += 1
        elif toks[i].kind == "op" and toks[i].text in _OPEN:
            depth -= 1
            if depth == 0:
                return i
    raise AssertionError(f"unbalanced bracket at line {toks[j].line}")


def _args(toks, open_i) -> list:
    """The comma-separated arguments (token lists) of the call whose '(' is toks[open_i]."""
    close = _match(toks, open_i)
    args, cur, i = [], [], open_i + 1
    while i < close:
        t = toks[i]
        if t.kind == "op" and t.text in _OPEN:
            j = _match(toks, i)
            cur.extend(toks[i:j + 1])
            i = j + 1
            continue
        if t.kind == "op" and t.text == ",":
            args.append(cur)
            cur = []
        else:
            cur.append(t)
        i += 1
    if cur or args:
        args.append(cur)
    return args


def _src(toks) -> str:
    return " ".join(t.text for t in toks)


# Key positions of the Redis commands a routing script may call: the first argument, or all of them.
_ONE_KEY = {"GET", "SET", "INCR", "INCRBY", "DECR", "HGET", "HMGET", "HSET", "HDEL", "HGETALL", "HEXISTS", "HLEN",
            "HINCRBY", "HKEYS", "HVALS", "ZADD", "ZREM", "ZRANGE", "ZREVRANGE", "ZRANGEBYSCORE", "ZREVRANGEBYSCORE",
            "ZCARD", "ZSCORE", "ZCOUNT", "ZINCRBY", "ZRANK", "ZPOPMIN", "ZREMRANGEBYSCORE", "SADD", "SREM", "SMEMBERS",
            "SCARD", "SISMEMBER", "TYPE", "TTL", "PTTL"}
_ALL_KEYS = {"DEL", "UNLINK", "EXISTS", "TOUCH", "MGET"}
_NO_KEY = {"TIME", "PING"}
KEY_NAMES_SIMPLE = {b for b in KEY_BINDINGS if "." not in b}  # K_AGENTS ... K_SEQ
KEY_TABLES = {"FREE", "QUEUED"}  # FREE = { chat = KEYS[4], voice = KEYS[5] }, QUEUED likewise


def _top_functions(toks) -> list:
    """For each token, the name of the top-level `local function` (at column 0) it is in, or None."""
    out, cur = [], None
    for i, t in enumerate(toks):
        if t.col == 0 and t.text == "local" and i + 2 < len(toks) and toks[i + 1].text == "function":
            cur = toks[i + 2].text
        out.append(cur)
        if t.col == 0 and t.text == "end":
            cur = None
    return out


def _is_key_expr(arg, fn, aliases) -> bool:
    """A key argument is one of the names bound to KEYS: K_*, FREE[...] / FREE.chat / FREE.voice (QUEUED likewise),
    or a local alias proven (below) to hold only those."""
    if len(arg) == 1 and arg[0].kind == "name":
        return arg[0].text in KEY_NAMES_SIMPLE or (fn, arg[0].text) in aliases
    if len(arg) >= 2 and arg[0].text in KEY_TABLES:
        if len(arg) == 3 and arg[1].text == "." and arg[2].text in CHANNELS:
            return True
        # FREE[<expr>]: the table only holds KEYS[4] and KEYS[5] (any other index is nil, which redis.call rejects).
        return arg[1].text == "[" and _match(arg, 1) == len(arg) - 1
    return False


def key_violations(text: str) -> list:
    """Ways the expanded script `text` could touch a key it was not given in KEYS; empty when there are none.

    Rules: KEYS is read only where routing_core.lua binds KEYS[1..11] to K_AGENTS ... K_SEQ (and as #KEYS); those
    names are never rebound, shadowed or concatenated (`..`); every redis.call / redis.pcall names a known command
    whose key argument(s) are exactly one of those names. Two aliases are allowed, each proven from the text: `hash` in
    record(hash, id), whose every caller passes a K_* name, and `hash` in flush(), which iterates over the keys of
    `dirty`, a table indexed only by K_* names."""
    toks = lua_tokens(text)
    fns = _top_functions(toks)
    bad = []

    def at(i):
        return f"line {toks[i].line}"

    def txt(i):
        return toks[i].text if 0 <= i < len(toks) else ""

    canon = _src(toks)
    # 1. The bindings: exactly KEY_BINDINGS[n - 1] = KEYS[n], and KEYS read nowhere else but as #KEYS.
    bound, binding_spans = {}, []
    for i, t in enumerate(toks):
        if t.text != "local":
            continue
        j = i + 1
        names = []
        while txt(j + 1) == "," and toks[j].kind == "name":
            names.append(txt(j))
            j += 2
        names.append(txt(j))
        if txt(j + 1) != "=":
            continue
        if txt(j + 2) == "KEYS":  # local A, B = KEYS[1], KEYS[2]
            k = j + 2
            for name in names:
                if not (txt(k) == "KEYS" and txt(k + 1) == "[" and toks[k + 2].kind == "num" and txt(k + 3) == "]"):
                    bad.append(f"{at(i)}: malformed KEYS binding")
                    break
                bound[name] = int(txt(k + 2))
                k += 4
                if txt(k) != ",":
                    break
                k += 1
            binding_spans.append((i, k))
        elif txt(j + 2) == "{" and len(names) == 1 and "KEYS" in [x.text for x in toks[j + 2:_match(toks, j + 2)]]:
            close = _match(toks, j + 2)
            body = _src(toks[j + 3:close])
            for field_, n in re.findall(r"(\w+) = KEYS \[ (\d+) \]", body):
                bound[f"{names[0]}.{field_}"] = int(n)
            if not re.fullmatch(r"\w+ = KEYS \[ \d+ \](?: , \w+ = KEYS \[ \d+ \])*(?: ,)?", body):
                bad.append(f"{at(i)}: table {names[0]} holds more than KEYS entries: {body}")
            binding_spans.append((i, close))
    if bound != {name: n for n, name in enumerate(KEY_BINDINGS, 1)}:
        bad.append(f"KEYS bindings {bound} are not {KEY_BINDINGS}")
    in_binding = set()
    for a, b in binding_spans:
        in_binding.update(range(a, b + 1))
    for i, t in enumerate(toks):
        if t.text == "KEYS" and i not in in_binding and txt(i - 1) != "#":
            bad.append(f"{at(i)}: KEYS read outside the bindings: {_src(toks[i:i + 4])}")

    # 2. Bound names are never rebound or shadowed; FREE / QUEUED are only ever indexed.
    protected = KEY_NAMES_SIMPLE | KEY_TABLES
    for i, t in enumerate(toks):
        if t.kind != "name" or t.text not in protected or i in in_binding or txt(i - 1) == ".":
            continue
        if t.text in KEY_TABLES and txt(i + 1) not in ("[", "."):
            bad.append(f"{at(i)}: {t.text} used other than indexed")
        if txt(i - 1) in ("local", "function", "for"):
            bad.append(f"{at(i)}: {t.text} redeclared")
    for i, t in enumerate(toks):  # assignment targets: walk back from each '=' over `a.b[c], d = ...`
        if t.text != "=" or t.kind != "op" or i in in_binding:
            continue
        j = i - 1
        while j >= 0:
            end = j
            while j > 0 and (txt(j) == "]" or (toks[j].kind == "name" and txt(j - 1) == ".")):
                j = _match_back(toks, j) - 1 if txt(j) == "]" else j - 2
            if toks[j].kind == "name" and toks[j].text in protected:
                bad.append(f"{at(j)}: assignment to {toks[j].text}: {_src(toks[j:i + 2])}")
            if toks[j].kind == "name" and toks[j].text == "hash" and fns[j] in ("record", "flush"):
                bad.append(f"{at(j)}: assignment to the alias hash in {fns[j]}")
            if j == end and toks[j].text in ("record", "dirty") and _src(toks[j - 1:i + 2]) != "local dirty = {":
                bad.append(f"{at(j)}: assignment to {toks[j].text}, which the alias proofs rely on")
            if txt(j - 1) != ",":
                break
            j -= 2
    for i, t in enumerate(toks):  # parameters and loop variables
        if t.text == "function":
            k = i + 1
            while txt(k) != "(":
                k += 1
            params = {x.text for x in toks[k:_match(toks, k)] if x.kind == "name"}
        elif t.text == "for":
            k = i + 1
            params = set()
            while txt(k) not in ("in", "="):
                params.add(txt(k))
                k += 1
        else:
            continue
        if params & protected:
            bad.append(f"{at(i)}: {params & protected} shadowed")

    # 3. No `..` on a KEYS entry (nor on a name bound to one).
    for i, t in enumerate(toks):
        if t.text != ".." or t.kind != "op":
            continue
        left = i - 1
        while txt(left) == ")":
            left -= 1
        if txt(left) == "]":
            base = _match_back(toks, left) - 1
            if txt(base) in KEY_TABLES | {"KEYS"}:
                bad.append(f"{at(i)}: `..` on {txt(base)}[...]")
        elif txt(left) in KEY_NAMES_SIMPLE | {"KEYS"} and txt(left - 1) != ".":
            bad.append(f"{at(i)}: `..` on {txt(left)}")
        elif txt(left) in CHANNELS and txt(left - 1) == "." and txt(left - 2) in KEY_TABLES:
            bad.append(f"{at(i)}: `..` on {txt(left - 2)}.{txt(left)}")
        right = i + 1
        while txt(right) == "(":
            right += 1
        if txt(right) in protected | {"KEYS"}:
            bad.append(f"{at(i)}: `..` on {txt(right)}")

    # 4. The two proven aliases named `hash`.
    aliases = set()
    if canon.count("local dirty") != 1 or canon.count("local function record (") != 1:
        bad.append("dirty / record() declared more than once")
    if re.search(r"local function record \( hash , id \)", canon):
        callers = [i for i, t in enumerate(toks) if t.text == "record" and t.kind == "name" and txt(i - 1) != "function"]
        if all(txt(i + 1) == "(" and txt(i + 2) in KEY_NAMES_SIMPLE and txt(i + 3) == "," for i in callers):
            aliases.add(("record", "hash"))
        else:
            bad.extend(f"{at(i)}: record() called with a key not bound to KEYS: {_src(toks[i:i + 4])}"
                       for i in callers if not (txt(i + 1) == "(" and txt(i + 2) in KEY_NAMES_SIMPLE))
    flush_loop = [i for i, t in enumerate(toks) if fns[i] == "flush" and _src(toks[i:i + 9]) ==
                  "for hash , ids in pairs ( dirty )"]
    m = re.search(r"local dirty = \{ \[ (\w+) \] = \{ \} , \[ (\w+) \] = \{ \} \}", canon)
    if flush_loop and m and {m.group(1), m.group(2)} <= KEY_NAMES_SIMPLE:
        decl = [i for i, t in enumerate(toks) if _src(toks[i - 1:i + 1]) == "local dirty"]
        uses_ok = True
        for i, t in enumerate(toks):
            if t.text != "dirty" or i in decl or (txt(i - 1) == "(" and txt(i - 2) == "pairs"):
                continue
            ok_index = txt(i + 1) == "[" and txt(i + 3) == "]" and (
                txt(i + 2) in KEY_NAMES_SIMPLE or (txt(i + 2) == "hash" and fns[i] == "flush"))
            if not ok_index:
                uses_ok = False
                bad.append(f"{at(i)}: dirty indexed by something not bound to KEYS: {_src(toks[i:i + 4])}")
        if uses_ok:
            aliases.add(("flush", "hash"))

    # 5. Every redis.call / redis.pcall: a known command, its key argument(s) bound to KEYS.
    for i, t in enumerate(toks):
        if t.text != "redis" or t.kind != "name" or txt(i - 1) == ".":
            continue
        if txt(i + 1) != ".":
            bad.append(f"{at(i)}: redis used other than redis.<function>")
            continue
        if txt(i + 2) not in ("call", "pcall"):
            continue
        if txt(i + 3) != "(":
            bad.append(f"{at(i)}: redis.{txt(i + 2)} not called directly")
            continue
        args = _args(toks, i + 3)
        if not args or len(args[0]) != 1 or args[0][0].kind != "str":
            bad.append(f"{at(i)}: command is not a string literal: {_src(toks[i:_match(toks, i + 3) + 1])}")
            continue
        cmd = args[0][0].text.strip("'\"").upper()
        if cmd in _ONE_KEY:
            keys = args[1:2]
        elif cmd in _ALL_KEYS:
            keys = args[1:]
        elif cmd in _NO_KEY:
            keys = []
        else:
            bad.append(f"{at(i)}: command {cmd} has unknown key positions (teach this test)")
            continue
        if cmd not in _NO_KEY and not keys:
            bad.append(f"{at(i)}: {cmd} without a key")
        for k in keys:
            if not _is_key_expr(k, fns[i], aliases):
                bad.append(f"{at(i)}: {cmd} key is not a name bound to KEYS: {_src(k)}")
    return bad


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
    # The header describes KEYS[1]..KEYS[11], in the harness's order, and no other key.
    for n, name in enumerate(KEY_NAMES, 1):
        assert re.search(rf"^-- KEYS\[{n}\]\s+<P>:{re.escape(name)}\s", header, re.M), (
            f"header of {op} does not describe KEYS[{n}] as <P>:{name}")
    assert set(re.findall(r"KEYS\[(\d+)\]", header)) == {str(n) for n in range(1, 12)}, f"header of {op}: other KEYS"
    assert set(re.findall(r"KEYS\[(\d+)\]", body)) == {str(n) for n in range(1, 12)}, "the 11 keys are bound"
    # No key name is built inside Lua: every key a redis.call names is one of the 11 given in KEYS.
    assert key_violations(text) == [], f"routing_{op}.lua"
    assert "Returns" in header


# Lines that build or smuggle a key name; key_violations must catch each one (spliced into a real script).
_BAD_KEY_LINES = [
    "redis.call('HGET', K_CONTACTS .. ':' .. c, 'state')",
    "redis.call('SMEMBERS', 'sb:{routing}:agents')",
    "redis.pcall('ZADD', queueKey, 1, c)",
    "local k = KEYS[1] .. ':agent:' .. a",
    "local k = K_AGENTS .. ':' .. a",
    "local k = 'x' .. FREE[ch]",
    "local k = (QUEUED.chat) .. ':vip'",
    "redis.call('GET', KEYS[1])",
    "redis.call('GET', KEYS[12])",
    "local k = KEYS",
    "redis.call('EXISTS', K_AGENTS, K_AGENTS .. ':x')",
    "redis.call('ZRANGE', FREE[ch] .. ':x', 0, -1)",
    "redis.call('GET', string.format('%s:x', K_SEQ))",
    "redis.call('EVAL', 'return 1', 0)",
    "redis.call(cmd, K_SEQ)",
    "local call = redis.call",
    "local r = redis",
    "K_SEQ = K_AGENTS",
    "x, K_OFFERS = 1, 'sb:{routing}:other'",
    "local K_ENDED = 'sb:{routing}:other'",
    "FREE.chat = K_AGENTS",
    "FREE['sms'] = 'sb:{routing}:sms'",
    "rawset(QUEUED, 'sms', 'x')",
    "for _, K_AGENTS in ipairs(list) do end",
    "local function f(K_CONTACTS) return redis.call('HGET', K_CONTACTS, 'x') end",
    "dirty['sb:{routing}:other'] = {}",
    "dirty = {}",
    "local x = record('sb:{routing}:agents', a)",
    "record = function(h, id) return redis.call('HGET', h, id) end",
]


@pytest.mark.parametrize("line", _BAD_KEY_LINES)
def test_key_check_catches_built_key_names(line):
    """The static check of test_script_header_names_every_key_and_argv can fail: each bad line, spliced into a real
    script (at its top level and inside the core's flush()), is reported."""
    text = script_text("tick")
    assert key_violations(text) == []
    at_end = text.replace("\nlocal res = result()", "\n" + line + "\nlocal res = result()")
    assert at_end != text
    assert key_violations(at_end), f"not caught at top level: {line}"
    in_flush = text.replace("local function flush()\n", "local function flush()\n  " + line + "\n")
    assert in_flush != text
    assert key_violations(in_flush), f"not caught inside flush(): {line}"


@pytest.mark.parametrize("old, new", [
    ("redis.call('HGET', hash, id)", "redis.call('HGET', hash .. ':x', id)"),
    ("if #args > 0 then redis.call('HSET', hash, unpack(args)) end",
     "if #args > 0 then redis.call('HSET', P .. hash, unpack(args)) end"),
    ("local function agentRec(a) return record(K_AGENTS, a) end",
     "local function agentRec(a) return record(P .. ':agent:' .. a, a) end"),
    ("local dirty = { [K_AGENTS] = {}, [K_CONTACTS] = {} }", "local dirty = { [K_AGENTS] = {}, [P] = {} }"),
    ("    dirty[hash] = {}", "    dirty[hash .. ':x'] = {}"),
    ("local raw = redis.call('HGET', hash, id)", "hash = hash .. ':x'\n    local raw = redis.call('HGET', hash, id)"),
    ("redis.call('ZADD', FREE[ch], r.idleSince, a)", "redis.call('ZADD', 'sb:{routing}:free:' .. ch, r.idleSince, a)"),
    ("redis.call('ZADD', K_AVAILABLE, r.idleSince, a)", "redis.call('ZADD', KEYS[3], r.idleSince, a)"),
    ("local FREE = { chat = KEYS[4], voice = KEYS[5] }", "local FREE = { chat = KEYS[4], voice = KEYS[5], sms = 'x' }"),
    ("local K_OFFERS, K_PREFERRED, K_ENDED, K_SEQ = KEYS[8], KEYS[9], KEYS[10], KEYS[11]",
     "local K_OFFERS, K_PREFERRED, K_ENDED, K_SEQ = KEYS[8], KEYS[9], KEYS[11], KEYS[10]"),
])
def test_key_check_catches_edits_of_the_core(old, new):
    """Edits of the core that would let a script touch an undeclared key (or bind the keys out of order) are caught."""
    text = script_text("end")
    assert text.count(old) == 1, old
    assert key_violations(text.replace(old, new)), new


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
    assert c["state"] == "offered" and c["offeredTo"] == "a2" and c["offerDeadline"] == 25_000
    # An offer is activity: a2's idle-since is now 5000, so a3 is the longest idle now.
    assert rt.agent("a2")["idleSince"] == 5_000
    assert rt.enqueue("c2", "chat", now=6_000).offers == [("c2", "a3")]
    assert rt.enqueue("c3", "chat", now=7_000).offers == [("c3", "a1")]
    # Finishing a contact also resets idle-since: a2 accepted c1 and ends it at 9000.
    rt.accept("c1", "a2", 8_000)
    rt.end("c1", 9_000)
    assert rt.agent("a2")["idleSince"] == 9_000
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
    assert rt.r.zrange(rt.k("queued", "chat"), 0, -1) == ["c1"] and rt.contact("c1")["queue"] == "default"
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
    assert rt.held("a1", "chat") == {"c0", "c1", "c2"}
    assert rt.held("a1", "voice") == {"v0"}
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
    assert rt.queued("chat") == ["c1", "c2", "c3", "c4", "c5"]  # one zset per channel, all queues, by arrival
    assert rt.queued("chat", "default") == ["c1", "c3", "c5"]
    assert rt.queued("chat", "vip") == ["c2", "c4"]
    assert {rt.contact(c)["queue"] for c in rt.queued("chat")} == {"default", "vip"}
    res = rt.state("a1", "Available", 2_000)
    assert res.offers == [("c1", "a1"), ("c2", "a1")]
    rt.accept("c1", "a1", 2_100)
    assert rt.reject("c2", "a1", 2_200).offers == [("c3", "a1")]  # c2 now skipped for a1
    # Capacity increase (config upsert) offers the next one.
    assert rt.upsert("a1", chat=3, voice=1, now=2_300).offers == [("c4", "a1")]
    assert rt.end("c1", 2_400).offers == [("c5", "a1")]
    assert rt.queued("chat", "default") == []
    assert rt.queued("chat", "vip") == ["c2"]
    assert rt.queued("chat") == ["c2"]
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
    assert a["state"] == "Available" and a["chatCapacity"] == 1 and a["idleSince"] == 2_000
    assert rt.held("a1", "chat") == {"c1"}
    assert rt.enqueue("c2", "chat", now=3_100).offers == []  # at the lowered capacity


@needs_redis
def test_end_queued_and_offered_contacts(rt):
    available(rt, ["a1"], chat=1, voice=1)
    assert rt.enqueue("c1", "chat", now=2_000).offers == [("c1", "a1")]
    rt.enqueue("c2", "chat", now=2_001)
    rt.enqueue("c3", "chat", now=2_002)
    assert rt.end("c2", 2_100).offers == []  # queued contact abandoned: just leaves the queue
    assert rt.queued("chat") == ["c3"]
    res = rt.end("c1", 2_200)  # ended while offered
    assert res.withdrawn == [("c1", "a1", "ended")] and res.offers == [("c3", "a1")]
    assert rt.end("c1", 2_300).offers == []  # idempotent: the record and its drop time stay as they were
    # Ended contacts stay (kept 86400 s by default) until routing_tick.lua drops them: the ended zset says when.
    assert rt.r.zscore(rt.k("ended"), "c1") == 2_200 + 86_400_000
    assert rt.r.zscore(rt.k("ended"), "c2") == 2_100 + 86_400_000
    assert rt.contact("c1")["state"] == "ended" and rt.contact("c1")["endedAt"] == 2_200
    rt.end("c3", 2_400, ttl=60)
    assert rt.r.zscore(rt.k("ended"), "c3") == 2_400 + 60_000
    assert rt.r.zcard(rt.k("offers")) == 0
    assert rt.r.exists(rt.k("queued", "chat")) == 0
    assert_routing_keys(rt)  # only the eleven keys, none with an expiry


@needs_redis
def test_ended_contact_is_kept_for_its_ttl_then_dropped_by_tick(rt):
    chk = Checker(rt, ["a1", "a2"], ["default"])
    available(rt, ["a1", "a2"])  # a1 idle since 1000, a2 since 1100
    chk.add_contact("c-chat")
    connect_to(rt, "c-chat", "a1", now=5_000)
    rt.end("c-chat", 6_000, ttl=60)  # a1 idle since 6000: a2 is the longest idle from now on
    due = 6_000 + 60 * 1_000
    assert rt.r.zscore(rt.k("ended"), "c-chat") == due
    assert rt.r.pttl(rt.k("contacts")) == -1  # no EXPIRE: the record is a field of the contacts hash
    chk.check("ended")
    # Before the retention passes, the record stays (a tick leaves it) and still gives agent continuity.
    res = rt.tick(due - 1)
    assert res.more == 0 and res.offers == [] and res.withdrawn == []
    chk.check("tick before due", tick_now=due - 1)
    assert rt.contact("c-chat")["state"] == "ended" and rt.r.zscore(rt.k("ended"), "c-chat") == due
    assert rt.end("c-chat", due - 1).offers == []  # ending it again: a no-op, its drop time unchanged
    assert rt.r.zscore(rt.k("ended"), "c-chat") == due
    chk.add_contact("v1")
    res = rt.enqueue("v1", "voice", related="c-chat", now=due - 1)
    assert res.offers == [("v1", "a1")]  # the ended chat's agent, not a2 (the longest idle)
    assert rt.contact("v1")["preferredAgent"] == "a1"
    chk.check("continuity from an ended contact")
    # The tick at the due time drops it from the contacts hash and from the ended zset (nothing else changes).
    res = rt.tick(due)
    assert res.more == 0 and res.offers == [] and res.withdrawn == [] and res.connected == []
    assert rt.r.hexists(rt.k("contacts"), "c-chat") is False and rt.contact("c-chat") == {}
    assert rt.r.zscore(rt.k("ended"), "c-chat") is None and rt.r.zcard(rt.k("ended")) == 0
    assert rt.contact("v1")["state"] == "offered"
    chk.check("dropped", tick_now=due, check_keys=True)
    with pytest.raises(redis.exceptions.ResponseError, match="^NOCONTACT"):
        rt.end("c-chat", due + 1)
    # No continuity any more: standard routing (a2, the longest idle), though the link stays on the new contact.
    chk.add_contact("c2")
    res = rt.enqueue("c2", "chat", related="c-chat", now=due + 2)
    assert res.offers == [("c2", "a2")]
    assert "preferredAgent" not in rt.contact("c2") and rt.contact("c2")["related"] == "c-chat"
    chk.check("after drop")
    # Several due at once: a tick drops at most `limit` (oldest due first) and says `more`.
    for i in range(3):
        chk.add_contact(f"e{i}")
        rt.enqueue(f"e{i}", "chat", now=due + 10 + i)
        rt.end(f"e{i}", due + 20 + i, ttl=1)
    assert rt.r.zrange(rt.k("ended"), 0, -1, withscores=True) == [(f"e{i}", due + 1_020 + i) for i in range(3)]
    chk.check("three ended")
    res = rt.tick(due + 1_021, limit=2)  # e0 and e1 are due, e2 is not
    assert res.more == 1 and res.offers == [] and res.withdrawn == []
    assert rt.r.zrange(rt.k("ended"), 0, -1) == ["e2"]
    assert not rt.r.hexists(rt.k("contacts"), "e0") and not rt.r.hexists(rt.k("contacts"), "e1")
    assert rt.contact("e2")["state"] == "ended"
    chk.check("two dropped", tick_now=due + 1_021)
    res = rt.tick(due + 1_022, limit=2)
    assert res.more == 0 and rt.r.zcard(rt.k("ended")) == 0 and rt.contact("e2") == {}
    chk.check("all dropped", tick_now=due + 1_022, check_keys=True)
    assert set(rt.r.hkeys(rt.k("contacts"))) == {"v1", "c2"}


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
    assert rt.contact("c1")["rejected"] == {"a1": 12_000}
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
    assert set(rt.contact("c1")["rejected"]) == {"a1", "a2", "a3"}
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
    # Any number of keys but the eleven: BADKEYS from every script, nothing written.
    valid_args = {
        "agent_upsert": ("a3", 1, 1, 5_100), "agent_state": ("a2", "Offline", 5_100),
        "enqueue": ("c9", "chat", "default", "", 5_100, 1, 1, 1), "accept": ("c1", "a1", 5_100),
        "reject": ("c1", "a1", 5_100), "end": ("c1", 5_100), "tick": (5_100, 100),
    }
    names = rt.key_names()
    for keys in ([], [rt.prefix], [names[0]], names[:10], names + [rt.k("extra")]):
        for op in OPS:
            before = rt.snapshot()
            with pytest.raises(redis.exceptions.ResponseError) as e:
                rt.raw(op, *valid_args[op], keys=keys)
            assert str(e.value).startswith("BADKEYS"), (op, len(keys), str(e.value))
            assert rt.snapshot() == before, f"{op} with {len(keys)} keys wrote before failing"
    with pytest.raises(redis.exceptions.ResponseError) as e:
        rt.r.evalsha(Routing._shas["tick"], 0, 5_100)  # no KEYS at all
    assert str(e.value).startswith("BADKEYS")
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
    assert rt.held("a1", "chat") == {"c1"}
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
    assert c["state"] == "queued" and c["preferredUntil"] == 36_000
    assert rt.agent("a1")["waiting"] == {"v1": c["seq"]}
    assert rt.r.zscore(rt.k("preferred"), "v1") == 36_000
    assert rt.queued("voice") == []
    assert rt.tick(20_000).offers == []
    # a1 frees its voice slot within the window: v1 is offered to a1, not to idle a3.
    res = rt.end("v-busy", 21_000)
    assert res.offers == [("v1", "a1")]
    assert "preferredUntil" not in rt.contact("v1")
    assert rt.r.zcard(rt.k("preferred")) == 0
    assert rt.agent("a1")["waiting"] == {}


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
    assert rt.agent("a1")["waiting"] == {}


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
    assert c["state"] == "connected" and c["agent"] == "a1" and c["autoAccepted"] is True
    assert rt.held("a1", "chat") == {"c1"}  # counts against chat capacity
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
    assert rt.waiting("a1") == ["c1"]
    res = rt.end("c-full", 7_000)
    assert res.connected == [("c1", "a1")] and res.offers == []  # connected directly, not offered
    assert rt.contact("c1")["autoAccepted"] is True
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
                info[a] = (h["state"], h["idleSince"], h["voiceCapacity"], len(h["voice"]))
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
                assert c["state"] == "queued" and c["preferredUntil"] == t + window
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
        assert h["state"] == "connected" and h["agent"] == a and h["autoAccepted"] is True, (ctx, c, h)
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
    rt = Routing(client)
    try:
        _randomized_run(rt, seed)
    finally:
        rt.cleanup()


def _randomized_run(rt, seed):
    """1200 random steps (every script, from several "nodes" with clock skew), all invariants checked after each."""
    rng = random.Random(seed)
    agents = [f"ag{i:02d}" for i in range(50)]
    queues = ["default", "vip", "billing"]
    chk = Checker(rt, agents, queues)
    t = 1_000_000
    made = 0
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
                res = rt.end(c, now, ttl=rng.choice([None, None, 1, 30]))  # short ones are dropped by ticks
                assert rt.contact(c)["state"] == "ended"
        elif roll < 0.87:
            op = "state"
            a = rng.choice(agents)
            st = rng.choice(["Available", "Available", "Offline"])
            res = rt.state(a, st, now)
            if st == "Offline":
                held = rt.held(a, "chat") | rt.held(a, "voice")
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
    assert len(chk.dropped) > 10, "ticks dropped too few ended contacts to test it"


@needs_redis
def test_scripts_touch_only_the_eleven_keys_under_acl(client):
    """Runtime twin of the static key check: the randomized run as a Redis user allowed these eleven keys only.
    Redis checks ACL key permissions on every command a script runs, so a key built inside Lua fails the run."""
    rt = Routing(client)
    user, password = f"sbtest-{uuid.uuid4().hex[:10]}", uuid.uuid4().hex
    try:
        client.acl_setuser(user, enabled=True, reset=True, passwords=[f"+{password}"], commands=["+@all"],
                           keys=rt.key_names())
    except redis.exceptions.ResponseError as e:  # e.g. a Redis whose test user may not manage ACLs
        pytest.skip(f"cannot create an ACL user on this Redis: {e}")
    pool = client.connection_pool
    limited = redis.Redis(connection_pool=redis.ConnectionPool(
        connection_class=pool.connection_class, **{**pool.connection_kwargs, "username": user, "password": password}))
    try:
        # The restriction holds, for plain commands and inside scripts.
        with pytest.raises(redis.exceptions.ResponseError):
            limited.get(rt.k("agent", "a1"))
        with pytest.raises(redis.exceptions.ResponseError, match="can't access"):
            limited.eval("return redis.call('HGET', KEYS[1] .. ':x', 'a1')", 1, rt.k("agents"))
        node = Routing(limited)
        node.prefix = rt.prefix
        _randomized_run(node, seed=4)
    finally:
        limited.close()
        client.acl_deluser(user)
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
