// Benchmark of reserving seats end to end: HTTP POST /api/events/:id/holds (one random seat of the
// event) -> BullMQ -> worker processes -> result read back by polling GET /api/holds/:id; contention
// grows as the seats fill (a random pick hits a taken seat more and more often). Beside it, in the same run: seat-map
// reads under that load (autocannon) and the raw local-DynamoDB TransactWriteItems throughput for
// transactions of the same item count (seat + hold + outbox + fan counter). Prints JSON.
//   node dist/loadtests/reservation-bench.js   (BENCH_SEATS=2000 BENCH_WORKERS=3 BENCH_SECONDS=15 BENCH_CONNECTIONS=40)
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { generatePassSigningKey, PassKeyRing } from '../admission/passes.js';
import { mountHoldRoutes } from '../api/hold-routes.js';
import { passCheckFromJwks } from '../api/pass-check.js';
import { mountSeatRoutes } from '../api/seat-routes.js';
import { gridLayout } from '../catalog/venue-layout.js';
import { loadConfig } from '../lib/config.js';
import { createDynamo, ensureTables, tableNames } from '../lib/dynamo.js';
import { createHttpApp, listen } from '../lib/http.js';
import { logger } from '../lib/log.js';
import { auditEvent } from '../workers/booking/booking-audit.js';
import { BookingQueues } from '../workers/booking/booking-queues.js';
import { bookingStore } from '../workers/booking/booking-store.js';
import { TestPaymentProvider } from '../workers/booking/payments.js';
import { SeatMapCache } from '../workers/booking/seat-map-cache.js';
import { provisionSeats } from '../workers/booking/seat-provisioning.js';

const seats = Number(process.env.BENCH_SEATS ?? 2_000);
const workerCount = Number(process.env.BENCH_WORKERS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 40);
const rawSeconds = Number(process.env.BENCH_RAW_SECONDS ?? 8);
const SEATS_PER_ROW = 50;
const POLL_MS = 25;

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

function forkWorker(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = fork(new URL('../workers/booking/booking-worker-process.js', import.meta.url), [], { env, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

function randomSeat(): { row: string; number: number } {
  const index = Math.floor(Math.random() * seats);
  return { row: String(Math.floor(index / SEATS_PER_ROW) + 1), number: (index % SEATS_PER_ROW) + 1 };
}

/** Reservation lanes: each fan asks for one seat and waits for the result. */
async function reserveLoad(baseUrl: string, eventId: string, ring: PassKeyRing) {
  const latenciesMs: number[] = [];
  const outcomes: Record<string, number> = {};
  const deadline = Date.now() + seconds * 1000;
  const lane = async (laneIndex: number) => {
    for (let attempt = 0; Date.now() < deadline; attempt += 1) {
      const token = (await ring.signPass({ fanId: `fan-${laneIndex}-${attempt}`, eventId, ttlSeconds: 600, scope: 'reserve' })).token;
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const started = performance.now();
      const accepted = await fetch(`${baseUrl}/api/events/${eventId}/holds`, {
        method: 'POST',
        headers: { ...headers, 'idempotency-key': randomUUID() },
        body: JSON.stringify({ seats: [{ section: 'A', ...randomSeat() }] }),
      });
      const body = (await accepted.json()) as { holdId?: string };
      if (accepted.status !== 202 || !body.holdId) {
        outcomes[`http-${accepted.status}`] = (outcomes[`http-${accepted.status}`] ?? 0) + 1;
        continue;
      }
      for (;;) {
        const view = (await (await fetch(`${baseUrl}/api/holds/${body.holdId}`, { headers })).json()) as { status: string; reason?: string };
        if (view.status !== 'pending') {
          latenciesMs.push(performance.now() - started);
          const outcome = view.reason ? `${view.status}:${view.reason}` : view.status;
          outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, (_, index) => lane(index)));
  const elapsedSeconds = (performance.now() - started) / 1000;
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    connections,
    seconds: Number(elapsedSeconds.toFixed(1)),
    results: latenciesMs.length,
    attemptsPerSecond: Math.round(latenciesMs.length / elapsedSeconds),
    outcomes,
    requestToResultMs: { p50: Math.round(percentile(sorted, 0.5)), p99: Math.round(percentile(sorted, 0.99)) },
  };
}

/** The raw limit: conditional TransactWriteItems of 4 items (as a reserve), as fast as they go. */
async function rawTransactions(doc: ReturnType<typeof createDynamo>['doc'], tables: ReturnType<typeof tableNames>) {
  const deadline = Date.now() + rawSeconds * 1000;
  let transactions = 0;
  const lane = async (laneIndex: number) => {
    for (let attempt = 0; Date.now() < deadline; attempt += 1) {
      const id = `raw-${laneIndex}-${attempt}`;
      const put = (sk: string) => ({ Put: { TableName: tables.inventory, Item: { pk: 'EVENT#raw-bench', sk, status: 'HELD' }, ConditionExpression: 'attribute_not_exists(pk)' } });
      await doc.send(new TransactWriteCommand({ TransactItems: [put(`SEAT#${id}`), put(`HOLD#${id}`), put(`FAN#${id}`), { Put: { TableName: tables.outbox, Item: { id } } }] }));
      transactions += 1;
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, index) => lane(index)));
  return { connections, seconds: rawSeconds, itemsPerTransaction: 4, transactionsPerSecond: Math.round(transactions / rawSeconds) };
}

async function main(): Promise<void> {
  process.env.LOG_LEVEL ??= 'warn';
  const config = loadConfig();
  const runId = randomUUID().slice(0, 8);
  const tablePrefix = `bench-${runId}-`;
  const keyPrefix = `bench-bk-${runId}:`;
  const eventId = `bench-${runId}`;
  const dynamo = createDynamo(config);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
  const store = bookingStore(dynamo.doc, tablePrefix);
  const queues = new BookingQueues({ connection: redis, keyPrefix, partitions: 2, pins: redis });
  const workers: ChildProcess[] = [];
  let server: Awaited<ReturnType<typeof listen>> | undefined;
  try {
    await ensureTables(dynamo.client, tablePrefix);
    const layout = gridLayout(['A'], Math.ceil(seats / SEATS_PER_ROW), SEATS_PER_ROW, () => 'standard');
    const provisionStarted = performance.now();
    await provisionSeats(store, eventId, layout, { standard: 5_000 });
    const provisionSeconds = (performance.now() - provisionStarted) / 1000;

    const env = { ...process.env, DYNAMODB_TABLE_PREFIX: tablePrefix, BOOKING_KEY_PREFIX: keyPrefix, BOOKING_PARTITIONS: '2', LOG_LEVEL: 'warn' };
    workers.push(...(await Promise.all(Array.from({ length: workerCount }, () => forkWorker(env)))));

    const ring = new PassKeyRing({ current: await generatePassSigningKey('bench'), issuer: 'corral-bench' });
    const seatMap = new SeatMapCache({ redis, store, keyPrefix, ttlMs: 30_000 });
    const app = createHttpApp({
      role: 'api',
      log: logger(),
      checks: [],
      dependencyTimeoutMs: 2_000,
      routes: (routes) => {
        mountSeatRoutes(routes, store, seatMap);
        mountHoldRoutes(routes, {
          store, redis, keyPrefix, queues, seatMap,
          payments: new TestPaymentProvider(),
          passCheck: passCheckFromJwks(ring.jwks(), 'corral-bench'),
          holdTtlMs: 600_000,
          maxSeatsPerHold: 8,
          maxSeatsPerFan: 8,
        });
      },
    });
    server = await listen(app, '127.0.0.1', 0, 'API_PORT');
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const [reservations, seatMapReads] = await Promise.all([
      reserveLoad(baseUrl, eventId, ring),
      autocannon({ url: `${baseUrl}/api/events/${eventId}/seats?section=A`, connections: 4, duration: seconds }),
    ]);
    const raw = await rawTransactions(dynamo.doc, store.tables);
    const audit = await auditEvent(store, eventId);
    process.stdout.write(
      `${JSON.stringify(
        {
          setup: { seats, workerProcesses: workerCount, workerConcurrency: Number(process.env.BOOKING_WORKER_CONCURRENCY ?? 16), provisionSeconds: Number(provisionSeconds.toFixed(1)) },
          reservations: { ...reservations, note: `HTTP POST hold -> result by polling GET /api/holds/:id every ${POLL_MS} ms` },
          seatMapReads: {
            connections: 4,
            requestsPerSecond: Math.round(seatMapReads.requests.average),
            latencyMs: { p50: seatMapReads.latency.p50, p99: seatMapReads.latency.p99 },
            non2xx: seatMapReads.non2xx,
            note: `GET /seats?section=A (${seats} seats) from the Redis seat-map cache, during the reservation load`,
          },
          rawDynamoTransactWriteItems: raw,
          audit: { seats: audit.seats, holds: audit.holds, violations: audit.violations.length },
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    server?.closeAllConnections();
    server?.close();
    await Promise.all(workers.map((child) => new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    })));
    await queues.close();
    for (const pattern of [`${keyPrefix}*`, `{${keyPrefix}*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
    for (const table of Object.values(tableNames(tablePrefix))) await dynamo.client.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    dynamo.client.destroy();
    redis.disconnect();
  }
}

main().catch((error: Error) => {
  console.error(`bench: ${error.message}`);
  process.exit(1);
});
