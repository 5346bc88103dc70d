-- Compare-and-delete: a seat lock is deleted only by the holder of its token, so a worker whose
-- lock expired and was taken by another never frees the other's lock.
-- KEYS: seat lock keys   ARGV: token
-- Reply: number of locks released.
local released = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    released = released + redis.call('DEL', key)
  end
end
return released
