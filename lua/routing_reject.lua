-- routing_reject.lua — the agent rejects the contact offered to it. The offer is withdrawn (reason
-- "rejected"), the agent is skipped for this contact for its rejectCooldownMs, the contact falls back to
-- standard routing (agent continuity ends), and the agent's freed capacity is offered to waiting contacts.
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
-- ARGV[1]  contactId
-- ARGV[2]  agentId
-- ARGV[3]  now      caller's wall clock, ms since the epoch
--
-- Returns {offers, withdrawn, connected}: flat {contactId, agentId, ...} / {contactId, agentId, reason, ...}
-- / {contactId, agentId, ...}; withdrawn holds this offer.
-- Errors: BADKEYS, BADARG, NOCONTACT (unknown contact), NOTOFFERED (not offered to this agent).

--#include include/routing_core.lua

local c, a, now = ARGV[1], ARGV[2], argInt(3)
if not validId(c) then return badArg('contactId is malformed') end
if not validId(a) then return badArg('agentId is malformed') end
if not now then return badArg('now must be a non-negative integer (ms)') end
local r = contactRec(c)
if not r then return redis.error_reply('NOCONTACT contact ' .. c .. ' is unknown') end
if r.state ~= 'offered' or r.offeredTo ~= a then
  return redis.error_reply('NOTOFFERED contact ' .. c .. ' is not offered to agent ' .. a .. ' (state ' .. r.state .. ')')
end
withdraw(c, 'rejected')
markSkipped(c, a, now)
routeStandard(c, now)
drain(a, now)
return result()
