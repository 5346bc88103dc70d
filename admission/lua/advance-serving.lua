-- One admission tick for one event: advance `serving` by rate × elapsed, carrying the fractional
-- remainder, never past `issued`, never beyond the capacity left under maxActiveShoppers.
-- Refused unless the caller holds the lease with the current fencing token, so a deposed leader
-- cannot admit anyone.
-- KEYS: config, serving, issued, active, admissions, admissionClaims, lease, ticker
-- ARGV: token, nowMs
-- Replies: {'fenced', currentToken or -1}
--        | {'advanced'|'idle', serving, issued, admittedNow, state, activeCount, unclaimed}
local MINUTE_MS = 60000
local now = tonumber(ARGV[2])
local lease = redis.call('HMGET', KEYS[7], 'token', 'expiresAt')
if lease[1] ~= ARGV[1] or not lease[2] or tonumber(lease[2]) <= now then
  return {'fenced', tonumber(lease[1] or '-1')}
end

local config = redis.call('HMGET', KEYS[1], 'state', 'admissionRatePerMinute', 'maxActiveShoppers', 'claimWindowSeconds')
local state = config[1] or ''
local serving = tonumber(redis.call('GET', KEYS[2]) or '0')
local issued = tonumber(redis.call('GET', KEYS[3]) or '0')
local progress = redis.call('HMGET', KEYS[8], 'lastTickMs', 'carry')
local lastTick = tonumber(progress[1] or '')
local carry = tonumber(progress[2] or '0')

-- The admissions log: drop batches older than both the minute window and the claim window, and
-- count places admitted within the claim window but not claimed yet: they will need capacity.
local claimWindowMs = tonumber(config[4] or '300') * 1000
local keepSince = now - math.max(claimWindowMs, MINUTE_MS)
local unclaimed = 0
local batches = redis.call('ZRANGE', KEYS[5], 0, -1)
for _, batch in ipairs(batches) do
  local from, to, admittedAt = string.match(batch, '^(%d+):(%d+):(%d+)$')
  admittedAt = tonumber(admittedAt)
  if admittedAt < keepSince then
    redis.call('ZREM', KEYS[5], batch)
    redis.call('HDEL', KEYS[6], batch)
  elseif admittedAt >= now - claimWindowMs then
    local claims = tonumber(redis.call('HGET', KEYS[6], batch) or '0')
    unclaimed = unclaimed + math.max(0, tonumber(to) - tonumber(from) - claims)
  end
end
local activeCount = redis.call('ZCOUNT', KEYS[4], '(' .. now, '+inf')

-- Paused/closed/soldout (or the first tick) admit nobody and bank nothing, so resuming never bursts.
if state ~= 'open' or not lastTick or now < lastTick then
  redis.call('HSET', KEYS[8], 'lastTickMs', math.max(now, lastTick or now), 'carry', 0)
  return {'idle', serving, issued, 0, state, activeCount, unclaimed}
end

-- Integer arithmetic in "admission-milliseconds": exact for any integer rate, e.g. 7/min.
local budget = tonumber(config[2]) * (now - lastTick) + carry
local due = math.floor(budget / MINUTE_MS)
carry = budget - due * MINUTE_MS
local capacityLeft = math.max(0, tonumber(config[3]) - activeCount - unclaimed)
local admitNow = math.min(due, issued - serving, capacityLeft)
if admitNow < due then
  -- Nobody to admit or no room: drop the surplus instead of banking it into a later burst.
  carry = 0
end
if admitNow > 0 then
  redis.call('SET', KEYS[2], serving + admitNow)
  redis.call('ZADD', KEYS[5], serving + admitNow, serving .. ':' .. (serving + admitNow) .. ':' .. now)
  serving = serving + admitNow
end
redis.call('HSET', KEYS[8], 'lastTickMs', now, 'carry', carry)
return {'advanced', serving, issued, admitNow, state, activeCount, unclaimed}
