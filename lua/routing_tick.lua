-- routing_tick.lua — periodic sweep (every node may run it, e.g. once a second; runs are atomic).
-- 1. Offers whose offerDeadline <= now are withdrawn (reason "timeout"); the agent is skipped for that
--    contact for its rejectCooldownMs; the contact is re-routed (standard routing); the agent's freed
--    capacity is offered to waiting contacts.
-- 2. Contacts waiting for their preferred agent past preferredUntil fall back to standard routing.
-- 3. Available agents with free capacity are offered waiting contacts again (contacts whose reject
--    cooldown has lapsed; also repairs anything a crashed caller left behind).
-- 4. Ended contacts whose endedTtlSeconds (given to routing_end.lua) passed are dropped from KEYS[2].
-- Each step handles at most `limit` entries.
--
-- KEYS (the same eleven for every routing script, in this order; all share one hash tag, e.g. "sb:{routing}:..."):
-- KEYS[1]  <P>:agents           hash  agentId -> JSON agent record
-- KEYS[2]  <P>:contacts         hash  contactId -> JSON contact record
-- KEYS[3]  <P>:agents:available zset  Available agents by idle-since
-- KEYS[4]  <P>:agents:free:chat zset  Available agents with chat room, by idle-since
-- KEYS[5]  <P>:agents:free:voice zset Available agents with voice room, by idle-since
-- KEYS[6]  <P>:queued:chat      zset  waiting chat contacts by arrival (seq)
-- KEYS[7]  <P>:queued:voice     zset  waiting voice contacts by arrival (seq)
-- KEYS[8]  <P>:offers           zset  pending offers by deadline
-- KEYS[9]  <P>:preferred        zset  contacts waiting for their preferred agent, by preferredUntil
-- KEYS[10] <P>:ended            zset  ended contacts by when their record is dropped
-- KEYS[11] <P>:seq              string arrival counter
-- ARGV[1]  now    caller's wall clock, ms since the epoch
-- ARGV[2]  limit  optional, default 100 (1..10000)
--
-- Returns {offers, withdrawn, connected, more}: the first three as every routing script (flat
-- {contactId, agentId, ...} / {contactId, agentId, reason, ...} / {contactId, agentId, ...}); more = 1 when a
-- step hit `limit` (call again soon), else 0. Errors: BADKEYS, BADARG.

--#include include/routing_core.lua

local now, limit = argInt(1), argInt(2, 100)
if not now then return badArg('now must be a non-negative integer (ms)') end
if not limit or limit < 1 or limit > 10000 then return badArg('limit must be an integer 1..10000') end
local more = 0

local expired = redis.call('ZRANGEBYSCORE', K_OFFERS, '-inf', now, 'LIMIT', 0, limit)
if #expired == limit then more = 1 end
for _, c in ipairs(expired) do
  local r = contactRec(c)
  if r and r.state == 'offered' and r.offeredTo then
    local a = withdraw(c, 'timeout')
    markSkipped(c, a, now)
    routeStandard(c, now)
    drain(a, now)
  else
    redis.call('ZREM', K_OFFERS, c) -- stale entry (should not happen)
  end
end

local lapsed = redis.call('ZRANGEBYSCORE', K_PREFERRED, '-inf', now, 'LIMIT', 0, limit)
if #lapsed == limit then more = 1 end
for _, c in ipairs(lapsed) do
  local r = contactRec(c)
  if r and r.state == 'queued' then
    unwait(c)
    routeStandard(c, now)
  else
    redis.call('ZREM', K_PREFERRED, c) -- stale entry (should not happen)
  end
end

if redis.call('ZCARD', QUEUED.chat) + redis.call('ZCARD', QUEUED.voice) + redis.call('ZCARD', K_PREFERRED) > 0 then
  -- Longest idle first over both channels (same order standard routing uses).
  local idle, agents = {}, {}
  for _, ch in ipairs(CHANNELS) do
    local e = redis.call('ZRANGE', FREE[ch], 0, limit - 1, 'WITHSCORES')
    for i = 1, #e, 2 do
      if not idle[e[i]] then agents[#agents + 1] = e[i] end
      idle[e[i]] = tonumber(e[i + 1])
    end
  end
  table.sort(agents, function(x, y)
    if idle[x] ~= idle[y] then return idle[x] < idle[y] end
    return x < y
  end)
  for _, a in ipairs(agents) do drain(a, now) end
end

-- Ended contacts whose retention passed leave the contacts hash (they answer NOCONTACT from then on).
local gone = redis.call('ZRANGEBYSCORE', K_ENDED, '-inf', now, 'LIMIT', 0, limit)
if #gone == limit then more = 1 end
if #gone > 0 then
  for _, c in ipairs(gone) do
    cache[K_CONTACTS][c], dirty[K_CONTACTS][c] = nil, nil
  end
  redis.call('HDEL', K_CONTACTS, unpack(gone))
  redis.call('ZREM', K_ENDED, unpack(gone))
end

local res = result()
res[4] = more
return res
