-- contact_claim.lua — a sweeper's lease on a due entry of a lifecycle zset (<C>:starting, <C>:deadlines): if the
-- entry is due, its score moves to the end of the lease and the caller may run the entry's steps; a sweeper on another
-- node then finds it not due and leaves it alone. A node that dies holding the lease only delays the work: the entry is
-- due again when the lease ends, and the steps are idempotent.
--
-- KEYS[1]  the zset, e.g. "sb:{c7-a}:deadlines" (the bucket's; docs/redis-keys.md)
-- ARGV[1]  contactId (the member)
-- ARGV[2]  now, epoch ms
-- ARGV[3]  end of the lease, epoch ms (now + local.lifecycleGraceMs)
--
-- Returns 1 when claimed, 0 when the entry is gone or not due (another node claimed or finished it).
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) > tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
