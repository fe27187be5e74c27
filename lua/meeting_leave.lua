-- meeting_leave.lua — remove an attendee from a meeting's presence only if the leaving socket is still the one
-- registered (a reload may already have joined again with the same attendee id from another socket or node).
--
-- KEYS[1]  the meeting's peers hash, e.g. "sb:{m:<meetingId>}:peers"
-- ARGV[1]  attendeeId
-- ARGV[2]  the value the leaving socket registered ("<role> <nodeId> <connectionId>")
--
-- Returns 1 when removed (tell the others peer_left), 0 when another socket holds the attendee now.
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return 1
end
return 0
