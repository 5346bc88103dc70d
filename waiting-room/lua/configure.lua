-- Writes room config fields and returns the whole config hash. When the write changes the state, the
-- rate or max active shoppers of a complete room, the same script appends one queue.state-changed
-- entry to the event's outbox stream, so the change and its message commit together; a write that
-- changes none of them appends nothing.
-- KEYS: config, prequeue, prequeueOpening, outbox   ARGV: messageId, nowMs, field, value, field, value, ...
-- Opening by flipping the state would strand pre-queued fans without numbers: that must go through
-- openSale, which numbers them first.
local messageId, nowMs = ARGV[1], tonumber(ARGV[2])
-- Checked before any write: Redis does not roll back a script that fails halfway.
if not messageId or messageId == '' or not nowMs then
  return redis.error_reply('BAD_ARGUMENTS configure takes messageId, nowMs, then field/value pairs')
end
for i = 3, #ARGV, 2 do
  if ARGV[i] == 'state' and ARGV[i + 1] == 'open' then
    local current = redis.call('HGET', KEYS[1], 'state')
    local waiting = redis.call('SCARD', KEYS[2]) + redis.call('SCARD', KEYS[3])
    if (current == 'scheduled' or current == 'prequeue') and waiting > 0 then
      return redis.error_reply('PREQUEUE_PENDING prequeued fans must be numbered by openSale')
    end
  end
end
local before = redis.call('HMGET', KEYS[1], 'state', 'admissionRatePerMinute', 'maxActiveShoppers')
if #ARGV > 2 then
  redis.call('HSET', KEYS[1], unpack(ARGV, 3))
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
