-- realtime_register.lua — record one customer socket (SPEC §4) and read the user's replay position, in one step.
--
-- KEYS[1]  the user's sockets, e.g. "sb:{u:<userId>}:conns" (ZSET: member "<connId>@<nodeId>", score expiry ms)
-- KEYS[2]  the user's replay log, e.g. "sb:{u:<userId>}:replay" (STREAM; only read)
-- ARGV[1]  member     "<connId>@<nodeId>"
-- ARGV[2]  expiresAt  ms since the epoch: now + realtime.connectionTtlSeconds; traffic moves it on
-- ARGV[3]  ttlMs      realtime.connectionTtlSeconds * 1000: the set outlives its newest member by nothing
-- ARGV[4]  now        ms since the epoch; members whose expiry passed are dropped
-- Returns {number of live sockets of the user, the user's replay position: the id of their latest push, or "0-0"}.
-- Read in the same step as the registration, so every push after that position reaches this socket live, and a
-- client that resumes from it misses nothing. (The node's own set of its sockets is written by the caller first: it
-- is in the node's slot, not the user's.)
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
local latest = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
return {redis.call('ZCARD', KEYS[1]), latest[1] and latest[1][1] or '0-0'}
