import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { auditEvent } from '../../../booking/booking-audit.js';
import { seatSk } from '../../../booking/booking-keys.js';
import type { ReserveJob } from '../../../booking/booking-jobs.js';
import { holdIdFor } from '../../../booking/hold-requests.js';
import { releaseHold } from '../../../booking/hold-release.js';
import { reserveHold } from '../../../booking/reserve-hold.js';
import { createBestAvailableShare, SeatsBusyError } from '../../../booking/reserve-hold.js';
import { existingSeatKeys, provisionSeats } from '../../../booking/seat-provisioning.js';
import { dynamoThrottles } from '../../../lib/dynamo.js';
import { createBookingFixture, layoutOf, uniqueEventId, type BookingFixture } from './booking-fixture.js';

describe('reserve (real DynamoDB and Redis)', () => {
  let fixture: BookingFixture;
  beforeAll(async () => {
    fixture = await createBookingFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  // random 0: best available takes the single best placement, so the tests can name the seat it picks.
  const context = () => ({ store: fixture.store, redis: fixture.redis, keyPrefix: fixture.keyPrefix, random: () => 0 });
  const job = (eventId: string, fanId: string, request: ReserveJob['request']): ReserveJob => ({
    holdId: holdIdFor(eventId, fanId, 'key-1'),
    eventId,
    fanId,
    request,
    requestedAt: fixture.store.clock(),
    holdTtlMs: 600_000,
  });
  const seat = (row: string, number: number) => ({ section: 'A', row, number });
  const readSeat = async (eventId: string, row: string, number: number) =>
    (await fixture.dynamo.doc.send(new GetCommand({ TableName: fixture.store.tables.inventory, Key: fixture.store.keys.seat(eventId, seatSk(seat(row, number))) }))).Item;

  it('provisions seats resumably: a re-run writes only missing seats and never resets a held one', async () => {
    const eventId = uniqueEventId('provision');
    const first = await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 4, seatsPerRow: 30 } }));
    expect(first).toEqual({ total: 120, written: 120, skipped: 0 });
    await reserveHold(context(), job(eventId, 'fan-1', { seats: [seat('1', 1)] }));
    const bigger = await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 4, seatsPerRow: 30 }, B: { rows: 1, seatsPerRow: 10 } }));
    expect(bigger).toEqual({ total: 130, written: 10, skipped: 120 });
    expect((await existingSeatKeys(fixture.store, eventId)).size).toBe(130);
    expect(await readSeat(eventId, '1', 1)).toMatchObject({ status: 'HELD' });
  });

  it('a replayed reserve job ends as the same single hold', async () => {
    const eventId = uniqueEventId('replay');
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: 10 } }));
    const reserve = job(eventId, 'fan-1', { seats: [seat('1', 3), seat('1', 4)] });
    const first = await reserveHold(context(), reserve);
    const replays = await Promise.all([reserveHold(context(), reserve), reserveHold(context(), reserve)]);
    expect(first).toMatchObject({ outcome: 'held', holdId: reserve.holdId });
    for (const replay of replays) expect(replay).toEqual(first);
    const report = await auditEvent(fixture.store, eventId);
    expect(report.violations).toEqual([]);
    expect(report.holds).toBe(1);
    expect(report.seats.held).toBe(2);
  });

  it('retries an injected TransactionConflict and then holds the seats', async () => {
    const eventId = uniqueEventId('conflict');
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: 5 } }));
    const injection = fixture.injectTransactionConflicts(2);
    const result = await reserveHold(context(), job(eventId, 'fan-1', { seats: [seat('1', 1)] }));
    expect(injection.injected()).toBe(2);
    expect(result).toMatchObject({ outcome: 'held' });
    expect(await readSeat(eventId, '1', 1)).toMatchObject({ status: 'HELD', holdId: result.holdId, version: 1 });
  });

  it('answers a taken seat as unavailable without writing anything', async () => {
    const eventId = uniqueEventId('taken');
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: 5 } }));
    const winner = await reserveHold(context(), job(eventId, 'fan-1', { seats: [seat('1', 1), seat('1', 2)] }));
    const loser = await reserveHold(context(), job(eventId, 'fan-2', { seats: [seat('1', 2), seat('1', 3)] }));
    expect(winner.outcome).toBe('held');
    expect(loser).toMatchObject({ outcome: 'rejected', reason: 'unavailable' });
    expect(await readSeat(eventId, '1', 3)).toMatchObject({ status: 'AVAILABLE', version: 0 });
  });

  it('an expired hold is reclaimed by the next reserve, and its late expiry leaves the new hold alone', async () => {
    const eventId = uniqueEventId('expiry');
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: 5 } }));
    const first = await reserveHold(context(), job(eventId, 'fan-1', { seats: [seat('1', 1)] }));
    expect(await reserveHold(context(), job(eventId, 'fan-2', { seats: [seat('1', 1)] }))).toMatchObject({ outcome: 'rejected' });
    expect(await releaseHold(fixture.store, eventId, first.holdId, 'expired')).toMatchObject({ outcome: 'not-yet-expired' });

    fixture.advanceClock(600_001);
    const second = await reserveHold(context(), job(eventId, 'fan-3', { seats: [seat('1', 1)] }));
    expect(second).toMatchObject({ outcome: 'held' });
    // The first hold's expiry job runs late: it must not free the seat fan-3 now holds.
    expect(await releaseHold(fixture.store, eventId, first.holdId, 'expired')).toEqual({ outcome: 'released', seatKeys: [] });
    expect(await readSeat(eventId, '1', 1)).toMatchObject({ status: 'HELD', holdId: second.holdId });
    expect((await auditEvent(fixture.store, eventId)).violations).toEqual([]);
  });

  it('best available picks adjacent seats without leaving a single gap, and says unavailable when none fit', async () => {
    const eventId = uniqueEventId('best');
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 2, seatsPerRow: 5 } }));
    await reserveHold(context(), job(eventId, 'fan-1', { seats: [seat('1', 1)] }));
    // Row 1 has 2..5 free (4 seats): 3 would leave one lone seat, so row 2 is chosen.
    const best = await reserveHold(context(), job(eventId, 'fan-2', { section: 'A', quantity: 3 }));
    expect(best).toMatchObject({ outcome: 'held', seatKeys: ['SEAT#A#2#1', 'SEAT#A#2#2', 'SEAT#A#2#3'] });
    const tooMany = await reserveHold(context(), job(eventId, 'fan-3', { section: 'A', quantity: 5 }));
    expect(tooMany).toMatchObject({ outcome: 'rejected', reason: 'unavailable' });
  });

  it('best available picks from a stale seat-map cache: stale picks fail their condition, the cache is corrected, fresh seats are tried', async () => {
    const eventId = uniqueEventId('stale');
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: 5 } }));
    expect(await fixture.seatMap.seats(eventId, 'A')).toHaveLength(5);
    // Seats 1-3 are taken behind the cache's back (no refresh): it still shows them available.
    for (const number of [1, 2, 3]) await reserveHold(context(), job(eventId, `fan-${number}`, { seats: [seat('1', number)] }));
    expect((await fixture.seatMap.seats(eventId, 'A')).every((cached) => cached.status === 'AVAILABLE')).toBe(true);

    const cached = { ...context(), seatMap: fixture.seatMap };
    const best = await reserveHold(cached, job(eventId, 'fan-best', { section: 'A', quantity: 1 }));
    expect(best).toMatchObject({ outcome: 'held', seatKeys: ['SEAT#A#1#4'] });
    const states = new Map((await fixture.seatMap.seats(eventId, 'A')).map((entry) => [entry.number, entry.status]));
    expect(Object.fromEntries(states)).toEqual({ 1: 'HELD', 2: 'HELD', 3: 'HELD', 4: 'HELD', 5: 'AVAILABLE' });
    expect(await readSeat(eventId, '1', 4)).toMatchObject({ status: 'HELD', holdId: best.holdId });
    expect((await auditEvent(fixture.store, eventId)).violations).toEqual([]);
  });

  it('a cache stale beyond the attempt budget ends the job for a later retry, which then holds from the corrected cache', async () => {
    const eventId = uniqueEventId('stale-bound');
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: 5 } }));
    await fixture.seatMap.seats(eventId, 'A');
    for (const number of [1, 2, 3]) await reserveHold(context(), job(eventId, `fan-${number}`, { seats: [seat('1', number)] }));
    const cached = { ...context(), seatMap: fixture.seatMap, bestAvailableAttempts: 2 };
    const request = job(eventId, 'fan-best', { section: 'A', quantity: 1 });
    // Two stale picks use up the budget: a retryable error (BullMQ backs off), nothing written.
    await expect(reserveHold(cached, request)).rejects.toBeInstanceOf(SeatsBusyError);
    expect(await readSeat(eventId, '1', 4)).toMatchObject({ status: 'AVAILABLE', version: 0 });
    // The retry (same job) meets one more stale seat, then holds seat 4.
    expect(await reserveHold(cached, request)).toMatchObject({ outcome: 'held', seatKeys: ['SEAT#A#1#4'] });
    const report = await auditEvent(fixture.store, eventId);
    expect(report.violations).toEqual([]);
    expect(report.seats).toEqual({ total: 5, available: 1, held: 4, sold: 0 });
  });

  it('concurrent best-available jobs of one process leave out the seats the others are trying: 8 buyers of the single best seat hold 8 different seats in one attempt each', async () => {
    const eventId = uniqueEventId('share');
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: 10 } }));
    await fixture.seatMap.seats(eventId, 'A');
    // One attempt each and always the single best placement: without the share, all eight pick
    // seat 1 and seven find it locked (SeatsBusyError).
    const unshared = { ...context(), seatMap: fixture.seatMap, bestAvailableAttempts: 1, bestAvailableSpread: 1 };
    const withoutShare = await Promise.allSettled(Array.from({ length: 8 }, (_, index) => reserveHold(unshared, job(eventId, `solo-${index}`, { section: 'A', quantity: 1 }))));
    expect(withoutShare.filter((outcome) => outcome.status === 'rejected').length).toBeGreaterThan(0);
    const soloHolds = withoutShare.flatMap((outcome) => (outcome.status === 'fulfilled' && outcome.value.outcome === 'held' ? [outcome.value.holdId] : []));
    for (const holdId of soloHolds) await releaseHold(fixture.store, eventId, holdId, 'released');
    await fixture.seatMap.refresh(eventId, (await fixture.seatMap.seats(eventId, 'A')).map((entry) => entry.sk));

    const shared = { ...unshared, share: createBestAvailableShare() };
    const results = await Promise.all(Array.from({ length: 8 }, (_, index) => reserveHold(shared, job(eventId, `buyer-${index}`, { section: 'A', quantity: 1 }))));
    expect(results.every((result) => result.outcome === 'held')).toBe(true);
    const seatsHeld = results.flatMap((result) => (result.outcome === 'held' ? result.seatKeys : []));
    expect(new Set(seatsHeld).size).toBe(8);
    expect(shared.share.trying.size).toBe(0);
    const report = await auditEvent(fixture.store, eventId);
    expect(report.violations).toEqual([]);
    expect(report.seats.held).toBe(8);
  });

  it('a reserve is one transaction and at most one read: best-available from a warm seat map sends only the transaction, explicit seats one BatchGet more', async () => {
    const eventId = uniqueEventId('round-trips');
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 2, seatsPerRow: 6 } }));
    await fixture.seatMap.seats(eventId, 'A');
    const cached = { ...context(), seatMap: fixture.seatMap };
    fixture.dynamoCalls.length = 0;
    expect(await reserveHold(cached, job(eventId, 'fan-1', { section: 'A', quantity: 2 }))).toMatchObject({ outcome: 'held' });
    expect(fixture.dynamoCalls).toEqual(['TransactWriteItems']);
    fixture.dynamoCalls.length = 0;
    expect(await reserveHold(cached, job(eventId, 'fan-2', { seats: [seat('2', 5), seat('2', 6)] }))).toMatchObject({ outcome: 'held' });
    expect(fixture.dynamoCalls).toEqual(['BatchGetItem', 'TransactWriteItems']);
    // The seat map was written from what the transactions sent: it shows all four seats held.
    expect((await fixture.seatMap.seats(eventId, 'A')).filter((cachedSeat) => cachedSeat.status === 'HELD')).toHaveLength(4);
    // Seats the seat map shows taken cost one read of the fan's own hold (a replay check), not of their row.
    fixture.dynamoCalls.length = 0;
    expect(await reserveHold(cached, job(eventId, 'fan-3', { seats: [seat('2', 6)] }))).toMatchObject({ outcome: 'rejected', reason: 'unavailable' });
    expect(fixture.dynamoCalls).toEqual(['GetItem']);
    expect((await auditEvent(fixture.store, eventId)).violations).toEqual([]);
  });

  it('a throttled transaction is retried with bounded backoff and counted by reason; past the bound it fails with nothing written', async () => {
    const eventId = uniqueEventId('throttle');
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: 5 } }));
    const counted = async () => (await dynamoThrottles().get()).values.find((value) => value.labels.reason === 'TableWriteKeyRangeThroughputExceeded' && value.labels.operation === 'TransactWriteItems')?.value ?? 0;
    const before = await counted();
    const throttled = fixture.injectThrottles(4);
    const result = await reserveHold(context(), job(eventId, 'fan-1', { seats: [seat('1', 1)] }));
    expect(result).toMatchObject({ outcome: 'held' });
    expect(throttled.injected()).toBe(4);
    expect(await counted()).toBe(before + 4);
    expect(await readSeat(eventId, '1', 1)).toMatchObject({ status: 'HELD', holdId: result.holdId, version: 1 });

    // A partition that stays hot: the attempts are bounded (the SDK's 3 per call × 6 calls), then the
    // error goes to BullMQ's own job retry; the seat is untouched.
    const endless = fixture.injectThrottles(10_000);
    const startedAt = endless.injected();
    await expect(reserveHold(context(), job(eventId, 'fan-2', { seats: [seat('1', 2)] }))).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(endless.injected() - startedAt).toBe(18);
    fixture.injectThrottles(0);
    expect(await readSeat(eventId, '1', 2)).toMatchObject({ status: 'AVAILABLE', version: 0 });
    expect((await auditEvent(fixture.store, eventId)).violations).toEqual([]);
  }, 60_000);
});
