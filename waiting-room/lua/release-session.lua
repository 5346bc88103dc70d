-- Ends a shopping session (checkout done or fan left) so its capacity returns at once.
-- KEYS: active, sessionsByFan, sessionOwners   ARGV: sessionId
-- Reply: 1 if the session existed, else 0.
local sessionId = ARGV[1]
local owner = redis.call('HGET', KEYS[3], sessionId)
if owner and redis.call('HGET', KEYS[2], owner) == sessionId then
  redis.call('HDEL', KEYS[2], owner)
end
redis.call('HDEL', KEYS[3], sessionId)
return redis.call('ZREM', KEYS[1], sessionId)
