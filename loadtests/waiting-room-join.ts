// Benchmark of joining the waiting room: joins/s through HTTP (waiting-room routes in a child
// process, 200 autocannon connections, every request a new visitor), beside a bare Express 5 route of
// the same shape (same JSON body parsing, same response size) in a child of its own, repeat joins of
// one returning visitor (the token cache), the raw Redis throughput of the same join script, and Redis
// memory per waiting fan, all in the same run. Prints only JSON on stdout (the servers log to stderr).
//   node dist/loadtests/waiting-room-join.js
//   (BENCH_SECONDS=10 BENCH_CONNECTIONS=200 BENCH_MEMORY_FANS=500000 BENCH_CPU_PROF_DIR=<dir: profile the join server>)
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import express from 'express';
import { Redis } from 'ioredis';
import { loadConfig } from '../lib/config.js';
import { listen } from '../lib/http.js';
import { deleteKeysByPrefix } from '../lib/redis.js';
import { QueueStore } from '../waiting-room/queue-store.js';
import { benchWaitingRoomApp } from './bench-waiting-room.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 200);
const memoryFans = Number(process.env.BENCH_MEMORY_FANS ?? 500_000);
const cpuProfileDir = process.env.BENCH_CPU_PROF_DIR;
const warmUpSeconds = 2;
const openRoom = { state: 'open', admissionRatePerMinute: 0, maxActiveShoppers: 1_000, passTtlSeconds: 600, opensAt: 0 } as const;

/** Child process: the waiting-room routes as the role mounts them (limits on, but out of reach). */
async function serve(keyPrefix: string): Promise<void> {
  const app = await benchWaitingRoomApp(keyPrefix);
  const server = await listen(app, '127.0.0.1', 0, 'WAITING_ROOM_PORT');
  reportToParent((server.address() as AddressInfo).port);
}

/** Child process: a bare Express 5 app with one route of the join's shape: the same JSON body
 * parser, a Set-Cookie and a JSON answer of the same sizes as a real join's, and nothing else. */
async function serveBare(bodyBytes: number, cookieBytes: number): Promise<void> {
  const app = express();
  app.use(express.json({ limit: '64kb' }));
  const skeleton = JSON.stringify({ eventId: 'bench-bare', number: 1, prequeue: false, queueToken: '' });
  const body = { eventId: 'bench-bare', number: 1, prequeue: false, queueToken: 'x'.repeat(Math.max(0, bodyBytes - skeleton.length)) };
  const cookie = `corral_vid=${'x'.repeat(Math.max(0, cookieBytes - 'corral_vid='.length))}`;
  app.post('/api/events/:id/queue', (_req, res) => {
    res.setHeader('Set-Cookie', cookie);
    res.json(body);
  });
  const server = await listen(app, '127.0.0.1', 0, 'BENCH_BARE_PORT');
  reportToParent((server.address() as AddressInfo).port);
}

/** Tells the parent the port, answers its CPU-time questions, and exits cleanly on SIGTERM. */
function reportToParent(port: number): void {
  process.on('SIGTERM', () => process.exit(0)); // a clean exit lets --cpu-prof write its profile
  process.on('message', (message: unknown) => {
    if (message === 'cpu') process.send?.({ cpuMicros: process.cpuUsage() });
  });
  process.send?.({ port });
}

function startServer(args: string[], execArgv: string[]): Promise<{ child: ChildProcess; port: number }> {
  // The servers' logs go to stderr: stdout carries only the result.
  const child = fork(new URL(import.meta.url), args, { stdio: ['ignore', 2, 2, 'ipc'], execArgv });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve({ child, port: message.port }));
    child.once('exit', (code) => reject(new Error(`server ${args[0]} exited with ${code}`)));
  });
}

function serverCpuMicros(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (message: { cpuMicros: NodeJS.CpuUsage }) => resolve(message.cpuMicros.user + message.cpuMicros.system));
    child.send('cpu');
  });
}

interface HttpRun {
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  /** CPU time the server process spent per answered request (user + system). */
  serverCpuMicrosPerRequest: number;
  /** Share of one core the load generator (this process) used: near 1 means it, not the server, is the limit. */
  loadGeneratorCoreShare: number;
}

async function measure(child: ChildProcess, options: autocannon.Options, runSeconds: number): Promise<HttpRun> {
  const serverBefore = await serverCpuMicros(child);
  const selfBefore = process.cpuUsage();
  const startedAt = performance.now();
  const result = await autocannon({ connections, ...options, duration: runSeconds });
  const elapsedMs = performance.now() - startedAt;
  const self = process.cpuUsage(selfBefore);
  const serverMicros = (await serverCpuMicros(child)) - serverBefore;
  return {
    requestsPerSecond: Math.round(result.requests.average),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
    non2xx: result.non2xx,
    errors: result.errors,
    serverCpuMicrosPerRequest: Math.round(serverMicros / Math.max(1, result.requests.total)),
    loadGeneratorCoreShare: Number(((self.user + self.system) / 1000 / elapsedMs).toFixed(2)),
  };
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
  const profileArgs = cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`];
  const children: ChildProcess[] = [];
  try {
    const joinServer = await startServer(['serve', keyPrefix], profileArgs);
    children.push(joinServer.child);
    const httpEvent = 'bench-http';
    const repeatEvent = 'bench-repeat';
    const rawEvent = 'bench-raw';
    const memoryEvent = 'bench-memory';
    for (const eventId of [httpEvent, repeatEvent, rawEvent, memoryEvent, 'bench-warm-up']) await store.createRoom(eventId, openRoom);
    const joinUrl = (eventId: string) => `http://127.0.0.1:${joinServer.port}/api/events/${eventId}/queue`;

    // One real join gives the shape the bare route copies, and the cookie of a returning visitor.
    const probe = await fetch(joinUrl(repeatEvent), { method: 'POST' });
    const probeBody = await probe.text();
    const setCookie = probe.headers.get('set-cookie') ?? '';
    const visitorCookie = setCookie.split(';')[0] ?? '';
    const bareServer = await startServer(['serve-bare', String(Buffer.byteLength(probeBody)), String(Buffer.byteLength(setCookie))], []);
    children.push(bareServer.child);
    const bareUrl = `http://127.0.0.1:${bareServer.port}/api/events/bench-bare/queue`;

    // Warm both up (JIT, connection pools) before anything is counted.
    await autocannon({ url: bareUrl, method: 'POST', connections, duration: warmUpSeconds });
    await autocannon({ url: joinUrl('bench-warm-up'), method: 'POST', connections, duration: warmUpSeconds });

    const bare = await measure(bareServer.child, { url: bareUrl, method: 'POST' }, seconds);
    // No cookie is sent back, so every request is a new visitor: a distinct fan and a new number.
    const http = await measure(joinServer.child, { url: joinUrl(httpEvent), method: 'POST' }, seconds);
    // One returning visitor joining again and again: its one place, its one token.
    const repeat = await measure(joinServer.child, { url: joinUrl(repeatEvent), method: 'POST', headers: { cookie: visitorCookie } }, seconds);
    const repeatIssued = Number(await redis.get(store.keys(repeatEvent).issued));
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
          http: { connections, seconds, ...http, joinsPerSecond: http.requestsPerSecond },
          bareExpress: { connections, seconds, ...bare, responseBytes: Buffer.byteLength(probeBody), setCookieBytes: Buffer.byteLength(setCookie) },
          joinToBareRatio: Number((http.requestsPerSecond / Math.max(1, bare.requestsPerSecond)).toFixed(2)),
          repeatJoins: { connections, seconds, ...repeat, numbersIssued: repeatIssued, note: 'one visitor cookie on every request: one number, one token (queue-token-cache.ts)' },
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
    for (const child of children) child.kill();
    // Wait for the children's exit so a --cpu-prof profile is written before this process ends.
    await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined)));
    await deleteKeysByPrefix(redis, keyPrefix);
    redis.disconnect();
  }
}

if (process.argv[2] === 'serve') {
  serve(process.argv[3] ?? 'bench:').catch((error: Error) => {
    console.error(`bench server: ${error.message}`);
    process.exit(1);
  });
} else if (process.argv[2] === 'serve-bare') {
  serveBare(Number(process.argv[3]), Number(process.argv[4])).catch((error: Error) => {
    console.error(`bench bare server: ${error.message}`);
    process.exit(1);
  });
} else {
  main().catch((error: Error) => {
    console.error(`bench: ${error.message}`);
    process.exit(1);
  });
}
