-- contact_transition.lua — move a contact of the embedded engine to a new state only if it is in one of the
-- allowed states, so concurrent requests on any node (accept vs. end, two ends) change it once.
--
-- KEYS[1]  the contact's hash, e.g. "sb:{c7-a}:contact:<id>" (in its bucket, docs/redis-keys.md)
-- ARGV[1]  new state ("queued" | "connected" | "ended")
-- ARGV[2]  allowed current states, comma-separated, e.g. "initiated,queued"
-- ARGV[3]  seconds until the hash expires after this transition; "0" keeps it
-- ARGV[4..] field, value pairs written together with the state
--
-- Returns 1 when the state changed, 0 when the current state is not allowed, -1 when the contact is unknown.
--#include include/contact_state.lua

local changed = transitionState(KEYS[1], ARGV[1], ARGV[2], 4)
if changed ~= 1 then return changed end
local ttl = tonumber(ARGV[3])
if ttl and ttl > 0 then redis.call('EXPIRE', KEYS[1], ttl) end
return 1
