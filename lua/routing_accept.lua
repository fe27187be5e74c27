-- routing_accept.lua — the agent accepts the contact offered to it: offered -> connected.
-- The capacity the offer reserved becomes the connected contact's. Accepting a contact already connected
-- to the same agent is a no-op (safe to retry). The offer stands until it is withdrawn (routing_tick.lua,
-- reject, Offline, end), so an accept that races with the deadline wins if it runs first.
--
-- KEYS[1]  routing key prefix carrying the hash tag, e.g. "sb:{routing}" (all keys are KEYS[1] .. ":...")
-- ARGV[1]  contactId
-- ARGV[2]  agentId
-- ARGV[3]  now      caller's wall clock, ms since the epoch
--
-- Returns {offers, withdrawn, connected}, all empty (same shape as every routing script).
-- Errors: BADPREFIX, BADARG, NOCONTACT (unknown contact), NOTOFFERED (not offered to this agent).

--#include include/routing_core.lua

if PREFIX_ERR then return PREFIX_ERR end
local c, a, now = ARGV[1], ARGV[2], argInt(3)
if not validId(c) then return badArg('contactId is malformed') end
if not validId(a) then return badArg('agentId is malformed') end
if not now then return badArg('now must be a non-negative integer (ms)') end
local v = cfields(c, 'state', 'offeredTo', 'agent')
if not v[1] then return redis.error_reply('NOCONTACT contact ' .. c .. ' is unknown') end
if v[1] == 'connected' and v[3] == a then return result() end
if v[1] ~= 'offered' or v[2] ~= a then
  return redis.error_reply('NOTOFFERED contact ' .. c .. ' is not offered to agent ' .. a .. ' (state ' .. v[1] .. ')')
end
redis.call('ZREM', K_OFFERS, c)
redis.call('HDEL', contactKey(c), 'offeredTo', 'offeredAt', 'offerDeadline')
redis.call('HSET', contactKey(c), 'state', 'connected', 'agent', a, 'connectedAt', now)
return result()
