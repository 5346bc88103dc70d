-- Seals one section of a seat-map fill before the event's index is written: the section must be
-- complete (its last fill chunk landed), and its seats hash and holds set get the section TTL, which
-- is longer than the index's, so a live index never lists a section key that has already expired.
-- KEYS: section seats hash, section holds set (one hash tag: the section's)
-- ARGV: section ttlMs
-- Reply: 1 when sealed, 0 when the section is missing or incomplete.
if redis.call('HEXISTS', KEYS[1], '~complete') == 0 then
  return 0
end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[1]))
return 1
