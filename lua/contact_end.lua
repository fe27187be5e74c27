-- contact_end.lua — the commit step of ending a contact of the embedded engine: the contact becomes "ended" only if it
-- is in one of the allowed states (so concurrent ends on any node change it once), and in the same step its entry in
-- the deadline zset is re-scored to "now + grace". Until the node that ended it removes that entry (the last of the
-- idempotent follow-up steps: participants leave, chat.ended, routing_end.lua, DISCONNECTED/COMPLETED, frames), every
-- node's sweeper sees it due once the grace has passed and runs the follow-up steps again: a node dying at any point
-- after this script leaves work that another node completes.
--
-- KEYS[1]  the contact's hash, e.g. "sb:{c7-a}:contact:<id>" (in its bucket, docs/redis-keys.md)
-- KEYS[2]  the deadline zset, e.g. "sb:{c7-a}:deadlines" (the bucket's; docs/redis-keys.md)
-- ARGV[1]  contactId (the zset member)
-- ARGV[2]  allowed current states, comma-separated, e.g. "initiated,queued,connected"
-- ARGV[3]  seconds until the hash expires (the ended contact's retention)
-- ARGV[4]  epoch ms from which a sweeper finishes the end if nobody has (now + local.lifecycleGraceMs)
-- ARGV[5..] field, value pairs written together with the state (endedAt, disconnectReason)
--
-- Returns 1 when the contact ended now, 0 when its state is not allowed (already ended), -1 when it is unknown.
--#include include/contact_state.lua

local changed = transitionState(KEYS[1], 'ended', ARGV[2], 5)
if changed ~= 1 then return changed end
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
return 1
