-- routing_agent_upsert.lua — create an agent or change its per-channel capacity (config at start-up),
-- keeping its live state (Available/Offline, idle-since, contacts). A new agent starts Offline.
-- Raising capacity of an Available agent offers it waiting contacts; lowering it below the current load
-- withdraws nothing (the agent just gets no new contacts on that channel until it is under capacity).
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
-- ARGV[1]  agentId        (no ':', '{', '}' or whitespace)
-- ARGV[2]  chatCapacity   non-negative integer (default configuration: 3)
-- ARGV[3]  voiceCapacity  non-negative integer (default configuration: 1)
-- ARGV[4]  now            caller's wall clock, ms since the epoch
--
-- Returns {offers, withdrawn, connected} (flat arrays, see docs/routing.md); withdrawn is always empty here.
-- Errors: BADKEYS, BADARG.

--#include include/routing_core.lua

local a = ARGV[1]
local chatCap, voiceCap, now = argInt(2), argInt(3), argInt(4)
if not validId(a) then return badArg('agentId must be a non-empty id without ":", "{", "}" or spaces') end
if not chatCap or chatCap > 1000 then return badArg('chatCapacity must be an integer 0..1000') end
if not voiceCap or voiceCap > 1000 then return badArg('voiceCapacity must be an integer 0..1000') end
if not now then return badArg('now must be a non-negative integer (ms)') end

local r = agentRec(a)
if not r then
  r = { state = 'Offline', stateSince = now, idleSince = now, chat = {}, voice = {}, waiting = {} }
end
r.chatCapacity, r.voiceCapacity = chatCap, voiceCap
saveAgent(a, r)
refreshAgent(a)
drain(a, now)
return result()
