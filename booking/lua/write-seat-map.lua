-- Writes seat states into one section of the seat-map cache, each only if newer (a higher seat
-- version) than the cached one, so a slow writer never puts an older state over a newer one. The
-- section's counts move in the same call, so they always equal what its cached seats add up to:
--   `~<STATUS>|<tier>` (HINCRBY counts), `~tiers` (",t1,t2,": which counts exist),
--   and the holds set (one "tier|heldUntil|sk" member per HELD seat, zero-padded so that
--   ZLEXCOUNT counts the lapsed holds of a tier without reading any seat).
-- KEYS: section hash, section holds set
-- ARGV: mode ('fill' | 'update'), ttlMs, complete ('1' on a fill's last chunk, else '0'),
--       then sk, encoded state ("version|status|heldUntil|tier|priceCents") pairs
-- 'update' touches only an existing section (it cannot make a partial one); 'fill' creates it, sets
-- its TTL (which bounds how long a missed update can stay visible) and, on its last chunk, marks it
-- complete: readers trust a section only once `~complete` is set.
-- Reply: number of seats written.
local seatsKey, holdsKey = KEYS[1], KEYS[2]
local mode, ttlMs, complete = ARGV[1], tonumber(ARGV[2]), ARGV[3]

local exists = redis.call('EXISTS', seatsKey) == 1
if mode == 'update' and not exists then
  return 0
end
if not exists then
  -- A holds set outliving its seats (it should not) would be counted twice.
  redis.call('DEL', holdsKey)
end

local function parse(encoded)
  local version, status, heldUntil, tier = string.match(encoded, '^(%d+)|(%u+)|(%d*)|([^|]*)|')
  return tonumber(version), status, heldUntil, tier
end

local function holdMember(tier, heldUntil, sk)
  -- 15 digits: milliseconds since 1970 compare as strings (a hold without heldUntil is lapsed).
  return tier .. '|' .. string.rep('0', 15 - #heldUntil) .. heldUntil .. '|' .. sk
end

local tiers = redis.call('HGET', seatsKey, '~tiers') or ','

local function count(encoded, sk, delta)
  local _, status, heldUntil, tier = parse(encoded)
  redis.call('HINCRBY', seatsKey, '~' .. status .. '|' .. tier, delta)
  if status == 'HELD' then
    local member = holdMember(tier, heldUntil, sk)
    if delta > 0 then
      redis.call('ZADD', holdsKey, 0, member)
    else
      redis.call('ZREM', holdsKey, member)
    end
  end
  if delta > 0 and not string.find(tiers, ',' .. tier .. ',', 1, true) then
    tiers = tiers .. tier .. ','
    redis.call('HSET', seatsKey, '~tiers', tiers)
  end
end

local written = 0
for index = 4, #ARGV, 2 do
  local sk, encoded = ARGV[index], ARGV[index + 1]
  local current = redis.call('HGET', seatsKey, sk)
  if not current or parse(current) < parse(encoded) then
    if current then
      count(current, sk, -1)
    end
    count(encoded, sk, 1)
    redis.call('HSET', seatsKey, sk, encoded)
    written = written + 1
  end
end

if mode == 'fill' then
  redis.call('PEXPIRE', seatsKey, ttlMs)
  if complete == '1' then
    redis.call('HSET', seatsKey, '~complete', '1')
  end
end
-- The holds set lives and dies with its section's seats (same deadline; time is frozen in a script).
if redis.call('EXISTS', holdsKey) == 1 then
  local deadline = redis.call('PEXPIRETIME', seatsKey)
  if deadline > 0 then
    redis.call('PEXPIREAT', holdsKey, deadline)
  end
end
return written
