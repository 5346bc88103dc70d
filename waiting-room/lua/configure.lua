-- Writes room config fields and returns the whole config hash.
-- KEYS: config, prequeue, prequeueOpening   ARGV: field, value, field, value, ...
-- Opening by flipping the state would strand pre-queued fans without numbers: that must go through
-- openSale, which numbers them first.
for i = 1, #ARGV, 2 do
  if ARGV[i] == 'state' and ARGV[i + 1] == 'open' then
    local current = redis.call('HGET', KEYS[1], 'state')
    local waiting = redis.call('SCARD', KEYS[2]) + redis.call('SCARD', KEYS[3])
    if (current == 'scheduled' or current == 'prequeue') and waiting > 0 then
      return redis.error_reply('PREQUEUE_PENDING prequeued fans must be numbered by openSale')
    end
  end
end
if #ARGV > 0 then
  redis.call('HSET', KEYS[1], unpack(ARGV))
end
return redis.call('HGETALL', KEYS[1])
