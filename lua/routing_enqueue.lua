-- routing_enqueue.lua — route a new contact (SPEC §7): auto-accept, agent continuity, or standard routing.
--
-- KEYS[1]  routing key prefix carrying the hash tag, e.g. "sb:{routing}". Every key this script touches is
--          KEYS[1] .. ":<suffix>" (docs/routing.md), so all of them live in KEYS[1]'s cluster slot.
-- ARGV[1]  contactId         new contact id (no ':', '{', '}' or whitespace)
-- ARGV[2]  channel           "chat" | "voice"
-- ARGV[3]  queue             queue id, e.g. "default" (same id rules)
-- ARGV[4]  relatedContactId  "" when none; otherwise the contact whose agent gets continuity
-- ARGV[5]  now               caller's wall clock, ms since the epoch
-- ARGV[6]  offerTimeoutMs    how long every offer of this contact stands (stored on the contact)
-- ARGV[7]  preferredAgentMs  agent-continuity window (routing.preferredAgentSeconds * 1000); 0 disables it
-- ARGV[8]  rejectCooldownMs  optional, default 60000: an agent who rejected / let an offer of this contact
--                            time out is skipped for it this long (stored on the contact)
--
-- Returns {offers, withdrawn, connected}: offers = {contactId, agentId, ...}; withdrawn = {} here;
-- connected = {contactId, agentId} when auto-accepted. Neither offer nor connect: the contact is queued.
-- Errors: BADPREFIX, BADARG, EXISTS (contact already known; a retried call can treat it as done).

--#include include/routing_core.lua

if PREFIX_ERR then return PREFIX_ERR end
local c, ch, q, rel = ARGV[1], ARGV[2], ARGV[3], ARGV[4] or ''
local now, timeout, window, cooldown = argInt(5), argInt(6), argInt(7), argInt(8, 60000)
if not validId(c) then return badArg('contactId must be a non-empty id without ":", "{", "}" or spaces') end
if ch ~= 'chat' and ch ~= 'voice' then return badArg('channel must be chat or voice') end
if not validId(q) then return badArg('queue must be a non-empty id without ":", "{", "}" or spaces') end
if rel ~= '' and not validId(rel) then return badArg('relatedContactId is malformed') end
if rel == c then return badArg('a contact cannot be related to itself') end
if not now then return badArg('now must be a non-negative integer (ms)') end
if not timeout then return badArg('offerTimeoutMs must be a non-negative integer') end
if not window then return badArg('preferredAgentMs must be a non-negative integer') end
if not cooldown then return badArg('rejectCooldownMs must be a non-negative integer') end
local existing = redis.call('HGET', contactKey(c), 'state')
if existing then return redis.error_reply('EXISTS contact ' .. c .. ' is already routed (state ' .. existing .. ')') end

-- Agent continuity: the agent who holds (or, once it ended, last held) the related contact.
local target = nil
if rel ~= '' then
  local r = cfields(rel, 'state', 'agent')
  if r[2] and (r[1] == 'connected' or r[1] == 'ended') and redis.call('EXISTS', agentKey(r[2])) == 1 then
    target = r[2]
  end
end

local seq = redis.call('INCR', K_SEQ)
local fields = { 'channel', ch, 'queue', q, 'state', 'new', 'seq', seq, 'createdAt', now,
  'offerTimeoutMs', timeout, 'rejectCooldownMs', cooldown }
if rel ~= '' then
  fields[#fields + 1] = 'related'
  fields[#fields + 1] = rel
end
if target then
  fields[#fields + 1] = 'preferredAgent'
  fields[#fields + 1] = target
end
redis.call('HSET', contactKey(c), unpack(fields))

if target then
  -- A chat related to the target's connected voice contact is connected directly, capacity permitting
  -- (Offline or not: it is part of the call the agent is on).
  if autoAcceptAgent(c) == target and hasRoom(target, ch) then
    connect(c, ch, target, now)
    return result()
  end
  local info = agentInfo(target)
  if window > 0 and info.state == 'Available' and info[ch] > 0 then
    if hasRoom(target, ch) then
      offer(c, ch, target, now)
    else
      -- Wait for the target only, until preferredUntil (routing_tick.lua then falls back).
      local untilMs = now + window
      redis.call('HSET', contactKey(c), 'state', 'queued', 'preferredUntil', untilMs)
      redis.call('ZADD', waitingKey(target), seq, c)
      redis.call('ZADD', K_PREFERRED, untilMs, c)
    end
    return result()
  end
end

routeStandard(c, now)
return result()
