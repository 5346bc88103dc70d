-- Reads per-section availability from the counts write-seat-map.lua keeps, without reading seats:
-- a HELD seat whose hold has lapsed (heldUntil < now) counts as available, as the reserve condition
-- will take it; those are counted per tier with ZLEXCOUNT on the section's holds set.
-- One section per call: each section's keys are in its own slot.
-- KEYS: the section's seats hash, its holds set
-- ARGV: now (milliseconds, zero-padded to 15 digits, as the holds set's members are)
-- Reply: {total, held, sold, tier, available, tier, available, ...}, or nil when the section is not
-- cached completely (the caller fills and answers from DynamoDB).
local now = ARGV[1]
local seatsKey, holdsKey = KEYS[1], KEYS[2]
local state = redis.call('HMGET', seatsKey, '~complete', '~tiers')
if not state[1] then
  return nil
end
local total, held, sold = 0, 0, 0
local section = { 0, 0, 0 }
for tier in string.gmatch(state[2] or '', '[^,]+') do
  local counts = redis.call('HMGET', seatsKey, '~AVAILABLE|' .. tier, '~HELD|' .. tier, '~SOLD|' .. tier)
  local available, heldSeats, soldSeats = tonumber(counts[1]) or 0, tonumber(counts[2]) or 0, tonumber(counts[3]) or 0
  local lapsed = redis.call('ZLEXCOUNT', holdsKey, '[' .. tier .. '|', '(' .. tier .. '|' .. now)
  total = total + available + heldSeats + soldSeats
  held = held + heldSeats - lapsed
  sold = sold + soldSeats
  section[#section + 1] = tier
  section[#section + 1] = available + lapsed
end
section[1], section[2], section[3] = total, held, sold
return section
