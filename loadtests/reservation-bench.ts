// Benchmark of reserving seats end to end: HTTP POST /api/events/:id/holds (one random seat of the
// event) -> BullMQ -> worker processes -> result pushed to the fan's Socket.IO room (`identify` with
// the pass, then `hold.result`), as the fan page hears it; contention grows as the seats fill (a
// random pick hits a taken seat more and more often). Beside it, in the same run: seat-map
// reads under that load (autocannon) and the raw local-DynamoDB TransactWriteItems throughput for
// transactions of the same item count (seat + hold + outbox + fan counter), and the per-partition meter
// of `npm run capacity` applied to the DynamoDB requests the api and the workers really sent during
// the reservation load (lib/dynamo-capacity.ts RequestMeter). After the closed-loop maximum, an
// open-loop phase offers half of that measured maximum at a fixed arrival rate (new fans on a clock,
// whatever the answers do), which is the latency a sale paced by the waiting room sees. The api and
// its Socket.IO gateway run in a process of their own (reservation-bench-api.ts), the fans here.
// Prints JSON.
//   node dist/loadtests/reservation-bench.js   (BENCH_SEATS=2000 BENCH_WORKERS=3 BENCH_SECONDS=15 BENCH_CONNECTIONS=40 BENCH_RAW_SECONDS=8 BENCH_SEAT_MAP_CONNECTIONS=4,
//   BENCH_SECTION_SEATS=1000, BENCH_SEAT_MAP_RATE=0 (reads/s offered; 0 = as fast as answered), BENCH_OFFERED_SECONDS=10 (0 skips the open-loop phase), BENCH_OFFERED_SHARE=0.5,
//   BENCH_WORKER_EXEC_ARGV='--cpu-prof --cpu-prof-dir=DIR' to profile the worker processes, BENCH_API_EXEC_ARGV the same for the api)
import { fork, type ChildProcess } from 'node:child_process';
import { deleteKeysByPrefix } from '../lib/redis.js';
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { generatePassSigningKey, PassKeyRing } from '../lib/tokens/passes.js';
import { gridLayout } from '../catalog/venue-layout.js';
import { loadConfig } from '../lib/config.js';
import { createDynamo, ensureTables, tableNames } from '../lib/dynamo.js';
import { IDENTIFY_EVENT, type IdentifyAck } from '../waiting-room/fan-rooms.js';
import { auditEvent } from '../booking/booking-audit.js';
import { bookingStore } from '../booking/booking-store.js';
import { HOLD_RESULT_EVENT, type HoldResultMessage } from '../booking/hold-result-publisher.js';
import { provisionSeats } from '../booking/seat-provisioning.js';
import { percentile } from './bench-stats.js';
import { CapacityMeter, type UnitCells } from '../lib/dynamo-capacity.js';
import type { BenchApiPorts } from './reservation-bench-api.js';

const seats = Number(process.env.BENCH_SEATS ?? 2_000);
const workerCount = Number(process.env.BENCH_WORKERS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 40);
const rawSeconds = Number(process.env.BENCH_RAW_SECONDS ?? 8);
/** Seat-map readers beside the reservations (0: none, to see the pipeline on its own). */
const seatMapConnections = Number(process.env.BENCH_SEAT_MAP_CONNECTIONS ?? 4);
/** The open-loop phase: how long, and which share of the closed-loop maximum it offers. */
const offeredSeconds = Number(process.env.BENCH_OFFERED_SECONDS ?? 10);
const offeredShare = Number(process.env.BENCH_OFFERED_SHARE ?? 0.5);
const SEATS_PER_ROW = 50;
/** Seats per section (a stadium's sections hold hundreds to a couple of thousand); the event has as many as `seats` needs. */
const sectionSeats = Math.max(SEATS_PER_ROW, Number(process.env.BENCH_SECTION_SEATS ?? 1_000));
const rowsPerSection = Math.ceil(sectionSeats / SEATS_PER_ROW);
const sectionCount = Math.ceil(seats / (rowsPerSection * SEATS_PER_ROW));
const sectionName = (index: number) => (sectionCount <= 26 ? String.fromCharCode(65 + index) : `S${index + 1}`);
/** Seat-map reads offered per second over all reader connections (0: as fast as they are answered). */
const seatMapRate = Number(process.env.BENCH_SEAT_MAP_RATE ?? 0);
/** A result not heard within this is counted as `no-result` (the run's bound, not a latency figure). */
const RESULT_TIMEOUT_MS = 20_000;

/** The DynamoDB units a metered child (a worker with CORRAL_CAPACITY_METER=1, or the bench api) counted. */
function processCells(child: ChildProcess): Promise<UnitCells> {
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

/** The same for the api process: BENCH_API_EXEC_ARGV. */
const apiExecArgv = (process.env.BENCH_API_EXEC_ARGV ?? '').split(' ').filter(Boolean);

function forkWorker(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = fork(new URL('../workers/booking-worker-process.js', import.meta.url), [], { env, execArgv: [...process.execArgv, ...workerExecArgv], stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

/** The api and gateway process of the run (reservation-bench-api.ts), once it listens. */
function forkApi(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; ports: BenchApiPorts }> {
  const child = fork(new URL('./reservation-bench-api.js', import.meta.url), [], { env, execArgv: [...process.execArgv, ...apiExecArgv], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve({ child, ports: (message as { ports: BenchApiPorts }).ports }));
    child.once('exit', (code) => reject(new Error(`bench api exited with ${code}`)));
  });
}

function randomSeat(): { section: string; row: string; number: number } {
  const section = Math.floor(Math.random() * sectionCount);
  const index = Math.floor(Math.random() * rowsPerSection * SEATS_PER_ROW);
  return { section: sectionName(section), row: String(Math.floor(index / SEATS_PER_ROW) + 1), number: (index % SEATS_PER_ROW) + 1 };
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

interface Tally {
  latenciesMs: number[];
  outcomes: Record<string, number>;
}

/** One fan: a pass, `identify` on the lane's socket (before asking, as the fan page does, so the
 * result cannot be missed), POST one seat, wait for the pushed result. Latency is request→result. */
async function reserveOnce(baseUrl: string, eventId: string, ring: PassKeyRing, resultSocket: ResultSocket, fanId: string, tally: Tally): Promise<void> {
  const count = (outcome: string) => (tally.outcomes[outcome] = (tally.outcomes[outcome] ?? 0) + 1);
  const token = (await ring.signPass({ fanId, eventId, ttlSeconds: 600, scope: 'reserve' })).token;
  await resultSocket.identify(eventId, token);
  const started = performance.now();
  const accepted = await fetch(`${baseUrl}/api/events/${eventId}/holds`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ seats: [randomSeat()] }),
  });
  const body = (await accepted.json()) as { holdId?: string };
  if (accepted.status !== 202 || !body.holdId) {
    count(`http-${accepted.status}`);
    return;
  }
  const result = await resultSocket.result(body.holdId);
  if (!result) {
    count('no-result');
    return;
  }
  tally.latenciesMs.push(performance.now() - started);
  count(result.status === 'rejected' ? `rejected:${result.reason}` : result.status);
}

function summarise(tally: Tally, elapsedSeconds: number) {
  const sorted = [...tally.latenciesMs].sort((a, b) => a - b);
  return {
    seconds: Number(elapsedSeconds.toFixed(1)),
    results: sorted.length,
    attemptsPerSecond: Math.round(sorted.length / elapsedSeconds),
    outcomes: tally.outcomes,
    requestToResultMs: { p50: Math.round(percentile(sorted, 0.5)), p99: Math.round(percentile(sorted, 0.99)) },
  };
}

/** The pipeline's maximum: `connections` closed-loop lanes, each asking again as soon as it is answered. */
async function closedLoop(baseUrl: string, eventId: string, ring: PassKeyRing, sockets: ResultSocket[]) {
  const tally: Tally = { latenciesMs: [], outcomes: {} };
  const deadline = Date.now() + seconds * 1000;
  const lane = async (laneIndex: number) => {
    for (let attempt = 0; Date.now() < deadline; attempt += 1) await reserveOnce(baseUrl, eventId, ring, sockets[laneIndex]!, `fan-${laneIndex}-${attempt}`, tally);
  };
  const started = performance.now();
  await Promise.all(sockets.map((_, index) => lane(index)));
  return { connections, ...summarise(tally, (performance.now() - started) / 1000) };
}

/** Open loop: a new fan every 1/rate s for `offeredSeconds`, however slowly the answers come (the
 * arrivals a waiting room admitting at that rate sends), spread over the same sockets. */
async function openLoop(baseUrl: string, eventId: string, ring: PassKeyRing, sockets: ResultSocket[], ratePerSecond: number) {
  const tally: Tally = { latenciesMs: [], outcomes: {} };
  const arrivals = Math.max(1, Math.round(ratePerSecond * offeredSeconds));
  const intervalMs = 1000 / ratePerSecond;
  const started = performance.now();
  const inFlight: Array<Promise<void>> = [];
  let late = 0;
  for (let index = 0; index < arrivals; index += 1) {
    const due = started + index * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    else if (wait < -intervalMs) late += 1;
    inFlight.push(reserveOnce(baseUrl, eventId, ring, sockets[index % sockets.length]!, `open-fan-${index}`, tally).catch(() => {
      tally.outcomes['client-error'] = (tally.outcomes['client-error'] ?? 0) + 1;
    }));
  }
  const offeredFor = (performance.now() - started) / 1000;
  await Promise.all(inFlight);
  const summary = summarise(tally, (performance.now() - started) / 1000);
  return {
    offeredPerSecond: Number(ratePerSecond.toFixed(1)),
    arrivals,
    reachedPerSecond: Number((arrivals / offeredFor).toFixed(1)),
    arrivalsLate: late,
    ...summary,
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
  const workers: ChildProcess[] = [];
  let apiProcess: ChildProcess | undefined;
  let sockets: ResultSocket[] = [];
  const channelKey = `${keyPrefix}socket.io`;
  try {
    await ensureTables(dynamo.client, tablePrefix);
    const layout = gridLayout(Array.from({ length: sectionCount }, (_, index) => sectionName(index)), rowsPerSection, SEATS_PER_ROW, () => 'standard');
    const provisionStarted = performance.now();
    await provisionSeats(store, eventId, layout, { standard: 5_000 });
    const provisionSeconds = (performance.now() - provisionStarted) / 1000;

    // The workers emit results on this run's own Socket.IO channel, so no other gateway hears them.
    const env = { ...process.env, DYNAMODB_TABLE_PREFIX: tablePrefix, BOOKING_KEY_PREFIX: keyPrefix, BOOKING_PARTITIONS: '2', BOOKING_HEADLINE_PARTITIONS: '2', HOLD_RESULT_CHANNEL_KEY: channelKey, LOG_LEVEL: 'warn', CORRAL_CAPACITY_METER: '1' };
    workers.push(...(await Promise.all(Array.from({ length: workerCount }, () => forkWorker(env)))));

    // Fans' passes are signed here (the admission role's job); the api process only holds the public keys.
    const issuer = 'corral-bench';
    const ring = new PassKeyRing({ current: await generatePassSigningKey('bench'), issuer });
    const api = await forkApi({ ...env, BENCH_RUN: JSON.stringify({ tablePrefix, keyPrefix, channelKey, issuer, jwks: ring.jwks() }) });
    apiProcess = api.child;
    const baseUrl = `http://127.0.0.1:${api.ports.apiPort}`;
    const socketUrl = `http://127.0.0.1:${api.ports.socketPort}/queue`;
    sockets = await Promise.all(Array.from({ length: connections }, () => connectResultSocket(socketUrl)));

    const loadStartSecond = Math.floor(Date.now() / 1000);
    const [reservations, seatMapReads] = await Promise.all([
      closedLoop(baseUrl, eventId, ring, sockets),
      seatMapConnections > 0
        ? autocannon({ url: `${baseUrl}/api/events/${eventId}/seats?section=A`, connections: seatMapConnections, duration: seconds, ...(seatMapRate > 0 ? { overallRate: seatMapRate } : {}) })
        : undefined,
    ]);
    const loadEndSecond = Math.floor(Date.now() / 1000);
    // Every process's counted units of the load's seconds, summed per partition key and second.
    const partitionMeter = new CapacityMeter();
    const duringLoad = (second: number) => second >= loadStartSecond && second <= loadEndSecond;
    for (const cells of await Promise.all([apiProcess, ...workers].map(processCells))) partitionMeter.merge(cells, duringLoad);
    const metered = partitionMeter.report();
    const offered = offeredSeconds > 0 && reservations.attemptsPerSecond > 0
      ? await openLoop(baseUrl, eventId, ring, sockets, reservations.attemptsPerSecond * offeredShare)
      : undefined;
    const raw = await rawTransactions(dynamo.doc, store.tables);
    const audit = await auditEvent(store, eventId);
    process.stdout.write(
      `${JSON.stringify(
        {
          setup: { seats: sectionCount * rowsPerSection * SEATS_PER_ROW, sections: sectionCount, seatsPerSection: rowsPerSection * SEATS_PER_ROW, workerProcesses: workerCount, workerConcurrency: Number(process.env.BOOKING_WORKER_CONCURRENCY ?? 16), provisionSeconds: Number(provisionSeconds.toFixed(1)) },
          reservations: { ...reservations, note: `closed loop, the pipeline's maximum: HTTP POST hold -> hold.result pushed to the fan's Socket.IO room (no polling); no-result = not heard within ${RESULT_TIMEOUT_MS} ms` },
          offeredLoad: offered
            ? { ...offered, shareOfMaximum: offeredShare, note: 'open loop after the maximum: new fans at a fixed rate (share of the closed-loop attempts/s), same event and sockets, no seat-map readers' }
            : { skipped: true },
          seatMapReads: seatMapReads
            ? {
                connections: seatMapConnections,
                offeredPerSecond: seatMapRate > 0 ? seatMapRate : 'as fast as answered',
                requestsPerSecond: Math.round(seatMapReads.requests.average),
                latencyMs: { p50: seatMapReads.latency.p50, p99: seatMapReads.latency.p99 },
                non2xx: seatMapReads.non2xx,
                note: `GET /seats?section=A (${rowsPerSection * SEATS_PER_ROW} seats) from the Redis seat-map cache, during the closed-loop reservation load`,
              }
            : { connections: 0 },
          rawDynamoTransactWriteItems: raw,
          pipelineShareOfRaw: raw.transactionsPerSecond > 0 ? Number((reservations.attemptsPerSecond / raw.transactionsPerSecond).toFixed(3)) : null,
          perPartition: {
            ok: metered.ok,
            partitions: metered.partitions,
            partitionsByTable: metered.partitionsByTable,
            hottestPartition: metered.hottestPartition,
            peakTableSecond: metered.peakTableSecond,
            note: 'DynamoDB units of the requests the api and workers sent during the closed-loop reservation load, per partition key and second, by the rules of npm run capacity (successful requests only; limits 1,000 WCU/s and 3,000 RCU/s per key)',
          },
          audit: { seats: audit.seats, holds: audit.holds, violations: audit.violations.length },
          elapsedSeconds: Number(((performance.now() - benchStarted) / 1000).toFixed(1)),
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    for (const resultSocket of sockets) resultSocket.socket.disconnect();
    await Promise.all([...(apiProcess ? [apiProcess] : []), ...workers].map((child) => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve(undefined);
      child.once('exit', resolve);
      child.kill('SIGTERM');
    })));
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
