-- Starts (or returns) an admitted fan's shopping session, which counts toward `active` until it
-- expires or is released. The capacity check here is the hard guard of maxActiveShoppers.
-- KEYS: config, fans, serving, active, sessionsByFan, sessionOwners, claimedFans, admissions, admissionClaims, waitSamples
-- ARGV: fanId, nowMs, newSessionId, joinedAtMs ('' when the token carried no estimate), estimatedWaitSeconds, sampleLimit
-- Replies: {'session', sessionId, expiresAtMs, number, reused 0/1} | {'refused', reason, number, serving}
local fanId = ARGV[1]
local now = tonumber(ARGV[2])
local number = redis.call('HGET', KEYS[2], fanId)
if not number then
  return {'refused', 'not_in_queue', -1, -1}
end
number = tonumber(number)
local serving = tonumber(redis.call('GET', KEYS[3]) or '0')
if number > serving then
  return {'refused', 'not_yet_admitted', number, serving}
end
local config = redis.call('HMGET', KEYS[1], 'state', 'maxActiveShoppers', 'passTtlSeconds')
local state = config[1]
if state == 'closed' or state == 'soldout' then
  return {'refused', state, number, serving}
end

local existing = redis.call('HGET', KEYS[5], fanId)
if existing then
  local expiresAt = redis.call('ZSCORE', KEYS[4], existing)
  if expiresAt and tonumber(expiresAt) > now then
    return {'session', existing, tonumber(expiresAt), number, 1}
  end
  redis.call('ZREM', KEYS[4], existing)
  redis.call('HDEL', KEYS[6], existing)
  redis.call('HDEL', KEYS[5], fanId)
end

-- Housekeeping, bounded per call: capacity is counted by score below, so leftovers never matter.
local expired = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now, 'LIMIT', 0, 200)
for _, sessionId in ipairs(expired) do
  local owner = redis.call('HGET', KEYS[6], sessionId)
  if owner and redis.call('HGET', KEYS[5], owner) == sessionId then
    redis.call('HDEL', KEYS[5], owner)
  end
  redis.call('HDEL', KEYS[6], sessionId)
  redis.call('ZREM', KEYS[4], sessionId)
end

local activeCount = redis.call('ZCOUNT', KEYS[4], '(' .. now, '+inf')
if activeCount >= tonumber(config[2]) then
  return {'refused', 'capacity_full', number, serving}
end

local sessionId = ARGV[3]
local expiresAt = now + tonumber(config[3]) * 1000
redis.call('ZADD', KEYS[4], expiresAt, sessionId)
redis.call('HSET', KEYS[5], fanId, sessionId)
redis.call('HSET', KEYS[6], sessionId, fanId)

-- Credit the admission batch holding this number once per fan, so the ticker stops counting the
-- place as "admitted but unclaimed" capacity. The same first claim records estimate vs actual
-- (wait-estimates.ts): admitted when the batch was, or now if the batch has left the log.
if redis.call('HSETNX', KEYS[7], fanId, now) == 1 then
  local admittedAt = now
  local batch = redis.call('ZRANGEBYSCORE', KEYS[8], number, '+inf', 'LIMIT', 0, 1)[1]
  if batch then
    local from, _, batchAt = string.match(batch, '^(%d+):(%d+):(%d+)$')
    if tonumber(from) < number then
      redis.call('HINCRBY', KEYS[9], batch, 1)
      admittedAt = tonumber(batchAt)
    end
  end
  if ARGV[4] ~= '' then
    redis.call('LPUSH', KEYS[10], string.format('%d', number) .. ':' .. ARGV[4] .. ':' .. ARGV[5] .. ':' .. string.format('%d', admittedAt))
    redis.call('LTRIM', KEYS[10], 0, tonumber(ARGV[6]) - 1)
  end
end
return {'session', sessionId, expiresAt, number, 0}
