-- contact_update_attributes.lua — merge new attributes into a contact's attributes (UpdateContactAttributes),
-- atomically, so two concurrent updates both land; refuses a result larger than the configured limit.
--
-- KEYS[1]  the contact's hash, e.g. "sb:{contacts}:contact:<id>"
-- ARGV[1]  the attributes to set, a JSON object of strings
-- ARGV[2]  largest allowed total size of keys + values, in bytes (security.maxAttributeBytes)
--
-- Returns 1 when merged, -1 when the contact is unknown, -2 when the merged attributes would be too large.
local current = redis.call('HGET', KEYS[1], 'attributes')
if not current then return -1 end
local attributes = cjson.decode(current)
for key, value in pairs(cjson.decode(ARGV[1])) do attributes[key] = value end
local size = 0
for key, value in pairs(attributes) do size = size + #key + #tostring(value) end
if size > tonumber(ARGV[2]) then return -2 end
-- cjson writes an empty table as {} and escapes "/" as "\/": both are valid JSON for the reader.
redis.call('HSET', KEYS[1], 'attributes', cjson.encode(attributes))
return 1
