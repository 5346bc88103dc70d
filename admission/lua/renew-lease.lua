-- Extends the lease only for the holder with the current token, and only while it has not expired:
-- a leader that lapsed must re-acquire (and get a new token) rather than silently resume.
-- KEYS: lease   ARGV: holderId, token, nowMs, ttlMs
-- Reply: new expiresAtMs, or 0 when the caller is no longer the leader.
local now = tonumber(ARGV[3])
local current = redis.call('HMGET', KEYS[1], 'holder', 'token', 'expiresAt')
if current[1] ~= ARGV[1] or current[2] ~= ARGV[2] or not current[3] or tonumber(current[3]) <= now then
  return 0
end
local expiresAt = now + tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'expiresAt', expiresAt)
redis.call('PEXPIRE', KEYS[1], 86400000)
return expiresAt
