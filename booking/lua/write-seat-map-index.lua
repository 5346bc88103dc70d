-- Writes an event's seat-map index, the last step of a fill: the sections whose hashes the fill has
-- completed. It refuses (writes nothing) unless every listed section is complete, and it sets each
-- section's TTL (and its holds set's) past the index's own, so a live index never lists a section
-- key that has already expired.
-- KEYS: index, then per section: its seats hash, its holds set
-- ARGV: index ttlMs, section ttlMs (longer), then per section: name, seat count
-- Reply: 1 when written, 0 when a section was missing or incomplete.
local indexTtlMs, sectionTtlMs = tonumber(ARGV[1]), tonumber(ARGV[2])
local sections = (#KEYS - 1) / 2
for position = 1, sections do
  if redis.call('HEXISTS', KEYS[position * 2], '~complete') == 0 then
    return 0
  end
end
redis.call('DEL', KEYS[1])
for position = 1, sections do
  redis.call('HSET', KEYS[1], ARGV[position * 2 + 1], ARGV[position * 2 + 2])
  redis.call('PEXPIRE', KEYS[position * 2], sectionTtlMs)
  redis.call('PEXPIRE', KEYS[position * 2 + 1], sectionTtlMs)
end
redis.call('PEXPIRE', KEYS[1], indexTtlMs)
return 1
