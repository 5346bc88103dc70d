-- Records the request behind a hold id (the Idempotency-Key record) unless it exists already.
-- KEYS: hold request   ARGV: eventId, fanId, bodyHash, jobJson, ttlSeconds
-- Reply: {'new'} or {'existing', bodyHash, jobJson}.
if redis.call('EXISTS', KEYS[1]) == 1 then
  local stored = redis.call('HMGET', KEYS[1], 'bodyHash', 'job')
  return {'existing', stored[1], stored[2]}
end
redis.call('HSET', KEYS[1], 'eventId', ARGV[1], 'fanId', ARGV[2], 'bodyHash', ARGV[3], 'job', ARGV[4])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
return {'new'}
