// Benchmark of seat-map reads at a 20,000-seat event: provisions the event (timed), puts some holds,
// lapsed holds and sales on it, then measures section reads and whole-event summary reads through
// the per-section cache (after) beside the one-hash-per-event layout it replaced (before: HGETALL of
// every seat, then filter or count), both in process and over HTTP (routes in a child process,
// autocannon), with the raw limit in the same run: Redis HGETALL of the whole-event hash (20,000
// fields) and of one section's hash (1,000 seats). Also: a cold start (many concurrent misses, one DynamoDB read), Redis
// memory of both layouts, and a check that the cached counts equal what DynamoDB's seats add up to.
//   node dist/loadtests/seat-map-bench.js   (BENCH_SEATS=20000 BENCH_SECTIONS=20 BENCH_SECONDS=5 BENCH_CONNECTIONS=10 BENCH_LANES=8 BENCH_HOLDS=12)
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { AddressInfo } from 'node:net';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import autocannon from 'autocannon';
import type { Express } from 'express';
import { Redis } from 'ioredis';
import { mountSeatRoutes } from '../api/seat-routes.js';
import { gridLayout } from '../catalog/venue-layout.js';
import { loadConfig } from '../lib/config.js';
import { createDynamo, ensureTables, tableNames } from '../lib/dynamo.js';
import { createHttpApp, listen } from '../lib/http.js';
import { logger } from '../lib/log.js';
import { deleteKeysByPrefix } from '../lib/redis.js';
import { bookingRedisKeys, inventoryKeys, parseSeatSk, type SeatItem, type SeatStatus } from '../booking/booking-keys.js';
import { bookingStore, type BookingStore } from '../booking/booking-store.js';
import { confirmHold } from '../booking/hold-confirm.js';
import { holdIdFor } from '../booking/hold-requests.js';
import { TEST_CARDS, TestPaymentProvider } from '../booking/payments.js';
import { reserveHold } from '../booking/reserve-hold.js';
import { readEventSeats, sectionAvailability, seatState } from '../booking/seat-availability.js';
import { SeatMapCache } from '../booking/seat-map-cache.js';
import { provisionSeats } from '../booking/seat-provisioning.js';
import { percentile as nearestRank } from './bench-stats.js';

const seats = Number(process.env.BENCH_SEATS ?? 20_000);
const sectionCount = Number(process.env.BENCH_SECTIONS ?? 20);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const lanes = Number(process.env.BENCH_LANES ?? 8);
const holds = Number(process.env.BENCH_HOLDS ?? 12);
const COLD_READERS = 200;
const SEATS_PER_ROW = 50;
const TTL_MS = 300_000;
const sectionNames = Array.from({ length: sectionCount }, (_, index) => `S${String(index + 1).padStart(2, '0')}`);

/** Latencies to two decimals (sub-millisecond reads). */
function percentile(sorted: readonly number[], fraction: number): number {
  return Number(nearestRank(sorted, fraction).toFixed(2));
}

/** The layout this change replaced: every seat of the event in one hash (same encoding), read whole. */
const legacyKey = (keyPrefix: string, eventId: string) => `${keyPrefix}{bk:${eventId}}:seat-map`;
const encodeLegacy = (seat: SeatItem) => [seat.version, seat.status, seat.heldUntil ?? '', seat.priceTier, seat.priceCents].join('|');

async function legacySeats(redis: Redis, keyPrefix: string, eventId: string, section?: string): Promise<SeatItem[]> {
  const all = Object.entries(await redis.hgetall(legacyKey(keyPrefix, eventId))).map(([sk, encoded]): SeatItem => {
    const [version, status, heldUntil, priceTier, priceCents] = encoded.split('|');
    return { ...inventoryKeys.seat(eventId, sk), ...parseSeatSk(sk), version: Number(version), status: status as SeatStatus, ...(heldUntil ? { heldUntil: Number(heldUntil) } : {}), priceTier: priceTier!, priceCents: Number(priceCents) };
  });
  return section === undefined ? all : all.filter((seat) => seat.section === section);
}

/** The old route over the old layout, same response shape, for the HTTP before/after. */
function mountLegacyRoute(app: Express, redis: Redis, keyPrefix: string, clock: () => number): void {
  app.get('/legacy/events/:id/seats', async (req, res) => {
    const section = typeof req.query.section === 'string' ? req.query.section : undefined;
    const found = await legacySeats(redis, keyPrefix, String(req.params.id), section);
    const now = clock();
    res.json({
      eventId: req.params.id,
      sections: sectionAvailability(found, now),
      ...(section ? { seats: found.map((seat) => ({ section: seat.section, row: seat.row, number: seat.number, priceTier: seat.priceTier, priceCents: seat.priceCents, state: seatState(seat, now) })) } : {}),
    });
  });
}

/** Child process: the seat routes as the api mounts them, plus the legacy route. */
async function serve(tablePrefix: string, keyPrefix: string): Promise<void> {
  const config = loadConfig();
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
  const store = bookingStore(createDynamo(config).doc, tablePrefix);
  const seatMap = new SeatMapCache({ redis, store, keyPrefix, ttlMs: TTL_MS });
  const app = createHttpApp({
    role: 'api',
    log: logger(),
    checks: [],
    dependencyTimeoutMs: 2_000,
    routes: (routes) => {
      mountSeatRoutes(routes, store, seatMap);
      mountLegacyRoute(routes, redis, keyPrefix, store.clock);
    },
  });
  const server = await listen(app, '127.0.0.1', 0, 'API_PORT');
  process.on('SIGTERM', () => process.exit(0));
  process.send?.({ port: (server.address() as AddressInfo).port });
}

/** Redis main-thread CPU seconds (where commands run); shared Redis, so others' commands count too. */
async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? NaN);
  return field('used_cpu_sys_main_thread') + field('used_cpu_user_main_thread');
}

/** `lanes` concurrent loops of `op` for `seconds`: throughput, latency and Redis CPU per operation. */
async function measure(redis: Redis, op: () => Promise<unknown>) {
  const latencies: number[] = [];
  const cpuBefore = await redisCpuSeconds(redis);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (performance.now() < deadline) {
        const begun = performance.now();
        await op();
        latencies.push(performance.now() - begun);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = (await redisCpuSeconds(redis)) - cpuBefore;
  latencies.sort((a, b) => a - b);
  return {
    opsPerSecond: Math.round(latencies.length / elapsed),
    latencyMs: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) },
    redisCpuMsPerOp: Number(((cpu * 1000) / latencies.length).toFixed(3)),
  };
}

async function http(url: string) {
  const result = await autocannon({ url, connections, duration: seconds });
  // Requests still queued in the server when autocannon stops would land in the next run's p99.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  return { requestsPerSecond: Math.round(result.requests.average), latencyMs: { p50: result.latency.p50, p99: result.latency.p99 }, non2xx: result.non2xx, errors: result.errors };
}

/** The store with Query calls counted: how many DynamoDB reads the cold start cost. */
function countingStore(store: BookingStore) {
  const calls = { queries: 0 };
  const doc = {
    send: (command: object) => {
      if (command instanceof QueryCommand) calls.queries += 1;
      return store.doc.send(command as never);
    },
  } as unknown as DynamoDBDocumentClient;
  return { store: { ...store, doc }, calls };
}

async function memoryUsage(redis: Redis, keys: readonly string[]): Promise<number> {
  const sizes = await Promise.all(keys.map((key) => redis.call('memory', 'usage', key, 'samples', '0') as Promise<number | null>));
  return sizes.reduce<number>((sum, size) => sum + (size ?? 0), 0);
}

async function main(): Promise<void> {
  process.env.LOG_LEVEL ??= 'warn';
  const config = loadConfig();
  const benchStarted = performance.now();
  const runId = randomUUID().slice(0, 8);
  const tablePrefix = `bench-${runId}-`;
  const keyPrefix = `bench-sm-${runId}:`;
  const eventId = `bench-${runId}`;
  const dynamo = createDynamo(config);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
  const store = bookingStore(dynamo.doc, tablePrefix);
  const child = fork(new URL(import.meta.url), ['serve', tablePrefix, keyPrefix], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const serverPort = new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  serverPort.catch(() => undefined); // awaited below; a failure before then ends the run anyway
  try {
    await ensureTables(dynamo.client, tablePrefix);
    const rowsPerSection = Math.ceil(seats / sectionCount / SEATS_PER_ROW);
    const layout = gridLayout(sectionNames, rowsPerSection, SEATS_PER_ROW, (_, row) => (row <= 5 ? 'front' : 'standard'));
    const prices = { front: 9_000, standard: 5_000 };
    // Holds, lapsed holds and sales on the first section, through the real reserve and confirm, while
    // it is the only one: the local DynamoDB (moto) deep-copies the whole table once per transaction
    // item, so at 20,000 seats a single reserve takes seconds. The rest is provisioned afterwards.
    const provisionStarted = performance.now();
    await provisionSeats(store, eventId, { sections: layout.sections.slice(0, 1) }, prices);
    let provisionSeconds = (performance.now() - provisionStarted) / 1000;
    const payments = new TestPaymentProvider();
    const holdsStarted = performance.now();
    for (let index = 0; index < holds; index += 1) {
      const kind = index % 3;
      const fanId = `bench-fan-${index}`;
      const requestedAt = kind === 1 ? store.clock() - 120_000 : store.clock();
      const result = await reserveHold({ store, redis, keyPrefix }, { holdId: holdIdFor(eventId, fanId, 'bench'), eventId, fanId, request: { section: sectionNames[0]!, quantity: 4 }, requestedAt, holdTtlMs: kind === 1 ? 60_000 : 600_000 });
      if (kind === 2 && result.outcome === 'held') await confirmHold(store, payments, eventId, result.holdId, fanId, TEST_CARDS.approve);
    }
    const holdsSeconds = (performance.now() - holdsStarted) / 1000;
    const restStarted = performance.now();
    const provisioned = await provisionSeats(store, eventId, layout, prices);
    provisionSeconds += (performance.now() - restStarted) / 1000;

    // Cold start: many concurrent misses (section reads and summaries) share one fill.
    const counting = countingStore(store);
    const coldCache = new SeatMapCache({ redis, store: counting.store, keyPrefix, ttlMs: TTL_MS });
    const coldLatencies: number[] = [];
    const coldStarted = performance.now();
    await Promise.all(
      Array.from({ length: COLD_READERS }, async (_, index) => {
        const begun = performance.now();
        if (index % 4 === 0) await coldCache.sectionAvailability(eventId, store.clock());
        else await coldCache.seats(eventId, sectionNames[index % sectionCount]!);
        coldLatencies.push(performance.now() - begun);
      }),
    );
    const coldMs = performance.now() - coldStarted;
    coldLatencies.sort((a, b) => a - b);

    // A transaction after the fill moves the counts through write-seat-map.lua's update path.
    const seatMap = new SeatMapCache({ redis, store, keyPrefix, ttlMs: TTL_MS });
    const lateStarted = performance.now();
    const late = await reserveHold({ store, redis, keyPrefix, seatMap }, { holdId: holdIdFor(eventId, 'bench-late', 'bench'), eventId, fanId: 'bench-late', request: { section: sectionNames[1]!, quantity: 2 }, requestedAt: store.clock(), holdTtlMs: 600_000 });
    const lateSeconds = (performance.now() - lateStarted) / 1000;
    const now = store.clock();
    const cachedSummary = await seatMap.sectionAvailability(eventId, now);
    const dynamoSeats = await readEventSeats(store, eventId);
    const summaryEqualsDynamo = isDeepStrictEqual(cachedSummary, sectionAvailability(dynamoSeats, now));

    // The old layout, holding the same seats.
    for (let start = 0; start < dynamoSeats.length; start += 1_000) {
      await redis.hset(legacyKey(keyPrefix, eventId), Object.fromEntries(dynamoSeats.slice(start, start + 1_000).map((seat) => [seat.sk, encodeLegacy(seat)])));
    }
    const keys = bookingRedisKeys(keyPrefix, eventId);
    const oneSection = keys.seatMapSection(sectionNames[0]!);
    const memory = {
      beforeOneHashBytes: await memoryUsage(redis, [legacyKey(keyPrefix, eventId)]),
      afterSectionHashesBytes: await memoryUsage(redis, sectionNames.map(keys.seatMapSection)),
      afterHoldsSetsBytes: await memoryUsage(redis, sectionNames.map(keys.seatMapHolds)),
      afterIndexBytes: await memoryUsage(redis, [keys.seatMapIndex]),
      oneSectionHashBytes: await memoryUsage(redis, [oneSection]),
    };

    let sectionTurn = 0;
    const nextSection = () => sectionNames[(sectionTurn += 1) % sectionCount]!;
    const inProcess = {
      rawHgetallWholeEventHash: await measure(redis, () => redis.hgetall(legacyKey(keyPrefix, eventId))),
      rawHgetallOneSectionHash: await measure(redis, () => redis.hgetall(oneSection)),
      beforeSectionRead: await measure(redis, () => legacySeats(redis, keyPrefix, eventId, nextSection())),
      beforeSummaryRead: await measure(redis, async () => sectionAvailability(await legacySeats(redis, keyPrefix, eventId), store.clock())),
      afterSectionRead: await measure(redis, () => seatMap.seats(eventId, nextSection())),
      afterSummaryRead: await measure(redis, () => seatMap.sectionAvailability(eventId, store.clock())),
    };

    const base = `http://127.0.0.1:${await serverPort}`;
    const section = sectionNames[Math.floor(sectionCount / 2)]!;
    const bytes = async (path: string) => (await (await fetch(`${base}${path}`)).text()).length;
    const overHttp = {
      beforeSection: await http(`${base}/legacy/events/${eventId}/seats?section=${section}`),
      beforeSummary: await http(`${base}/legacy/events/${eventId}/seats`),
      afterSection: await http(`${base}/api/events/${eventId}/seats?section=${section}`),
      afterSummary: await http(`${base}/api/events/${eventId}/seats`),
      responseBytes: { section: await bytes(`/api/events/${eventId}/seats?section=${section}`), summary: await bytes(`/api/events/${eventId}/seats`) },
    };

    process.stdout.write(
      `${JSON.stringify(
        {
          setup: {
            seats: provisioned.total,
            sections: sectionCount,
            seatsPerSection: provisioned.total / sectionCount,
            provisionSeconds: Number(provisionSeconds.toFixed(1)),
            provisionSeatsPerSecond: Math.round(provisioned.total / provisionSeconds),
            reserveCalls: holds,
            reserveAndConfirmSecondsAt1000Seats: Number(holdsSeconds.toFixed(1)),
            reserveAfterFill: { outcome: late.outcome, seconds: Number(lateSeconds.toFixed(1)), note: 'one reserve at 20,000 seats: local DynamoDB copies the table per transaction item' },
          },
          coldStart: { concurrentMisses: COLD_READERS, dynamoQueryPages: counting.calls.queries, wallMs: Math.round(coldMs), missLatencyMs: { p50: percentile(coldLatencies, 0.5), max: percentile(coldLatencies, 1) } },
          summaryEqualsDynamo,
          memory,
          inProcess: { lanes, seconds, wholeEventHashFields: dynamoSeats.length, oneSectionHashFields: await redis.hlen(oneSection), ...inProcess },
          http: { connections, seconds, ...overHttp },
          elapsedSeconds: Number(((performance.now() - benchStarted) / 1000).toFixed(1)),
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    child.kill('SIGTERM');
    await deleteKeysByPrefix(redis, keyPrefix);
    for (const table of Object.values(tableNames(tablePrefix))) await dynamo.client.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    dynamo.client.destroy();
    redis.disconnect();
  }
}

if (process.argv[2] === 'serve') {
  serve(process.argv[3]!, process.argv[4]!).catch((error: Error) => {
    console.error(`bench server: ${error.message}`);
    process.exit(1);
  });
} else {
  main().catch((error: Error) => {
    console.error(`bench: ${error.message}`);
    process.exit(1);
  });
}
