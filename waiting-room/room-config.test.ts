import { describe, expect, it } from '@jest/globals';
import { waitingRoomKeys } from './queue-keys.js';
import { roomConfigFromHash, roomConfigToFields } from './room-config.js';

describe('room config and key layout', () => {
  it('round-trips through the Redis hash, defaulting the claim window and proof of work (off)', () => {
    const fields = roomConfigToFields({ state: 'open', admissionRatePerMinute: 7, maxActiveShoppers: 100, passTtlSeconds: 600, opensAt: 5 });
    const hash: Record<string, string> = {};
    for (let index = 0; index < fields.length; index += 2) hash[fields[index] as string] = fields[index + 1] as string;
    expect(roomConfigFromHash(hash)).toEqual({
      state: 'open',
      admissionRatePerMinute: 7,
      maxActiveShoppers: 100,
      passTtlSeconds: 600,
      opensAt: 5,
      claimWindowSeconds: 300,
      proofOfWorkBits: 0,
    });
    expect(roomConfigFromHash({})).toBeNull();
  });

  it('rejects fractional rates, unknown states and zero capacity', () => {
    expect(() => roomConfigToFields({ admissionRatePerMinute: 7.5 })).toThrow();
    expect(() => roomConfigToFields({ state: 'draining' as never })).toThrow();
    expect(() => roomConfigToFields({ maxActiveShoppers: 0 })).toThrow();
    expect(() => roomConfigToFields({ proofOfWorkBits: 25 })).toThrow();
    expect(() => roomConfigToFields({ proofOfWorkBits: -1 })).toThrow();
    expect(roomConfigToFields({ state: 'paused' })).toEqual(['state', 'paused']);
  });

  it('every key of an event shares one hash tag, under the given prefix', () => {
    const keys = Object.values(waitingRoomKeys('evt-1', 'test:abc:'));
    for (const key of keys) expect(key.startsWith('test:abc:{wr:evt-1}:')).toBe(true);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('refuses event ids that would break the hash tag', () => {
    expect(() => waitingRoomKeys('a}b')).toThrow();
    expect(() => waitingRoomKeys('')).toThrow();
  });
});
