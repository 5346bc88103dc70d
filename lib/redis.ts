// Redis connections: one node, or a Redis Cluster (ElastiCache cluster mode) when REDIS_CLUSTER is
// set. Commands fail fast when Redis is away (bounded retries) instead of queueing forever, so a
// request never hangs on a dead cache. Every module takes a RedisClient, so it runs on either.
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { redactUrl, type Config } from './config.js';
import type { DependencyCheck } from './health.js';
import { logger } from './log.js';

export type { Cluster, Redis };

/** What every module that talks to Redis accepts: a single node or a cluster. On a cluster, the
 * keys of one Lua script or MULTI must share a hash slot, and a pipeline must stay on one node. */
export type RedisClient = Redis | Cluster;

/** Where Redis is: REDIS_URL (on a cluster, one or more seed nodes) and whether it is a cluster. */
export type RedisEndpoint = Pick<Config, 'REDIS_URL' | 'REDIS_CLUSTER'>;

export interface RedisOverrides {
  /** null: never give up on a command (BullMQ's blocking connections need this). */
  maxRetriesPerRequest?: number | null;
}

const COMMAND_RETRIES = 2;
const CONNECT_TIMEOUT_MS = 2_000;
const reconnectDelay = (attempt: number) => Math.min(attempt * 200, 2_000);

/** A single node from a URL (what tests and local tools use); or, from an endpoint, a cluster client
 * when REDIS_CLUSTER is set. */
export function createRedis(url: string, overrides?: RedisOptions): Redis;
export function createRedis(endpoint: RedisEndpoint, overrides?: RedisOverrides): RedisClient;
export function createRedis(target: string | RedisEndpoint, overrides: RedisOptions | RedisOverrides = {}): RedisClient {
  if (typeof target !== 'string' && target.REDIS_CLUSTER) return createCluster(target.REDIS_URL, overrides);
  const url = typeof target === 'string' ? target : target.REDIS_URL;
  const redis = new Redis(url, {
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: COMMAND_RETRIES,
    retryStrategy: reconnectDelay,
    lazyConnect: false,
    ...overrides,
  });
  logConnectionErrors(redis, url);
  return redis;
}

/**
 * The seed URLs share protocol and credentials (lib/config.ts checks it); the client learns the
 * other nodes from CLUSTER SLOTS. Reads go to masters: a replica may lag, and every read here
 * decides something (a queue number, a lock, a lease) that must see the latest write.
 */
function createCluster(urls: string, overrides: RedisOverrides): Cluster {
  const seeds = urls.split(',').map((url) => new URL(url.trim()));
  const first = seeds[0]!;
  const tls = first.protocol === 'rediss:';
  const options: ClusterOptions = {
    // Reconnects for as long as the cluster is away, as the single-node client does; commands do not
    // wait for it meanwhile (FailFastCluster).
    clusterRetryStrategy: reconnectDelay,
    enableReadyCheck: true,
    scaleReads: 'master',
    // A MOVED/ASK/TRYAGAIN/CLUSTERDOWN reply is retried a bounded number of times, then rejected.
    maxRedirections: 16,
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    slotsRefreshTimeout: CONNECT_TIMEOUT_MS,
    // ElastiCache with TLS: the certificates name the nodes' hostnames, which CLUSTER SLOTS returns;
    // resolving them here would connect by IP and fail the certificate check (ioredis README).
    ...(tls ? { dnsLookup: (address: string, callback: (error: null, address: string) => void) => callback(null, address) } : {}),
    redisOptions: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      maxRetriesPerRequest: overrides.maxRetriesPerRequest === undefined ? COMMAND_RETRIES : overrides.maxRetriesPerRequest,
      ...(first.username ? { username: decodeURIComponent(first.username) } : {}),
      ...(first.password ? { password: decodeURIComponent(first.password) } : {}),
      ...(tls ? { tls: {} } : {}),
    },
  };
  const nodes = seeds.map((seed) => ({ host: seed.hostname, port: Number(seed.port || 6379) }));
  // BullMQ's blocking connections wait for the cluster to come back; everything else fails fast.
  const cluster = overrides.maxRetriesPerRequest === null ? new Cluster(nodes, options) : new FailFastCluster(nodes, options);
  logConnectionErrors(cluster, urls);
  return cluster;
}

/**
 * A cluster client that refuses commands while no node is reachable, as the single-node client does
 * after its retries. ioredis queues them without bound until the cluster is back (its offline queue
 * has no retry limit on a cluster), so a request would hang on a dead cache. Before the first
 * connection, commands wait for it, so a role may use Redis as soon as it starts. One master down
 * is not this case: its commands fail after the bounded redirections above, the others go through.
 */
class FailFastCluster extends Cluster {
  private connectedOnce = false;

  constructor(...args: ConstructorParameters<typeof Cluster>) {
    super(...args);
    this.once('ready', () => {
      this.connectedOnce = true;
    });
  }

  override sendCommand(...args: Parameters<Cluster['sendCommand']>): unknown {
    const [command] = args;
    if (this.connectedOnce && this.status !== 'ready' && this.status !== 'connect') {
      command.reject(new Error(`Redis Cluster is unreachable (${this.status})`));
      return command.promise;
    }
    return super.sendCommand(...args);
  }
}

function logConnectionErrors(client: RedisClient, urls: string): void {
  // Commands already reject while Redis is away; the connection error itself is logged once per
  // kind so a long outage does not flood the log (and ioredis does not print "Unhandled error").
  // Cluster errors ("None of startup nodes is available") carry no code, so the message counts too.
  let lastCode: string | undefined;
  let lastMessage: string | undefined;
  const redis = redactUrl(urls);
  client.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === lastCode && error.message === lastMessage) return;
    lastCode = error.code;
    lastMessage = error.message;
    logger().warn({ err: error, redis }, 'redis connection error');
  });
  client.on('ready', () => {
    lastCode = undefined;
    lastMessage = undefined;
  });
}

/** BullMQ needs blocking connections that never give up on a command. */
export function createBlockingRedis(url: string): Redis;
export function createBlockingRedis(endpoint: RedisEndpoint): RedisClient;
export function createBlockingRedis(target: string | RedisEndpoint): RedisClient {
  return typeof target === 'string' ? createRedis(target, { maxRetriesPerRequest: null }) : createRedis(target, { maxRetriesPerRequest: null });
}

export function isCluster(redis: RedisClient): redis is Cluster {
  return redis instanceof Cluster;
}

/** The connections to every master (the one node, when not a cluster). */
export function masterNodes(redis: RedisClient): Redis[] {
  return isCluster(redis) ? redis.nodes('master') : [redis];
}

export function redisCheck(redis: RedisClient): DependencyCheck {
  return {
    name: 'redis',
    // On a cluster every master must answer: each owns a share of the events.
    check: async () => {
      if (isCluster(redis) && redis.status !== 'ready') throw new Error(`redis cluster is ${redis.status}`);
      const replies = await Promise.all(masterNodes(redis).map((node) => node.ping()));
      const unexpected = replies.find((reply) => reply !== 'PONG');
      if (unexpected !== undefined) throw new Error(`unexpected PING reply ${unexpected}`);
    },
  };
}

/**
 * Deletes every key under a prefix, including keys whose hash tag opens with it (`{prefix…}`).
 * SCAN-based, so it never blocks Redis; for tests, benchmarks and local clean-up, not hot paths.
 * On a cluster SCAN sees one node's keys, so every master is scanned, and keys are deleted one by
 * one (a multi-key DEL across slots is refused with CROSSSLOT).
 */
export async function deleteKeysByPrefix(redis: RedisClient, prefix: string): Promise<void> {
  for (const node of masterNodes(redis)) {
    for (const pattern of [`${prefix}*`, `{${prefix}*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        if (keys.length > 0) {
          if (isCluster(redis)) await Promise.all(keys.map((key) => redis.del(key)));
          else await redis.del(...keys);
        }
        cursor = next;
      } while (cursor !== '0');
    }
  }
}
