import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { auditEvent } from '../../../booking/booking-audit.js';
import type { ReserveJob } from '../../../booking/booking-jobs.js';
import { confirmHold } from '../../../booking/hold-confirm.js';
import { holdIdFor } from '../../../booking/hold-requests.js';
import { releaseHold } from '../../../booking/hold-release.js';
import { TEST_CARDS, TestPaymentProvider } from '../../../booking/payments.js';
import { reserveHold } from '../../../booking/reserve-hold.js';
import { provisionSeats } from '../../../booking/seat-provisioning.js';
import { createBookingFixture, layoutOf, uniqueEventId, type BookingFixture } from './booking-fixture.js';

describe('audit of per-fan seat counters (real DynamoDB)', () => {
  let fixture: BookingFixture;
  beforeAll(async () => {
    fixture = await createBookingFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  const reserve = (eventId: string, fanId: string, key: string, numbers: number[]) => {
    const job: ReserveJob = {
      holdId: holdIdFor(eventId, fanId, key),
      eventId,
      fanId,
      request: { seats: numbers.map((number) => ({ section: 'A', row: '1', number })) },
      requestedAt: fixture.store.clock(),
      holdTtlMs: 600_000,
      maxSeatsPerFan: 8,
    };
    return reserveHold({ store: fixture.store, redis: fixture.redis, keyPrefix: fixture.keyPrefix }, job);
  };

  /** fan-1: one confirmed booking (2 seats), one live hold (1 seat), one released hold; fan-2: one expired hold. */
  async function bookedEvent(label: string): Promise<string> {
    const eventId = uniqueEventId(label);
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: 10 } }));
    const booked = await reserve(eventId, 'fan-1', 'a', [1, 2]);
    expect(await confirmHold(fixture.store, new TestPaymentProvider(), eventId, booked.holdId, 'fan-1', TEST_CARDS.approve)).toMatchObject({ outcome: 'confirmed' });
    expect(await reserve(eventId, 'fan-1', 'b', [3])).toMatchObject({ outcome: 'held' });
    const released = await reserve(eventId, 'fan-1', 'c', [4, 5]);
    expect(await releaseHold(fixture.store, eventId, released.holdId, 'released')).toMatchObject({ outcome: 'released' });
    const lapsing = await reserve(eventId, 'fan-2', 'a', [6]);
    fixture.advanceClock(600_001);
    expect(await releaseHold(fixture.store, eventId, lapsing.holdId, 'expired')).toMatchObject({ outcome: 'released' });
    return eventId;
  }

  it('counters that follow reserve, confirm, release and expiry audit clean', async () => {
    const eventId = await bookedEvent('fan-count');
    const report = await auditEvent(fixture.store, eventId);
    expect(report.violations).toEqual([]);
    expect(report.seats).toMatchObject({ sold: 2, held: 1 });
  });

  it('a counter raised behind the pipeline\'s back fails the audit, naming the fan', async () => {
    const eventId = await bookedEvent('fan-count-bad');
    await fixture.dynamo.doc.send(
      new UpdateCommand({ TableName: fixture.store.tables.inventory, Key: fixture.store.keys.fanSeats(eventId, 'fan-1'), UpdateExpression: 'ADD seatCount :one', ExpressionAttributeValues: { ':one': 1 } }),
    );
    const report = await auditEvent(fixture.store, eventId);
    expect(report.violations).toEqual([
      { kind: 'fan-seat-count-mismatch', seatKey: 'FAN#fan-1', detail: 'fan fan-1 counter says 4 seats; live holds and bookings have 3' },
    ]);
  });

  it('a missing counter for a fan with seats fails the audit too', async () => {
    const eventId = await bookedEvent('fan-count-gone');
    await fixture.dynamo.doc.send(new DeleteCommand({ TableName: fixture.store.tables.inventory, Key: fixture.store.keys.fanSeats(eventId, 'fan-1') }));
    expect((await auditEvent(fixture.store, eventId)).violations).toMatchObject([{ kind: 'fan-seat-count-mismatch', seatKey: 'FAN#fan-1' }]);
  });
});
