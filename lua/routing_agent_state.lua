-- routing_agent_state.lua — set an agent Available or Offline.
-- Available (from Offline): idle-since = now, then the agent is offered waiting contacts (drain).
-- Offline: the agent leaves the routing sets; its pending offers are withdrawn (reason "offline") and
-- re-routed, contacts waiting for it (agent continuity) fall back to standard routing; its connected
-- contacts stay with it (it finishes them; auto-accepted chats of its ongoing call still reach it).
-- Setting the current state again is harmless (Available re-runs the drain).
--
-- KEYS[1]  routing key prefix carrying the hash tag, e.g. "sb:{routing}" (all keys are KEYS[1] .. ":...")
-- ARGV[1]  agentId
-- ARGV[2]  state   "Available" | "Offline"
-- ARGV[3]  now     caller's wall clock, ms since the epoch
--
-- Returns {offers, withdrawn, connected}: flat {contactId, agentId, ...} / {contactId, agentId, reason, ...}
-- / {contactId, agentId, ...}. Errors: BADPREFIX, BADARG, NOAGENT (not created by routing_agent_upsert.lua).

--#include include/routing_core.lua

if PREFIX_ERR then return PREFIX_ERR end
local a, state, now = ARGV[1], ARGV[2], argInt(3)
if not validId(a) then return badArg('agentId is malformed') end
if state ~= 'Available' and state ~= 'Offline' then return badArg('state must be Available or Offline') end
if not now then return badArg('now must be a non-negative integer (ms)') end
local current = redis.call('HGET', agentKey(a), 'state')
if not current then return redis.error_reply('NOAGENT agent ' .. a .. ' is not configured') end

if state == 'Available' then
  if current ~= 'Available' then
    redis.call('HSET', agentKey(a), 'state', 'Available', 'stateSince', now, 'idleSince', now)
  end
  refreshAgent(a)
  drain(a, now)
  return result()
end

if current ~= 'Offline' then
  redis.call('HSET', agentKey(a), 'state', 'Offline', 'stateSince', now)
end
refreshAgent(a)
local reroute = {}
for _, ch in ipairs(CHANNELS) do
  for _, c in ipairs(redis.call('SMEMBERS', agentSetKey(a, ch))) do
    local v = cfields(c, 'state', 'offeredTo')
    if v[1] == 'offered' and v[2] == a then
      withdraw(c, 'offline')
      reroute[#reroute + 1] = c
    end
  end
end
for _, c in ipairs(redis.call('ZRANGE', waitingKey(a), 0, -1)) do
  unwait(c)
  reroute[#reroute + 1] = c
end
routeAll(reroute, now)
return result()
