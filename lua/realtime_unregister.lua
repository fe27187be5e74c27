-- realtime_unregister.lua — forget one customer socket (closed, or its node is draining).
--
-- KEYS[1]  realtime key prefix with its hash tag, e.g. "sb:{rt}". Keys touched: <P>:conn:<connId>,
--          <P>:user:<userId>:conns, <P>:node:<nodeId>:conns
-- ARGV[1]  connId
-- ARGV[2]  userId   the socket's user (the hash may have expired already)
-- ARGV[3]  nodeId   the node that held it
-- Returns 1 when the connection hash existed.
local P = KEYS[1]
local conn, user, node = ARGV[1], ARGV[2], ARGV[3]
redis.call('SREM', P .. ':user:' .. user .. ':conns', conn)
redis.call('SREM', P .. ':node:' .. node .. ':conns', conn)
return redis.call('DEL', P .. ':conn:' .. conn)
