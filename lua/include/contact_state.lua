-- include/contact_state.lua — the compare-and-set of a contact's state, shared by contact_transition.lua and
-- contact_end.lua. Included text: it reads nothing but its arguments.

-- Sets `state` on the contact hash `key` (and the field/value pairs ARGV[first..]) only if its current state is one of
-- the comma-separated `allowed`. Returns 1 when changed, 0 when the current state is not allowed, -1 when unknown.
local function transitionState(key, state, allowed, first)
  local current = redis.call('HGET', key, 'state')
  if not current then return -1 end
  local ok = false
  for candidate in string.gmatch(allowed, '[^,]+') do
    if candidate == current then ok = true end
  end
  if not ok then return 0 end
  redis.call('HSET', key, 'state', state)
  for i = first, #ARGV, 2 do
    redis.call('HSET', key, ARGV[i], ARGV[i + 1])
  end
  return 1
end
