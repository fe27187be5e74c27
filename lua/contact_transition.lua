-- contact_transition.lua — move a contact of the embedded engine to a new state only if it is in one of the
-- allowed states, so concurrent requests on any node (accept vs. end, two ends) change it once.
--
-- KEYS[1]  the contact's hash, e.g. "sb:{contacts}:contact:<id>"
-- ARGV[1]  new state ("queued" | "connected" | "ended")
-- ARGV[2]  allowed current states, comma-separated, e.g. "initiated,queued"
-- ARGV[3]  seconds until the hash expires after this transition; "0" keeps it
-- ARGV[4..] field, value pairs written together with the state
--
-- Returns 1 when the state changed, 0 when the current state is not allowed, -1 when the contact is unknown.
local current = redis.call('HGET', KEYS[1], 'state')
if not current then return -1 end
local allowed = false
for state in string.gmatch(ARGV[2], '[^,]+') do
  if state == current then allowed = true end
end
if not allowed then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[1])
for i = 4, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
local ttl = tonumber(ARGV[3])
if ttl and ttl > 0 then redis.call('EXPIRE', KEYS[1], ttl) end
return 1
