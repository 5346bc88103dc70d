-- Rebuilds a room whose Redis state was lost, from its durable checkpoint (room-checkpoints.ts).
-- Only a room with no config is rebuilt, so racing rebuilders (every role may try) write it once and a
-- live room is never touched. `issued` restarts above every number that may have been given out
-- since the checkpoint (the caller adds the gap); the seed and its commitment are the original ones;
-- the admitted capacity comes back as placeholder sessions that expire when the originals would.
-- KEYS: config, serving, issued, fairnessSeed, active
-- ARGV: serving, issued, seed, expiresAt1, count1, ..., '--', field, value, ...
-- Reply: 'rebuilt' | 'exists'
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 'exists'
end
local separator
for i = 4, #ARGV do
  if ARGV[i] == '--' then separator = i break end
end
if not separator or (#ARGV - separator) < 2 then
  return redis.error_reply('BAD_ARGUMENTS rebuild-room takes serving, issued, seed, buckets, --, config pairs')
end
redis.call('HSET', KEYS[1], unpack(ARGV, separator + 1))
redis.call('SET', KEYS[2], ARGV[1])
redis.call('SET', KEYS[3], ARGV[2])
if ARGV[3] ~= '' then
  redis.call('SET', KEYS[4], ARGV[3])
end
for i = 4, separator - 1, 2 do
  local expiresAt, count = ARGV[i], tonumber(ARGV[i + 1])
  for n = 1, count do
    redis.call('ZADD', KEYS[5], expiresAt, 'rebuilt:' .. expiresAt .. ':' .. n)
  end
end
return 'rebuilt'
