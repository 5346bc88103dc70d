-- Writes room config fields and returns the whole config hash. When the write changes the state, the
-- rate or max active shoppers of a complete room, the same script appends one queue.state-changed
-- entry to the event's outbox stream, so the change and its message commit together; a write that
-- changes none of them appends nothing.
-- The first write of a room also commits to the pre-queue shuffle's seed: the secret seed goes to its
-- own key and its SHA-256 to the config (fairness-proof.ts), before any fan can join the pre-queue;
-- later writes keep the first seed.
-- KEYS: config, prequeue, prequeueOpening, outbox, fairnessSeed
-- ARGV: messageId, nowMs, seed, seedCommitment, field, value, field, value, ...
-- Opening by flipping the state would strand pre-queued fans without numbers: that must go through
-- openSale, which numbers them first.
local messageId, nowMs = ARGV[1], tonumber(ARGV[2])
-- Checked before any write: Redis does not roll back a script that fails halfway.
if not messageId or messageId == '' or not nowMs or not ARGV[3] or ARGV[3] == '' or not ARGV[4] or ARGV[4] == '' then
  return redis.error_reply('BAD_ARGUMENTS configure takes messageId, nowMs, seed, seedCommitment, then field/value pairs')
end
local fieldsFrom = 5
for i = fieldsFrom, #ARGV, 2 do
  if ARGV[i] == 'state' and ARGV[i + 1] == 'open' then
    local current = redis.call('HGET', KEYS[1], 'state')
    local waiting = redis.call('SCARD', KEYS[2]) + redis.call('SCARD', KEYS[3])
    if (current == 'scheduled' or current == 'prequeue') and waiting > 0 then
      return redis.error_reply('PREQUEUE_PENDING prequeued fans must be numbered by openSale')
    end
  end
end
local before = redis.call('HMGET', KEYS[1], 'state', 'admissionRatePerMinute', 'maxActiveShoppers')
-- Only a new room commits: a room configured before commitments existed may already hold fans, and a
-- seed drawn after they joined would prove nothing (its open falls back to openSale's seed).
if not before[1] and redis.call('EXISTS', KEYS[5]) == 0 then
  redis.call('SET', KEYS[5], ARGV[3])
  redis.call('HSET', KEYS[1], 'fairnessCommitment', ARGV[4])
end
if #ARGV >= fieldsFrom then
  redis.call('HSET', KEYS[1], unpack(ARGV, fieldsFrom))
end
local after = redis.call('HMGET', KEYS[1], 'state', 'admissionRatePerMinute', 'maxActiveShoppers')
if after[1] and after[2] and after[3] and (after[1] ~= before[1] or after[2] ~= before[2] or after[3] ~= before[3]) then
  local reason
  if not (before[1] and before[2] and before[3]) then
    reason = 'configured'
  elseif after[1] ~= before[1] then
    if after[1] == 'open' then
      reason = before[1] == 'paused' and 'resumed' or 'opened'
    elseif after[1] == 'paused' or after[1] == 'closed' or after[1] == 'soldout' then
      reason = after[1]
    else
      reason = 'configured'
    end
  elseif after[3] == before[3] then
    reason = 'rate-changed'
  else
    reason = 'settings-changed'
  end
  redis.call('XADD', KEYS[4], '*', 'id', messageId, 'time', ARGV[2], 'state', after[1], 'previousState', before[1] or '',
    'admissionRatePerMinute', after[2], 'maxActiveShoppers', after[3], 'reason', reason)
end
return redis.call('HGETALL', KEYS[1])
