-- Writes seat states into the seat-map cache, each only if newer (a higher seat version) than the
-- cached one, so a slow writer never puts an older state over a newer one.
-- KEYS: seat map   ARGV: mode ('fill' | 'update'), ttlMs, then sk, encoded state pairs
-- 'update' touches only an existing map (a partial map would look complete); 'fill' creates it and
-- sets its TTL, which bounds how long a missed update can stay visible.
-- Reply: number of seats written.
local mode = ARGV[1]
if mode == 'update' and redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local written = 0
for index = 3, #ARGV, 2 do
  local current = redis.call('HGET', KEYS[1], ARGV[index])
  local incoming = tonumber(string.match(ARGV[index + 1], '^(%d+)|'))
  if not current or tonumber(string.match(current, '^(%d+)|')) < incoming then
    redis.call('HSET', KEYS[1], ARGV[index], ARGV[index + 1])
    written = written + 1
  end
end
if mode == 'fill' then
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
end
return written
