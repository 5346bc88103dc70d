import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { QueueStore } from '../../../waiting-room/queue-store.js';
import { WaitingRoomError } from '../../../waiting-room/waiting-room-error.js';
import { createRedisFixture, openRoom, uniqueEventId, type RedisFixture } from './redis-fixture.js';

describe('joining the queue (real Redis)', () => {
  let fixture: RedisFixture;
  let store: QueueStore;

  beforeAll(() => {
    fixture = createRedisFixture();
    store = new QueueStore({ redis: fixture.redis, keyPrefix: fixture.keyPrefix });
  });
  afterAll(async () => fixture.close());

  it('a fan joining 1,000 times concurrently keeps one number', async () => {
    const eventId = uniqueEventId('same-fan');
    await store.createRoom(eventId, openRoom);
    const stores = fixture.connections(20).map((redis) => new QueueStore({ redis, keyPrefix: fixture.keyPrefix }));
    const results = await Promise.all(
      Array.from({ length: 1_000 }, (_, attempt) => (stores[attempt % stores.length] as QueueStore).join(eventId, 'fan-1', 0)),
    );
    const numbers = new Set(results.map((result) => (result.status === 'numbered' ? result.number : null)));
    expect([...numbers]).toEqual([1]);
    expect(results.filter((result) => result.status === 'numbered' && result.newlyIssued)).toHaveLength(1);
    expect(await fixture.redis.get(store.keys(eventId).issued)).toBe('1');
  });

  it('5,000 fans over 50 connections get numbers 1..5000, each exactly once', async () => {
    const eventId = uniqueEventId('many-fans');
    await store.createRoom(eventId, openRoom);
    const stores = fixture.connections(50).map((redis) => new QueueStore({ redis, keyPrefix: fixture.keyPrefix }));
    const fanCount = 5_000;
    // Every fan joins twice from different connections, so idempotency is raced too.
    const joins = Array.from({ length: fanCount * 2 }, (_, attempt) =>
      (stores[attempt % stores.length] as QueueStore).join(eventId, `fan-${attempt % fanCount}`, 0),
    );
    await Promise.all(joins);

    // Assert on what Redis holds, not on what the callers were told.
    const numbersByFan = await fixture.redis.hgetall(store.keys(eventId).fans);
    const numbers = Object.values(numbersByFan).map(Number).sort((left, right) => left - right);
    expect(Object.keys(numbersByFan)).toHaveLength(fanCount);
    expect(numbers).toEqual(Array.from({ length: fanCount }, (_, index) => index + 1));
    expect(await fixture.redis.get(store.keys(eventId).issued)).toBe(String(fanCount));
  });

  it('a closed or sold-out room refuses newcomers but returns an existing number', async () => {
    const eventId = uniqueEventId('closed');
    await store.createRoom(eventId, openRoom);
    const early = await store.join(eventId, 'early-fan', 0);
    await store.configure(eventId, { state: 'closed' });
    expect(await store.join(eventId, 'late-fan', 0)).toEqual({ status: 'refused', reason: 'closed' });
    expect(await store.join(eventId, 'early-fan', 0)).toEqual({ ...early, newlyIssued: false });
    await store.configure(eventId, { state: 'soldout' });
    expect(await store.join(eventId, 'late-fan', 0)).toEqual({ status: 'refused', reason: 'soldout' });
  });

  it('a paused room still hands out numbers', async () => {
    const eventId = uniqueEventId('paused');
    await store.createRoom(eventId, { ...openRoom, state: 'paused' });
    expect(await store.join(eventId, 'fan', 0)).toMatchObject({ status: 'numbered', number: 1, newlyIssued: true });
  });

  it('an unconfigured event refuses joins', async () => {
    expect(await store.join(uniqueEventId('unknown'), 'fan', 0)).toEqual({ status: 'refused', reason: 'not_configured' });
  });

  it('fans arriving before the open wait in the prequeue without a number', async () => {
    const eventId = uniqueEventId('before-open');
    await store.createRoom(eventId, { ...openRoom, state: 'prequeue', opensAt: 10_000 });
    expect(await store.join(eventId, 'fan', 4_000)).toEqual({ status: 'prequeue', opensInMs: 6_000 });
    expect(await store.join(eventId, 'fan', 5_000)).toEqual({ status: 'prequeue', opensInMs: 5_000 });
    const status = await store.status(eventId, 'fan');
    expect(status).toMatchObject({ number: null, prequeued: true, issued: 0, serving: 0, state: 'prequeue' });
    expect(await fixture.redis.scard(store.keys(eventId).prequeue)).toBe(1);
  });

  it('opening by flipping the state is refused while fans wait in the prequeue', async () => {
    const eventId = uniqueEventId('flip-open');
    await store.createRoom(eventId, { ...openRoom, state: 'prequeue', opensAt: 10_000 });
    await store.join(eventId, 'fan', 0);
    await expect(store.configure(eventId, { state: 'open' })).rejects.toMatchObject({ code: 'prequeue_pending' });
    await expect(store.configure(eventId, { state: 'open' })).rejects.toBeInstanceOf(WaitingRoomError);
  });

  it('status reports number, serving, issued, state and rate', async () => {
    const eventId = uniqueEventId('status');
    await store.createRoom(eventId, { ...openRoom, admissionRatePerMinute: 42 });
    await store.join(eventId, 'a', 0);
    await store.join(eventId, 'b', 0);
    expect(await store.status(eventId, 'b')).toEqual({
      number: 2,
      prequeued: false,
      serving: 0,
      issued: 2,
      state: 'open',
      admissionRatePerMinute: 42,
    });
    expect(await store.status(eventId, 'nobody')).toMatchObject({ number: null, prequeued: false });
  });
});
