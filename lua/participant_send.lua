-- participant_send.lua — SendMessage/SendEvent with a ClientToken: append the item to the transcript once; a retry
-- with the same token gets the first item back instead of a second copy. The caller sends a new item to the
-- contact's sockets (hub_publish.lua).
--
-- KEYS[1]  the contact's transcript stream, e.g. "sb:{c7-a}:transcript:<contactId>" (in its bucket)
-- KEYS[2]  the token's record, e.g. "sb:{c7-a}:sent:<participantId>:<sha256 of ClientToken>" (the same bucket)
-- ARGV[1]  the item JSON
-- ARGV[2]  MAXLEN of the transcript (approximate trim)
-- ARGV[3]  seconds the token is remembered
--
-- Returns false when the item was appended, or the item JSON stored for the token when this is a retry.
local prior = redis.call('GET', KEYS[2])
if prior then
  return prior
end
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'item', ARGV[1])
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[3])
return false
