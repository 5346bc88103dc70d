// The per-section seat-map cache against the real Redis and DynamoDB: section reads, counts kept by
// the same Lua call that writes seats, version checks, the index/section TTL edges, single-flight
// fills and unknown sections. DynamoDB is only observed (calls counted, a reply replayed late) by
// wrapping the store's client: the one boundary fake here.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mountSeatRoutes } from '../../../api/seat-routes.js';
import { createHttpApp } from '../../../lib/http.js';
import { logger } from '../../../lib/log.js';
import { bookingRedisKeys, SEAT_PARTITIONS_SK_PREFIX, type SeatItem } from '../../../booking/booking-keys.js';
import type { ReserveJob } from '../../../booking/booking-jobs.js';
import type { BookingStore } from '../../../booking/booking-store.js';
import { confirmHold } from '../../../booking/hold-confirm.js';
import { releaseHold } from '../../../booking/hold-release.js';
import { holdIdFor } from '../../../booking/hold-requests.js';
import { TEST_CARDS, TestPaymentProvider } from '../../../booking/payments.js';
import { reserveHold } from '../../../booking/reserve-hold.js';
import { readEventSeats, sectionAvailability, TooManySeatsError } from '../../../booking/seat-availability.js';
import { SeatMapCache } from '../../../booking/seat-map-cache.js';
import { provisionSeats, type VenueLayout } from '../../../booking/seat-provisioning.js';
import { createBookingFixture, layoutOf, uniqueEventId, type BookingFixture } from './booking-fixture.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The store with its DynamoDB client wrapped: counts event-wide reads (the fill's: each starts with
 * the Query of the event's seat-partition list, then one Query per partition), can slow Queries down
 * so concurrent misses overlap, can fail the next one, and, once `replayRecorded()` is called,
 * answers each command with the reply it recorded for the same input (a read that was overtaken).
 */
function observedStore(store: BookingStore, options: { queryDelayMs?: number } = {}) {
  const calls = { queries: 0 };
  const recorded = new Map<string, unknown>();
  let replaying = false;
  let failNextQuery = false;
  const doc = {
    async send(command: object) {
      const input = (command as { input?: { ExpressionAttributeValues?: Record<string, unknown> } }).input;
      const identity = `${command.constructor.name}:${JSON.stringify(input)}`;
      if (command instanceof QueryCommand) {
        if (input?.ExpressionAttributeValues?.[':prefix'] === SEAT_PARTITIONS_SK_PREFIX) calls.queries += 1;
        if (options.queryDelayMs) await sleep(options.queryDelayMs);
        if (failNextQuery) {
          failNextQuery = false;
          throw new Error('injected DynamoDB failure');
        }
      }
      if (replaying && recorded.has(identity)) return recorded.get(identity);
      const reply = await store.doc.send(command as never);
      if (!replaying) recorded.set(identity, reply);
      return reply;
    },
  } as unknown as DynamoDBDocumentClient;
  return {
    store: { ...store, doc },
    calls,
    replayRecorded: () => {
      replaying = true;
    },
    failNextQuery: () => {
      failNextQuery = true;
    },
  };
}

const sks = (seats: readonly SeatItem[]) => seats.map((seat) => seat.sk).sort();
const seatKeysOf = (section: string, rows: number, seatsPerRow: number) =>
  Array.from({ length: rows * seatsPerRow }, (_, index) => `SEAT#${section}#${Math.floor(index / seatsPerRow) + 1}#${(index % seatsPerRow) + 1}`).sort();

describe('seat-map cache, one hash per section (real Redis and DynamoDB)', () => {
  let fixture: BookingFixture;
  let server: Server;
  let baseUrl: string;
  let routeStore: ReturnType<typeof observedStore>;

  beforeAll(async () => {
    fixture = await createBookingFixture();
    routeStore = observedStore(fixture.store);
    const routeCache = new SeatMapCache({ redis: fixture.redis, store: routeStore.store, keyPrefix: fixture.keyPrefix, ttlMs: 30_000 });
    const app = createHttpApp({ role: 'api', log: logger(), checks: [], dependencyTimeoutMs: 1_000, routes: (routes) => mountSeatRoutes(routes, fixture.store, routeCache) });
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await fixture.close();
  });

  const cacheOn = (store: BookingStore, fillChunkSeats?: number) =>
    new SeatMapCache({ redis: fixture.redis, store, keyPrefix: fixture.keyPrefix, ttlMs: 30_000, ...(fillChunkSeats ? { fillChunkSeats } : {}) });
  const keys = (eventId: string) => bookingRedisKeys(fixture.keyPrefix, eventId);
  // random 0: best available takes the single best placement, so a test can name the seat it writes.
  const plain = () => ({ store: fixture.store, redis: fixture.redis, keyPrefix: fixture.keyPrefix, random: () => 0 });
  const job = (eventId: string, fanId: string, request: ReserveJob['request'], holdTtlMs = 600_000): ReserveJob => ({
    holdId: holdIdFor(eventId, fanId, 'cache'),
    eventId,
    fanId,
    request,
    requestedAt: fixture.store.clock(),
    holdTtlMs,
  });
  async function held(context: Parameters<typeof reserveHold>[0], reserve: ReserveJob) {
    const result = await reserveHold(context, reserve);
    if (result.outcome !== 'held') throw new Error(`expected a hold, got ${JSON.stringify(result)}`);
    return result;
  }
  async function get(path: string) {
    const response = await fetch(`${baseUrl}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }
  const dynamoSummary = async (eventId: string, nowMs: number) => sectionAvailability(await readEventSeats(fixture.store, eventId), nowMs);

  it('a section read returns exactly that section from its own hash; a key missing under a live index is a refill, never an empty section', async () => {
    const eventId = uniqueEventId('sections');
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 2, seatsPerRow: 3 }, B: { rows: 1, seatsPerRow: 4 }, C: { rows: 1, seatsPerRow: 2 } }));
    const observed = observedStore(fixture.store);
    const cache = cacheOn(observed.store);

    expect(sks(await cache.seats(eventId, 'A'))).toEqual(seatKeysOf('A', 2, 3));
    expect(observed.calls.queries).toBe(1);
    // B's key is gone: A is still answered from A's hash alone, with no DynamoDB read.
    await fixture.redis.del(keys(eventId).seatMapSection('B'));
    const sectionA = await cache.seats(eventId, 'A');
    expect(sks(sectionA)).toEqual(seatKeysOf('A', 2, 3));
    expect(sectionA.every((seat) => seat.section === 'A' && seat.status === 'AVAILABLE' && seat.priceTier === 'tier-A')).toBe(true);
    expect(observed.calls.queries).toBe(1);
    // The index still lists B, so its missing key is a miss: filled again, not "no such section".
    expect(sks(await cache.seats(eventId, 'B'))).toEqual(seatKeysOf('B', 1, 4));
    expect(observed.calls.queries).toBe(2);
    expect(sks(await cache.seats(eventId, 'C'))).toEqual(seatKeysOf('C', 1, 2));
    expect(observed.calls.queries).toBe(2);

    const page = await get(`/api/events/${eventId}/seats?section=C`);
    expect(page.status).toBe(200);
    expect(page.body.sections).toEqual([{ section: 'C', total: 2, available: 2, held: 0, sold: 0, availableByTier: { 'tier-C': 2 } }]);
    expect((page.body.seats as Array<{ section: string; state: string }>).map((seat) => `${seat.section}:${seat.state}`)).toEqual(['C:available', 'C:available']);
  });

  it('the event summary comes from per-section counts and equals what the seats in DynamoDB add up to, a lapsed hold counted as available', async () => {
    const eventId = uniqueEventId('summary');
    const layout: VenueLayout = {
      sections: [
        { section: 'A', rows: [{ row: '1', seats: [1, 2, 3, 4].map((number) => ({ number, tier: 'front' })) }, { row: '2', seats: [1, 2, 3, 4].map((number) => ({ number, tier: 'back' })) }] },
        { section: 'B', rows: [{ row: '1', seats: [1, 2, 3, 4, 5].map((number) => ({ number, tier: 'back' })) }] },
      ],
    };
    await provisionSeats(fixture.store, eventId, layout, { front: 9_000, back: 4_000 });
    const observed = observedStore(fixture.store);
    const cache = cacheOn(observed.store);
    const cached = { ...plain(), seatMap: cache };
    expect(await cache.sectionAvailability(eventId, fixture.store.clock())).toEqual(await dynamoSummary(eventId, fixture.store.clock()));

    await held(cached, job(eventId, 'fan-front', { seats: [{ section: 'A', row: '1', number: 1 }, { section: 'A', row: '1', number: 2 }] }));
    const lapsing = await held(cached, job(eventId, 'fan-short', { seats: [{ section: 'A', row: '2', number: 4 }] }, 120_000));
    const sold = await held(cached, job(eventId, 'fan-sold', { seats: [{ section: 'B', row: '1', number: 1 }, { section: 'B', row: '1', number: 2 }] }));
    const confirmation = await confirmHold(fixture.store, new TestPaymentProvider(), eventId, sold.holdId, 'fan-sold', TEST_CARDS.approve);
    expect(confirmation).toMatchObject({ outcome: 'confirmed' });
    await cache.refresh(eventId, sold.seatKeys);
    const released = await held(cached, job(eventId, 'fan-gone', { seats: [{ section: 'B', row: '1', number: 5 }] }));
    expect(await releaseHold(fixture.store, eventId, released.holdId, 'released')).toMatchObject({ outcome: 'released' });
    await cache.refresh(eventId, released.seatKeys);
    await held(cached, job(eventId, 'fan-best', { section: 'B', quantity: 2 }));

    const now = fixture.store.clock();
    const afterLapse = lapsing.heldUntil + 1;
    const current = await cache.sectionAvailability(eventId, now);
    expect(current).toEqual([
      { section: 'A', total: 8, available: 5, held: 3, sold: 0, availableByTier: { front: 2, back: 3 } },
      { section: 'B', total: 5, available: 1, held: 2, sold: 2, availableByTier: { back: 1 } },
    ]);
    expect(current).toEqual(await dynamoSummary(eventId, now));
    // Nothing was written when the hold lapsed: the same counts read later show its seat available.
    const later = await cache.sectionAvailability(eventId, afterLapse);
    expect(later[0]).toEqual({ section: 'A', total: 8, available: 6, held: 2, sold: 0, availableByTier: { front: 2, back: 4 } });
    expect(later).toEqual(await dynamoSummary(eventId, afterLapse));
    // One fill at the start; every summary since was answered from the counts.
    expect(observed.calls.queries).toBe(1);
    const summary = await get(`/api/events/${eventId}/seats`);
    expect(summary.body).toEqual({ eventId, sections: await dynamoSummary(eventId, fixture.store.clock()) });
  });

  it('a write after a transaction lands in its own section hash, and an older seat state is refused', async () => {
    const eventId = uniqueEventId('versions');
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: 4 }, B: { rows: 1, seatsPerRow: 4 } }));
    const cache = cacheOn(fixture.store);
    const late = observedStore(fixture.store);
    const lateCache = cacheOn(late.store);
    await cache.sectionAvailability(eventId, fixture.store.clock());
    const sectionA = keys(eventId).seatMapSection('A');
    const sectionB = keys(eventId).seatMapSection('B');
    const seatsOfA = async () => (await fixture.redis.hgetall(sectionA));

    const beforeA = await seatsOfA();
    const hold = await held(plain(), job(eventId, 'fan-b', { seats: [{ section: 'B', row: '1', number: 2 }] }));
    await lateCache.refresh(eventId, hold.seatKeys); // records its read: version 1, HELD
    expect(await fixture.redis.hget(sectionB, 'SEAT#B#1#2')).toMatch(/^1\|HELD\|\d+\|tier-B\|5000$/);
    expect(await seatsOfA()).toEqual(beforeA);

    expect(await releaseHold(fixture.store, eventId, hold.holdId, 'released')).toMatchObject({ outcome: 'released' });
    await cache.refresh(eventId, hold.seatKeys);
    expect(await fixture.redis.hget(sectionB, 'SEAT#B#1#2')).toMatch(/^2\|AVAILABLE\|/);
    // The slow writer arrives with its version-1 read: refused, and the counts do not move either.
    late.replayRecorded();
    await lateCache.refresh(eventId, hold.seatKeys);
    expect(await fixture.redis.hget(sectionB, 'SEAT#B#1#2')).toMatch(/^2\|AVAILABLE\|/);
    const now = fixture.store.clock();
    expect(await cache.sectionAvailability(eventId, now)).toEqual(await dynamoSummary(eventId, now));
    expect((await cache.sectionAvailability(eventId, now))[1]).toMatchObject({ section: 'B', available: 4, held: 0 });

    // A reserve with the cache writes the seat it took into A's hash before it lets go of its locks.
    await held({ ...plain(), seatMap: cache }, job(eventId, 'fan-a', { section: 'A', quantity: 1 }));
    expect(await fixture.redis.hget(sectionA, 'SEAT#A#1#1')).toMatch(/^1\|HELD\|/);
    expect(await fixture.redis.hget(sectionB, 'SEAT#A#1#1')).toBeNull();
  });

  it('the index expires before its sections; a fill that read before an update never overwrites it', async () => {
    const eventId = uniqueEventId('ttl');
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: 3 } }));
    const slow = observedStore(fixture.store);
    const slowCache = cacheOn(slow.store);
    const cache = cacheOn(fixture.store);
    const { seatMapIndex, seatMapSection, seatMapHolds } = keys(eventId);
    await slowCache.sectionAvailability(eventId, fixture.store.clock()); // records the fill's read: all available
    await held({ ...plain(), seatMap: cache }, job(eventId, 'fan-1', { seats: [{ section: 'A', row: '1', number: 1 }] }));

    const indexTtl = await fixture.redis.pttl(seatMapIndex);
    const sectionTtl = await fixture.redis.pttl(seatMapSection('A'));
    expect(indexTtl).toBeGreaterThan(0);
    expect(sectionTtl).toBeGreaterThan(indexTtl);
    expect(await fixture.redis.call('pexpiretime', seatMapHolds('A'))).toBe(await fixture.redis.call('pexpiretime', seatMapSection('A')));

    // The index expires (its sections outlive it); the next summary refills from an old read.
    await fixture.redis.pexpire(seatMapIndex, 1);
    await sleep(20);
    expect(await fixture.redis.exists(seatMapIndex)).toBe(0);
    slow.replayRecorded();
    await slowCache.sectionAvailability(eventId, fixture.store.clock());
    expect(slow.calls.queries).toBe(2);
    expect(await fixture.redis.exists(seatMapIndex)).toBe(1);
    // The cached seat kept its newer state, so the counts still show it held.
    expect(await fixture.redis.hget(seatMapSection('A'), 'SEAT#A#1#1')).toMatch(/^1\|HELD\|/);
    const now = fixture.store.clock();
    expect(await cache.sectionAvailability(eventId, now)).toEqual([{ section: 'A', total: 3, available: 2, held: 1, sold: 0, availableByTier: { 'tier-A': 2 } }]);
    expect(await cache.sectionAvailability(eventId, now)).toEqual(await dynamoSummary(eventId, now));
  });

  it('a section written in chunks is trusted only once its last chunk landed', async () => {
    const eventId = uniqueEventId('chunks');
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 2, seatsPerRow: 5 }, B: { rows: 1, seatsPerRow: 3 } }));
    const observed = observedStore(fixture.store);
    const cache = cacheOn(observed.store, 4);
    const sectionA = keys(eventId).seatMapSection('A');
    expect(await cache.sectionAvailability(eventId, fixture.store.clock())).toEqual(await dynamoSummary(eventId, fixture.store.clock()));
    expect((await fixture.redis.hkeys(sectionA)).filter((field) => field.startsWith('SEAT#'))).toHaveLength(10);

    // As if a fill died before its last chunk: the section is not trusted, by section reads or the summary.
    await fixture.redis.hdel(sectionA, '~complete');
    expect(sks(await cache.seats(eventId, 'A'))).toEqual(seatKeysOf('A', 2, 5));
    expect(observed.calls.queries).toBe(2);
    await fixture.redis.hdel(sectionA, '~complete');
    expect(await cache.sectionAvailability(eventId, fixture.store.clock())).toEqual(await dynamoSummary(eventId, fixture.store.clock()));
    expect(observed.calls.queries).toBe(3);
    expect(await fixture.redis.hget(sectionA, '~complete')).toBe('1');
  });

  it('concurrent misses for one event share one DynamoDB read; a failed read is not remembered', async () => {
    const eventId = uniqueEventId('flight');
    const otherEvent = uniqueEventId('flight-other');
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: 5 }, B: { rows: 1, seatsPerRow: 4 } }));
    await provisionSeats(fixture.store, otherEvent, ...layoutOf({ A: { rows: 1, seatsPerRow: 2 } }));
    const observed = observedStore(fixture.store, { queryDelayMs: 300 });
    const cache = cacheOn(observed.store);
    const now = fixture.store.clock();

    const readers = Array.from({ length: 30 }, (_, index) => {
      switch (index % 5) {
        case 0: return cache.seats(eventId, 'A').then((seats) => `A:${seats.length}`);
        case 1: return cache.seats(eventId, 'B').then((seats) => `B:${seats.length}`);
        case 2: return cache.sectionAvailability(eventId, now).then((sections) => sections.map((section) => `${section.section}=${section.total}`).join(','));
        case 3: return cache.hasSection(eventId, 'B').then((found) => `has-B:${found}`);
        default: return cache.seats(eventId, 'Z').then((seats) => `Z:${seats.length}`);
      }
    });
    const answers = await Promise.all(readers);
    expect(new Set(answers)).toEqual(new Set(['A:5', 'B:4', 'A=5,B=4', 'has-B:true', 'Z:0']));
    expect(observed.calls.queries).toBe(1);
    // Warm now: no read at all.
    await Promise.all(Array.from({ length: 10 }, () => cache.seats(eventId, 'A')));
    expect(observed.calls.queries).toBe(1);

    // Another event has its own fill; a failed one fails its waiters and the next miss reads again.
    observed.failNextQuery();
    const failed = await Promise.allSettled(Array.from({ length: 5 }, () => cache.seats(otherEvent, 'A')));
    expect(failed.every((outcome) => outcome.status === 'rejected')).toBe(true);
    expect(observed.calls.queries).toBe(2);
    expect(await cache.seats(otherEvent, 'A')).toHaveLength(2);
    expect(observed.calls.queries).toBe(3);
  });

  it('a fill read is bounded: an event over the seat limit is refused, not read without end', async () => {
    const eventId = uniqueEventId('bounded');
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: 5 } }));
    await expect(readEventSeats(fixture.store, eventId, undefined, 4)).rejects.toBeInstanceOf(TooManySeatsError);
    expect(await readEventSeats(fixture.store, eventId, undefined, 5)).toHaveLength(5);
  });

  it('an unknown section answers 404, warm or cold, and a warm index answers it without reading DynamoDB', async () => {
    const eventId = uniqueEventId('unknown');
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: 3 } }));
    const readsBefore = routeStore.calls.queries;

    const cold = await get(`/api/events/${eventId}/seats?section=Z`);
    expect(cold).toMatchObject({ status: 404, body: { type: 'https://corral.dev/problems/not-found', detail: 'no such section' } });
    expect(routeStore.calls.queries).toBe(readsBefore + 1);
    const warm = await get(`/api/events/${eventId}/seats?section=Z`);
    expect(warm).toMatchObject({ status: 404, body: { detail: 'no such section' } });
    expect((await get(`/api/events/${eventId}/seats?section=A`)).status).toBe(200);
    expect(routeStore.calls.queries).toBe(readsBefore + 1);
    expect(await cacheOn(routeStore.store).hasSection(eventId, 'Z')).toBe(false);
    expect(routeStore.calls.queries).toBe(readsBefore + 1);

    expect(await get(`/api/events/no-such-${eventId}/seats`)).toMatchObject({ status: 404, body: { detail: 'no seats for this event' } });
    expect(await get(`/api/events/no-such-${eventId}/seats?section=A`)).toMatchObject({ status: 404, body: { detail: 'no such section' } });
    expect((await get(`/api/events/${eventId}/seats?section=${encodeURIComponent('A#1')}`)).status).toBe(400);
  });
});
