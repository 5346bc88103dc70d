// The hold reconciler against real DynamoDB and Redis: an acknowledged request (its ledger item)
// whose job and Redis record vanished is enqueued again with the same id, one that already ended in a
// hold or a rejection is settled, one whose job keeps vanishing is answered "retry", and a requeued job
// that runs never takes a second seat.
import { logger } from '../../../lib/log.js';
import { auditEvent } from '../../../booking/booking-audit.js';
import type { ReserveJob } from '../../../booking/booking-jobs.js';
import { HoldReconciler } from '../../../booking/hold-reconciler.js';
import { readLedgerEntry, recordAccepted } from '../../../booking/hold-request-ledger.js';
import { holdIdFor, readHoldRequest } from '../../../booking/hold-requests.js';
import { reserveHold } from '../../../booking/reserve-hold.js';
import { provisionSeats } from '../../../booking/seat-provisioning.js';
import { createBookingFixture, layoutOf, uniqueEventId, type BookingFixture } from './booking-fixture.js';

describe('hold reconciler (real DynamoDB and Redis)', () => {
  let fixture: BookingFixture;
  beforeAll(async () => {
    fixture = await createBookingFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  const reconciler = (maxRequeues = 3) =>
    new HoldReconciler({ store: fixture.store, redis: fixture.redis, keyPrefix: fixture.keyPrefix, queues: fixture.queues, log: logger(), graceMs: 1_000, maxRequeues });
  const job = (eventId: string, fanId: string, quantity = 1): ReserveJob => ({
    holdId: holdIdFor(eventId, fanId, 'key-1'),
    eventId,
    fanId,
    request: { section: 'A', quantity },
    requestedAt: fixture.store.clock(),
    holdTtlMs: 600_000,
  });
  const later = () => fixture.store.clock() + 2_000;

  it('an acknowledged request whose job vanished with Redis is enqueued again, same job id and record', async () => {
    const eventId = uniqueEventId('reconcile-requeue');
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: 4 } }));
    const lost = job(eventId, 'fan-lost');
    // The api wrote the ledger item and answered 202; Redis then lost the record and the job.
    await recordAccepted(fixture.store, lost);
    expect(await fixture.queues.reserveJob(lost)).toBeUndefined();

    const tally = await reconciler().runOnce(later());
    expect(tally.requeued).toBeGreaterThanOrEqual(1);
    expect((await fixture.queues.reserveJob(lost))?.id).toBe(lost.holdId);
    expect((await readHoldRequest(fixture.redis, fixture.keyPrefix, lost.holdId))?.holdId).toBe(lost.holdId);
    expect((await readLedgerEntry(fixture.store, lost.holdId))?.requeues).toBe(1);
  });

  it('a request that ended in a hold, or whose job keeps vanishing, is answered; a second run holds no second seat', async () => {
    const eventId = uniqueEventId('reconcile-answer');
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: 4 } }));
    const held = job(eventId, 'fan-held');
    await recordAccepted(fixture.store, held);
    const context = { store: fixture.store, redis: fixture.redis, keyPrefix: fixture.keyPrefix };
    const first = await reserveHold(context, held);
    expect(first.outcome).toBe('held');
    const forgotten = job(eventId, 'fan-forgotten');
    await recordAccepted(fixture.store, forgotten);

    // maxRequeues 0: the forgotten request is answered "retry" at once instead of enqueued.
    await reconciler(0).runOnce(later());
    expect((await readLedgerEntry(fixture.store, held.holdId))?.answer).toEqual({ status: 'held' });
    expect((await readLedgerEntry(fixture.store, forgotten.holdId))?.answer).toEqual({ status: 'rejected', reason: 'retry' });
    expect(await fixture.queues.reserveJob(forgotten)).toBeUndefined();

    // The held job run again (a requeue after a loss) lands on the same hold: DynamoDB stays the guard.
    expect(await reserveHold(context, held)).toEqual(first);
    const audit = await auditEvent(fixture.store, eventId);
    expect(audit.violations).toEqual([]);
    expect(audit.seats.held).toBe(1);
  });
});
