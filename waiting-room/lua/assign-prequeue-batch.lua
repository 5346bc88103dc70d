-- Numbers one batch of the shuffled prequeue: the i-th fan gets next + i - 1.
-- Compare-and-set on prequeueNext so two concurrent openers can never hand out a number twice.
-- KEYS: config, fans, prequeueOpening   ARGV: expectedNext, fanId...
-- Replies: {'ok', nextAfterBatch, remaining} | {'conflict', actualNext}
local next = tonumber(redis.call('HGET', KEYS[1], 'prequeueNext'))
if next ~= tonumber(ARGV[1]) then
  return {'conflict', next or -1}
end
for i = 2, #ARGV do
  local fanId = ARGV[i]
  if redis.call('SREM', KEYS[3], fanId) == 1 then
    redis.call('HSET', KEYS[2], fanId, next)
    next = next + 1
  end
end
local remaining = redis.call('SCARD', KEYS[3])
if remaining == 0 then
  redis.call('DEL', KEYS[3])
  redis.call('HDEL', KEYS[1], 'prequeueNext', 'prequeueLast')
else
  redis.call('HSET', KEYS[1], 'prequeueNext', next)
end
return {'ok', next, remaining}
