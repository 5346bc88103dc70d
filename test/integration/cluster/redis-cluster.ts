// A real Redis Cluster for the cluster suites: three masters (Debian's redis-server, no replicas) on
// free ports in a temp dir, joined with `redis-cli --cluster create`, ready once every node reports
// cluster_state:ok. Each suite starts its own and stops it after; it is never part of the shared stack.
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { createRedis, type Cluster, type RedisEndpoint } from '../../../lib/redis.js';
import { freePort } from '../../free-port.js';

const run = promisify(execFile);
const HOST = '127.0.0.1';

export interface RedisClusterFixture {
  /** REDIS_URL / REDIS_CLUSTER as a deployment would set them (every master as a seed). */
  endpoint: RedisEndpoint;
  /** Client ports of the masters. */
  ports: number[];
  /** A cluster client made by the product's createRedis (closed by stop()). */
  connect(): Cluster;
  /** The port of the master that owns `key`'s slot. */
  masterPortOf(client: Cluster, key: string): Promise<number>;
  /**
   * One id per master: ids `<label>-<n>` whose key (`keyOf(id)`) lands on each master in turn, so a
   * suite exercises every node and every cross-node path.
   */
  idsOnEveryMaster(client: Cluster, label: string, keyOf: (id: string) => string): Promise<string[]>;
  /** A plain connection to one master (CLIENT PAUSE and friends; closed by stop()). */
  node(port: number): Redis;
  stop(): Promise<void>;
}


async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`redis cluster fixture: ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startRedisCluster(masters = 3): Promise<RedisClusterFixture> {
  const dir = mkdtempSync(path.join(tmpdir(), 'corral-redis-cluster-'));
  const children: ChildProcess[] = [];
  const clients: Array<{ disconnect(): void }> = [];
  // A crashed test run must not leave our servers behind (only ours: the pids we spawned).
  const killChildren = () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killChildren);

  const ports: number[] = [];
  try {
    for (let index = 0; index < masters; index += 1) {
      const port = await freePort();
      const busPort = await freePort();
      ports.push(port);
      const child = spawn(
        'redis-server',
        [
          '--port', String(port),
          '--bind', HOST,
          '--cluster-enabled', 'yes',
          '--cluster-port', String(busPort),
          '--cluster-config-file', path.join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout', '5000',
          '--save', '',
          '--appendonly', 'no',
          '--dir', dir,
          '--logfile', path.join(dir, `redis-${port}.log`),
        ],
        { stdio: 'ignore' },
      );
      children.push(child);
    }
    const probes = ports.map((port) => new Redis({ host: HOST, port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 100 }));
    clients.push(...probes);
    await Promise.all(probes.map((probe, index) => waitUntil(`node ${ports[index]} did not answer PING`, 10_000, async () => (await probe.ping()) === 'PONG')));
    await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `${HOST}:${port}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    await Promise.all(
      probes.map((probe, index) =>
        waitUntil(`node ${ports[index]} did not reach cluster_state:ok with ${masters} nodes`, 20_000, async () => {
          const info = String(await probe.call('CLUSTER', 'INFO'));
          return info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${masters}`);
        }),
      ),
    );
  } catch (error) {
    killChildren();
    for (const client of clients) client.disconnect();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const endpoint: RedisEndpoint = { REDIS_URL: ports.map((port) => `redis://${HOST}:${port}`).join(','), REDIS_CLUSTER: true };
  const nodes = new Map<number, Redis>();

  async function masterPortOf(client: Cluster, key: string): Promise<number> {
    const slot = Number(await client.cluster('KEYSLOT', key));
    await waitUntil('the client did not learn the slot map', 10_000, async () => client.slots[slot] !== undefined);
    return Number(client.slots[slot]![0]!.split(':').pop());
  }

  return {
    endpoint,
    ports,
    connect() {
      const client = createRedis(endpoint) as Cluster;
      clients.push(client);
      return client;
    },
    masterPortOf,
    async idsOnEveryMaster(client, label, keyOf) {
      const byPort = new Map<number, string>();
      for (let attempt = 0; byPort.size < ports.length; attempt += 1) {
        if (attempt > 1_000) throw new Error('no id found for every master');
        const id = `${label}-${attempt}`;
        const port = await masterPortOf(client, keyOf(id));
        if (!byPort.has(port)) byPort.set(port, id);
      }
      return ports.map((port) => byPort.get(port)!);
    },
    node(port) {
      let connection = nodes.get(port);
      if (!connection) {
        connection = new Redis({ host: HOST, port, maxRetriesPerRequest: 2 });
        nodes.set(port, connection);
        clients.push(connection);
      }
      return connection;
    },
    async stop() {
      for (const client of clients) client.disconnect();
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
              child.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              child.kill('SIGTERM');
            }),
        ),
      );
      process.removeListener('exit', killChildren);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
