-- routing_tick.lua — periodic sweep (every node may run it, e.g. once a second; runs are atomic).
-- 1. Offers whose offerDeadline <= now are withdrawn (reason "timeout"); the agent is skipped for that
--    contact for its rejectCooldownMs; the contact is re-routed (standard routing); the agent's freed
--    capacity is offered to waiting contacts.
-- 2. Contacts waiting for their preferred agent past preferredUntil fall back to standard routing.
-- 3. Available agents with free capacity are offered waiting contacts again (contacts whose reject
--    cooldown has lapsed; also repairs anything a crashed caller left behind).
-- Each step handles at most `limit` entries.
--
-- KEYS[1]  routing key prefix carrying the hash tag, e.g. "sb:{routing}" (all keys are KEYS[1] .. ":...")
-- ARGV[1]  now    caller's wall clock, ms since the epoch
-- ARGV[2]  limit  optional, default 100 (1..10000)
--
-- Returns {offers, withdrawn, connected, more}: the first three as every routing script (flat
-- {contactId, agentId, ...} / {contactId, agentId, reason, ...} / {contactId, agentId, ...}); more = 1 when a
-- step hit `limit` (call again soon), else 0. Errors: BADPREFIX, BADARG.

--#include include/routing_core.lua

if PREFIX_ERR then return PREFIX_ERR end
local now, limit = argInt(1), argInt(2, 100)
if not now then return badArg('now must be a non-negative integer (ms)') end
if not limit or limit < 1 or limit > 10000 then return badArg('limit must be an integer 1..10000') end
local more = 0

local expired = redis.call('ZRANGEBYSCORE', K_OFFERS, '-inf', now, 'LIMIT', 0, limit)
if #expired == limit then more = 1 end
for _, c in ipairs(expired) do
  local v = cfields(c, 'state', 'offeredTo')
  if v[1] == 'offered' and v[2] then
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
  if redis.call('HGET', contactKey(c), 'state') == 'queued' then
    unwait(c)
    routeStandard(c, now)
  else
    redis.call('ZREM', K_PREFERRED, c) -- stale entry (should not happen)
  end
end

if redis.call('SCARD', K_QUEUES) > 0 or redis.call('ZCARD', K_PREFERRED) > 0 then
  -- Longest idle first over both channels (same order standard routing uses).
  local idle, agents = {}, {}
  for _, ch in ipairs(CHANNELS) do
    local e = redis.call('ZRANGE', freeKey(ch), 0, limit - 1, 'WITHSCORES')
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

local r = result()
r[4] = more
return r
