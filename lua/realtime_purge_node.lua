-- realtime_purge_node.lua — remove every socket record of a node that is gone (its liveness key expired),
-- or of a node draining on SIGTERM (force = "1").
--
-- KEYS[1]  realtime key prefix with its hash tag, e.g. "sb:{rt}". Keys touched: <P>:node:<nodeId>:alive,
--          <P>:node:<nodeId>:conns, <P>:conn:<connId>, <P>:user:<userId>:conns, <P>:nodes
-- ARGV[1]  nodeId
-- ARGV[2]  force   "1": purge even if the node's liveness key exists (the node purging itself)
-- Returns the number of connections removed, or -1 when the node is alive and force is not set.
local P = KEYS[1]
local node, force = ARGV[1], ARGV[2]
if force ~= '1' and redis.call('EXISTS', P .. ':node:' .. node .. ':alive') == 1 then
  return -1
end
local nodeSet = P .. ':node:' .. node .. ':conns'
local removed = 0
for _, conn in ipairs(redis.call('SMEMBERS', nodeSet)) do
  local user = redis.call('HGET', P .. ':conn:' .. conn, 'userId')
  if user then
    redis.call('SREM', P .. ':user:' .. user .. ':conns', conn)
  end
  redis.call('DEL', P .. ':conn:' .. conn)
  removed = removed + 1
end
redis.call('DEL', nodeSet)
redis.call('SREM', P .. ':nodes', node)
if force == '1' then
  redis.call('DEL', P .. ':node:' .. node .. ':alive')
end
return removed
