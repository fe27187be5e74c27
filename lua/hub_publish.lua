-- hub_publish.lua — send one frame to the sockets of a topic: publish it on the channel of every node that holds
-- one of them (hub_topic.lua keeps the registry), and on no other.
--
-- KEYS[1]  the topic's node registry HASH, e.g. "sb:{contact:<id>}:nodes"
-- ARGV[1]  node channel prefix, e.g. "sb:{rt}:node:" (a node's channel is the prefix and its id; channels are not keys);
--          on a cluster a sharded channel in KEYS[1]'s slot, e.g. "sb:{3fz}:node:"
-- ARGV[2]  the node message: JSON {"topic","text","close","exceptNode","exceptConnection"}
-- ARGV[3]  "PUBLISH", or "SPUBLISH" for the sharded channels of redis.mode "cluster"
--
-- Returns the number of nodes it was published to.
local nodes = redis.call('HKEYS', KEYS[1])
for _, node in ipairs(nodes) do
  redis.call(ARGV[3], ARGV[1] .. node, ARGV[2])
end
return #nodes
