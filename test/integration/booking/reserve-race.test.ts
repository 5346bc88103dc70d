import type { ReserveJob } from '../../../booking/booking-jobs.js';
import { auditEvent } from '../../../booking/booking-audit.js';
import { SEAT_SK_PREFIX, type SeatItem } from '../../../booking/booking-keys.js';
import { querySeatPartitions } from '../../../booking/seat-partitions.js';
import { holdIdFor } from '../../../booking/hold-requests.js';
import { reserveHold } from '../../../booking/reserve-hold.js';
import { provisionSeats } from '../../../booking/seat-provisioning.js';
import { createBookingFixture, layoutOf, uniqueEventId, type BookingFixture } from './booking-fixture.js';
import { jobResults, waitForJobs } from './race-helpers.js';

const REQUESTS = Number(process.env.BOOKING_RACE_REQUESTS ?? 2_000);
const SEATS = Number(process.env.BOOKING_RACE_SEATS ?? 50);
const STALE_RACE_REQUESTS = Math.ceil(REQUESTS / 2);

describe('reserve race through BullMQ workers (real Redis and DynamoDB)', () => {
  let fixture: BookingFixture;
  beforeAll(async () => {
    fixture = await createBookingFixture();
    fixture.startWorkers({ concurrency: 32 });
  });
  afterAll(async () => {
    await fixture.close();
  });

  it(`${REQUESTS} fans racing for ${SEATS} seats: exactly ${SEATS} holds, everyone else unavailable, no seat held twice`, async () => {
    const eventId = uniqueEventId('race');
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: SEATS } }));
    const requestedAt = fixture.store.clock();
    // Every seat is wanted by many fans; a third of the fans ask for "best available" instead.
    const jobs: ReserveJob[] = Array.from({ length: REQUESTS }, (_, index) => ({
      holdId: holdIdFor(eventId, `fan-${index}`, 'race'),
      eventId,
      fanId: `fan-${index}`,
      request: index % 3 === 2 ? { section: 'A', quantity: 1 } : { seats: [{ section: 'A', row: '1', number: (index % SEATS) + 1 }] },
      requestedAt,
      holdTtlMs: 600_000,
    }));
    const started = Date.now();
    await Promise.all(jobs.map((job) => fixture.queues.enqueueReserve(job)));
    await waitForJobs(fixture.queues, jobs, REQUESTS, 170_000);
    const elapsedMs = Date.now() - started;

    const results = await jobResults(fixture.queues, jobs);
    const held = results.filter((result) => result.outcome === 'held');
    const others = results.filter((result) => result.outcome !== 'held');
    expect(held).toHaveLength(SEATS);
    expect(new Set(held.flatMap((result) => result.seatKeys)).size).toBe(SEATS);
    expect(others.every((result) => result.outcome === 'rejected' && result.reason === 'unavailable')).toBe(true);

    const report = await auditEvent(fixture.store, eventId);
    expect(report.violations).toEqual([]);
    expect(report.seats).toEqual({ total: SEATS, available: 0, held: SEATS, sold: 0 });
    expect(report.holds).toBe(SEATS);
    process.stdout.write(`\nbooking race: ${REQUESTS} reserve jobs for ${SEATS} seats finished in ${elapsedMs} ms\n`);
  }, 180_000);

  it(`${STALE_RACE_REQUESTS} best-available fans against a stale seat-map cache: exactly ${SEATS} seats held, each by one hold (read from DynamoDB)`, async () => {
    const eventId = uniqueEventId('race-stale');
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: SEATS } }));
    await fixture.seatMap.seats(eventId);
    const requestedAt = fixture.store.clock();
    // A quarter of the seats are taken behind the cache's back, so the race starts from a stale map.
    const early: ReserveJob[] = Array.from({ length: Math.floor(SEATS / 4) }, (_, index) => ({
      holdId: holdIdFor(eventId, `early-${index}`, 'race'),
      eventId,
      fanId: `early-${index}`,
      request: { seats: [{ section: 'A', row: '1', number: index * 2 + 1 }] },
      requestedAt,
      holdTtlMs: 600_000,
    }));
    for (const job of early) expect(await reserveHold({ store: fixture.store, redis: fixture.redis, keyPrefix: fixture.keyPrefix }, job)).toMatchObject({ outcome: 'held' });
    const jobs: ReserveJob[] = Array.from({ length: STALE_RACE_REQUESTS }, (_, index) => ({
      holdId: holdIdFor(eventId, `fan-${index}`, 'race'),
      eventId,
      fanId: `fan-${index}`,
      request: { section: 'A', quantity: 1 },
      requestedAt,
      holdTtlMs: 600_000,
    }));
    await Promise.all(jobs.map((job) => fixture.queues.enqueueReserve(job)));
    await waitForJobs(fixture.queues, jobs, STALE_RACE_REQUESTS, 170_000);

    const results = await jobResults(fixture.queues, jobs);
    const held = results.filter((result) => result.outcome === 'held');
    expect(held).toHaveLength(SEATS - early.length);
    expect(results.filter((result) => result.outcome !== 'held').every((result) => result.outcome === 'rejected' && result.reason === 'unavailable')).toBe(true);

    // The database itself: every seat HELD, by distinct holds, each one a hold we answered "held".
    const seats = await querySeatPartitions<SeatItem>(fixture.store, eventId, SEAT_SK_PREFIX, { consistentRead: true });
    expect(seats.every((seat) => seat.status === 'HELD')).toBe(true);
    expect(new Set(seats.map((seat) => seat.holdId)).size).toBe(SEATS);
    const answered = new Set([...early.map((job) => job.holdId), ...held.map((result) => (result.outcome === 'held' ? result.holdId : ''))]);
    expect(seats.every((seat) => answered.has(seat.holdId!))).toBe(true);
    const report = await auditEvent(fixture.store, eventId);
    expect(report.violations).toEqual([]);
    expect(report.holds).toBe(SEATS);
  }, 180_000);

  it('fans racing while DynamoDB throttles and conflicts (injected at the client): every seat held once, every request answered', async () => {
    const eventId = uniqueEventId('race-throttled');
    const seats = 20;
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: seats } }));
    const requestedAt = fixture.store.clock();
    const jobs: ReserveJob[] = Array.from({ length: 200 }, (_, index) => ({
      holdId: holdIdFor(eventId, `fan-${index}`, 'race'),
      eventId,
      fanId: `fan-${index}`,
      request: index % 2 === 0 ? { section: 'A', quantity: 1 } : { seats: [{ section: 'A', row: '1', number: (index % seats) + 1 }] },
      requestedAt,
      holdTtlMs: 600_000,
    }));
    const conflicts = fixture.injectTransactionConflicts(40);
    const throttles = fixture.injectThrottles(30);
    await Promise.all(jobs.map((job) => fixture.queues.enqueueReserve(job)));
    await waitForJobs(fixture.queues, jobs, jobs.length, 170_000);
    expect(conflicts.injected()).toBeGreaterThan(0);
    expect(throttles.injected()).toBeGreaterThan(0);

    const results = await jobResults(fixture.queues, jobs);
    const held = results.filter((result) => result.outcome === 'held');
    expect(held).toHaveLength(seats);
    expect(results.filter((result) => result.outcome !== 'held').every((result) => result.outcome === 'rejected' && result.reason === 'unavailable')).toBe(true);
    const stored = await querySeatPartitions<SeatItem>(fixture.store, eventId, SEAT_SK_PREFIX, { consistentRead: true });
    expect(new Set(stored.map((seat) => seat.holdId)).size).toBe(seats);
    expect((await auditEvent(fixture.store, eventId)).violations).toEqual([]);
  }, 180_000);

  it('one fan racing many requests against the per-fan cap: the sharded counter lets exactly the cap through', async () => {
    const eventId = uniqueEventId('race-fan-cap');
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 2, seatsPerRow: 40 } }));
    const requestedAt = fixture.store.clock();
    const jobs: ReserveJob[] = Array.from({ length: 30 }, (_, index) => ({
      holdId: holdIdFor(eventId, 'fan-greedy', `k-${index}`),
      eventId,
      fanId: 'fan-greedy',
      request: index % 2 === 0 ? { section: 'A', quantity: 1 } : { seats: [{ section: 'A', row: '2', number: index + 1 }] },
      requestedAt,
      holdTtlMs: 600_000,
      maxSeatsPerFan: 4,
    }));
    await Promise.all(jobs.map((job) => fixture.queues.enqueueReserve(job)));
    await waitForJobs(fixture.queues, jobs, jobs.length, 120_000);
    const results = await jobResults(fixture.queues, jobs);
    expect(results.filter((result) => result.outcome === 'held')).toHaveLength(4);
    // Every other request is refused for the cap (each asked for a seat of its own, so none for a taken seat).
    expect(results.filter((result) => result.outcome !== 'held' && !(result.outcome === 'rejected' && result.reason === 'fan-limit'))).toEqual([]);
    const report = await auditEvent(fixture.store, eventId);
    expect(report.violations).toEqual([]);
    expect(report.seats.held).toBe(4);
  }, 150_000);
});
