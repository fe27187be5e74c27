-- routing_agent_state.lua — set an agent Available or Offline.
-- Available (from Offline): idle-since = now, then the agent is offered waiting contacts (drain).
-- Offline: the agent leaves the routing sets; its pending offers are withdrawn (reason "offline") and
-- re-routed, contacts waiting for it (agent continuity) fall back to standard routing; its connected
-- contacts stay with it (it finishes them; auto-accepted chats of its ongoing call still reach it).
-- Setting the current state again is harmless (Available re-runs the drain).
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
-- ARGV[1]  agentId
-- ARGV[2]  state   "Available" | "Offline"
-- ARGV[3]  now     caller's wall clock, ms since the epoch
--
-- Returns {offers, withdrawn, connected}: flat {contactId, agentId, ...} / {contactId, agentId, reason, ...}
-- / {contactId, agentId, ...}. Errors: BADKEYS, BADARG, NOAGENT (not created by routing_agent_upsert.lua).

--#include include/routing_core.lua

local a, state, now = ARGV[1], ARGV[2], argInt(3)
if not validId(a) then return badArg('agentId is malformed') end
if state ~= 'Available' and state ~= 'Offline' then return badArg('state must be Available or Offline') end
if not now then return badArg('now must be a non-negative integer (ms)') end
local r = agentRec(a)
if not r then return redis.error_reply('NOAGENT agent ' .. a .. ' is not configured') end

if state == 'Available' then
  if r.state ~= 'Available' then
    r.state, r.stateSince, r.idleSince = 'Available', now, now
    saveAgent(a, r)
  end
  refreshAgent(a)
  drain(a, now)
  return result()
end

if r.state ~= 'Offline' then
  r.state, r.stateSince = 'Offline', now
  saveAgent(a, r)
end
refreshAgent(a)
local reroute = {}
for _, ch in ipairs(CHANNELS) do
  local held = {}
  for c in pairs(r[ch]) do held[#held + 1] = c end
  for _, c in ipairs(held) do
    local cr = contactRec(c)
    if cr.state == 'offered' and cr.offeredTo == a then
      withdraw(c, 'offline')
      reroute[#reroute + 1] = c
    end
  end
end
for _, w in ipairs(waitingFor(r)) do
  unwait(w[1])
  reroute[#reroute + 1] = w[1]
end
routeAll(reroute, now)
return result()
