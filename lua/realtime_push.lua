-- realtime_push.lua — one push to a user (SPEC §4): de-duplicate, log for replay, fan out to owning nodes.
--
-- KEYS[1]  realtime key prefix with its hash tag, e.g. "sb:{rt}". Keys touched: <P>:dedupe:<dedupeId> (STRING, TTL),
--          <P>:replay:<userId> (capped STREAM, TTL), <P>:user:<userId>:conns (SET), <P>:conn:<connId> (HASH);
--          publishes on channel <P>:node:<nodeId> for every node holding one of the user's sockets.
-- ARGV[1]  userId
-- ARGV[2]  payload     the push as a JSON object without eventId, starting with '{' (e.g. {"contactId":..,"type":..})
-- ARGV[3]  dedupeId    "" for none; otherwise "<eventId>:<type>": a second call with it does nothing
-- ARGV[4]  dedupeTtlMs how long dedupeId is remembered
-- ARGV[5]  replayMax   approximate cap of the user's replay stream (realtime.replayMaxPerUser)
-- ARGV[6]  replayTtlMs the replay stream expires this long after the last push (realtime.replayWindowSeconds)
-- ARGV[7..] the push's members as name, value pairs, "type" first: the replay entry's fields
-- Returns {delivered, eventId}: sockets the push was published to, and the new eventId (the replay entry id);
-- {-1, false} when dedupeId was seen before.
-- Published message: "<eventId>\n<connId>,<connId>...\n<payload with "eventId" first>". The JSON comes from the
-- caller (nodes share that work; this script runs on Redis's one thread), which only has the eventId added here.
local P = KEYS[1]
local user, payload, dedupe = ARGV[1], ARGV[2], ARGV[3]
if dedupe ~= '' then
  if not redis.call('SET', P .. ':dedupe:' .. dedupe, '1', 'NX', 'PX', ARGV[4]) then
    return {-1, false}
  end
end
local replay = P .. ':replay:' .. user
local id = redis.call('XADD', replay, 'MAXLEN', '~', ARGV[5], '*', unpack(ARGV, 7))
redis.call('PEXPIRE', replay, ARGV[6])
local message = '{"eventId":"' .. id .. '",' .. string.sub(payload, 2)
local userSet = P .. ':user:' .. user .. ':conns'
local byNode, order = {}, {}
local delivered = 0
for _, conn in ipairs(redis.call('SMEMBERS', userSet)) do
  local node = redis.call('HGET', P .. ':conn:' .. conn, 'node')
  if node then
    if not byNode[node] then
      byNode[node] = {}
      order[#order + 1] = node
    end
    table.insert(byNode[node], conn)
    delivered = delivered + 1
  else
    -- The connection's hash expired (no traffic for connectionTtlSeconds): drop the stale member lazily.
    redis.call('SREM', userSet, conn)
  end
end
for _, node in ipairs(order) do
  redis.call('PUBLISH', P .. ':node:' .. node, id .. '\n' .. table.concat(byNode[node], ',') .. '\n' .. message)
end
return {delivered, id}
