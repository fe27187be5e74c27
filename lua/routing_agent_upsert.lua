-- routing_agent_upsert.lua — create an agent or change its per-channel capacity (config at start-up),
-- keeping its live state (Available/Offline, idle-since, contacts). A new agent starts Offline.
-- Raising capacity of an Available agent offers it waiting contacts; lowering it below the current load
-- withdraws nothing (the agent just gets no new contacts on that channel until it is under capacity).
--
-- KEYS[1]  routing key prefix carrying the hash tag, e.g. "sb:{routing}" (all keys are KEYS[1] .. ":...")
-- ARGV[1]  agentId        (no ':', '{', '}' or whitespace)
-- ARGV[2]  chatCapacity   non-negative integer (default configuration: 3)
-- ARGV[3]  voiceCapacity  non-negative integer (default configuration: 1)
-- ARGV[4]  now            caller's wall clock, ms since the epoch
--
-- Returns {offers, withdrawn, connected} (flat arrays, see docs/routing.md); withdrawn is always empty here.
-- Errors: BADPREFIX, BADARG.

--#include include/routing_core.lua

if PREFIX_ERR then return PREFIX_ERR end
local a = ARGV[1]
local chatCap, voiceCap, now = argInt(2), argInt(3), argInt(4)
if not validId(a) then return badArg('agentId must be a non-empty id without ":", "{", "}" or spaces') end
if not chatCap or chatCap > 1000 then return badArg('chatCapacity must be an integer 0..1000') end
if not voiceCap or voiceCap > 1000 then return badArg('voiceCapacity must be an integer 0..1000') end
if not now then return badArg('now must be a non-negative integer (ms)') end

if redis.call('EXISTS', agentKey(a)) == 0 then
  redis.call('HSET', agentKey(a), 'state', 'Offline', 'stateSince', now, 'idleSince', now,
    'chatCapacity', chatCap, 'voiceCapacity', voiceCap)
else
  redis.call('HSET', agentKey(a), 'chatCapacity', chatCap, 'voiceCapacity', voiceCap)
end
redis.call('SADD', K_AGENTS, a)
refreshAgent(a)
drain(a, now)
return result()
