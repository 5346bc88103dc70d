// Benchmark of the public waiting-room state behind a real caching reverse proxy (nginx from Debian,
// the CDN stand-in): BENCH_FANS fans spread over BENCH_EVENTS events each poll
// GET /api/events/:id/queue/state every BENCH_POLL_SECONDS, from BENCH_CLIENTS client processes
// (autocannon at a fixed overall rate), while a ticker moves every event's numbers as admission
// would. Reports the rate reached, the proxy's p50/p99 as the clients saw it, and the requests that
// reached the origin per event per second; beside them, in the same run, the origin's own limit
// (no proxy) and the proxy's limit on this route (unlimited rate). Prints only JSON on stdout.
//   node dist/loadtests/room-state-cache.js
//   (BENCH_FANS=100000 BENCH_POLL_SECONDS=2 BENCH_EVENTS=5 BENCH_CLIENTS=2 BENCH_CONNECTIONS=100 BENCH_SECONDS=20 BENCH_LIMIT_SECONDS=4)
import { execFileSync, fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get as httpGet } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import type { RequestHandler } from 'express';
import { loadConfig } from '../lib/config.js';
import { listen } from '../lib/http.js';
import { deleteKeysByPrefix } from '../lib/redis.js';
import { QueueStore } from '../waiting-room/queue-store.js';
import { benchWaitingRoomApp } from './bench-waiting-room.js';
import { percentile } from './bench-stats.js';

const fans = Number(process.env.BENCH_FANS ?? 100_000);
const pollSeconds = Number(process.env.BENCH_POLL_SECONDS ?? 2);
const eventCount = Number(process.env.BENCH_EVENTS ?? 5);
const clientCount = Number(process.env.BENCH_CLIENTS ?? 2);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 100);
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const limitSeconds = Number(process.env.BENCH_LIMIT_SECONDS ?? 4);
const tickMs = 500;
const openRoom = { state: 'open', admissionRatePerMinute: 600, maxActiveShoppers: 1_000, passTtlSeconds: 600, opensAt: 0 } as const;
const statePath = /^\/api\/events\/([^/]+)\/queue\/state$/;

/** Child: the waiting-room routes as the role mounts them, counting what reaches it per event. */
async function serveOrigin(keyPrefix: string): Promise<void> {
  const counts: Record<string, Record<string, number>> = {};
  const countStateRequests: RequestHandler = (req, res, next) => {
    const eventId = statePath.exec(req.path)?.[1];
    if (eventId !== undefined) {
      res.once('finish', () => {
        const perEvent = (counts[eventId] ??= {});
        perEvent[String(res.statusCode)] = (perEvent[String(res.statusCode)] ?? 0) + 1;
      });
    }
    next();
  };
  const app = await benchWaitingRoomApp(keyPrefix, [countStateRequests]);
  const server = await listen(app, '127.0.0.1', 0, 'WAITING_ROOM_PORT');
  process.on('SIGTERM', () => process.exit(0));
  process.on('message', (message: unknown) => {
    if (message === 'counts') process.send?.({ counts });
  });
  process.send?.({ port: (server.address() as AddressInfo).port });
}

/** Child: one client process polling at its share of the fans' rate. */
async function runClient(baseUrl: string, eventIds: string[], rate: number, connectionCount: number, runSeconds: number): Promise<void> {
  const cacheStatuses: Record<string, number> = {};
  const result = await autocannon({
    url: baseUrl,
    connections: connectionCount,
    duration: runSeconds,
    ...(rate > 0 ? { overallRate: rate } : {}),
    // Each request asks for one event's state: fans are spread evenly over the events.
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({ ...request, path: `/api/events/${eventIds[Math.floor(Math.random() * eventIds.length)]}/queue/state` }),
        // nginx's verdict per answer (HIT, STALE, UPDATING, EXPIRED, REVALIDATED, MISS); none from the origin itself.
        onResponse: (_status, _body, _context, headers) => {
          const entry = Object.entries(headers as Record<string, unknown>).find(([name]) => name.toLowerCase() === 'x-cache-status');
          const verdict = String(entry?.[1] ?? 'none');
          cacheStatuses[verdict] = (cacheStatuses[verdict] ?? 0) + 1;
        },
      },
    ],
  });
  process.send?.({
    requests: result.requests.total,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    cacheStatuses,
  });
}

interface ClientReport {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  cacheStatuses: Record<string, number>;
}

function forkChild<Message>(args: string[]): { child: ChildProcess; first: Promise<Message> } {
  const child = fork(new URL(import.meta.url), args, { stdio: ['ignore', 2, 2, 'ipc'] });
  const first = new Promise<Message>((resolve, reject) => {
    child.once('message', (message: Message) => resolve(message));
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
  return { child, first };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The uid/gid nginx runs as: the `corral` service user when started as root, else whoever runs this. */
function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    return { uid: Number(execFileSync('id', ['-u', 'corral']).toString().trim()), gid: Number(execFileSync('id', ['-g', 'corral']).toString().trim()) };
  } catch {
    throw new Error('running as root: the unprivileged "corral" user is missing (npm run setup creates it)');
  }
}

function nginxConfig(dir: string, listenPort: number, originPort: number, sampleBody: string): string {
  return `# Generated by loadtests/room-state-cache.ts for one run; a CDN stand-in in front of the origin.
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  proxy_cache_path ${dir}/cache levels=1:2 keys_zone=room_state:10m max_size=64m inactive=60s use_temp_path=off;
  upstream origin {
    server 127.0.0.1:${originPort};
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${listenPort};
    location /api/events/ {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache room_state;
      # One request per expired entry goes to the origin; the others wait for it or get the stale copy.
      proxy_cache_lock on;
      proxy_cache_lock_timeout 5s;
      proxy_cache_use_stale updating error timeout http_502 http_503;
      proxy_cache_background_update on;
      proxy_cache_revalidate on;
      add_header X-Cache-Status $upstream_cache_status;
    }
    # The proxy's own limit on this machine: a static answer of the same size, no origin, no cache.
    location = /static-state {
      default_type application/json;
      return 200 '${sampleBody.replace(/'/g, '')}';
    }
  }
}
`;
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One sequential client beside the load: the latency a fan sees from the proxy, nothing queued. */
async function probeLatency(url: string, untilMs: number, intervalMs: number): Promise<{ samples: number; p50: number; p99: number; max: number }> {
  const samples: number[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  while (Date.now() < untilMs) {
    const startedAt = performance.now();
    await new Promise<void>((resolve, reject) => {
      httpGet(url, { agent }, (response) => {
        response.resume();
        response.once('end', () => resolve());
      }).once('error', reject);
    });
    samples.push(performance.now() - startedAt);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  agent.destroy();
  samples.sort((a, b) => a - b);
  const round = (ms: number) => Number(ms.toFixed(2));
  return { samples: samples.length, p50: round(percentile(samples, 0.5)), p99: round(percentile(samples, 0.99)), max: round(samples.at(-1) ?? NaN) };
}

async function requestCounts(origin: ChildProcess): Promise<Record<string, Record<string, number>>> {
  return new Promise((resolve) => {
    origin.once('message', (message: { counts: Record<string, Record<string, number>> }) => resolve(message.counts));
    origin.send('counts');
  });
}

function originRequests(counts: Record<string, Record<string, number>>, eventId: string): number {
  return Object.values(counts[eventId] ?? {}).reduce((sum, count) => sum + count, 0);
}

async function clients(baseUrl: string, eventIds: string[], totalRate: number, runSeconds: number): Promise<ClientReport[]> {
  const perClientRate = totalRate > 0 ? Math.ceil(totalRate / clientCount) : 0;
  const runs = Array.from({ length: clientCount }, () =>
    forkChild<ClientReport>(['client', baseUrl, eventIds.join(','), String(perClientRate), String(Math.ceil(connections / clientCount)), String(runSeconds)]),
  );
  return Promise.all(runs.map((run) => run.first));
}

function summarise(reports: ClientReport[]) {
  return {
    // Each client's answers over its own measured duration (autocannon's, a little over the run's).
    requestsPerSecond: Math.round(reports.reduce((sum, report) => sum + report.requests / Math.max(1, report.seconds), 0)),
    // Per client process, the worst of them (autocannon does not merge histograms). Under a fixed
    // overallRate autocannon's latency includes its own pacing waits: read probeLatencyMs instead.
    autocannonLatencyMs: { p50: Math.max(...reports.map((report) => report.p50)), p99: Math.max(...reports.map((report) => report.p99)), max: Math.max(...reports.map((report) => report.max)) },
    non2xx: reports.reduce((sum, report) => sum + report.non2xx, 0),
    errors: reports.reduce((sum, report) => sum + report.errors + report.timeouts, 0),
    cacheStatuses: reports.reduce<Record<string, number>>((all, report) => {
      for (const [verdict, count] of Object.entries(report.cacheStatuses)) all[verdict] = (all[verdict] ?? 0) + count;
      return all;
    }, {}),
  };
}

async function main(): Promise<void> {
  const keyPrefix = `bench:${randomUUID()}:`;
  const redis = new Redis(loadConfig().REDIS_URL);
  const store = new QueueStore({ redis, keyPrefix });
  const eventIds = Array.from({ length: eventCount }, (_, index) => `bench-state-${index + 1}`);
  // One run at a time (under the stack lock): each run rewrites the same folder.
  const dir = path.resolve('.local', 'loadtests', 'nginx-room-state');
  const children: ChildProcess[] = [];
  let ticker: NodeJS.Timeout | undefined;
  try {
    for (const eventId of eventIds) await store.createRoom(eventId, openRoom);
    const origin = forkChild<{ port: number }>(['serve', keyPrefix]);
    children.push(origin.child);
    const originPort = (await origin.first).port;
    const originUrl = `http://127.0.0.1:${originPort}`;
    const sampleBody = await (await fetch(`${originUrl}/api/events/${eventIds[0]}/queue/state`)).text();

    // Admission moves the numbers every tick, so the state (and its ETag) changes all the time.
    ticker = setInterval(() => {
      const pipeline = redis.pipeline();
      for (const eventId of eventIds) pipeline.incrby(store.keys(eventId).issued, 7).incrby(store.keys(eventId).serving, 5);
      void pipeline.exec();
    }, tickMs);

    const proxyPort = await freePort();
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(path.join(dir, 'tmp'), { recursive: true });
    mkdirSync(path.join(dir, 'cache'), { recursive: true });
    const configFile = path.join(dir, 'nginx.conf');
    writeFileSync(configFile, nginxConfig(dir, proxyPort, originPort, sampleBody));
    const user = unprivilegedUser();
    if (user !== undefined) for (const owned of [dir, path.join(dir, 'tmp'), path.join(dir, 'cache')]) chownSync(owned, user.uid, user.gid);
    const nginx = spawn('nginx', ['-p', dir, '-c', configFile], { stdio: ['ignore', 2, 2], ...(user ?? {}) });
    children.push(nginx);
    const nginxExit = new Promise<never>((_, reject) => nginx.once('exit', (code) => reject(new Error(`nginx exited with ${code}; see ${dir}/error.log`))));
    const proxyUrl = `http://127.0.0.1:${proxyPort}`;
    await Promise.race([waitForHttp(`${proxyUrl}/static-state`, 10_000), nginxExit]);

    // The limits first, in the same run: the origin with no proxy, then the proxy with no origin.
    const originLimit = summarise(await clients(originUrl, eventIds, 0, limitSeconds));
    const staticLimit = await autocannon({ url: `${proxyUrl}/static-state`, connections, duration: limitSeconds });

    // The fans: BENCH_FANS polling every BENCH_POLL_SECONDS through the proxy.
    const targetRate = Math.round(fans / pollSeconds);
    const before = await requestCounts(origin.child);
    const probe = probeLatency(`${proxyUrl}/api/events/${eventIds[0]}/queue/state`, Date.now() + seconds * 1000, 20);
    const polled = summarise(await clients(proxyUrl, eventIds, targetRate, seconds));
    const probed = await probe;
    const after = await requestCounts(origin.child);
    const perEvent = eventIds.map((eventId) => (originRequests(after, eventId) - originRequests(before, eventId)) / seconds);
    const statuses = Object.fromEntries(
      eventIds.map((eventId) => [eventId, Object.fromEntries(Object.entries(after[eventId] ?? {}).map(([status, count]) => [status, count - (before[eventId]?.[status] ?? 0)]))]),
    );

    process.stdout.write(
      `${JSON.stringify(
        {
          fans,
          pollSeconds,
          events: eventCount,
          clientProcesses: clientCount,
          connections,
          seconds,
          targetRequestsPerSecond: targetRate,
          throughProxy: { ...polled, reachedShareOfTarget: Number((polled.requestsPerSecond / targetRate).toFixed(2)), probeLatencyMs: probed },
          originRequestsPerSecondPerEvent: { max: Number(Math.max(...perEvent).toFixed(2)), mean: Number((perEvent.reduce((a, b) => a + b, 0) / perEvent.length).toFixed(2)), byStatus: statuses },
          limits: {
            originWithoutProxy: { ...originLimit, note: 'the same route, no cache, unlimited rate, same client processes' },
            proxyStaticAnswer: {
              requestsPerSecond: Math.round(staticLimit.requests.average),
              latencyMs: { p50: staticLimit.latency.p50, p99: staticLimit.latency.p99 },
              note: 'nginx returning a body of the same size itself, one autocannon process',
            },
          },
          nginx: { version: spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr.trim(), config: path.relative(process.cwd(), configFile) },
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    if (ticker !== undefined) clearInterval(ticker);
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => (child.exitCode === null && child.signalCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined)));
    await deleteKeysByPrefix(redis, keyPrefix);
    redis.disconnect();
  }
}

const [mode, ...args] = process.argv.slice(2);
const fail = (what: string) => (error: Error) => {
  console.error(`${what}: ${error.message}`);
  process.exit(1);
};
if (mode === 'serve') serveOrigin(args[0] ?? 'bench:').catch(fail('origin'));
else if (mode === 'client') runClient(args[0]!, args[1]!.split(','), Number(args[2]), Number(args[3]), Number(args[4])).then(() => process.exit(0), fail('client'));
else main().catch(fail('bench'));
