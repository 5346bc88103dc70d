-- Reads what a rebuilt room needs, in one consistent step: the config hash, the counters, the
-- pre-queue seed and the admitted capacity (live sessions and admitted-but-unclaimed places) as
-- [expiresAtMs, count] buckets, rounded up to bucketMs so the list stays short.
-- KEYS: config, serving, issued, fairnessSeed, active, admissions, admissionClaims
-- ARGV: nowMs, bucketMs
-- Reply: {configPairs, serving, issued, seed or '', bucketPairs}
local now = tonumber(ARGV[1])
local bucketMs = tonumber(ARGV[2])
local buckets = {}
local function add(expiresAt, count)
  if expiresAt <= now or count <= 0 then return end
  local bucket = math.ceil(expiresAt / bucketMs) * bucketMs
  buckets[bucket] = (buckets[bucket] or 0) + count
end
local sessions = redis.call('ZRANGEBYSCORE', KEYS[5], '(' .. now, '+inf', 'WITHSCORES')
for i = 2, #sessions, 2 do
  add(tonumber(sessions[i]), 1)
end
local claimWindowMs = tonumber(redis.call('HGET', KEYS[1], 'claimWindowSeconds') or '300') * 1000
for _, batch in ipairs(redis.call('ZRANGE', KEYS[6], 0, -1)) do
  local from, to, admittedAt = string.match(batch, '^(%d+):(%d+):(%d+)$')
  if from then
    local claims = tonumber(redis.call('HGET', KEYS[7], batch) or '0')
    add(tonumber(admittedAt) + claimWindowMs, tonumber(to) - tonumber(from) - claims)
  end
end
local pairs_ = {}
for expiresAt, count in pairs(buckets) do
  pairs_[#pairs_ + 1] = tostring(expiresAt)
  pairs_[#pairs_ + 1] = tostring(count)
end
return {
  redis.call('HGETALL', KEYS[1]),
  tonumber(redis.call('GET', KEYS[2]) or '0'),
  tonumber(redis.call('GET', KEYS[3]) or '0'),
  redis.call('GET', KEYS[4]) or '',
  pairs_,
}
