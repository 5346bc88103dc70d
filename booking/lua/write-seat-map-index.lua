-- Writes an event's seat-map index, the last step of a fill, after every section was sealed
-- (seal-seat-map-section.lua): the sections the fill completed and their seat counts. The index
-- lives shorter than its sections, so it always expires first.
-- KEYS: index (the event's hash tag)
-- ARGV: index ttlMs, then per section: name, seat count
-- Reply: 1.
redis.call('DEL', KEYS[1])
for position = 2, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[position], ARGV[position + 1])
end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1
