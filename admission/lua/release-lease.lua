-- Compare-and-delete: only the holder with the current token may hand the lease back.
-- KEYS: lease   ARGV: holderId, token
-- Reply: 1 when released, else 0.
local current = redis.call('HMGET', KEYS[1], 'holder', 'token')
if current[1] == ARGV[1] and current[2] == ARGV[2] then
  return redis.call('DEL', KEYS[1])
end
return 0
