-- Moves a room to a new state only from an allowed one, atomically, so a late "resume" can never
-- reopen a room that was closed or sold out in between.
-- KEYS: config   ARGV: toState, fromState...
-- Replies: {'ok', state} | {'same', state} | {'refused', currentState or ''}
local current = redis.call('HGET', KEYS[1], 'state')
if not current then
  return {'refused', ''}
end
if current == ARGV[1] then
  return {'same', current}
end
for i = 2, #ARGV do
  if current == ARGV[i] then
    redis.call('HSET', KEYS[1], 'state', ARGV[1])
    return {'ok', ARGV[1]}
  end
end
return {'refused', current}
