// Best-available across several sections from the per-section seat-map cache while it is stale and
// while its keys vanish and refill under load: no seat is held twice (read from DynamoDB), and
// afterwards the cache's counts equal both its own seats and the database.
import { auditEvent } from '../../../booking/booking-audit.js';
import { bookingRedisKeys, SEAT_SK_PREFIX, type SeatItem } from '../../../booking/booking-keys.js';
import { querySeatPartitions } from '../../../booking/seat-partitions.js';
import type { ReserveJob, ReserveResult } from '../../../booking/booking-jobs.js';
import { holdIdFor } from '../../../booking/hold-requests.js';
import { reserveHold } from '../../../booking/reserve-hold.js';
import { readEventSeats, sectionAvailability } from '../../../booking/seat-availability.js';
import { provisionSeats } from '../../../booking/seat-provisioning.js';
import { createBookingFixture, layoutOf, uniqueEventId, type BookingFixture } from './booking-fixture.js';
import { jobResults, waitForJobs } from './race-helpers.js';

const SECTIONS = ['A', 'B', 'C'];
const ROWS = 2;
const SEATS_PER_ROW = 10;
const SEATS = SECTIONS.length * ROWS * SEATS_PER_ROW;
const FIRST_WAVE = Math.floor(Number(process.env.BOOKING_RACE_REQUESTS ?? 2_000) / 4);
const SECOND_WAVE = Math.floor(FIRST_WAVE / 4);

describe('best-available race over a per-section seat-map cache (real Redis, DynamoDB and BullMQ workers)', () => {
  let fixture: BookingFixture;
  beforeAll(async () => {
    fixture = await createBookingFixture();
    fixture.startWorkers({ concurrency: 32 });
  });
  afterAll(async () => {
    await fixture.close();
  });

  it(`${FIRST_WAVE + SECOND_WAVE} fans over ${SECTIONS.length} sections, stale cache, a section key and the index dropped mid-run: ${SEATS} seats held once each`, async () => {
    const eventId = uniqueEventId('race-sections');
    await provisionSeats(fixture.store, eventId, ...layoutOf(Object.fromEntries(SECTIONS.map((section) => [section, { rows: ROWS, seatsPerRow: SEATS_PER_ROW }]))));
    await fixture.seatMap.sectionAvailability(eventId, fixture.store.clock());
    const requestedAt = fixture.store.clock();
    const reserve = (fanId: string, request: ReserveJob['request']): ReserveJob => ({ holdId: holdIdFor(eventId, fanId, 'race'), eventId, fanId, request, requestedAt, holdTtlMs: 600_000 });

    // Two seats per section are taken behind the cache's back: the race starts from a stale map.
    const early = SECTIONS.flatMap((section) => [1, 4].map((number) => ({ sk: `SEAT#${section}#1#${number}`, job: reserve(`early-${section}-${number}`, { seats: [{ section, row: '1', number }] }) })));
    for (const { job } of early) expect(await reserveHold({ store: fixture.store, redis: fixture.redis, keyPrefix: fixture.keyPrefix }, job)).toMatchObject({ outcome: 'held' });
    // Fans' pages poll the summary all along (the web does every 2 s): after the index expires this
    // refills the sections before they expire, so fills meet live keys and can never drop an update.
    let polling = true;
    const poller = (async () => {
      while (polling) {
        await fixture.seatMap.sectionAvailability(eventId, fixture.store.clock());
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    })();

    let firstWave: ReserveJob[];
    let secondWave: ReserveJob[];
    try {
      // Two thirds ask for best available (one or two seats) in a section, a third for one named seat.
      firstWave = Array.from({ length: FIRST_WAVE }, (_, index) => {
        const section = SECTIONS[index % SECTIONS.length]!;
        return reserve(`fan-${index}`, index % 3 === 2 ? { seats: [{ section, row: String((index % ROWS) + 1), number: (index % SEATS_PER_ROW) + 1 }] } : { section, quantity: (index % 2) + 1 });
      });
      await Promise.all(firstWave.map((job) => fixture.queues.enqueueReserve(job)));
      await waitForJobs(fixture.queues, firstWave, Math.floor(FIRST_WAVE / 4), 120_000);
      // Mid-run: B's key and the index vanish; concurrent readers refill while workers write.
      const keys = bookingRedisKeys(fixture.keyPrefix, eventId);
      await fixture.redis.del(keys.seatMapSection('B'), keys.seatMapIndex);
      await Promise.all([fixture.seatMap.sectionAvailability(eventId, fixture.store.clock()), fixture.seatMap.seats(eventId, 'B'), fixture.seatMap.seats(eventId, 'C')]);
      await waitForJobs(fixture.queues, firstWave, FIRST_WAVE, 150_000);
      // A second wave of one-seat best-available requests meets whatever the refill left stale.
      secondWave = Array.from({ length: SECOND_WAVE }, (_, index) => reserve(`late-${index}`, { section: SECTIONS[index % SECTIONS.length]!, quantity: 1 }));
      await Promise.all(secondWave.map((job) => fixture.queues.enqueueReserve(job)));
      await waitForJobs(fixture.queues, secondWave, SECOND_WAVE, 150_000);
    } finally {
      polling = false;
      await poller;
    }

    const results = (await jobResults(fixture.queues, [...firstWave, ...secondWave])) as Array<ReserveResult | { outcome: 'failed'; reason: string }>;
    const held = results.flatMap((result) => (result.outcome === 'held' ? [result] : []));
    expect(results.filter((result) => result.outcome !== 'held').every((result) => result.outcome === 'rejected' && result.reason === 'unavailable')).toBe(true);
    const heldSeats = held.flatMap((result) => result.seatKeys);
    expect(new Set(heldSeats).size).toBe(heldSeats.length);
    expect(heldSeats.length).toBe(SEATS - early.length);

    // The database itself: every seat HELD by exactly the hold we answered for it.
    const seats = await querySeatPartitions<SeatItem>(fixture.store, eventId, SEAT_SK_PREFIX, { consistentRead: true });
    const answeredFor = new Map([...early.map(({ sk, job }) => [sk, job.holdId] as const), ...held.flatMap((result) => result.seatKeys.map((sk) => [sk, result.holdId] as const))]);
    expect(seats).toHaveLength(SEATS);
    for (const seat of seats) expect({ sk: seat.sk, status: seat.status, holdId: seat.holdId }).toEqual({ sk: seat.sk, status: 'HELD', holdId: answeredFor.get(seat.sk) });
    const report = await auditEvent(fixture.store, eventId);
    expect(report.violations).toEqual([]);
    expect(report.holds).toBe(early.length + held.length);

    // The counts equal what the cached seats add up to, and (every seat the drop left stale having
    // been picked, failed and corrected by a one-seat request of the second wave) what DynamoDB's do.
    const now = fixture.store.clock();
    const counted = await fixture.seatMap.sectionAvailability(eventId, now);
    expect(counted).toEqual(sectionAvailability(await fixture.seatMap.seats(eventId), now));
    expect(counted).toEqual(sectionAvailability(await readEventSeats(fixture.store, eventId), now));
  }, 300_000);
});
