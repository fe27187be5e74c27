-- routing_reject.lua — the agent rejects the contact offered to it. The offer is withdrawn (reason
-- "rejected"), the agent is skipped for this contact for its rejectCooldownMs, the contact falls back to
-- standard routing (agent continuity ends), and the agent's freed capacity is offered to waiting contacts.
--
-- KEYS[1]  routing key prefix carrying the hash tag, e.g. "sb:{routing}" (all keys are KEYS[1] .. ":...")
-- ARGV[1]  contactId
-- ARGV[2]  agentId
-- ARGV[3]  now      caller's wall clock, ms since the epoch
--
-- Returns {offers, withdrawn, connected}: flat {contactId, agentId, ...} / {contactId, agentId, reason, ...}
-- / {contactId, agentId, ...}; withdrawn holds this offer.
-- Errors: BADPREFIX, BADARG, NOCONTACT (unknown contact), NOTOFFERED (not offered to this agent).

--#include include/routing_core.lua

if PREFIX_ERR then return PREFIX_ERR end
local c, a, now = ARGV[1], ARGV[2], argInt(3)
if not validId(c) then return badArg('contactId is malformed') end
if not validId(a) then return badArg('agentId is malformed') end
if not now then return badArg('now must be a non-negative integer (ms)') end
local v = cfields(c, 'state', 'offeredTo')
if not v[1] then return redis.error_reply('NOCONTACT contact ' .. c .. ' is unknown') end
if v[1] ~= 'offered' or v[2] ~= a then
  return redis.error_reply('NOTOFFERED contact ' .. c .. ' is not offered to agent ' .. a .. ' (state ' .. v[1] .. ')')
end
withdraw(c, 'rejected')
markSkipped(c, a, now)
routeStandard(c, now)
drain(a, now)
return result()
