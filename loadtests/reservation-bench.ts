// Benchmark of reserving seats end to end: HTTP POST /api/events/:id/holds (one random seat of the
// event) -> BullMQ -> worker processes -> result pushed to the fan's Socket.IO room (`identify` with
// the pass, then `hold.result`), as the fan page hears it; contention grows as the seats fill (a
// random pick hits a taken seat more and more often). Beside it, in the same run: seat-map
// reads under that load (autocannon) and the raw local-DynamoDB TransactWriteItems throughput for
// transactions of the same item count (seat + hold + outbox + fan counter), and the per-partition meter
// of `npm run capacity` applied to the DynamoDB requests the api and the workers really sent during
// the reservation load (lib/dynamo-capacity.ts RequestMeter). Prints JSON.
//   node dist/loadtests/reservation-bench.js   (BENCH_SEATS=2000 BENCH_WORKERS=3 BENCH_SECONDS=15 BENCH_CONNECTIONS=40 BENCH_RAW_SECONDS=8 BENCH_SEAT_MAP_CONNECTIONS=4,
//   BENCH_WORKER_EXEC_ARGV='--cpu-prof --cpu-prof-dir=DIR' to profile the worker processes)
import { fork, type ChildProcess } from 'node:child_process';
import { deleteKeysByPrefix } from '../lib/redis.js';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { generatePassSigningKey, PassKeyRing } from '../lib/tokens/passes.js';
import { mountHoldRoutes } from '../api/hold-routes.js';
import { passCheckFromJwks } from '../api/pass-check.js';
import { mountSeatRoutes } from '../api/seat-routes.js';
import { gridLayout } from '../catalog/venue-layout.js';
import { loadConfig } from '../lib/config.js';
import { createDynamo, ensureTables, tableNames } from '../lib/dynamo.js';
import { createHttpApp, listen } from '../lib/http.js';
import { logger } from '../lib/log.js';
import { fanIdentifier, IDENTIFY_EVENT, type IdentifyAck } from '../waiting-room/fan-rooms.js';
import { QueueStore } from '../waiting-room/queue-store.js';
import { attachServingGateway, type ServingGateway } from '../waiting-room/serving-gateway.js';
import { auditEvent } from '../booking/booking-audit.js';
import { BookingQueues } from '../booking/booking-queues.js';
import { bookingStore } from '../booking/booking-store.js';
import { HOLD_RESULT_EVENT, type HoldResultMessage } from '../booking/hold-result-publisher.js';
import { TestPaymentProvider } from '../booking/payments.js';
import { SeatMapCache } from '../booking/seat-map-cache.js';
import { provisionSeats } from '../booking/seat-provisioning.js';
import { percentile } from './bench-stats.js';
import { CapacityMeter, RequestMeter, type UnitCells } from '../lib/dynamo-capacity.js';

const seats = Number(process.env.BENCH_SEATS ?? 2_000);
const workerCount = Number(process.env.BENCH_WORKERS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 40);
const rawSeconds = Number(process.env.BENCH_RAW_SECONDS ?? 8);
/** Seat-map readers beside the reservations (0: none, to see the pipeline on its own). */
const seatMapConnections = Number(process.env.BENCH_SEAT_MAP_CONNECTIONS ?? 4);
const SEATS_PER_ROW = 50;
/** A result not heard within this is counted as `no-result` (the run's bound, not a latency figure). */
const RESULT_TIMEOUT_MS = 20_000;

/** The DynamoDB units a metered worker process counted (CORRAL_CAPACITY_METER=1). */
function workerCells(child: ChildProcess): Promise<UnitCells> {
  return new Promise((resolve) => {
    const listener = (message: unknown) => {
      const cells = (message as { capacityCells?: UnitCells } | null)?.capacityCells;
      if (!cells) return;
      child.off('message', listener);
      resolve(cells);
    };
    child.on('message', listener);
    child.send('capacity-cells');
  });
}

/** Extra node flags for the forked workers, e.g. BENCH_WORKER_EXEC_ARGV='--cpu-prof --cpu-prof-dir=/tmp/prof'. */
const workerExecArgv = (process.env.BENCH_WORKER_EXEC_ARGV ?? '').split(' ').filter(Boolean);

function forkWorker(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = fork(new URL('../workers/booking-worker-process.js', import.meta.url), [], { env, execArgv: [...process.execArgv, ...workerExecArgv], stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

function randomSeat(): { row: string; number: number } {
  const index = Math.floor(Math.random() * seats);
  return { row: String(Math.floor(index / SEATS_PER_ROW) + 1), number: (index % SEATS_PER_ROW) + 1 };
}

/** One fan page's socket: it identifies each new fan (joining `fan:<fanId>`) and hands out results by hold id. */
class ResultSocket {
  private readonly early = new Map<string, HoldResultMessage>();
  private readonly waiting = new Map<string, (message: HoldResultMessage) => void>();

  constructor(readonly socket: Socket) {
    socket.on(HOLD_RESULT_EVENT, (message: HoldResultMessage) => {
      const waiter = this.waiting.get(message.holdId);
      if (waiter) {
        this.waiting.delete(message.holdId);
        waiter(message);
      } else this.early.set(message.holdId, message);
    });
  }

  async identify(eventId: string, token: string): Promise<void> {
    const ack = (await this.socket.timeout(10_000).emitWithAck(IDENTIFY_EVENT, { eventId, token })) as IdentifyAck;
    if (!ack.ok) throw new Error(`identify refused: ${ack.error}`);
  }

  /** The result for `holdId` (it may have come before the 202 did), or undefined after the timeout. */
  result(holdId: string): Promise<HoldResultMessage | undefined> {
    const early = this.early.get(holdId);
    if (early) {
      this.early.delete(holdId);
      return Promise.resolve(early);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(holdId);
        resolve(undefined);
      }, RESULT_TIMEOUT_MS);
      this.waiting.set(holdId, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
    });
  }
}

async function connectResultSocket(socketUrl: string): Promise<ResultSocket> {
  const socket = connectSocket(socketUrl, { transports: ['websocket'], forceNew: true, reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return new ResultSocket(socket);
}

/** Reservation lanes: each fan identifies on its lane's socket, asks for one seat and waits for the pushed result. */
async function reserveLoad(baseUrl: string, socketUrl: string, eventId: string, ring: PassKeyRing) {
  const latenciesMs: number[] = [];
  const outcomes: Record<string, number> = {};
  const count = (outcome: string) => (outcomes[outcome] = (outcomes[outcome] ?? 0) + 1);
  const sockets = await Promise.all(Array.from({ length: connections }, () => connectResultSocket(socketUrl)));
  const deadline = Date.now() + seconds * 1000;
  const lane = async (laneIndex: number) => {
    const resultSocket = sockets[laneIndex]!;
    for (let attempt = 0; Date.now() < deadline; attempt += 1) {
      const token = (await ring.signPass({ fanId: `fan-${laneIndex}-${attempt}`, eventId, ttlSeconds: 600, scope: 'reserve' })).token;
      // Identified before asking, as the fan page does, so the result cannot be missed.
      await resultSocket.identify(eventId, token);
      const started = performance.now();
      const accepted = await fetch(`${baseUrl}/api/events/${eventId}/holds`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify({ seats: [{ section: 'A', ...randomSeat() }] }),
      });
      const body = (await accepted.json()) as { holdId?: string };
      if (accepted.status !== 202 || !body.holdId) {
        count(`http-${accepted.status}`);
        continue;
      }
      const result = await resultSocket.result(body.holdId);
      if (!result) {
        count('no-result');
        continue;
      }
      latenciesMs.push(performance.now() - started);
      count(result.status === 'rejected' ? `rejected:${result.reason}` : result.status);
    }
  };
  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: connections }, (_, index) => lane(index)));
  } finally {
    for (const resultSocket of sockets) resultSocket.socket.disconnect();
  }
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
  const benchStarted = performance.now();
  const runId = randomUUID().slice(0, 8);
  const tablePrefix = `bench-${runId}-`;
  const keyPrefix = `bench-bk-${runId}:`;
  const eventId = `bench-${runId}`;
  const dynamo = createDynamo(config);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
  const store = bookingStore(dynamo.doc, tablePrefix);
  const hashKeyOf = (table: string) => (table === tableNames(tablePrefix).outbox ? 'id' : 'pk');
  const apiMeter = new RequestMeter(hashKeyOf);
  apiMeter.install(dynamo.client);
  const queues = new BookingQueues({ connection: redis, keyPrefix, partitions: 2, headlinePartitions: 2, pins: redis });
  const workers: ChildProcess[] = [];
  let server: Awaited<ReturnType<typeof listen>> | undefined;
  let socketServer: Server | undefined;
  let gateway: ServingGateway | undefined;
  const channelKey = `${keyPrefix}socket.io`;
  try {
    await ensureTables(dynamo.client, tablePrefix);
    const layout = gridLayout(['A'], Math.ceil(seats / SEATS_PER_ROW), SEATS_PER_ROW, () => 'standard');
    const provisionStarted = performance.now();
    await provisionSeats(store, eventId, layout, { standard: 5_000 });
    const provisionSeconds = (performance.now() - provisionStarted) / 1000;

    // The workers emit results on this run's own Socket.IO channel, so no other gateway hears them.
    const env = { ...process.env, DYNAMODB_TABLE_PREFIX: tablePrefix, BOOKING_KEY_PREFIX: keyPrefix, BOOKING_PARTITIONS: '2', BOOKING_HEADLINE_PARTITIONS: '2', HOLD_RESULT_CHANNEL_KEY: channelKey, LOG_LEVEL: 'warn', CORRAL_CAPACITY_METER: '1' };
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
    // The waiting-room side: the Socket.IO gateway fans identify on (pass → `fan:<fanId>` room).
    socketServer = createServer();
    gateway = attachServingGateway({
      server: socketServer,
      redis,
      store: new QueueStore({ redis, keyPrefix: `${keyPrefix}wr:` }),
      log: logger(),
      channelKey,
      identifyFan: fanIdentifier({ jwks: ring.jwks(), issuer: 'corral-bench' }),
    });
    await gateway.ready;
    await new Promise<void>((resolve) => socketServer!.listen(0, '127.0.0.1', resolve));
    const socketUrl = `http://127.0.0.1:${(socketServer.address() as AddressInfo).port}/queue`;

    const loadStartSecond = Math.floor(Date.now() / 1000);
    const [reservations, seatMapReads] = await Promise.all([
      reserveLoad(baseUrl, socketUrl, eventId, ring),
      seatMapConnections > 0
        ? autocannon({ url: `${baseUrl}/api/events/${eventId}/seats?section=A`, connections: seatMapConnections, duration: seconds })
        : undefined,
    ]);
    const loadEndSecond = Math.floor(Date.now() / 1000);
    // Every process's counted units of the load's seconds, summed per partition key and second.
    const partitionMeter = new CapacityMeter();
    const duringLoad = (second: number) => second >= loadStartSecond && second <= loadEndSecond;
    partitionMeter.merge(apiMeter.cells(), duringLoad);
    for (const cells of await Promise.all(workers.map(workerCells))) partitionMeter.merge(cells, duringLoad);
    const metered = partitionMeter.report();
    const raw = await rawTransactions(dynamo.doc, store.tables);
    const audit = await auditEvent(store, eventId);
    process.stdout.write(
      `${JSON.stringify(
        {
          setup: { seats, workerProcesses: workerCount, workerConcurrency: Number(process.env.BOOKING_WORKER_CONCURRENCY ?? 16), provisionSeconds: Number(provisionSeconds.toFixed(1)) },
          reservations: { ...reservations, note: `HTTP POST hold -> hold.result pushed to the fan's Socket.IO room (no polling); no-result = not heard within ${RESULT_TIMEOUT_MS} ms` },
          seatMapReads: seatMapReads
            ? {
                connections: seatMapConnections,
                requestsPerSecond: Math.round(seatMapReads.requests.average),
                latencyMs: { p50: seatMapReads.latency.p50, p99: seatMapReads.latency.p99 },
                non2xx: seatMapReads.non2xx,
                note: `GET /seats?section=A (${seats} seats) from the Redis seat-map cache, during the reservation load`,
              }
            : { connections: 0 },
          rawDynamoTransactWriteItems: raw,
          perPartition: {
            ok: metered.ok,
            partitions: metered.partitions,
            partitionsByTable: metered.partitionsByTable,
            hottestPartition: metered.hottestPartition,
            peakTableSecond: metered.peakTableSecond,
            note: 'DynamoDB units of the requests the api and workers sent during the reservation load, per partition key and second, by the rules of npm run capacity (successful requests only; limits 1,000 WCU/s and 3,000 RCU/s per key)',
          },
          audit: { seats: audit.seats, holds: audit.holds, violations: audit.violations.length },
          elapsedSeconds: Number(((performance.now() - benchStarted) / 1000).toFixed(1)),
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await gateway?.close();
    socketServer?.close(() => undefined);
    server?.closeAllConnections();
    server?.close();
    await Promise.all(workers.map((child) => new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    })));
    await queues.close();
    await deleteKeysByPrefix(redis, keyPrefix);
    for (const table of Object.values(tableNames(tablePrefix))) await dynamo.client.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    dynamo.client.destroy();
    redis.disconnect();
  }
}

main().catch((error: Error) => {
  console.error(`bench: ${error.message}`);
  process.exit(1);
});
