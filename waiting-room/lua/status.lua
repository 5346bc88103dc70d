-- One consistent read of what a fan's page needs.
-- KEYS: config, fans, issued, serving, prequeue, prequeueOpening   ARGV: fanId
-- Reply: {number or -1, prequeued 0/1, serving, issued, state or '', admissionRatePerMinute or -1}
local fanId = ARGV[1]
local number = redis.call('HGET', KEYS[2], fanId)
local prequeued = 0
if not number then
  if redis.call('SISMEMBER', KEYS[5], fanId) == 1 or redis.call('SISMEMBER', KEYS[6], fanId) == 1 then
    prequeued = 1
  end
end
local config = redis.call('HMGET', KEYS[1], 'state', 'admissionRatePerMinute')
return {
  tonumber(number or '-1'),
  prequeued,
  tonumber(redis.call('GET', KEYS[4]) or '0'),
  tonumber(redis.call('GET', KEYS[3]) or '0'),
  config[1] or '',
  tonumber(config[2] or '-1'),
}
