// Benchmark of the Socket.IO gateway: how many subscribed pages one gateway process serves while
// the tick packet still reaches them with p99 under 1 s. The gateway runs in a child process; the
// packets go through the Socket.IO Redis emitter exactly as the admission role sends them. Steps the
// client count up until p99 ≥ 1 s, a client fails to connect, or BENCH_MAX_CLIENTS. Prints JSON.
//   node dist/loadtests/waiting-room-sockets.js   (BENCH_START_CLIENTS=500 BENCH_MAX_CLIENTS=8000 BENCH_TICKS=5)
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Emitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import { io as connect, type Socket } from 'socket.io-client';
import { loadConfig } from '../lib/config.js';
import { logger } from '../lib/log.js';
import { QueueStore } from '../waiting-room/queue-store.js';
import { eventRoom, QUEUE_NAMESPACE, SERVING_EVENT } from '../waiting-room/serving-broadcast.js';
import { attachServingGateway } from '../waiting-room/serving-gateway.js';
import { percentile } from './bench-stats.js';

const startClients = Number(process.env.BENCH_START_CLIENTS ?? 500);
const maxClients = Number(process.env.BENCH_MAX_CLIENTS ?? 8_000);
const ticks = Number(process.env.BENCH_TICKS ?? 5);
const eventId = 'bench-sockets';
const openRoom = { state: 'open', admissionRatePerMinute: 600, maxActiveShoppers: 1_000, passTtlSeconds: 600, opensAt: 0 } as const;

async function serve(keyPrefix: string): Promise<void> {
  const redis = new Redis(loadConfig().REDIS_URL);
  const server = createServer();
  const gateway = attachServingGateway({ server, redis, store: new QueueStore({ redis, keyPrefix }), log: logger(), channelKey: `${keyPrefix}socket.io` });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await gateway.ready;
  process.on('SIGTERM', () => process.exit(0));
  process.send?.({ port: (server.address() as AddressInfo).port });
}

async function openClients(url: string, count: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let start = 0; start < count; start += 200) {
    const batch = Array.from({ length: Math.min(200, count - start) }, () => {
      const socket = connect(`${url}${QUEUE_NAMESPACE}`, { transports: ['websocket'], forceNew: true, reconnection: false });
      sockets.push(socket);
      return socket.timeout(10_000).emitWithAck('subscribe', { eventId }) as Promise<{ ok: boolean }>;
    });
    const acks = await Promise.all(batch);
    if (!acks.every((ack) => ack.ok)) throw new Error('a subscribe was refused');
  }
  return sockets;
}

async function main(): Promise<void> {
  const keyPrefix = `bench:${randomUUID()}:`;
  const redis = new Redis(loadConfig().REDIS_URL);
  await new QueueStore({ redis, keyPrefix }).createRoom(eventId, openRoom);
  const emitter = new Emitter(redis, { key: `${keyPrefix}socket.io` }).of(QUEUE_NAMESPACE);
  const child = fork(new URL(import.meta.url), ['serve', keyPrefix], { stdio: 'inherit' });
  const steps: Array<Record<string, unknown>> = [];
  let sockets: Socket[] = [];
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (message: { port: number }) => resolve(message.port));
      child.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
    });
    for (let clients = startClients; clients <= maxClients; clients *= 2) {
      const latencies: number[] = [];
      try {
        sockets.push(...(await openClients(`http://127.0.0.1:${port}`, clients - sockets.length)));
      } catch (error) {
        steps.push({ clients, failed: (error as Error).message });
        break;
      }
      // Every page measures afresh for this step: one receive time per tick packet.
      for (const socket of sockets) socket.off(SERVING_EVENT).on(SERVING_EVENT, (packet: { sentAtMs: number }) => latencies.push(Date.now() - packet.sentAtMs));
      for (let tick = 0; tick < ticks; tick += 1) {
        emitter.to(eventRoom(eventId)).emit(SERVING_EVENT, { eventId, serving: tick, issued: 1_000_000, admissionRatePerMinute: 600, state: 'open', sentAtMs: Date.now() });
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // stragglers
      latencies.sort((a, b) => a - b);
      const step = { clients, expected: clients * ticks, delivered: latencies.length, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99) };
      steps.push(step);
      if (step.p99Ms >= 1_000 || step.delivered < step.expected) break;
    }
  } finally {
    for (const socket of sockets) socket.disconnect();
    sockets = [];
    child.kill();
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
  const passing = steps.filter((step) => typeof step.p99Ms === 'number' && (step.p99Ms as number) < 1_000 && step.delivered === step.expected);
  process.stdout.write(
    `${JSON.stringify({ ticks, maxClientsWithP99Under1s: passing.at(-1)?.clients ?? 0, steps, note: 'clients and gateway share this machine' }, null, 2)}\n`,
  );
}

if (process.argv[2] === 'serve') {
  serve(process.argv[3] ?? 'bench:').catch((error: Error) => {
    console.error(`bench gateway: ${error.message}`);
    process.exit(1);
  });
} else {
  main().catch((error: Error) => {
    console.error(`bench: ${error.message}`);
    process.exit(1);
  });
}
