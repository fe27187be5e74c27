-- routing_end.lua — the contact ended (either side hung up / disconnected, or it was abandoned while
-- waiting). Queued: it leaves its queue (or its preferred agent's waiting set). Offered: the offer is
-- withdrawn (reason "ended"). Connected: the agent's capacity frees and its idle-since becomes now.
-- Then the freed agent is offered waiting contacts. The contact record keeps channel, queue, related and
-- agent; routing_tick.lua drops it endedTtlSeconds later (KEYS[10]). Ending an ended contact is a no-op.
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
-- ARGV[2]  now               caller's wall clock, ms since the epoch
-- ARGV[3]  endedTtlSeconds   optional, default 86400
--
-- Returns {offers, withdrawn, connected}: flat {contactId, agentId, ...} / {contactId, agentId, reason, ...}
-- / {contactId, agentId, ...}. Errors: BADKEYS, BADARG, NOCONTACT (unknown or already expired).

--#include include/routing_core.lua

local c, now, ttl = ARGV[1], argInt(2), argInt(3, 86400)
if not validId(c) then return badArg('contactId is malformed') end
if not now then return badArg('now must be a non-negative integer (ms)') end
if not ttl or ttl < 1 then return badArg('endedTtlSeconds must be a positive integer') end
local r = contactRec(c)
if not r then return redis.error_reply('NOCONTACT contact ' .. c .. ' is unknown') end
if r.state == 'ended' then return result() end

local freed = nil
if r.state == 'queued' then
  if r.preferredUntil then
    unwait(c)
  else
    redis.call('ZREM', QUEUED[r.channel], c)
  end
elseif r.state == 'offered' then
  freed = withdraw(c, 'ended')
elseif r.state == 'connected' then
  freed = r.agent
  hold(freed, r.channel, c, false)
  touchAgent(freed, now)
end
r.state, r.endedAt = 'ended', now
saveContact(c, r)
redis.call('ZADD', K_ENDED, now + ttl * 1000, c)
if freed then drain(freed, now) end
return result()
