// Chaos: Redis SIGKILLed in the middle of a flash sale and restarted at once from its append-only
// file (appendfsync everysec, the local stack's and production's profile). Fans join, are admitted,
// claim passes and ask for holds (202) while Redis dies; afterwards the databases are read: every
// acknowledged hold request is answered (a hold in DynamoDB, or its job's rejection) within a bound,
// every fan kept their queue number, and the booking audit finds no seat sold or held twice.
// The figures are printed as one JSON line (docs/reliability.md quotes them).
import { randomUUID } from 'node:crypto';
import { auditEvent } from '../../booking/booking-audit.js';
import type { ReserveResult } from '../../booking/booking-jobs.js';
import { BookingQueues } from '../../booking/booking-queues.js';
import { loadBookingConfig } from '../../booking/booking-config.js';
import { readHold } from '../../booking/booking-reads.js';
import { bookingStore, type BookingStore } from '../../booking/booking-store.js';
import { readHoldRequest } from '../../booking/hold-requests.js';
import { call, freePort, OwnRedis, persist, publishSale, sleep, startSaleStack, type SaleStack } from './chaos-harness.js';

const FANS = 24;
const ROWS = 2;
const SEATS_PER_ROW = 8;
/** The kill comes once this many hold requests were acknowledged: the sale is in full swing. */
const KILL_AFTER_ACKS = 8;
/** Every acknowledged request must be answered within this of the restart. */
const ANSWER_BOUND_MS = 20_000;

interface Fan {
  index: number;
  queueToken?: string;
  number?: number;
  holdId?: string;
  acknowledgedAtMs?: number;
}

let redis: OwnRedis;
let stack: SaleStack;

beforeAll(async () => {
  redis = new OwnRedis(await freePort());
  await redis.start();
  stack = await startSaleStack(redis.url);
}, 60_000);

afterAll(async () => {
  await stack?.close();
  await redis?.stop();
});

/** Reads the databases only (no fan polls, which would re-enqueue a vanished job): answered or not. */
async function answerOf(store: BookingStore, queues: BookingQueues, eventId: string, holdId: string): Promise<'held' | 'rejected' | 'failed' | 'pending' | 'no-request-record' | 'no-job'> {
  const hold = await readHold(store, eventId, holdId);
  if (hold) return 'held';
  const job = await readHoldRequest(stack.platform.redis(), stack.bookingKeyPrefix, holdId);
  if (!job) return 'no-request-record';
  const queued = await queues.reserveJob(job);
  if (!queued) return 'no-job';
  const state = await queued.getState();
  if (state === 'failed') return 'failed';
  if (state === 'completed' && (queued.returnvalue as ReserveResult | null)?.outcome === 'rejected') return 'rejected';
  return 'pending';
}

test('Redis SIGKILLed mid-sale and restarted from its AOF: every 202 answered, every fan keeps their place, no seat sold twice', async () => {
  const sale = await publishSale(stack, { rows: ROWS, seatsPerRow: SEATS_PER_ROW, opensInMs: 3_000, ratePerMinute: 6_000 });
  const { eventId } = sale;
  const deadline = Date.now() + 45_000;
  const fans: Fan[] = Array.from({ length: FANS }, (_, index) => ({ index }));
  const retries = { beforeKill: 0, duringOutage: 0 };
  let killedAtMs: number | undefined;
  let restartedAtMs: number | undefined;
  let firstAckAfterRestartMs: number | undefined;
  const acknowledged = () => fans.filter((fan) => fan.holdId !== undefined).length;
  const countRetry = () => (killedAtMs === undefined ? (retries.beforeKill += 1) : (retries.duringOutage += 1));

  async function runFan(fan: Fan): Promise<void> {
    await sleep(fan.index * 150);
    const joined = await persist(() => call<{ number: number | null; queueToken: string }>(`${stack.waitingRoomUrl}/api/events/${eventId}/queue`, { body: {} }), deadline, countRetry);
    fan.queueToken = joined.body.queueToken;
    for (;;) {
      const { body: status } = await persist(
        () => call<{ number: number | null; serving: number }>(`${stack.waitingRoomUrl}/api/events/${eventId}/queue/status`, { token: fan.queueToken! }),
        deadline,
        countRetry,
      );
      if (status.number !== null) fan.number = status.number;
      if (status.number !== null && status.serving >= status.number) break;
      if (Date.now() > deadline) throw new Error(`fan ${fan.index} never admitted`);
      await sleep(200);
    }
    const { body: pass } = await persist(() => call<{ pass: string }>(`${stack.admissionUrl}/api/events/${eventId}/pass`, { method: 'POST', token: fan.queueToken! }), deadline, countRetry);
    const idempotencyKey = randomUUID();
    // The page retries a hold request it got no answer to with the same Idempotency-Key.
    const { body: accepted, status } = await persist(
      () => call<{ holdId: string }>(`${stack.apiUrl}/api/events/${eventId}/holds`, { token: pass.pass, headers: { 'idempotency-key': idempotencyKey }, body: { section: 'A', quantity: 1 } }),
      deadline,
      countRetry,
    );
    expect(status).toBe(202);
    fan.holdId = accepted.holdId;
    fan.acknowledgedAtMs = Date.now();
    if (restartedAtMs !== undefined) firstAckAfterRestartMs ??= fan.acknowledgedAtMs - killedAtMs!;
  }

  async function chaos(): Promise<void> {
    while (acknowledged() < KILL_AFTER_ACKS) {
      if (Date.now() > deadline) throw new Error('the sale never reached the kill point');
      await sleep(20);
    }
    killedAtMs = Date.now();
    await redis.kill();
    await redis.start();
    restartedAtMs = Date.now();
  }

  const outcomes = await Promise.allSettled([chaos(), ...fans.map(runFan)]);
  const failures = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [String(outcome.reason)] : []));
  expect(failures).toEqual([]);
  const acknowledgedBeforeKill = fans.filter((fan) => fan.acknowledgedAtMs! < killedAtMs!).length;

  // Every acknowledged request answered, read from DynamoDB and the BullMQ jobs, within the bound.
  const store = bookingStore(stack.platform.dynamo().doc, stack.tablePrefix);
  const bookingConfig = loadBookingConfig();
  const queues = new BookingQueues({ connection: stack.platform.redis(), keyPrefix: stack.bookingKeyPrefix, partitions: bookingConfig.BOOKING_PARTITIONS, headlinePartitions: bookingConfig.BOOKING_HEADLINE_PARTITIONS, pins: stack.platform.redis() });
  const answers = new Map<string, string>();
  const answerDeadline = restartedAtMs! + ANSWER_BOUND_MS;
  let allAnsweredAtMs: number | undefined;
  try {
    for (;;) {
      for (const fan of fans) answers.set(fan.holdId!, await answerOf(store, queues, eventId, fan.holdId!));
      if ([...answers.values()].every((answer) => answer === 'held' || answer === 'rejected' || answer === 'failed')) {
        allAnsweredAtMs = Date.now();
        break;
      }
      if (Date.now() > answerDeadline) break;
      await sleep(200);
    }
  } finally {
    await queues.close();
  }
  const tally: Record<string, number> = {};
  for (const answer of answers.values()) tally[answer] = (tally[answer] ?? 0) + 1;

  // Every fan kept their number: the queue status read back with the fan's own token.
  let lostPlace = 0;
  for (const fan of fans) {
    const { body } = await call<{ number: number | null }>(`${stack.waitingRoomUrl}/api/events/${eventId}/queue/status`, { token: fan.queueToken! });
    if (body.number !== fan.number) lostPlace += 1;
  }

  const audit = await auditEvent(store, eventId);
  const figures = {
    scenario: 'redis-sigkill-aof-restart',
    fans: FANS,
    seats: sale.seats,
    acknowledged: acknowledged(),
    acknowledgedBeforeKill,
    answers: tally,
    lost: fans.length - ((tally['held'] ?? 0) + (tally['rejected'] ?? 0) + (tally['failed'] ?? 0)),
    doubleSold: audit.violations.length,
    fansWhoLostTheirPlace: lostPlace,
    retriesDuringOutage: retries.duringOutage,
    redisDownMs: restartedAtMs! - killedAtMs!,
    firstAcknowledgedAfterKillMs: firstAckAfterRestartMs ?? null,
    allAnsweredAfterKillMs: allAnsweredAtMs === undefined ? null : allAnsweredAtMs - killedAtMs!,
  };
  process.stdout.write(`chaos figures ${JSON.stringify(figures)}\n`);

  expect(acknowledged()).toBe(FANS);
  expect(acknowledgedBeforeKill).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
  expect(acknowledgedBeforeKill).toBeLessThan(FANS);
  expect(figures.lost).toBe(0);
  expect(allAnsweredAtMs).toBeDefined();
  expect(lostPlace).toBe(0);
  expect(audit.violations).toEqual([]);
  // More fans than seats: the sale sold out, so the audit had a contested sale to check.
  expect(tally['held']).toBe(sale.seats);
}, 60_000);
