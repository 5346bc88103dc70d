import { bookingRedisKeys } from '../../../booking/booking-keys.js';
import { DEPTH_STATES, expiryRoute, headlinePrefix, partitionOf, pinHeadlineEvent } from '../../../booking/booking-queues.js';
import type { ReserveJob } from '../../../booking/booking-jobs.js';
import { bookingMetrics, trackQueueDepth } from '../../../booking/booking-metrics.js';
import { holdIdFor } from '../../../booking/hold-requests.js';
import { reserveHold } from '../../../booking/reserve-hold.js';
import { provisionSeats } from '../../../booking/seat-provisioning.js';
import { metricsRegistry } from '../../../lib/metrics.js';
import { createBookingFixture, HEADLINE_PARTITIONS, layoutOf, PARTITIONS, uniqueEventId, type BookingFixture } from './booking-fixture.js';

describe('headline queue and booking metrics (real Redis, DynamoDB and workers)', () => {
  let fixture: BookingFixture;
  beforeAll(async () => {
    fixture = await createBookingFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  const job = (eventId: string, fanId: string, number: number, section = 'A'): ReserveJob => ({
    holdId: holdIdFor(eventId, fanId, `k-${section}`),
    eventId,
    fanId,
    request: { seats: [{ section, row: '1', number }] },
    requestedAt: fixture.store.clock(),
    holdTtlMs: 600_000,
  });
  async function finished(reserve: ReserveJob) {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const queued = await fixture.queues.reserveJob(reserve);
      // Fetched again once finished: the copy read before it finished has no return value yet.
      if (queued && ((await queued.isCompleted()) || (await queued.isFailed()))) return (await fixture.queues.reserveJob(reserve))!;
      if (Date.now() > deadline) throw new Error(`job ${reserve.holdId} did not finish within 15 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  /** Two sections of this event whose jobs hash to different queues of `count`. */
  const sectionsOnTwoQueues = (eventId: string, count: number): [string, string] => {
    const names = Array.from({ length: 64 }, (_, index) => `S${index}`);
    const first = names[0]!;
    const second = names.find((name) => partitionOf(eventId, name, count) !== partitionOf(eventId, first, count))!;
    return [first, second];
  };

  it('one event spreads over the queues by section, a pinned one over the headline queues; the depth gauge shows them', async () => {
    const headline = uniqueEventId('headline');
    const ordinary = uniqueEventId('ordinary');
    const pinnedSections = sectionsOnTwoQueues(headline, HEADLINE_PARTITIONS);
    const ordinarySections = sectionsOnTwoQueues(ordinary, PARTITIONS);
    await provisionSeats(fixture.store, headline, ...layoutOf(Object.fromEntries(pinnedSections.map((section) => [section, { rows: 1, seatsPerRow: 3 }]))));
    await provisionSeats(fixture.store, ordinary, ...layoutOf(Object.fromEntries(ordinarySections.map((section) => [section, { rows: 1, seatsPerRow: 3 }]))));
    await pinHeadlineEvent(fixture.redis, fixture.keyPrefix, headline);
    // The queues trust their copy of the pinned set for up to a second.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const untrack = trackQueueDepth(fixture.queues);
    try {
      const pinnedJobs = pinnedSections.map((section) => job(headline, 'fan-1', 1, section));
      const ordinaryJobs = ordinarySections.map((section) => job(ordinary, 'fan-1', 1, section));
      for (const reserve of [...pinnedJobs, ...ordinaryJobs]) await fixture.queues.enqueueReserve(reserve);
      for (const [index, section] of pinnedSections.entries()) {
        expect(await fixture.queues.headlineQueue(headline, section).getJob(pinnedJobs[index]!.holdId)).toBeDefined();
        expect(await fixture.queues.queueFor(headline, section).getJob(pinnedJobs[index]!.holdId)).toBeUndefined();
      }
      for (const [index, section] of ordinarySections.entries()) {
        expect(await fixture.queues.queueFor(ordinary, section).getJob(ordinaryJobs[index]!.holdId)).toBeDefined();
        expect(await fixture.queues.headlineQueue(ordinary, section).getJob(ordinaryJobs[index]!.holdId)).toBeUndefined();
      }

      const gauge = await bookingMetrics().queueDepth.get();
      const waitingOn = (prefix: string) => gauge.values.find((value) => value.labels.queue === prefix && value.labels.state === 'waiting')?.value;
      // Both headline queues hold one of the pinned event's jobs: not one queue for a hot event.
      for (let partition = 0; partition < HEADLINE_PARTITIONS; partition += 1) expect(waitingOn(headlinePrefix(fixture.keyPrefix, partition))).toBeGreaterThanOrEqual(1);
      expect(new Set(gauge.values.map((value) => value.labels.state))).toEqual(new Set(DEPTH_STATES));

      fixture.startWorkers({ concurrency: 2 });
      for (const reserve of [...pinnedJobs, ...ordinaryJobs]) expect((await finished(reserve)).returnvalue).toMatchObject({ outcome: 'held' });
      const latency = (await bookingMetrics().reservationLatency.get()).values;
      expect(latency.find((value) => value.metricName === 'corral_reservation_latency_seconds_count' && value.labels.outcome === 'held')?.value).toBeGreaterThanOrEqual(4);
      // The expiry of a pinned event's hold is scheduled on a headline queue too (routed by its hold).
      expect(await fixture.queues.headlineQueue(headline, expiryRoute(pinnedJobs[0]!.holdId)).getJob(`expire-${pinnedJobs[0]!.holdId}`)).toBeDefined();
    } finally {
      untrack();
    }
  });

  it('counts transaction conflicts, lock contention and reservation latency on /metrics', async () => {
    const eventId = uniqueEventId('metrics');
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: 3 } }));
    const metrics = bookingMetrics();
    const conflictsBefore = (await metrics.transactionConflicts.get()).values.find((value) => value.labels.reason === 'TransactionConflict')?.value ?? 0;
    fixture.injectTransactionConflicts(2);
    await reserveHold({ store: fixture.store, redis: fixture.redis, keyPrefix: fixture.keyPrefix }, job(eventId, 'fan-1', 1));
    const conflictsAfter = (await metrics.transactionConflicts.get()).values.find((value) => value.labels.reason === 'TransactionConflict')?.value;
    expect(conflictsAfter).toBe(conflictsBefore + 2);

    // Another worker holds seat 2's lock: the attempt is counted as contention.
    const contentionBefore = (await metrics.lockContention.get()).values[0]?.value ?? 0;
    await fixture.redis.set(bookingRedisKeys(fixture.keyPrefix, eventId).seatLock('SEAT#A#1#2'), 'someone-else', 'PX', 5_000);
    await expect(reserveHold({ store: fixture.store, redis: fixture.redis, keyPrefix: fixture.keyPrefix }, job(eventId, 'fan-2', 2))).rejects.toThrow('locked');
    expect((await metrics.lockContention.get()).values[0]?.value).toBe(contentionBefore + 1);

    const exposition = await metricsRegistry().metrics();
    for (const name of ['corral_reservation_latency_seconds_bucket', 'corral_booking_transaction_conflicts_total', 'corral_booking_lock_contention_total', 'corral_booking_queue_depth']) {
      expect(exposition).toContain(name);
    }
  });
});
