-- contact_update_attributes.lua — merge new attributes into a contact's attributes (UpdateContactAttributes),
-- atomically, so two concurrent updates both land; refuses a result larger than the configured limit. Each attribute
-- is a field of the contact's hash, "attr:<name>".
--
-- KEYS[1]  the contact's hash, e.g. "sb:{c7-a}:contact:<id>" (in its bucket, docs/redis-keys.md)
-- ARGV[1]  largest allowed total size of names + values, in bytes (security.maxAttributeBytes)
-- ARGV[2..] name, value pairs to set
--
-- Returns 1 when merged, -1 when the contact is unknown, -2 when the merged attributes would be too large.
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local merged = {}
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  if string.sub(fields[i], 1, 5) == 'attr:' then merged[string.sub(fields[i], 6)] = fields[i + 1] end
end
for i = 2, #ARGV, 2 do merged[ARGV[i]] = ARGV[i + 1] end
local size = 0
for name, value in pairs(merged) do size = size + #name + #value end
if size > tonumber(ARGV[1]) then return -2 end
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], 'attr:' .. ARGV[i], ARGV[i + 1]) end
return 1
