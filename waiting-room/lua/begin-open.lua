-- First step of openSale: reserve numbers issued+1 .. issued+P for the P pre-queued fans, snapshot
-- the prequeue, and open the room, all atomically. Later arrivals INCR past the reserved block.
-- Opening appends one queue.state-changed entry (reason 'opened') to the event's outbox stream in
-- this same script; a resumed or repeated open changes no state and appends nothing.
-- The open also reveals the shuffle's seed (copied into the config beside its commitment) and keeps
-- the pre-queue's join-order log as the published membership, with the first number it was given.
-- KEYS: config, issued, prequeue, prequeueOpening, outbox, prequeueLog, prequeueMembership, fairnessSeed
-- ARGV: messageId, nowMs
-- Replies: {'begun', next, last} | {'resume', next, last} | {'already_open'} | {'refused', reason}
if not ARGV[1] or ARGV[1] == '' or not tonumber(ARGV[2]) then
  return redis.error_reply('BAD_ARGUMENTS begin-open takes messageId, nowMs')
end
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
if redis.call('EXISTS', KEYS[6]) == 1 then
  redis.call('RENAME', KEYS[6], KEYS[7])
end
local seed = redis.call('GET', KEYS[8])
if seed then
  redis.call('HSET', KEYS[1], 'fairnessSeed', seed, 'fairnessFirstNumber', first)
end
redis.call('HSET', KEYS[1], 'state', 'open')
local settings = redis.call('HMGET', KEYS[1], 'admissionRatePerMinute', 'maxActiveShoppers')
redis.call('XADD', KEYS[5], '*', 'id', ARGV[1], 'time', ARGV[2], 'state', 'open', 'previousState', state,
  'admissionRatePerMinute', settings[1] or '0', 'maxActiveShoppers', settings[2] or '0', 'reason', 'opened')
return {'begun', first, last}
