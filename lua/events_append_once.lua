-- events_append_once.lua — append contact events to the event stream at most once each: an event goes in only if its
-- marker key is new, so a step the engine re-runs after a node died (LocalContactEngine+Finishing.swift) does not
-- append a second copy. Marker and append happen together, so a crash cannot leave one without the other.
--
-- KEYS[1]      the event stream (events.stream, e.g. "sb:events")
-- KEYS[2..n]   one marker key per event, in KEYS[1]'s cluster slot, e.g. "sb:events:{sb:events}:once:<eventId>"
-- ARGV[1]      approximate MAXLEN of the stream (events.maxLength)
-- ARGV[2]      seconds a marker is kept (events.dedupeTtlSeconds)
-- ARGV[3..]    the event JSON texts: ARGV[i + 1] belongs to KEYS[i] (i >= 2)
--
-- Returns the number of events appended (0 when every one was appended before).
if #ARGV ~= #KEYS + 1 then return redis.error_reply('BADARG one event per marker key') end
local appended = 0
for i = 2, #KEYS do
  if redis.call('SET', KEYS[i], '1', 'NX', 'EX', ARGV[2]) then
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'event', ARGV[i + 1])
    appended = appended + 1
  end
end
return appended
