-- First step of openSale: reserve numbers issued+1 .. issued+P for the P pre-queued fans, snapshot
-- the prequeue, and open the room, all atomically. Later arrivals INCR past the reserved block.
-- KEYS: config, issued, prequeue, prequeueOpening
-- Replies: {'begun', next, last} | {'resume', next, last} | {'already_open'} | {'refused', reason}
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  return {'refused', 'not_configured'}
end
if redis.call('EXISTS', KEYS[4]) == 1 then
  -- An earlier openSale stopped midway: continue where it left off.
  local progress = redis.call('HMGET', KEYS[1], 'prequeueNext', 'prequeueLast')
  return {'resume', tonumber(progress[1]), tonumber(progress[2])}
end
if state == 'open' or state == 'paused' then
  return {'already_open'}
end
if state ~= 'scheduled' and state ~= 'prequeue' then
  return {'refused', state}
end
local waiting = redis.call('SCARD', KEYS[3])
local first = tonumber(redis.call('GET', KEYS[2]) or '0') + 1
local last = first + waiting - 1
if waiting > 0 then
  redis.call('INCRBY', KEYS[2], waiting)
  redis.call('RENAME', KEYS[3], KEYS[4])
  redis.call('HSET', KEYS[1], 'prequeueNext', first, 'prequeueLast', last)
end
redis.call('HSET', KEYS[1], 'state', 'open')
return {'begun', first, last}
