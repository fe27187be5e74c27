-- realtime_register.lua — record one customer socket (SPEC §4) in a single atomic step.
--
-- KEYS[1]  realtime key prefix with its hash tag, e.g. "sb:{rt}". Keys touched (all in KEYS[1]'s slot):
--          <P>:conn:<connId> (HASH userId,node,createdAt; TTL), <P>:user:<userId>:conns (SET),
--          <P>:node:<nodeId>:conns (SET), <P>:nodes (SET of node ids); reads <P>:replay:<userId> (STREAM)
-- ARGV[1]  connId
-- ARGV[2]  userId
-- ARGV[3]  nodeId   the node that holds the socket
-- ARGV[4]  ttlMs    realtime.connectionTtlSeconds * 1000; refreshed by traffic
-- ARGV[5]  now      ms since the epoch (for operators reading createdAt)
-- Returns {number of live connection ids of the user after this one is added, the user's replay position: the id of
-- their latest push, or "0-0"}. Read in the same step as the registration, so every push after that position reaches
-- this socket live, and a client that resumes from it misses nothing.
local P = KEYS[1]
local conn, user, node, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
redis.call('HSET', P .. ':conn:' .. conn, 'userId', user, 'node', node, 'createdAt', ARGV[5])
redis.call('PEXPIRE', P .. ':conn:' .. conn, ttl)
local userSet = P .. ':user:' .. user .. ':conns'
redis.call('SADD', userSet, conn)
-- The set lives as long as its newest member; stale members are dropped by realtime_push.lua.
redis.call('PEXPIRE', userSet, ttl)
redis.call('SADD', P .. ':node:' .. node .. ':conns', conn)
redis.call('SADD', P .. ':nodes', node)
local latest = redis.call('XREVRANGE', P .. ':replay:' .. user, '+', '-', 'COUNT', 1)
return {redis.call('SCARD', userSet), latest[1] and latest[1][1] or '0-0'}
