-- realtime_push.lua — one push to a user (SPEC §4): de-duplicate, log for replay, fan out to the nodes holding the
-- user's sockets. Every key is the user's (one hash tag), so pushes to different users spread over a cluster's shards.
--
-- KEYS[1]  the user's replay log, e.g. "sb:{u:<userId>}:replay" (capped STREAM, TTL)
-- KEYS[2]  the user's sockets, e.g. "sb:{u:<userId>}:conns" (ZSET: member "<connId>@<nodeId>", score expiry ms)
-- KEYS[3]  optional: the push's de-duplication marker, e.g. "sb:{u:<userId>}:dedupe:<eventId>:<type>" (STRING, TTL);
--          a second call with it does nothing
-- ARGV[1]  payload     the push as a JSON object without eventId, starting with '{' (e.g. {"contactId":..,"type":..})
-- ARGV[2]  dedupeTtlMs how long the marker is kept
-- ARGV[3]  replayMax   approximate cap of the replay stream (realtime.replayMaxPerUser)
-- ARGV[4]  replayTtlMs the replay stream expires this long after the last push (realtime.replayWindowSeconds)
-- ARGV[5]  now         ms since the epoch: sockets whose expiry passed are dropped, not published to
-- ARGV[6]  channelPrefix  node channels are <channelPrefix><nodeId>, e.g. "sb:{rt}:node:" (channels are not keys); on a
--          cluster a sharded channel in the user's slot, e.g. "sb:{3fz}:node:" where {3fz} hashes to that slot
-- ARGV[7]  publish     "PUBLISH", or "SPUBLISH" for the sharded channels of redis.mode "cluster"
-- ARGV[8..] the push's members as name, value pairs, "type" first: the replay entry's fields
-- Returns {delivered, eventId}: sockets the push was published to, and the new eventId (the replay entry id);
-- {-1, false} when the marker was set before.
-- Published message: "<eventId>\n<connId>,<connId>...\n<payload with "eventId" first>". The JSON comes from the
-- caller (nodes share that work; this script runs on Redis's one thread), which only has the eventId added here.
if KEYS[3] and not redis.call('SET', KEYS[3], '1', 'NX', 'PX', ARGV[2]) then
  return {-1, false}
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', unpack(ARGV, 8))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local message = '{"eventId":"' .. id .. '",' .. string.sub(ARGV[1], 2)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[5])
local byNode, order = {}, {}
local delivered = 0
for _, member in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local at = string.find(member, '@', 1, true)
  if at then
    local conn, node = string.sub(member, 1, at - 1), string.sub(member, at + 1)
    if not byNode[node] then
      byNode[node] = {}
      order[#order + 1] = node
    end
    table.insert(byNode[node], conn)
    delivered = delivered + 1
  end
end
for _, node in ipairs(order) do
  redis.call(ARGV[7], ARGV[6] .. node, id .. '\n' .. table.concat(byNode[node], ',') .. '\n' .. message)
end
return {delivered, id}
