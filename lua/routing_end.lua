-- routing_end.lua — the contact ended (either side hung up / disconnected, or it was abandoned while
-- waiting). Queued: it leaves its queue (or its preferred agent's waiting set). Offered: the offer is
-- withdrawn (reason "ended"). Connected: the agent's capacity frees and its idle-since becomes now.
-- Then the freed agent is offered waiting contacts. The contact hash keeps channel, queue, related and
-- agent, and expires (with its rejected set) after endedTtlSeconds. Ending an ended contact is a no-op.
--
-- KEYS[1]  routing key prefix carrying the hash tag, e.g. "sb:{routing}" (all keys are KEYS[1] .. ":...")
-- ARGV[1]  contactId
-- ARGV[2]  now               caller's wall clock, ms since the epoch
-- ARGV[3]  endedTtlSeconds   optional, default 86400
--
-- Returns {offers, withdrawn, connected}: flat {contactId, agentId, ...} / {contactId, agentId, reason, ...}
-- / {contactId, agentId, ...}. Errors: BADPREFIX, BADARG, NOCONTACT (unknown or already expired).

--#include include/routing_core.lua

if PREFIX_ERR then return PREFIX_ERR end
local c, now, ttl = ARGV[1], argInt(2), argInt(3, 86400)
if not validId(c) then return badArg('contactId is malformed') end
if not now then return badArg('now must be a non-negative integer (ms)') end
if not ttl or ttl < 1 then return badArg('endedTtlSeconds must be a positive integer') end
local v = cfields(c, 'state', 'channel', 'queue', 'agent', 'preferredUntil')
local state, ch = v[1], v[2]
if not state then return redis.error_reply('NOCONTACT contact ' .. c .. ' is unknown') end
if state == 'ended' then return result() end

local freed = nil
if state == 'queued' then
  if v[5] then
    unwait(c)
  else
    dequeue(c, v[3], ch)
  end
elseif state == 'offered' then
  freed = withdraw(c, 'ended')
elseif state == 'connected' then
  freed = v[4]
  redis.call('SREM', agentSetKey(freed, ch), c)
  touchAgent(freed, now)
end
redis.call('HSET', contactKey(c), 'state', 'ended', 'endedAt', now)
redis.call('EXPIRE', contactKey(c), ttl)
redis.call('EXPIRE', rejectedKey(c), ttl)
if freed then drain(freed, now) end
return result()
