-- include/routing_core.lua — the routing core shared by every lua/routing_*.lua (key schema and rules: docs/routing.md).
-- Not a script of its own: ScriptCatalog (Swift) and the Python tests expand a line "--#include include/routing_core.lua"
-- with this file before SCRIPT LOAD, since EVALSHA scripts cannot import each other.
local P = KEYS[1] or ''
local PREFIX_ERR = nil
do
  local open = string.find(P, '{', 1, true)
  local close = open and string.find(P, '}', open + 1, true)
  if not close or close == open + 1 then
    PREFIX_ERR = redis.error_reply('BADPREFIX KEYS[1] must be the routing key prefix with a hash tag, e.g. sb:{routing}')
  end
end

local SCAN = 100 -- entries read per ZRANGE page when skipping agents or contacts
local CHANNELS = { 'chat', 'voice' }
local OFFERS, WITHDRAWN, CONNECTED = {}, {}, {}

local K_AGENTS = P .. ':agents'
local K_AVAILABLE = P .. ':agents:available'
local K_QUEUES = P .. ':queues'
local K_OFFERS = P .. ':offers'
local K_PREFERRED = P .. ':preferred'
local K_SEQ = P .. ':seq'
local function agentKey(a) return P .. ':agent:' .. a end
local function agentSetKey(a, ch) return P .. ':agent:' .. a .. ':' .. ch end
local function waitingKey(a) return P .. ':agent:' .. a .. ':waiting' end
local function freeKey(ch) return P .. ':agents:free:' .. ch end
local function contactKey(c) return P .. ':contact:' .. c end
local function rejectedKey(c) return P .. ':contact:' .. c .. ':rejected' end
local function queueKey(q, ch) return P .. ':queue:' .. q .. ':' .. ch end

-- ARGV[i] as a non-negative integer; `default` when absent or empty; nil when malformed.
local function argInt(i, default)
  local v = ARGV[i]
  if v == nil or v == '' then return default end
  local n = tonumber(v)
  if n == nil or n ~= math.floor(n) or n < 0 or n > 1e15 then return nil end
  return n
end

-- Ids become key segments: no ':' (separator), no braces (hash tag), no whitespace.
local function validId(s)
  return type(s) == 'string' and s ~= '' and #s <= 256 and not string.find(s, '[:{}%s]')
end

local function badArg(msg) return redis.error_reply('BADARG ' .. msg) end

local function result() return { OFFERS, WITHDRAWN, CONNECTED } end

local function cfields(c, ...) return redis.call('HMGET', contactKey(c), ...) end

local function agentInfo(a)
  local v = redis.call('HMGET', agentKey(a), 'state', 'idleSince', 'chatCapacity', 'voiceCapacity')
  return { state = v[1], idleSince = tonumber(v[2]) or 0, chat = tonumber(v[3]) or 0, voice = tonumber(v[4]) or 0 }
end

-- Offered + connected contacts of agent `a` on channel `ch`.
local function loadOf(a, ch) return redis.call('SCARD', agentSetKey(a, ch)) end

local function hasRoom(a, ch)
  local cap = tonumber(redis.call('HGET', agentKey(a), ch .. 'Capacity')) or 0
  return loadOf(a, ch) < cap
end

-- Recompute the agent's membership (and idle-since score) in agents:available and agents:free:<channel>.
local function refreshAgent(a)
  local info = agentInfo(a)
  local avail = info.state == 'Available'
  if avail then
    redis.call('ZADD', K_AVAILABLE, info.idleSince, a)
  else
    redis.call('ZREM', K_AVAILABLE, a)
  end
  for _, ch in ipairs(CHANNELS) do
    if avail and loadOf(a, ch) < info[ch] then
      redis.call('ZADD', freeKey(ch), info.idleSince, a)
    else
      redis.call('ZREM', freeKey(ch), a)
    end
  end
end

-- New work or a finished contact: the agent stops being idle now.
local function touchAgent(a, now)
  redis.call('HSET', agentKey(a), 'idleSince', now)
  refreshAgent(a)
end

-- Agent `a` rejected or let an offer of `c` time out less than rejectCooldownMs ago.
local function skipped(c, a, now)
  local t = redis.call('ZSCORE', rejectedKey(c), a)
  if not t then return false end
  local cooldown = tonumber(redis.call('HGET', contactKey(c), 'rejectCooldownMs')) or 0
  return now < tonumber(t) + cooldown
end

local function offer(c, ch, a, now)
  local timeout = tonumber(redis.call('HGET', contactKey(c), 'offerTimeoutMs')) or 0
  local deadline = now + timeout
  redis.call('HSET', contactKey(c), 'state', 'offered', 'offeredTo', a, 'offeredAt', now, 'offerDeadline', deadline)
  redis.call('ZADD', K_OFFERS, deadline, c)
  redis.call('SADD', agentSetKey(a, ch), c)
  touchAgent(a, now)
  OFFERS[#OFFERS + 1] = c
  OFFERS[#OFFERS + 1] = a
end

-- Auto-accept: connect without an offer.
local function connect(c, ch, a, now)
  redis.call('HSET', contactKey(c), 'state', 'connected', 'agent', a, 'connectedAt', now, 'autoAccepted', '1')
  redis.call('SADD', agentSetKey(a, ch), c)
  touchAgent(a, now)
  CONNECTED[#CONNECTED + 1] = c
  CONNECTED[#CONNECTED + 1] = a
end

-- The agent whose connected voice contact this chat contact is related to, or nil.
local function autoAcceptAgent(c)
  local v = cfields(c, 'channel', 'related')
  if v[1] ~= 'chat' or not v[2] then return nil end
  local r = cfields(v[2], 'channel', 'state', 'agent')
  if r[1] == 'voice' and r[2] == 'connected' and r[3] then return r[3] end
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

local function dequeue(c, q, ch)
  redis.call('ZREM', queueKey(q, ch), c)
  if redis.call('EXISTS', queueKey(q, 'chat'), queueKey(q, 'voice')) == 0 then
    redis.call('SREM', K_QUEUES, q)
  end
end

-- Leave the preferred agent's waiting set.
local function unwait(c)
  local a = redis.call('HGET', contactKey(c), 'preferredAgent')
  if a then redis.call('ZREM', waitingKey(a), c) end
  redis.call('ZREM', K_PREFERRED, c)
  redis.call('HDEL', contactKey(c), 'preferredUntil')
end

-- Standard routing of `c` (in no structure): the longest-idle Available agent with room on its channel
-- that is not skipped for it; otherwise its queue, at its original arrival position (seq).
local function routeStandard(c, now)
  local v = cfields(c, 'channel', 'queue', 'seq')
  local ch = v[1]
  local start = 0
  while true do
    local batch = redis.call('ZRANGE', freeKey(ch), start, start + SCAN - 1)
    for _, a in ipairs(batch) do
      if not skipped(c, a, now) then
        place(c, ch, a, now)
        return
      end
    end
    if #batch < SCAN then break end
    start = start + SCAN
  end
  redis.call('HSET', contactKey(c), 'state', 'queued')
  redis.call('ZADD', queueKey(v[2], ch), tonumber(v[3]), c)
  redis.call('SADD', K_QUEUES, v[2])
end

-- Route several contacts, oldest arrival first.
local function routeAll(list, now)
  local seqs = {}
  for _, c in ipairs(list) do seqs[c] = tonumber(redis.call('HGET', contactKey(c), 'seq')) or 0 end
  table.sort(list, function(x, y) return seqs[x] < seqs[y] end)
  for _, c in ipairs(list) do routeStandard(c, now) end
end

-- Withdraw the pending offer of `c`; frees the reserved capacity. Returns the agent it was offered to.
local function withdraw(c, reason)
  local v = cfields(c, 'channel', 'offeredTo')
  redis.call('ZREM', K_OFFERS, c)
  redis.call('SREM', agentSetKey(v[2], v[1]), c)
  redis.call('HDEL', contactKey(c), 'offeredTo', 'offeredAt', 'offerDeadline')
  refreshAgent(v[2])
  WITHDRAWN[#WITHDRAWN + 1] = c
  WITHDRAWN[#WITHDRAWN + 1] = v[2]
  WITHDRAWN[#WITHDRAWN + 1] = reason
  return v[2]
end

local function markSkipped(c, a, now)
  redis.call('ZADD', rejectedKey(c), now, a)
end

-- Fill agent `a`'s free capacity: contacts waiting for it (agent continuity) first, then the oldest
-- waiting contact over all queues on a channel where it has room and that it is not skipped for.
local function drain(a, now)
  for _ = 1, 1000 do
    local info = agentInfo(a)
    if info.state ~= 'Available' then return end
    local room, any = {}, false
    for _, ch in ipairs(CHANNELS) do
      if loadOf(a, ch) < info[ch] then
        room[ch] = true
        any = true
      end
    end
    if not any then return end
    local pick, pickCh = nil, nil
    for _, c in ipairs(redis.call('ZRANGE', waitingKey(a), 0, SCAN - 1)) do
      local ch = redis.call('HGET', contactKey(c), 'channel')
      if room[ch] then
        pick, pickCh = c, ch
        break
      end
    end
    if pick then
      unwait(pick)
    else
      local pickQueue, bestSeq = nil, nil
      for _, q in ipairs(redis.call('SMEMBERS', K_QUEUES)) do
        for _, ch in ipairs(CHANNELS) do
          if room[ch] then
            local e = redis.call('ZRANGE', queueKey(q, ch), 0, SCAN - 1, 'WITHSCORES')
            for i = 1, #e, 2 do
              local s = tonumber(e[i + 1])
              if bestSeq and s >= bestSeq then break end
              if not skipped(e[i], a, now) then
                pick, pickCh, pickQueue, bestSeq = e[i], ch, q, s
                break
              end
            end
          end
        end
      end
      if not pick then return end
      dequeue(pick, pickQueue, pickCh)
    end
    place(pick, pickCh, a, now)
  end
end
