// Chaos: MariaDB SIGKILLed in the middle of a flash sale, left down a few seconds, then started again
// on the same datadir (InnoDB crash recovery). The test owns that mariadbd (own-mariadb.ts: free
// port, own datadir, the migrations applied by lib/migrate.ts) and points the roles at it; Redis and
// DynamoDB are the shared local stack under this run's prefixes. The sale does not need MariaDB:
// fans keep being admitted, holding and paying through the outage. What needs it (sign-in, the
// catalog) must fail clearly (a 503 problem within a bound, never a 500 or a hang) and recover.
// Figures: one `chaos figures {...}` line (docs/reliability.md).
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { auditEvent } from '../../booking/booking-audit.js';
import { bookingStore } from '../../booking/booking-store.js';
import { TEST_CARDS } from '../../booking/payments.js';
import { applyMigrations } from '../../lib/migrate.js';
import { call, freePort, persist, publishSale, sleep, startSaleStack, type SaleStack } from './chaos-harness.js';
import { OwnMariadb } from './own-mariadb.js';

const DOWN_MS = Number(process.env.CHAOS_MARIADB_DOWN_MS ?? 8_000);
const FANS = 12;
const ROWS = 2;
const SEATS_PER_ROW = 8;
/** Fans who hold and pay before the kill. */
const EARLY_FANS = 4;
/** A call made while MariaDB is down must be answered (success or problem) within this. */
const CALL_BOUND_MS = 15_000;
/** Sign-in and the catalog must answer again within this of the restart. */
const RECOVERY_BOUND_MS = 30_000;

const scenario = test;

let db: OwnMariadb;
let stack: SaleStack;

beforeAll(async () => {
  db = new OwnMariadb(await freePort());
  await db.install();
  await applyMigrations(db.url, path.join(process.cwd(), 'prisma', 'migrations'));
  stack = await startSaleStack(undefined, { DATABASE_URL: db.url });
}, 90_000);

afterAll(async () => {
  await stack?.close();
  await db?.stop();
});

interface Answered {
  status: number;
  code?: string;
  ms: number;
  body: Record<string, unknown>;
}

/** One call with a long client timeout (the bound is asserted on the answer); status 0: no answer. */
async function timedCall(url: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answered> {
  const started = Date.now();
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const response = await fetch(url, {
      method: options.body === undefined ? 'GET' : 'POST',
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal: AbortSignal.timeout(CALL_BOUND_MS + 15_000),
    });
    const text = await response.text();
    const body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    const code = typeof body['type'] === 'string' ? String(body['type']).split('/').pop() : undefined;
    return { status: response.status, ...(code === undefined ? {} : { code }), ms: Date.now() - started, body };
  } catch {
    return { status: 0, ms: Date.now() - started, body: {} };
  }
}

scenario('MariaDB SIGKILLed mid-sale and restarted: the sale keeps selling, sign-in and catalog answer 503 problems, then recover', async () => {
  const sale = await publishSale(stack, { rows: ROWS, seatsPerRow: SEATS_PER_ROW, opensInMs: 2_000, ratePerMinute: 6_000 });
  const { eventId } = sale;
  const organizer = { email: `chaos-${stack.id}@chaos.test`, password: `chaos-password-${stack.id}` };
  const deadline = Date.now() + 80_000;
  let killedAtMs: number | undefined;
  let restartedAtMs: number | undefined;
  const bookedDuringOutage: number[] = [];

  async function runFan(index: number): Promise<string> {
    if (index >= EARLY_FANS) while (killedAtMs === undefined) await sleep(50);
    await sleep((index % EARLY_FANS) * 150);
    const joined = await persist(() => call<{ queueToken: string }>(`${stack.waitingRoomUrl}/api/events/${eventId}/queue`, { body: {} }), deadline);
    for (;;) {
      const { body: status } = await persist(() => call<{ number: number | null; serving: number }>(`${stack.waitingRoomUrl}/api/events/${eventId}/queue/status`, { token: joined.body.queueToken }), deadline);
      if (status.number !== null && status.serving >= status.number) break;
      if (Date.now() > deadline) throw new Error(`fan ${index} never admitted`);
      await sleep(200);
    }
    const { body: pass } = await persist(() => call<{ pass: string }>(`${stack.admissionUrl}/api/events/${eventId}/pass`, { method: 'POST', token: joined.body.queueToken }), deadline);
    const idempotencyKey = randomUUID();
    const { body: accepted } = await persist(() => call<{ holdId: string }>(`${stack.apiUrl}/api/events/${eventId}/holds`, { token: pass.pass, headers: { 'idempotency-key': idempotencyKey }, body: { section: 'A', quantity: 1 } }), deadline);
    for (;;) {
      const { body: view } = await persist(() => call<{ status: string }>(`${stack.apiUrl}/api/holds/${accepted.holdId}`, { token: pass.pass }), deadline);
      if (view.status === 'held') break;
      if (view.status !== 'pending') throw new Error(`fan ${index}'s hold ended ${view.status}`);
      if (Date.now() > deadline) throw new Error(`fan ${index}'s hold never placed`);
      await sleep(100);
    }
    await persist(() => call(`${stack.apiUrl}/api/holds/${accepted.holdId}/confirm`, { token: pass.pass, body: { paymentToken: TEST_CARDS.approve } }), deadline);
    if (killedAtMs !== undefined && restartedAtMs === undefined) bookedDuringOutage.push(index);
    return accepted.holdId;
  }

  const outageCalls: Array<{ what: string } & Answered> = [];
  let recoveredAfterRestartMs: number | undefined;

  async function chaos(): Promise<void> {
    // The kill comes once the early fans have paid: the sale is under way.
    while (bookings < EARLY_FANS) {
      if (Date.now() > deadline) throw new Error('the sale never reached the kill point');
      await sleep(50);
    }
    killedAtMs = Date.now();
    await db.kill();
    // While it is down: sign-in and the catalog, a few times each.
    while (Date.now() < killedAtMs + DOWN_MS) {
      outageCalls.push({ what: 'sign-in', ...(await timedCall(`${stack.apiUrl}/api/sessions`, { body: organizer })) });
      outageCalls.push({ what: 'catalog', ...(await timedCall(`${stack.apiUrl}/api/events/${eventId}`)) });
      await sleep(1_000);
    }
    const restartStartedMs = Date.now();
    await db.start();
    restartedAtMs = Date.now();
    // Recovered: sign-in and the catalog answer 200 again (the pools reconnect on their own).
    for (;;) {
      const signIn = await timedCall(`${stack.apiUrl}/api/sessions`, { body: organizer });
      const catalog = await timedCall(`${stack.apiUrl}/api/events/${eventId}`);
      if (signIn.status === 200 || signIn.status === 201) {
        if (catalog.status === 200) {
          recoveredAfterRestartMs = Date.now() - restartStartedMs;
          return;
        }
      }
      if (Date.now() > restartStartedMs + RECOVERY_BOUND_MS) throw new Error(`sign-in ${signIn.status} and catalog ${catalog.status} still failing after the restart`);
      await sleep(250);
    }
  }

  let bookings = 0;
  const fanRuns = Array.from({ length: FANS }, (_, index) => runFan(index).then((holdId) => ((bookings += 1), holdId)));
  const outcomes = await Promise.allSettled([chaos(), ...fanRuns]);
  const failures = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [String(outcome.reason)] : []));

  const store = bookingStore(stack.platform.dynamo().doc, stack.tablePrefix);
  const audit = await auditEvent(store, eventId);
  const outageTally: Record<string, number> = {};
  for (const entry of outageCalls) {
    const key = `${entry.what} ${entry.status}${entry.code ? ` ${entry.code}` : ''}`;
    outageTally[key] = (outageTally[key] ?? 0) + 1;
  }
  const figures = {
    scenario: 'mariadb-sigkill-restart',
    fans: FANS,
    seats: sale.seats,
    booked: bookings,
    bookedWhileMariadbDown: bookedDuringOutage.length,
    fanFailures: failures.length,
    doubleSold: audit.violations.length,
    mariadbDownMs: restartedAtMs === undefined ? null : restartedAtMs - killedAtMs!,
    callsWhileDown: outageTally,
    slowestCallWhileDownMs: outageCalls.length === 0 ? null : Math.max(...outageCalls.map((entry) => entry.ms)),
    signInAndCatalogBackAfterRestartMs: recoveredAfterRestartMs ?? null,
  };
  process.stdout.write(`chaos figures ${JSON.stringify(figures)}\n`);

  expect(failures).toEqual([]);
  expect(bookings).toBe(FANS);
  // Some fans booked while MariaDB was down: the sale did not need it.
  expect(bookedDuringOutage.length).toBeGreaterThan(0);
  expect(audit.violations).toEqual([]);
  expect(outageCalls.length).toBeGreaterThan(0);
  for (const entry of outageCalls) {
    expect({ what: entry.what, status: entry.status, code: entry.code, withinBound: entry.ms <= CALL_BOUND_MS }).toEqual({ what: entry.what, status: 503, code: 'unavailable', withinBound: true });
  }
  expect(recoveredAfterRestartMs).toBeDefined();
}, 150_000);
