-- include/routing_core.lua — the routing core shared by every lua/routing_*.lua (key schema and rules: docs/routing.md).
-- Not a script of its own: ScriptCatalog (Swift) and the Python tests expand a line "--#include include/routing_core.lua"
-- with this file before SCRIPT LOAD, since EVALSHA scripts cannot import each other.
--
-- Every routing script is called with the same eleven keys, in this order, and touches no other key. A routing step
-- finds out while it runs which agents and contacts it reads (the longest-idle agent, the oldest waiting contact), so
-- agents and contacts are fields of two hashes rather than keys of their own: that way every key is declared.
local K_AGENTS, K_CONTACTS, K_AVAILABLE = KEYS[1], KEYS[2], KEYS[3]
local FREE = { chat = KEYS[4], voice = KEYS[5] }
local QUEUED = { chat = KEYS[6], voice = KEYS[7] }
local K_OFFERS, K_PREFERRED, K_ENDED, K_SEQ = KEYS[8], KEYS[9], KEYS[10], KEYS[11]
if #KEYS ~= 11 then
  -- Before anything else: with fewer than two keys the record tables below would not even build.
  return redis.error_reply('BADKEYS a routing script takes its 11 keys (docs/routing.md), got ' .. #KEYS)
end

local SCAN = 100 -- entries read per ZRANGE page when skipping agents or contacts
local CHANNELS = { 'chat', 'voice' }
local OFFERS, WITHDRAWN, CONNECTED = {}, {}, {}

-- Agent and contact records (JSON in K_AGENTS / K_CONTACTS), decoded once per call and written back by result().
local cache = { [K_AGENTS] = {}, [K_CONTACTS] = {} }
local dirty = { [K_AGENTS] = {}, [K_CONTACTS] = {} }
local SETS = { [K_AGENTS] = { 'chat', 'voice', 'waiting' }, [K_CONTACTS] = { 'rejected' } }

local function record(hash, id)
  local r = cache[hash][id]
  if r == nil then
    local raw = redis.call('HGET', hash, id)
    r = false
    if raw then
      r = cjson.decode(raw)
      -- cjson cannot tell an empty object from an empty array; the sets are always objects.
      for _, f in ipairs(SETS[hash]) do r[f] = r[f] or {} end
    end
    cache[hash][id] = r
  end
  return r or nil
end

local function agentRec(a) return record(K_AGENTS, a) end
local function contactRec(c) return record(K_CONTACTS, c) end
local function saveAgent(a, r) cache[K_AGENTS][a] = r; dirty[K_AGENTS][a] = true end
local function saveContact(c, r) cache[K_CONTACTS][c] = r; dirty[K_CONTACTS][c] = true end

local function flush()
  for hash, ids in pairs(dirty) do
    local args = {}
    for id in pairs(ids) do
      args[#args + 1] = id
      args[#args + 1] = cjson.encode(cache[hash][id])
      if #args >= 400 then
        redis.call('HSET', hash, unpack(args))
        args = {}
      end
    end
    if #args > 0 then redis.call('HSET', hash, unpack(args)) end
    dirty[hash] = {}
  end
end

-- ARGV[i] as a non-negative integer; `default` when absent or empty; nil when malformed.
local function argInt(i, default)
  local v = ARGV[i]
  if v == nil or v == '' then return default end
  local n = tonumber(v)
  if n == nil or n ~= math.floor(n) or n < 0 or n > 1e15 then return nil end
  return n
end

-- Ids are hash fields and JSON keys; the rule keeps them plain to read in redis-cli and in logs.
local function validId(s)
  return type(s) == 'string' and s ~= '' and #s <= 256 and not string.find(s, '[:{}%s]')
end

local function badArg(msg) return redis.error_reply('BADARG ' .. msg) end

local function result()
  flush()
  return { OFFERS, WITHDRAWN, CONNECTED }
end

local function size(set)
  local n = 0
  for _ in pairs(set) do n = n + 1 end
  return n
end

-- Offered + connected contacts of agent record `r` on channel `ch`, against its capacity there.
local function roomOn(r, ch) return size(r[ch]) < (r[ch .. 'Capacity'] or 0) end

local function hasRoom(a, ch)
  local r = agentRec(a)
  return r ~= nil and roomOn(r, ch)
end

-- Recompute the agent's membership (and idle-since score) in the available and free:<channel> zsets.
local function refreshAgent(a)
  local r = agentRec(a)
  local avail = r.state == 'Available'
  if avail then
    redis.call('ZADD', K_AVAILABLE, r.idleSince, a)
  else
    redis.call('ZREM', K_AVAILABLE, a)
  end
  for _, ch in ipairs(CHANNELS) do
    if avail and roomOn(r, ch) then
      redis.call('ZADD', FREE[ch], r.idleSince, a)
    else
      redis.call('ZREM', FREE[ch], a)
    end
  end
end

-- New work or a finished contact: the agent stops being idle now.
local function touchAgent(a, now)
  local r = agentRec(a)
  r.idleSince = now
  saveAgent(a, r)
  refreshAgent(a)
end

-- Agent `a` rejected or let an offer of `c` time out less than rejectCooldownMs ago.
local function skipped(c, a, now)
  local r = contactRec(c)
  local t = r.rejected[a]
  return t ~= nil and now < t + (r.rejectCooldownMs or 0)
end

-- Puts contact `c` on agent `a`'s load for channel `ch` (or takes it off with `on` false).
local function hold(a, ch, c, on)
  local r = agentRec(a)
  r[ch][c] = on and 1 or nil
  saveAgent(a, r)
end

local function offer(c, ch, a, now)
  local r = contactRec(c)
  r.state, r.offeredTo, r.offeredAt = 'offered', a, now
  r.offerDeadline = now + (r.offerTimeoutMs or 0)
  saveContact(c, r)
  redis.call('ZADD', K_OFFERS, r.offerDeadline, c)
  hold(a, ch, c, true)
  touchAgent(a, now)
  OFFERS[#OFFERS + 1] = c
  OFFERS[#OFFERS + 1] = a
end

-- Auto-accept: connect without an offer.
local function connect(c, ch, a, now)
  local r = contactRec(c)
  r.state, r.agent, r.connectedAt, r.autoAccepted = 'connected', a, now, true
  saveContact(c, r)
  hold(a, ch, c, true)
  touchAgent(a, now)
  CONNECTED[#CONNECTED + 1] = c
  CONNECTED[#CONNECTED + 1] = a
end

-- The agent whose connected voice contact this chat contact is related to, or nil.
local function autoAcceptAgent(c)
  local r = contactRec(c)
  if r.channel ~= 'chat' or not r.related then return nil end
  local rel = contactRec(r.related)
  if rel and rel.channel == 'voice' and rel.state == 'connected' and rel.agent then return rel.agent end
  return nil
end

-- Give `c` (in no structure) to agent `a`, who has room on `ch`.
local function place(c, ch, a, now)
  if autoAcceptAgent(c) == a then
    connect(c, ch, a, now)
  else
    offer(c, ch, a, now)
  end
end

-- Leave the preferred agent's waiting set.
local function unwait(c)
  local r = contactRec(c)
  if r.preferredAgent then
    local ar = agentRec(r.preferredAgent)
    if ar then
      ar.waiting[c] = nil
      saveAgent(r.preferredAgent, ar)
    end
  end
  redis.call('ZREM', K_PREFERRED, c)
  r.preferredUntil = nil
  saveContact(c, r)
end

-- Standard routing of `c` (in no structure): the longest-idle Available agent with room on its channel
-- that is not skipped for it; otherwise the waiting zset of its channel, at its original arrival position (seq).
local function routeStandard(c, now)
  local r = contactRec(c)
  local ch = r.channel
  local start = 0
  while true do
    local batch = redis.call('ZRANGE', FREE[ch], start, start + SCAN - 1)
    for _, a in ipairs(batch) do
      if not skipped(c, a, now) then
        place(c, ch, a, now)
        return
      end
    end
    if #batch < SCAN then break end
    start = start + SCAN
  end
  r.state = 'queued'
  saveContact(c, r)
  redis.call('ZADD', QUEUED[ch], r.seq, c)
end

-- Route several contacts, oldest arrival first.
local function routeAll(list, now)
  table.sort(list, function(x, y) return contactRec(x).seq < contactRec(y).seq end)
  for _, c in ipairs(list) do routeStandard(c, now) end
end

-- Withdraw the pending offer of `c`; frees the reserved capacity. Returns the agent it was offered to.
local function withdraw(c, reason)
  local r = contactRec(c)
  local a = r.offeredTo
  redis.call('ZREM', K_OFFERS, c)
  hold(a, r.channel, c, false)
  r.offeredTo, r.offeredAt, r.offerDeadline = nil, nil, nil
  saveContact(c, r)
  refreshAgent(a)
  WITHDRAWN[#WITHDRAWN + 1] = c
  WITHDRAWN[#WITHDRAWN + 1] = a
  WITHDRAWN[#WITHDRAWN + 1] = reason
  return a
end

local function markSkipped(c, a, now)
  local r = contactRec(c)
  r.rejected[a] = now
  saveContact(c, r)
end

-- Contacts waiting for agent record `r` (agent continuity), oldest arrival first.
local function waitingFor(r)
  local list = {}
  for c, seq in pairs(r.waiting) do list[#list + 1] = { c, seq } end
  table.sort(list, function(x, y) return x[2] < y[2] end)
  return list
end

-- Fill agent `a`'s free capacity: contacts waiting for it (agent continuity) first, then the oldest
-- waiting contact over all queues on a channel where it has room and that it is not skipped for.
local function drain(a, now)
  for _ = 1, 1000 do
    local r = agentRec(a)
    if r.state ~= 'Available' then return end
    local room, any = {}, false
    for _, ch in ipairs(CHANNELS) do
      if roomOn(r, ch) then
        room[ch] = true
        any = true
      end
    end
    if not any then return end
    local pick, pickCh = nil, nil
    for _, w in ipairs(waitingFor(r)) do
      local ch = contactRec(w[1]).channel
      if room[ch] then
        pick, pickCh = w[1], ch
        break
      end
    end
    if pick then
      unwait(pick)
    else
      local bestSeq = nil
      for _, ch in ipairs(CHANNELS) do
        if room[ch] then
          local e = redis.call('ZRANGE', QUEUED[ch], 0, SCAN - 1, 'WITHSCORES')
          for i = 1, #e, 2 do
            local s = tonumber(e[i + 1])
            if bestSeq and s >= bestSeq then break end
            if not skipped(e[i], a, now) then
              pick, pickCh, bestSeq = e[i], ch, s
              break
            end
          end
        end
      end
      if not pick then return end
      redis.call('ZREM', QUEUED[pickCh], pick)
    end
    place(pick, pickCh, a, now)
  end
end
