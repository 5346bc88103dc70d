import { bookingRedisKeys } from '../../../booking/booking-keys.js';
import { headlinePrefix, pinHeadlineEvent } from '../../../booking/booking-queues.js';
import type { ReserveJob } from '../../../booking/booking-jobs.js';
import { bookingMetrics, trackQueueDepth } from '../../../booking/booking-metrics.js';
import { holdIdFor } from '../../../booking/hold-requests.js';
import { reserveHold } from '../../../booking/reserve-hold.js';
import { provisionSeats } from '../../../booking/seat-provisioning.js';
import { metricsRegistry } from '../../../lib/metrics.js';
import { createBookingFixture, layoutOf, uniqueEventId, type BookingFixture } from './booking-fixture.js';

describe('headline queue and booking metrics (real Redis, DynamoDB and workers)', () => {
  let fixture: BookingFixture;
  beforeAll(async () => {
    fixture = await createBookingFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  const job = (eventId: string, fanId: string, number: number): ReserveJob => ({
    holdId: holdIdFor(eventId, fanId, 'k'),
    eventId,
    fanId,
    request: { seats: [{ section: 'A', row: '1', number }] },
    requestedAt: fixture.store.clock(),
    holdTtlMs: 600_000,
  });
  async function finished(eventId: string, holdId: string) {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const queued = await fixture.queues.reserveJob(eventId, holdId);
      // Fetched again once finished: the copy read before it finished has no return value yet.
      if (queued && ((await queued.isCompleted()) || (await queued.isFailed()))) return (await fixture.queues.reserveJob(eventId, holdId))!;
      if (Date.now() > deadline) throw new Error(`job ${holdId} did not finish within 15 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('a pinned event runs on the headline queue, an unpinned one on its partition; the depth gauge shows both', async () => {
    const headline = uniqueEventId('headline');
    const ordinary = uniqueEventId('ordinary');
    for (const eventId of [headline, ordinary]) await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: 3 } }));
    await pinHeadlineEvent(fixture.redis, fixture.keyPrefix, headline);
    // The queues trust their copy of the pinned set for up to a second.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const untrack = trackQueueDepth(fixture.queues);
    try {
      const pinnedJob = job(headline, 'fan-1', 1);
      const ordinaryJob = job(ordinary, 'fan-1', 1);
      await fixture.queues.enqueueReserve(pinnedJob);
      await fixture.queues.enqueueReserve(ordinaryJob);
      expect(await fixture.queues.headlineQueue().getJob(pinnedJob.holdId)).toBeDefined();
      expect(await fixture.queues.queueFor(headline).getJob(pinnedJob.holdId)).toBeUndefined();
      expect(await fixture.queues.queueFor(ordinary).getJob(ordinaryJob.holdId)).toBeDefined();
      expect(await fixture.queues.headlineQueue().getJob(ordinaryJob.holdId)).toBeUndefined();

      const gauge = await bookingMetrics().queueDepth.get();
      const waitingOn = (prefix: string) => gauge.values.find((value) => value.labels.queue === prefix && value.labels.state === 'waiting')?.value;
      expect(waitingOn(headlinePrefix(fixture.keyPrefix))).toBe(1);

      fixture.startWorkers({ concurrency: 2 });
      expect((await finished(headline, pinnedJob.holdId)).returnvalue).toMatchObject({ outcome: 'held' });
      expect((await finished(ordinary, ordinaryJob.holdId)).returnvalue).toMatchObject({ outcome: 'held' });
      const latency = (await bookingMetrics().reservationLatency.get()).values;
      expect(latency.find((value) => value.metricName === 'corral_reservation_latency_seconds_count' && value.labels.outcome === 'held')?.value).toBeGreaterThanOrEqual(2);
      // The expiry of a pinned event's hold is scheduled on the headline queue too.
      expect(await fixture.queues.headlineQueue().getJob(`expire-${pinnedJob.holdId}`)).toBeDefined();
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
