-- The relay stops looking at an event's outbox stream (it read it empty) unless the event was marked
-- after the cutoff: a writer marks before its script, so a newer mark means an entry may still come.
-- KEYS: pending (sorted set eventId -> latest mark ms)   ARGV: eventId, cutoffMs
-- Replies: 1 forgotten | 0 kept
local marked = redis.call('ZSCORE', KEYS[1], ARGV[1])
if marked and tonumber(marked) <= tonumber(ARGV[2]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 1
end
return 0
