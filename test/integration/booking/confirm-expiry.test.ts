import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { auditEvent } from '../../../booking/booking-audit.js';
import type { ReserveJob } from '../../../booking/booking-jobs.js';
import { confirmHold } from '../../../booking/hold-confirm.js';
import { holdIdFor } from '../../../booking/hold-requests.js';
import { releaseHold } from '../../../booking/hold-release.js';
import { TEST_CARDS, TestPaymentProvider, type ChargeRequest, type PaymentProvider } from '../../../booking/payments.js';
import { reserveHold } from '../../../booking/reserve-hold.js';
import { provisionSeats } from '../../../booking/seat-provisioning.js';
import { createBookingFixture, layoutOf, uniqueEventId, type BookingFixture } from './booking-fixture.js';

describe('confirm and expiry (real DynamoDB and Redis)', () => {
  let fixture: BookingFixture;
  beforeAll(async () => {
    fixture = await createBookingFixture();
    fixture.startWorkers({ concurrency: 4 });
  });
  afterAll(async () => {
    await fixture.close();
  });

  async function heldEvent(label: string, holdTtlMs = 600_000) {
    const eventId = uniqueEventId(label);
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: 4 } }));
    const job: ReserveJob = {
      holdId: holdIdFor(eventId, 'fan-1', 'k'),
      eventId,
      fanId: 'fan-1',
      request: { seats: [{ section: 'A', row: '1', number: 1 }, { section: 'A', row: '1', number: 2 }] },
      requestedAt: fixture.store.clock(),
      holdTtlMs,
    };
    const result = await reserveHold({ store: fixture.store, redis: fixture.redis, keyPrefix: fixture.keyPrefix }, job);
    expect(result.outcome).toBe('held');
    return { eventId, holdId: job.holdId, job };
  }
  const holdStatus = async (eventId: string, holdId: string) =>
    (await fixture.dynamo.doc.send(new GetCommand({ TableName: fixture.store.tables.inventory, Key: fixture.store.keys.hold(eventId, holdId), ConsistentRead: true }))).Item?.status;

  it('confirm sells the held seats once; a replayed confirm returns the same booking without a second charge', async () => {
    const { eventId, holdId } = await heldEvent('confirm');
    const payments = new TestPaymentProvider();
    const first = await confirmHold(fixture.store, payments, eventId, holdId, 'fan-1', TEST_CARDS.approve);
    const replays = await Promise.all([1, 2].map(() => confirmHold(fixture.store, payments, eventId, holdId, 'fan-1', TEST_CARDS.approve)));
    expect(first).toEqual({ outcome: 'confirmed', bookingId: holdId, seatKeys: ['SEAT#A#1#1', 'SEAT#A#1#2'], amountCents: 10_000 });
    for (const replay of replays) expect(replay).toEqual(first);
    expect(payments.ledger()).toEqual([{ paymentId: `pay_${holdId}`, amountCents: 10_000, refunded: false }]);
    const report = await auditEvent(fixture.store, eventId);
    expect(report.violations).toEqual([]);
    expect(report.seats).toMatchObject({ sold: 2, held: 0 });
    expect(report.bookings).toBe(1);
  });

  it('another fan cannot confirm the hold, and a declined card leaves the hold in place', async () => {
    const { eventId, holdId } = await heldEvent('decline');
    const payments = new TestPaymentProvider();
    expect(await confirmHold(fixture.store, payments, eventId, holdId, 'fan-2', TEST_CARDS.approve)).toEqual({ outcome: 'not-found' });
    expect(await confirmHold(fixture.store, payments, eventId, holdId, 'fan-1', TEST_CARDS.decline)).toEqual({ outcome: 'declined', reason: 'card_declined' });
    expect(await holdStatus(eventId, holdId)).toBe('HELD');
  });

  it('a payment that lands after the hold expired is refunded, never turned into a sale', async () => {
    const { eventId, holdId } = await heldEvent('late-payment');
    const inner = new TestPaymentProvider();
    // The fan pays slowly: while the charge is in flight the hold lapses and its expiry runs.
    const slowPayments: PaymentProvider = {
      charge: async (request: ChargeRequest) => {
        const result = await inner.charge(request);
        fixture.advanceClock(600_001);
        expect(await releaseHold(fixture.store, eventId, holdId, 'expired')).toMatchObject({ outcome: 'released' });
        return result;
      },
      refund: (paymentId) => inner.refund(paymentId),
    };
    const outcome = await confirmHold(fixture.store, slowPayments, eventId, holdId, 'fan-1', TEST_CARDS.approve);
    expect(outcome).toEqual({ outcome: 'hold-ended', status: 'EXPIRED', refunded: true });
    expect(inner.ledger()).toEqual([{ paymentId: `pay_${holdId}`, amountCents: 10_000, refunded: true }]);
    const report = await auditEvent(fixture.store, eventId);
    expect(report.violations).toEqual([]);
    expect(report.seats).toMatchObject({ available: 4, sold: 0, held: 0 });
    expect(report.bookings).toBe(0);
  });

  it('confirming an already expired hold charges nothing', async () => {
    const { eventId, holdId } = await heldEvent('expired-confirm');
    fixture.advanceClock(600_001);
    const payments = new TestPaymentProvider();
    expect(await confirmHold(fixture.store, payments, eventId, holdId, 'fan-1', TEST_CARDS.approve)).toEqual({ outcome: 'hold-ended', status: 'EXPIRED', refunded: false });
    expect(payments.ledger()).toEqual([]);
  });

  it('the delayed expiry job releases a lapsed hold through the worker', async () => {
    // A real short TTL here (the only sleep in the suite) so BullMQ's own delay fires.
    const { eventId, holdId, job } = await heldEvent('expiry-job', 300);
    await fixture.queues.scheduleExpiry({ holdId, eventId, heldUntil: job.requestedAt + 300 }, fixture.store.clock());
    const deadline = Date.now() + 15_000;
    while ((await holdStatus(eventId, holdId)) !== 'EXPIRED' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await holdStatus(eventId, holdId)).toBe('EXPIRED');
    const report = await auditEvent(fixture.store, eventId);
    expect(report.violations).toEqual([]);
    expect(report.seats).toMatchObject({ available: 4, held: 0 });
  });
});
