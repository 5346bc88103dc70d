-- Joins a fan to the queue; idempotent: a fan who has a number always gets that number back.
-- When the room asks for proof of work (config proofOfWorkBits > 0), only a fan taking a new place
-- pays: the caller has verified the solution (proof-of-work.ts) and this script spends its salt once
-- (SET NX until the challenge expires), in the same step that hands out the place.
-- KEYS: config, fans, issued, prequeue, prequeueOpening, prequeueLog, proofOfWorkSpent, serving
-- ARGV: fanId, proofSalt ('' without a proof), proofBits, spentTtlMs
-- Replies: {'number', n, isNew, serving, rate} | {'prequeue', opensAt} | {'refused', reason} |
--          {'refused', 'proof_of_work_required' | 'proof_of_work_outdated' | 'proof_of_work_replayed', requiredBits}
-- serving and rate (-1 when unset) give the wait estimate signed into the fan's queue token.
local fanId = ARGV[1]
local function numbered(number, isNew)
  local rate = tonumber(redis.call('HGET', KEYS[1], 'admissionRatePerMinute') or '-1')
  return {'number', number, isNew, tonumber(redis.call('GET', KEYS[8]) or '0'), rate}
end
local existing = redis.call('HGET', KEYS[2], fanId)
if existing then
  return numbered(tonumber(existing), 0)
end
local config = redis.call('HMGET', KEYS[1], 'state', 'opensAt', 'proofOfWorkBits')
local state = config[1]
if not state then
  return {'refused', 'not_configured'}
end
-- A pre-queued fan is being numbered by openSale right now; it gets its place from the shuffle,
-- never a second one from INCR.
local opensAt = tonumber(config[2] or '0')
if redis.call('SISMEMBER', KEYS[5], fanId) == 1 then
  return {'prequeue', opensAt}
end
local requiredBits = tonumber(config[3] or '0')

-- nil when the fan may take a place; else the refusal. Spends the proof when it succeeds.
local function spendProof()
  if requiredBits <= 0 then
    return nil
  end
  if ARGV[2] == nil or ARGV[2] == '' then
    return {'refused', 'proof_of_work_required', requiredBits}
  end
  -- Solved at a lower difficulty than the room now asks for (the organizer raised it meanwhile).
  if tonumber(ARGV[3]) < requiredBits then
    return {'refused', 'proof_of_work_outdated', requiredBits}
  end
  if not redis.call('SET', KEYS[7], '1', 'NX', 'PX', ARGV[4]) then
    return {'refused', 'proof_of_work_replayed', requiredBits}
  end
  return nil
end

if state == 'scheduled' or state == 'prequeue' then
  -- A fan already in the prequeue holds a place: no new proof needed.
  if requiredBits > 0 and redis.call('SISMEMBER', KEYS[4], fanId) == 1 then
    return {'prequeue', opensAt}
  end
  local refusal = spendProof()
  if refusal then
    return refusal
  end
  -- Until openSale runs, everyone who arrives is "before the open", even a little past opensAt,
  -- so nobody is numbered ahead of the shuffled prequeue. The log keeps the join order for the
  -- published membership (fairness-proof.ts); only a fan's first join is logged.
  if redis.call('SADD', KEYS[4], fanId) == 1 then
    redis.call('RPUSH', KEYS[6], fanId)
  end
  return {'prequeue', opensAt}
end
if state == 'open' or state == 'paused' then
  local refusal = spendProof()
  if refusal then
    return refusal
  end
  local number = redis.call('INCR', KEYS[3])
  redis.call('HSET', KEYS[2], fanId, number)
  return numbered(number, 1)
end
return {'refused', state}
