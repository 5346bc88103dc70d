// Benchmark of joining the waiting room: joins/s through HTTP (waiting-room routes in a child
// process, 200 autocannon connections, every request a new visitor), beside the raw Redis throughput
// of the same join script in the same run, and Redis memory per waiting fan. Prints JSON.
//   node dist/loadtests/waiting-room-join.js   (BENCH_SECONDS=10 BENCH_CONNECTIONS=200 BENCH_MEMORY_FANS=500000)
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { exportPassSigningKey, generatePassSigningKey } from '../lib/tokens/passes.js';
import { signingKeysFromJwks } from '../lib/tokens/signing-keys.js';
import { loadConfig } from '../lib/config.js';
import { createHttpApp, listen } from '../lib/http.js';
import { logger } from '../lib/log.js';
import { deleteKeysByPrefix } from '../lib/redis.js';
import { waitingRoomRoutes } from '../waiting-room/join-routes.js';
import { QueueStore } from '../waiting-room/queue-store.js';
import { RequestLimits } from '../waiting-room/request-limits.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 200);
const memoryFans = Number(process.env.BENCH_MEMORY_FANS ?? 500_000);
const openRoom = { state: 'open', admissionRatePerMinute: 0, maxActiveShoppers: 1_000, passTtlSeconds: 600, opensAt: 0 } as const;

/** Child process: the waiting-room routes as the role mounts them (limits on, but out of reach). */
async function serve(keyPrefix: string): Promise<void> {
  const redis = new Redis(loadConfig().REDIS_URL);
  const key = await generatePassSigningKey('bench');
  const keys = await signingKeysFromJwks({ keys: [await exportPassSigningKey(key)] }, 'corral-bench');
  const huge = { points: 1_000_000_000, durationSeconds: 60 };
  const app = createHttpApp({
    role: 'waiting-room',
    log: logger(),
    checks: [],
    dependencyTimeoutMs: 2_000,
    routes: waitingRoomRoutes({
      store: new QueueStore({ redis, keyPrefix }),
      keys,
      joinLimits: new RequestLimits({ redis, action: 'join', keyPrefix, perIp: huge, perVisitor: huge }),
      visitorCookieSecret: randomUUID() + randomUUID(),
      secureCookies: false,
      clock: Date.now,
    }),
  });
  const server = await listen(app, '127.0.0.1', 0, 'WAITING_ROOM_PORT');
  process.on('SIGTERM', () => process.exit(0)); // a clean exit lets --cpu-prof write its profile
  process.send?.({ port: (server.address() as AddressInfo).port });
}

async function rawRedisJoins(store: QueueStore, eventId: string): Promise<number> {
  const deadline = Date.now() + seconds * 1000;
  let joins = 0;
  const worker = async (lane: number) => {
    for (let fan = 0; Date.now() < deadline; fan += 1) {
      await store.join(eventId, `raw-${lane}-${fan}`, 0);
      joins += 1;
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, lane) => worker(lane)));
  return Math.round(joins / seconds);
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

async function main(): Promise<void> {
  const keyPrefix = `bench:${randomUUID()}:`;
  const redis = new Redis(loadConfig().REDIS_URL);
  const store = new QueueStore({ redis, keyPrefix });
  const child = fork(new URL(import.meta.url), ['serve', keyPrefix], { stdio: 'inherit' });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (message: { port: number }) => resolve(message.port));
      child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    const httpEvent = 'bench-http';
    const rawEvent = 'bench-raw';
    const memoryEvent = 'bench-memory';
    for (const eventId of [httpEvent, rawEvent, memoryEvent]) await store.createRoom(eventId, openRoom);

    // No cookie is sent back, so every request is a new visitor: a distinct fan and a new number.
    const http = await autocannon({ url: `http://127.0.0.1:${port}/api/events/${httpEvent}/queue`, method: 'POST', connections, duration: seconds });
    const rawJoinsPerSecond = await rawRedisJoins(store, rawEvent);

    const before = await usedMemory(redis);
    for (let start = 0; start < memoryFans; start += 10_000) {
      const count = Math.min(10_000, memoryFans - start);
      await Promise.all(Array.from({ length: count }, () => store.join(memoryEvent, `v:${randomUUID()}`, 0)));
    }
    const after = await usedMemory(redis);
    process.stdout.write(
      `${JSON.stringify(
        {
          http: {
            connections,
            seconds,
            joinsPerSecond: Math.round(http.requests.average),
            latencyMs: { p50: http.latency.p50, p99: http.latency.p99 },
            non2xx: http.non2xx,
            errors: http.errors,
          },
          rawRedis: { connections, seconds, joinsPerSecond: rawJoinsPerSecond, note: 'same join.lua via QueueStore, one ioredis connection' },
          memory: {
            fans: memoryFans,
            usedMemoryBeforeBytes: before,
            usedMemoryAfterBytes: after,
            bytesPerWaitingFan: Math.round((after - before) / memoryFans),
            note: 'shared Redis: other clients can move used_memory during the run',
          },
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    child.kill();
    await deleteKeysByPrefix(redis, keyPrefix);
    redis.disconnect();
  }
}

if (process.argv[2] === 'serve') {
  serve(process.argv[3] ?? 'bench:').catch((error: Error) => {
    console.error(`bench server: ${error.message}`);
    process.exit(1);
  });
} else {
  main().catch((error: Error) => {
    console.error(`bench: ${error.message}`);
    process.exit(1);
  });
}
