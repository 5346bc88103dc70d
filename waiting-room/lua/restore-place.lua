-- Gives a fan back the place their signed queue token names, after Redis lost it. Idempotent and
-- once per fan: a fan who already has a number (restored or joined again) keeps it and the token is
-- ignored. `issued` is raised to the restored number so no later join is handed the same one. A
-- pre-queue token puts the fan back in the pre-queue while the room still waits for its open.
-- KEYS: config, fans, issued, prequeue, prequeueOpening, prequeueLog
-- ARGV: fanId, number ('' for a pre-queue token)
-- Replies: {'number', n, restored 0/1} | {'prequeue', restored 0/1} | {'none'} | {'no_room'}
local fanId = ARGV[1]
local existing = redis.call('HGET', KEYS[2], fanId)
if existing then
  return {'number', tonumber(existing), 0}
end
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  return {'no_room'}
end
local number = tonumber(ARGV[2])
if number then
  redis.call('HSET', KEYS[2], fanId, number)
  if tonumber(redis.call('GET', KEYS[3]) or '0') < number then
    redis.call('SET', KEYS[3], number)
  end
  return {'number', number, 1}
end
if redis.call('SISMEMBER', KEYS[4], fanId) == 1 or redis.call('SISMEMBER', KEYS[5], fanId) == 1 then
  return {'prequeue', 0}
end
if state == 'scheduled' or state == 'prequeue' then
  redis.call('SADD', KEYS[4], fanId)
  redis.call('RPUSH', KEYS[6], fanId)
  return {'prequeue', 1}
end
return {'none'}
