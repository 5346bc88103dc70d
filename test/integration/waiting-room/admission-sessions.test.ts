import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { QueueStore } from '../../../waiting-room/queue-store.js';
import { createRedisFixture, openRoom, uniqueEventId, type RedisFixture } from './redis-fixture.js';

const NOW_MS = 1_700_000_000_000;

describe('claiming a pass: admitted shopping sessions (real Redis)', () => {
  let fixture: RedisFixture;
  let store: QueueStore;

  beforeAll(() => {
    fixture = createRedisFixture();
    store = new QueueStore({ redis: fixture.redis, keyPrefix: fixture.keyPrefix });
  });
  afterAll(async () => fixture.close());

  /** A room with `fans` numbered fans of whom the first `served` are admitted. */
  async function roomWithServedFans(label: string, fans: number, served: number, maxActiveShoppers: number): Promise<string> {
    const eventId = uniqueEventId(label);
    await store.createRoom(eventId, { ...openRoom, maxActiveShoppers, passTtlSeconds: 60 });
    for (let fan = 0; fan < fans; fan += 1) await store.join(eventId, `fan-${fan}`, 0);
    // Admission is the ticker's job (tested separately); here `serving` is set directly.
    await fixture.redis.set(store.keys(eventId).serving, served);
    return eventId;
  }

  it('a fan not yet served, or not in the queue, is refused', async () => {
    const eventId = await roomWithServedFans('not-served', 3, 1, 10);
    expect(await store.claimPass(eventId, 'fan-1', NOW_MS)).toEqual({ status: 'refused', reason: 'not_yet_admitted', number: 2, serving: 1 });
    expect(await store.claimPass(eventId, 'stranger', NOW_MS)).toMatchObject({ status: 'refused', reason: 'not_in_queue' });
  });

  it('claiming twice returns the same live session', async () => {
    const eventId = await roomWithServedFans('idempotent', 1, 1, 10);
    const first = await store.claimPass(eventId, 'fan-0', NOW_MS);
    expect(first).toMatchObject({ status: 'admitted', number: 1, expiresAtMs: NOW_MS + 60_000, reused: false });
    const again = await store.claimPass(eventId, 'fan-0', NOW_MS + 5_000);
    expect(again).toEqual({ ...first, reused: true });
    expect(await store.activeSessionCount(eventId, NOW_MS + 5_000)).toBe(1);
  });

  it('concurrent claims never exceed maxActiveShoppers', async () => {
    const eventId = await roomWithServedFans('concurrent', 200, 200, 50);
    const stores = fixture.connections(20).map((redis) => new QueueStore({ redis, keyPrefix: fixture.keyPrefix }));
    // Every fan claims three times from different connections at once.
    const results = await Promise.all(
      Array.from({ length: 600 }, (_, attempt) => (stores[attempt % stores.length] as QueueStore).claimPass(eventId, `fan-${attempt % 200}`, NOW_MS)),
    );
    expect(await store.activeSessionCount(eventId, NOW_MS)).toBe(50);
    const sessionIds = new Set(results.flatMap((result) => (result.status === 'admitted' ? [result.sessionId] : [])));
    expect(sessionIds.size).toBe(50);
    expect(results.filter((result) => result.status === 'refused').every((result) => result.status === 'refused' && result.reason === 'capacity_full')).toBe(true);
    expect(await fixture.redis.zcard(store.keys(eventId).active)).toBe(50);
  });

  it('releasing a session returns its capacity at once', async () => {
    const eventId = await roomWithServedFans('release', 2, 2, 1);
    const first = await store.claimPass(eventId, 'fan-0', NOW_MS);
    expect(await store.claimPass(eventId, 'fan-1', NOW_MS)).toMatchObject({ status: 'refused', reason: 'capacity_full' });
    expect(first.status === 'admitted' && (await store.releaseSession(eventId, first.sessionId))).toBe(true);
    expect(first.status === 'admitted' && (await store.releaseSession(eventId, first.sessionId))).toBe(false);
    expect(await store.claimPass(eventId, 'fan-1', NOW_MS)).toMatchObject({ status: 'admitted', number: 2 });
  });

  it('an expired session frees its capacity, and the fan may claim a new one', async () => {
    const eventId = await roomWithServedFans('expiry', 2, 2, 1);
    const first = await store.claimPass(eventId, 'fan-0', NOW_MS);
    expect(await store.claimPass(eventId, 'fan-1', NOW_MS + 59_999)).toMatchObject({ reason: 'capacity_full' });
    const second = await store.claimPass(eventId, 'fan-1', NOW_MS + 60_000);
    expect(second).toMatchObject({ status: 'admitted', reused: false });
    // The expired session was pruned, not merely ignored.
    expect(first.status === 'admitted' && (await fixture.redis.zscore(store.keys(eventId).active, first.sessionId))).toBeNull();
    expect(await store.activeSessionCount(eventId, NOW_MS + 60_000)).toBe(1);
  });

  it('closed and sold-out rooms refuse claims', async () => {
    const eventId = await roomWithServedFans('closed-claims', 1, 1, 10);
    await store.configure(eventId, { state: 'soldout' });
    expect(await store.claimPass(eventId, 'fan-0', NOW_MS)).toMatchObject({ status: 'refused', reason: 'soldout' });
    await store.configure(eventId, { state: 'closed' });
    expect(await store.claimPass(eventId, 'fan-0', NOW_MS)).toMatchObject({ status: 'refused', reason: 'closed' });
  });
});
