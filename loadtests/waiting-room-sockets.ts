// Benchmark of the Socket.IO gateways: BENCH_GATEWAYS waiting-room gateway processes (each its own
// port, attachServingGateway as the role runs it) behind the Redis adapter, BENCH_CLIENT_PROCESSES
// client processes spreading BENCH_CLIENTS subscribed pages over them (websocket transport only),
// and the tick packet sent through the Socket.IO Redis emitter exactly as the admission role sends
// it. Per step (BENCH_STEPS, client counts): connected clients, ticks sent vs delivered per client,
// publish→receipt p50/p99, RSS and bytes per connection of each gateway, CPU per delivery; beside it
// the raw limits of the same run: Redis PUBLISH/s and a bare `ws` server fanning the same packet out
// to one gateway's share of clients. Runs a Redis of its own (BENCH_REDIS_URL to use another).
// Prints JSON only.   node dist/loadtests/waiting-room-sockets.js
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Emitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import { WebSocketServer } from 'ws';
import { logger } from '../lib/log.js';
import { QueueStore } from '../waiting-room/queue-store.js';
import { eventRoom, QUEUE_NAMESPACE, SERVING_EVENT } from '../waiting-room/serving-broadcast.js';
import { attachServingGateway } from '../waiting-room/serving-gateway.js';
import { runSocketClients, type ClientCommand, type ClientReply, type LatencyHistogram } from './socket-bench-clients.js';

const env = process.env;
const clientsTarget = Number(env.BENCH_CLIENTS ?? 45_000);
const steps = (env.BENCH_STEPS ?? String(clientsTarget)).split(',').map(Number);
const gatewayCount = Number(env.BENCH_GATEWAYS ?? 3);
const clientProcessCount = Number(env.BENCH_CLIENT_PROCESSES ?? 3);
// A client socket bound to a source address takes an ephemeral port of its own on that address
// (bind() before connect() cannot share one across destinations): ~28,000 per address here.
const sourceAddresses = (env.BENCH_SOURCE_ADDRESSES ?? '127.0.0.1,127.0.0.2,127.0.0.3').split(',');
const ticks = Number(env.BENCH_TICKS ?? 10);
const tickMs = Number(env.BENCH_TICK_MS ?? 1_000);
const bareWs = env.BENCH_BARE_WS !== '0';
const eventId = 'bench-sockets';
const openRoom = { state: 'open', admissionRatePerMinute: 600, maxActiveShoppers: 1_000, passTtlSeconds: 600, opensAt: 0 } as const;
/** The per-process open-file ceiling of this container: no process may hold more sockets. */
const perProcessSocketCeiling = 19_500;

type GatewayStats = { rss: number; heapUsed: number; clients: number; cpuUs: number };

function tickPacket(tick: number) {
  return { eventId, serving: tick, issued: 1_000_000, admissionRatePerMinute: 600, state: 'open', sentAtMs: Date.now() };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function gcStats(clients: number): GatewayStats {
  globalThis.gc?.();
  const cpu = process.cpuUsage();
  return { rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed, clients, cpuUs: cpu.user + cpu.system };
}

async function serveGateway(redisUrl: string, keyPrefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  const server = createServer();
  const gateway = attachServingGateway({ server, redis, store: new QueueStore({ redis, keyPrefix }), log: logger(), channelKey: `${keyPrefix}socket.io` });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await gateway.ready;
  process.on('message', () => process.send?.(gcStats(gateway.io.engine.clientsCount)));
  process.on('disconnect', () => process.exit(0));
  process.send?.({ port: (server.address() as AddressInfo).port });
}

/** The raw limit of one process: a bare `ws` server sending one text frame per tick to every client. */
async function serveBareWs(): Promise<void> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  process.on('message', (message: { tick?: number }) => {
    if (message.tick === undefined) return process.send?.(gcStats(server.clients.size));
    // The same bytes a Socket.IO event frame carries: engine.io "4", socket.io "2/queue,", the array.
    const frame = `42${QUEUE_NAMESPACE},${JSON.stringify([SERVING_EVENT, tickPacket(message.tick)])}`;
    for (const client of server.clients) client.send(frame);
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ port: (server.address() as AddressInfo).port });
}

function forkChild(args: string[], execArgv: string): ChildProcess {
  return fork(new URL(import.meta.url), args, {
    // Children write nothing to our stdout: their logs go to stderr, stdout stays JSON.
    stdio: ['ignore', 2, 2, 'ipc'],
    execArgv: ['--expose-gc', ...execArgv.split(' ').filter(Boolean)],
    env: { ...env, LOG_LEVEL: env.LOG_LEVEL ?? 'warn' },
  });
}

function ask<Reply>(child: ChildProcess, message: object): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`a bench child exited with ${code}`));
    child.once('exit', onExit);
    child.once('message', (reply) => {
      child.off('exit', onExit);
      resolve(reply as Reply);
    });
    child.send(message);
  });
}

function firstMessage<Reply>(child: ChildProcess): Promise<Reply> {
  return new Promise((resolve, reject) => {
    child.once('message', (reply) => resolve(reply as Reply));
    child.once('exit', (code) => reject(new Error(`a bench child exited with ${code} before it was ready`)));
  });
}

function mergeHistograms(histograms: LatencyHistogram[]): LatencyHistogram {
  const merged: LatencyHistogram = {};
  for (const histogram of histograms) for (const [ms, count] of Object.entries(histogram)) merged[Number(ms)] = (merged[Number(ms)] ?? 0) + count;
  return merged;
}

function histogramPercentiles(histogram: LatencyHistogram): { samples: number; p50Ms: number; p99Ms: number; maxMs: number } {
  const entries = Object.entries(histogram).map(([ms, count]) => [Number(ms), count] as const).sort((a, b) => a[0] - b[0]);
  const samples = entries.reduce((total, [, count]) => total + count, 0);
  const at = (fraction: number) => {
    const rank = Math.min(samples - 1, Math.floor(samples * fraction));
    let seen = 0;
    for (const [ms, count] of entries) {
      seen += count;
      if (seen > rank) return ms;
    }
    return NaN;
  };
  return { samples, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: entries.at(-1)?.[0] ?? NaN };
}

async function freePort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function startRedis(): Promise<{ url: string; stop: () => void }> {
  if (env.BENCH_REDIS_URL) return { url: env.BENCH_REDIS_URL, stop: () => undefined };
  const port = await freePort();
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxclients', '1000'], { stdio: ['ignore', 'ignore', 2] });
  const url = `redis://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt += 1) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined); // refused until redis-server listens
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      break;
    } catch (error) {
      probe.disconnect();
      if (attempt > 50) throw error;
      await sleep(100);
    }
  }
  return { url, stop: () => server.kill() };
}

/** Pipelined PUBLISH of a tick-sized message for `seconds`, to a channel the gateways subscribe to. */
async function rawPublishRate(redis: Redis, channel: string, seconds: number): Promise<number> {
  const message = JSON.stringify(tickPacket(0));
  const endAt = Date.now() + seconds * 1_000;
  let published = 0;
  const startedAt = Date.now();
  while (Date.now() < endAt) {
    const pipeline = redis.pipeline();
    for (let index = 0; index < 500; index += 1) pipeline.publish(channel, message);
    await pipeline.exec();
    published += 500;
  }
  return Math.round(published / ((Date.now() - startedAt) / 1_000));
}

async function measureTicks(clients: ChildProcess[], send: (tick: number) => void, expected: number) {
  await Promise.all(clients.map((child) => ask<ClientReply>(child, { type: 'measure' } satisfies ClientCommand)));
  for (let tick = 0; tick < ticks; tick += 1) {
    send(tick);
    await sleep(tickMs);
  }
  // Stragglers: wait while packets still arrive (a late packet is late, not lost), up to a minute.
  let previous = -1;
  for (let waited = 0; waited < 60_000; waited += 1_000) {
    await sleep(1_000);
    const peeks = await Promise.all(clients.map((child) => ask<ClientReply & { type: 'peek' }>(child, { type: 'peek' } satisfies ClientCommand)));
    const delivered = peeks.reduce((total, peek) => total + peek.delivered, 0);
    if (delivered === previous || delivered >= expected) break;
    previous = delivered;
  }
  return Promise.all(clients.map((child) => ask<ClientReply & { type: 'results' }>(child, { type: 'results' } satisfies ClientCommand)));
}

function summarise(results: Array<ClientReply & { type: 'results' }>, connected: number) {
  const receivedHistogram = mergeHistograms(results.map((result) => result.receivedPerClient));
  const delivered = Object.entries(receivedHistogram).reduce((total, [received, count]) => total + Number(received) * count, 0);
  return {
    ticksSent: ticks,
    expectedDeliveries: connected * ticks,
    delivered,
    clientsWithEveryTick: receivedHistogram[ticks] ?? 0,
    clientsByTicksReceived: receivedHistogram,
    latency: histogramPercentiles(mergeHistograms(results.map((result) => result.latency))),
    worstTickP99Ms: Math.max(...Array.from({ length: ticks }, (_, tick) => histogramPercentiles(mergeHistograms(results.map((result) => result.latencyByTick[tick] ?? {}))).p99Ms)),
    clientProcessCpuUsPerDelivery: Math.round(results.reduce((total, result) => total + result.cpuUs, 0) / Math.max(1, delivered)),
  };
}

async function main(): Promise<void> {
  const perGateway = Math.ceil(Math.max(...steps) / gatewayCount);
  const perClientProcess = Math.ceil(Math.max(...steps) / clientProcessCount);
  if (perGateway > perProcessSocketCeiling || perClientProcess > perProcessSocketCeiling) {
    throw new Error(`${perGateway} sockets per gateway / ${perClientProcess} per client process: over the ${perProcessSocketCeiling} open-file ceiling, add processes`);
  }
  const startedAt = Date.now();
  const redisServer = await startRedis();
  const keyPrefix = `bench:${randomUUID()}:`;
  const redis = new Redis(redisServer.url);
  const children: ChildProcess[] = [];
  const output: Record<string, unknown> = {
    machine: { note: 'gateways, client processes and Redis share this 2-core machine' },
    knobs: { gateways: gatewayCount, clientProcesses: clientProcessCount, sourceAddresses, ticks, tickMs, steps },
  };
  try {
    await new QueueStore({ redis, keyPrefix }).createRoom(eventId, openRoom);
    const emitter = new Emitter(redis, { key: `${keyPrefix}socket.io` }).of(QUEUE_NAMESPACE);
    const gateways = Array.from({ length: gatewayCount }, () => forkChild(['gateway', redisServer.url, keyPrefix], env.BENCH_GATEWAY_EXEC_ARGV ?? ''));
    children.push(...gateways);
    const ports = (await Promise.all(gateways.map((child) => firstMessage<{ port: number }>(child)))).map((ready) => ready.port);
    const clients = Array.from({ length: clientProcessCount }, (_, index) =>
      forkChild(['clients', JSON.stringify({ index, sourceAddresses, eventId })], env.BENCH_CLIENT_EXEC_ARGV ?? ''),
    );
    children.push(...clients);
    await Promise.all(clients.map((child) => firstMessage(child)));
    const baseline = await Promise.all(gateways.map((child) => ask<GatewayStats>(child, {})));

    const stepResults: Array<Record<string, unknown>> = [];
    for (const total of steps) {
      const rampStartedAt = Date.now();
      const grown = await Promise.all(
        clients.map((child, index) => {
          const share = Math.floor(total / clientProcessCount) + (index < total % clientProcessCount ? 1 : 0);
          return ask<ClientReply & { type: 'grown' }>(child, { type: 'grow', urls: ports.map((port) => `http://127.0.0.1:${port}${QUEUE_NAMESPACE}`), total: share } satisfies ClientCommand);
        }),
      );
      const connected = grown.reduce((sum, reply) => sum + reply.connected, 0);
      const failed = grown.reduce((sum, reply) => sum + reply.failed, 0);
      const loaded = await Promise.all(gateways.map((child) => ask<GatewayStats>(child, {})));
      const step: Record<string, unknown> = {
        clients: total,
        connected,
        failedToConnect: failed,
        ...(failed > 0 ? { firstError: grown.find((reply) => reply.firstError)?.firstError } : {}),
        rampSeconds: (Date.now() - rampStartedAt) / 1_000,
        gateways: loaded.map((stats, index) => ({
          clients: stats.clients,
          rssMb: Math.round(stats.rss / 2 ** 20),
          bytesPerConnection: Math.round((stats.rss - baseline[index]!.rss) / Math.max(1, stats.clients)),
          heapBytesPerConnection: Math.round((stats.heapUsed - baseline[index]!.heapUsed) / Math.max(1, stats.clients)),
        })),
        clientProcessRssMb: grown.map((reply) => Math.round(reply.rss / 2 ** 20)),
      };
      stepResults.push(step);
      if (failed > 0) break;
      const before = await Promise.all(gateways.map((child) => ask<GatewayStats>(child, {})));
      const results = await measureTicks(clients, (tick) => emitter.to(eventRoom(eventId)).emit(SERVING_EVENT, tickPacket(tick)), connected * ticks);
      const after = await Promise.all(gateways.map((child) => ask<GatewayStats>(child, {})));
      const summary = summarise(results, connected);
      const gatewayCpuUs = after.reduce((sum, stats, index) => sum + stats.cpuUs - before[index]!.cpuUs, 0);
      Object.assign(step, summary, {
        gatewayCpuUsPerDelivery: Math.round(gatewayCpuUs / Math.max(1, summary.delivered)),
        allDelivered: summary.delivered === summary.expectedDeliveries,
        p99Under1s: summary.latency.p99Ms < 1_000,
      });
      if (!step.allDelivered) break;
    }
    output.steps = stepResults;
    const largest = stepResults.filter((step) => step.allDelivered === true && step.p99Under1s === true).at(-1);
    output.maxClientsAllDeliveredP99Under1s = largest?.connected ?? 0;

    // Raw limits, same run, after the Socket.IO clients are gone.
    await Promise.all(clients.map((child) => ask(child, { type: 'close' } satisfies ClientCommand)));
    const raw: Record<string, unknown> = {
      redisPublishPerSecond: await rawPublishRate(redis, `${keyPrefix}raw-publish`, 3),
    };
    if (bareWs) {
      const bare = forkChild(['bare-ws'], '');
      children.push(bare);
      const { port } = await firstMessage<{ port: number }>(bare);
      const bareClients = Math.ceil(Math.max(...steps) / gatewayCount);
      const grown = await Promise.all(
        clients.map((child, index) => {
          const share = Math.floor(bareClients / clientProcessCount) + (index < bareClients % clientProcessCount ? 1 : 0);
          return ask<ClientReply & { type: 'grown' }>(child, { type: 'grow-bare', url: `ws://127.0.0.1:${port}`, total: share } satisfies ClientCommand);
        }),
      );
      const connected = grown.reduce((sum, reply) => sum + reply.connected, 0);
      const before = await ask<GatewayStats>(bare, {});
      const results = await measureTicks(clients, (tick) => bare.send({ tick }), connected * ticks);
      const after = await ask<GatewayStats>(bare, {});
      const summary = summarise(results, connected);
      raw.bareWsOneProcess = {
        clients: connected,
        note: "one process, no Socket.IO, no Redis: one gateway's share of clients",
        delivered: summary.delivered,
        expectedDeliveries: summary.expectedDeliveries,
        latency: summary.latency,
        serverCpuUsPerDelivery: Math.round((after.cpuUs - before.cpuUs) / Math.max(1, summary.delivered)),
        clientProcessCpuUsPerDelivery: summary.clientProcessCpuUsPerDelivery,
      };
    }
    output.rawLimits = raw;
    output.wholeRunSeconds = (Date.now() - startedAt) / 1_000;
  } finally {
    // The children go first: a gateway whose Redis vanished under it would only log reconnect errors.
    // Closing the IPC channel lets each child exit by itself (so --cpu-prof writes its profile).
    await Promise.all(
      children
        .filter((child) => child.exitCode === null)
        .map((child) => {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.disconnect();
          const timer = setTimeout(() => child.kill(), 10_000);
          return exited.then(() => clearTimeout(timer));
        }),
    );
    redis.disconnect();
    redisServer.stop();
  }
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
}

const role = process.argv[2];
const fail = (what: string) => (error: Error) => {
  console.error(`${what}: ${error.stack ?? error.message}`);
  process.exit(1);
};
if (role === 'gateway') serveGateway(process.argv[3]!, process.argv[4]!).catch(fail('bench gateway'));
else if (role === 'bare-ws') serveBareWs().catch(fail('bench bare ws'));
else if (role === 'clients') runSocketClients(JSON.parse(process.argv[3]!)).catch(fail('bench clients'));
else main().catch(fail('bench'));
