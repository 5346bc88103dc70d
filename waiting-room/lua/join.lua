-- Joins a fan to the queue; idempotent: a fan who has a number always gets that number back.
-- KEYS: config, fans, issued, prequeue, prequeueOpening, prequeueLog, serving   ARGV: fanId
-- Replies: {'number', n, isNew, serving, rate} | {'prequeue', opensAt} | {'refused', reason}
-- serving and rate (-1 when unset) give the wait estimate signed into the fan's queue token.
local fanId = ARGV[1]
local function numbered(number, isNew)
  local rate = tonumber(redis.call('HGET', KEYS[1], 'admissionRatePerMinute') or '-1')
  return {'number', number, isNew, tonumber(redis.call('GET', KEYS[7]) or '0'), rate}
end
local existing = redis.call('HGET', KEYS[2], fanId)
if existing then
  return numbered(tonumber(existing), 0)
end
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  return {'refused', 'not_configured'}
end
-- A pre-queued fan is being numbered by openSale right now; it gets its place from the shuffle,
-- never a second one from INCR.
local opensAt = tonumber(redis.call('HGET', KEYS[1], 'opensAt') or '0')
if redis.call('SISMEMBER', KEYS[5], fanId) == 1 then
  return {'prequeue', opensAt}
end
if state == 'scheduled' or state == 'prequeue' then
  -- Until openSale runs, everyone who arrives is "before the open", even a little past opensAt,
  -- so nobody is numbered ahead of the shuffled prequeue. The log keeps the join order for the
  -- published membership (fairness-proof.ts); only a fan's first join is logged.
  if redis.call('SADD', KEYS[4], fanId) == 1 then
    redis.call('RPUSH', KEYS[6], fanId)
  end
  return {'prequeue', opensAt}
end
if state == 'open' or state == 'paused' then
  local number = redis.call('INCR', KEYS[3])
  redis.call('HSET', KEYS[2], fanId, number)
  return numbered(number, 1)
end
return {'refused', state}
