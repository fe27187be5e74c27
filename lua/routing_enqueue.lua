-- routing_enqueue.lua — route a new contact (SPEC §7): auto-accept, agent continuity, or standard routing.
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
-- Errors: BADKEYS, BADARG, EXISTS (contact already known; a retried call can treat it as done).

--#include include/routing_core.lua

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
local existing = contactRec(c)
if existing then return redis.error_reply('EXISTS contact ' .. c .. ' is already routed (state ' .. existing.state .. ')') end

-- Agent continuity: the agent who holds (or, once it ended, last held) the related contact.
local target = nil
if rel ~= '' then
  local rr = contactRec(rel)
  if rr and rr.agent and (rr.state == 'connected' or rr.state == 'ended') and agentRec(rr.agent) then
    target = rr.agent
  end
end

local seq = redis.call('INCR', K_SEQ)
local r = { channel = ch, queue = q, state = 'new', seq = seq, createdAt = now, offerTimeoutMs = timeout,
  rejectCooldownMs = cooldown, rejected = {} }
if rel ~= '' then r.related = rel end
if target then r.preferredAgent = target end
saveContact(c, r)

if target then
  -- A chat related to the target's connected voice contact is connected directly, capacity permitting
  -- (Offline or not: it is part of the call the agent is on).
  if autoAcceptAgent(c) == target and hasRoom(target, ch) then
    connect(c, ch, target, now)
    return result()
  end
  local ar = agentRec(target)
  if window > 0 and ar.state == 'Available' and (ar[ch .. 'Capacity'] or 0) > 0 then
    if roomOn(ar, ch) then
      offer(c, ch, target, now)
    else
      -- Wait for the target only, until preferredUntil (routing_tick.lua then falls back).
      r.state, r.preferredUntil = 'queued', now + window
      ar.waiting[c] = seq
      saveAgent(target, ar)
      redis.call('ZADD', K_PREFERRED, r.preferredUntil, c)
    end
    return result()
  end
end

routeStandard(c, now)
return result()
