-- Takes the event's leader lease if it is free or expired; every acquisition INCRs the fencing token.
-- Expiry is judged by the caller's clock (injected in tests); the fencing token keeps correctness
-- even when clocks disagree, because only the newest token can advance `serving`.
-- KEYS: lease, leaseFence   ARGV: holderId, nowMs, ttlMs
-- Replies: {1, token, expiresAtMs} when held by the caller | {0, holderId, expiresAtMs}
local holderId = ARGV[1]
local now = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
local current = redis.call('HMGET', KEYS[1], 'holder', 'token', 'expiresAt')
if current[1] and tonumber(current[3]) > now then
  if current[1] ~= holderId then
    return {0, current[1], tonumber(current[3])}
  end
  redis.call('HSET', KEYS[1], 'expiresAt', now + ttl)
  return {1, tonumber(current[2]), now + ttl}
end
local token = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'holder', holderId, 'token', token, 'expiresAt', now + ttl)
-- Garbage collection only (a day): liveness is decided by expiresAt above.
redis.call('PEXPIRE', KEYS[1], 86400000)
return {1, token, now + ttl}
