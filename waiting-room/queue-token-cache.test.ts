import { describe, expect, it } from '@jest/globals';
import { QueueTokenCache } from './queue-token-cache.js';

const numbered = { fanId: 'v:a', eventId: 'e1', number: 7, prequeue: false };

describe('the queue token cache', () => {
  it('hands a fan the same token again only for the same place, while fresh', () => {
    const cache = new QueueTokenCache({ maxEntries: 10, reuseForMs: 1_000 });
    cache.remember(numbered, 'token-7', 5_000);
    expect(cache.reuse(numbered, 5_500)).toBe('token-7');
    // Another number, the pre-queue wait, another event or another fan: sign anew.
    expect(cache.reuse({ ...numbered, number: 8 }, 5_500)).toBeUndefined();
    expect(cache.reuse({ ...numbered, number: null, prequeue: true }, 5_500)).toBeUndefined();
    expect(cache.reuse({ ...numbered, eventId: 'e2' }, 5_500)).toBeUndefined();
    expect(cache.reuse({ ...numbered, fanId: 'v:b' }, 5_500)).toBeUndefined();
    // Too old (or from a clock that went back): sign anew.
    expect(cache.reuse(numbered, 6_000)).toBeUndefined();
    expect(cache.reuse(numbered, 4_000)).toBeUndefined();
  });

  it('a pre-queued fan numbered at the open gets a new token, then that one again', () => {
    const cache = new QueueTokenCache({ maxEntries: 10, reuseForMs: 60_000 });
    const waiting = { ...numbered, number: null, prequeue: true };
    cache.remember(waiting, 'token-prequeue', 0);
    expect(cache.reuse(numbered, 10)).toBeUndefined();
    cache.remember(numbered, 'token-7', 10);
    expect(cache.reuse(numbered, 20)).toBe('token-7');
    expect(cache.reuse(waiting, 20)).toBeUndefined();
  });

  it('keeps at most maxEntries tokens, dropping the oldest first', () => {
    const cache = new QueueTokenCache({ maxEntries: 4, reuseForMs: 60_000 });
    for (let fan = 0; fan < 10; fan += 1) cache.remember({ ...numbered, fanId: `v:${fan}` }, `token-${fan}`, 0);
    expect(cache.size).toBeLessThanOrEqual(4);
    expect(cache.reuse({ ...numbered, fanId: 'v:9' }, 1)).toBe('token-9');
    expect(cache.reuse({ ...numbered, fanId: 'v:0' }, 1)).toBeUndefined();
  });
});
