-- realtime_forget.lua — drop one socket of a dead node from its user's set, unless the node has registered it again.
--
-- KEYS[1]  the user's sockets, e.g. "sb:{u:<userId>}:conns" (ZSET: member "<connId>@<nodeId>", score expiry ms)
-- ARGV[1]  member   "<connId>@<nodeId>"
-- ARGV[2]  cutoff   ms since the epoch: the purge's start + realtime.connectionTtlSeconds. A record the dead node last
--                   refreshed before the purge began expires before it and is dropped; one written after (the node was
--                   only stalled, and registered its sockets again) expires after it and is kept.
-- Returns 1 when the member was removed.
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) <= tonumber(ARGV[2]) then
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0
