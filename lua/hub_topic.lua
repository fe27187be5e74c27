-- hub_topic.lua — count one node's sockets of a topic (`agent:<id>`, `contact:<id>`, `meeting:<id>`), so frames for
-- the topic are published only to the nodes that hold one of its sockets (hub_publish.lua).
--
-- KEYS[1]  the topic's node registry, a HASH nodeId → number of that node's sockets of the topic,
--          e.g. "sb:{agent:alice}:nodes"
-- ARGV[1]  nodeId
-- ARGV[2]  +1 when a socket joins the topic, -1 when it leaves
-- ARGV[3]  ttlMs: the registry expires this long after its last join (a node that died without leaving
--          leaves only a field that costs one unheard PUBLISH until then)
--
-- Returns the node's count after the change.
local count = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
if count <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
  count = 0
end
if tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return count
