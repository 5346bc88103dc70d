-- Moves a room to a new state only from an allowed one, atomically, so a late "resume" can never
-- reopen a room that was closed or sold out in between. A move appends one queue.state-changed entry
-- to the event's outbox stream in this same script; 'same' and 'refused' change nothing and append
-- nothing.
-- KEYS: config, outbox   ARGV: toState, messageId, nowMs, fromState...
-- Replies: {'ok', state} | {'same', state} | {'refused', currentState or ''}
local target, messageId, nowMs = ARGV[1], ARGV[2], ARGV[3]
if not target or not messageId or messageId == '' or not tonumber(nowMs) then
  return redis.error_reply('BAD_ARGUMENTS transition-state takes toState, messageId, nowMs, fromState...')
end
local current = redis.call('HGET', KEYS[1], 'state')
if not current then
  return {'refused', ''}
end
if current == target then
  return {'same', current}
end
for i = 4, #ARGV do
  if current == ARGV[i] then
    redis.call('HSET', KEYS[1], 'state', target)
    local reason = 'configured'
    if target == 'open' then
      reason = current == 'paused' and 'resumed' or 'opened'
    elseif target == 'paused' or target == 'closed' or target == 'soldout' then
      reason = target
    end
    local settings = redis.call('HMGET', KEYS[1], 'admissionRatePerMinute', 'maxActiveShoppers')
    redis.call('XADD', KEYS[2], '*', 'id', messageId, 'time', nowMs, 'state', target, 'previousState', current,
      'admissionRatePerMinute', settings[1] or '0', 'maxActiveShoppers', settings[2] or '0', 'reason', reason)
    return {'ok', target}
  end
end
return {'refused', current}
