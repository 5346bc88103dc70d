// What a polling fan sees of its hold (real Redis, BullMQ, DynamoDB): while the reserve job waits,
// every poll is answered from Redis with no DynamoDB read; once the job holds the seats, the hold's
// status comes from DynamoDB and follows it (held, then confirmed).
import { holdIdFor, holdView } from '../../../booking/hold-requests.js';
import type { ReserveJob } from '../../../booking/booking-jobs.js';
import { confirmHold } from '../../../booking/hold-confirm.js';
import { TestPaymentProvider } from '../../../booking/payments.js';
import { provisionSeats } from '../../../booking/seat-provisioning.js';
import { createBookingFixture, layoutOf, uniqueEventId, type BookingFixture } from './booking-fixture.js';

describe('hold view for polling fans', () => {
  let fixture: BookingFixture;
  let dynamoReads = 0;

  beforeAll(async () => {
    fixture = await createBookingFixture();
    fixture.dynamo.doc.middlewareStack.add(
      (next) => async (args) => {
        dynamoReads += 1;
        return next(args);
      },
      { step: 'initialize', name: 'countDynamoCalls' },
    );
  });
  afterAll(async () => {
    await fixture.close();
  });

  async function settled(job: ReserveJob) {
    let view = await holdView(fixture.store, fixture.queues, job);
    for (const deadline = Date.now() + 20_000; view.status === 'pending'; view = await holdView(fixture.store, fixture.queues, job)) {
      if (Date.now() > deadline) throw new Error(`hold ${job.holdId} still pending`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return view;
  }

  it('answers pending from Redis while the job waits, then follows the hold in DynamoDB', async () => {
    const eventId = uniqueEventId('view');
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: 4 } }));
    const job: ReserveJob = {
      holdId: holdIdFor(eventId, 'fan-1', 'key-1'),
      eventId,
      fanId: 'fan-1',
      request: { seats: [{ section: 'A', row: '1', number: 2 }] },
      requestedAt: fixture.store.clock(),
      holdTtlMs: 600_000,
    };
    await fixture.queues.enqueueReserve(job);

    // No worker yet: the job waits, and fifty polls cost DynamoDB nothing.
    dynamoReads = 0;
    for (let poll = 0; poll < 50; poll += 1) expect(await holdView(fixture.store, fixture.queues, job)).toEqual({ holdId: job.holdId, status: 'pending' });
    expect(dynamoReads).toBe(0);

    fixture.startWorkers({ concurrency: 2 });
    expect(await settled(job)).toMatchObject({ status: 'held', seats: [{ section: 'A', row: '1', number: 2 }] });

    // After the job, the hold moves on in DynamoDB, and the view follows it.
    expect(await confirmHold(fixture.store, new TestPaymentProvider(), eventId, job.holdId, 'fan-1', '4242424242424242')).toMatchObject({ outcome: 'confirmed' });
    expect(await holdView(fixture.store, fixture.queues, job)).toMatchObject({ status: 'confirmed', bookingId: job.holdId });
  });

  it('answers a rejection from the finished job without reading DynamoDB', async () => {
    fixture.startWorkers({ concurrency: 2 });
    const eventId = uniqueEventId('view-rejected');
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: 1 } }));
    const request = { seats: [{ section: 'A', row: '1', number: 1 }] };
    const first: ReserveJob = { holdId: holdIdFor(eventId, 'fan-a', 'k'), eventId, fanId: 'fan-a', request, requestedAt: fixture.store.clock(), holdTtlMs: 600_000 };
    const second: ReserveJob = { ...first, holdId: holdIdFor(eventId, 'fan-b', 'k'), fanId: 'fan-b' };
    await fixture.queues.enqueueReserve(first);
    expect((await settled(first)).status).toBe('held');
    await fixture.queues.enqueueReserve(second);
    expect((await settled(second)).status).toBe('rejected');
    dynamoReads = 0;
    expect(await holdView(fixture.store, fixture.queues, second)).toEqual({ holdId: second.holdId, status: 'rejected', reason: 'unavailable' });
    expect(dynamoReads).toBe(0);
  });
});
