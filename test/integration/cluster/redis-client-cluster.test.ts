// lib/redis against a real 3-master Redis Cluster: the config makes a cluster client, scripts run by
// name on every node, readiness asks every master, and SCAN-based clean-up finds keys on all of them.
// It also pins down the two cluster rules every module must follow (one slot per script or MULTI,
// one node per pipeline), so a suite passing here means the rules were really enforced.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../../lib/config.js';
import { checkReadiness, withDeadline } from '../../../lib/health.js';
import { logger } from '../../../lib/log.js';
import { Platform } from '../../../lib/platform.js';
import { createBlockingRedis, deleteKeysByPrefix, isCluster, masterNodes, redisCheck, type Cluster } from '../../../lib/redis.js';
import { defineScripts, runScript } from '../../../lib/redis-scripts.js';
import { startRedisCluster, type RedisClusterFixture } from './redis-cluster.js';

const compareAndSet = { name: 'testCompareAndSet', file: new URL('../fixtures/lua/compare-and-set.lua', import.meta.url) };

describe('lib/redis on a Redis Cluster (3 masters, real redis-server)', () => {
  let cluster: RedisClusterFixture;
  let redis: Cluster;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    redis = cluster.connect();
    defineScripts(redis, [compareAndSet]);
  }, 60_000);
  afterAll(async () => cluster.stop());

  /** One key per master, under `prefix`, each with its own hash tag. */
  const keysOnEveryMaster = async (prefix: string) => (await cluster.idsOnEveryMaster(redis, 'k', (id) => `${prefix}{${id}}`)).map((id) => `${prefix}{${id}}`);

  it('REDIS_CLUSTER=true makes the platform connect to the cluster from the seed URLs', async () => {
    const platform = new Platform(loadConfig({ REDIS_CLUSTER: 'true', REDIS_URL: cluster.endpoint.REDIS_URL }), logger());
    try {
      const client = platform.redis();
      expect(isCluster(client)).toBe(true);
      await client.set('platform-probe', '1');
      expect(await client.get('platform-probe')).toBe('1');
      await expect(platform.checks(['redis'])[0]!.check()).resolves.toBeUndefined();
      expect(masterNodes(client)).toHaveLength(3);
    } finally {
      await platform.close();
    }
    // One seed is enough: the client learns the others from it.
    const oneSeed = new Platform(loadConfig({ REDIS_CLUSTER: 'true', REDIS_URL: `redis://127.0.0.1:${cluster.ports[1]}` }), logger());
    try {
      expect(await oneSeed.redis().get('platform-probe')).toBe('1');
      expect(masterNodes(oneSeed.redis())).toHaveLength(3);
    } finally {
      await oneSeed.close();
    }
  });

  it("BullMQ's blocking connection never gives up on a command, on every node", () => {
    const blocking = createBlockingRedis(cluster.endpoint);
    try {
      expect(isCluster(blocking) && blocking.options.redisOptions?.maxRetriesPerRequest).toBeNull();
    } finally {
      blocking.disconnect();
    }
  });

  it('runs a Lua script by name on every master, and the cluster refuses one whose keys span slots', async () => {
    const keys = await keysOnEveryMaster(`cas-${randomUUID().slice(0, 8)}:`);
    for (const key of keys) {
      await redis.set(key, 'free');
      expect(await runScript(redis, compareAndSet.name, [key], ['free', 'mine'])).toBe(1);
      expect(await runScript(redis, compareAndSet.name, [key], ['free', 'theirs'])).toBe(0);
      expect(await redis.get(key)).toBe('mine');
    }
    await expect(runScript(redis, compareAndSet.name, [keys[0]!, keys[1]!], ['free', 'x'])).rejects.toThrow(/CROSSSLOT/);
    await expect(redis.multi().get(keys[0]!).get(keys[1]!).exec()).rejects.toThrow();
    // ioredis refuses a pipeline that would need two nodes (waiting-room/queue-state-outbox.ts).
    await expect(redis.pipeline().get(keys[0]!).get(keys[1]!).exec()).rejects.toThrow(/same slots allocation group/);
  });

  it('readiness asks every master: one that does not answer makes the role unready', async () => {
    expect((await checkReadiness([redisCheck(redis)], 1_000)).status).toBe('ready');
    for (const port of cluster.ports) {
      // A paused node answers nothing (not even CLIENT UNPAUSE) until the pause runs out.
      await cluster.node(port).call('CLIENT', 'PAUSE', '1500', 'ALL');
      const report = await checkReadiness([redisCheck(redis)], 300);
      expect(report.status).toBe('unready');
      expect(report.dependencies['redis']?.error).toMatch(/did not answer/);
      await cluster.node(port).ping();
      expect((await checkReadiness([redisCheck(redis)], 1_000)).status).toBe('ready');
    }
  });

  it('deleteKeysByPrefix finds keys on every master, tagged or not, and leaves other keys alone', async () => {
    const prefix = `clean-${randomUUID().slice(0, 8)}:`;
    const plain = Array.from({ length: 60 }, (_, index) => `${prefix}plain-${index}`);
    const tagged = await keysOnEveryMaster(prefix);
    const taggedWithPrefix = Array.from({ length: 20 }, (_, index) => `{${prefix}tag-${index}}:x`);
    const unrelated = `other-${randomUUID()}`;
    for (const key of [...plain, ...tagged, ...taggedWithPrefix, unrelated]) await redis.set(key, '1');
    const holders = await Promise.all(masterNodes(redis).map(async (node) => (await node.scan('0', 'MATCH', `*${prefix}*`, 'COUNT', 1000))[1].length));
    expect(holders.every((count) => count > 0)).toBe(true);

    await deleteKeysByPrefix(redis, prefix);
    for (const node of masterNodes(redis)) {
      const left = await node.scan('0', 'MATCH', `*${prefix}*`, 'COUNT', 1000);
      expect(left[1]).toEqual([]);
    }
    expect(await redis.exists(unrelated)).toBe(1);
    await redis.del(unrelated);
  });

  // Last: it takes the cluster down.
  it('with every master gone, a command fails within seconds instead of waiting for the cluster to return', async () => {
    const blocking = createBlockingRedis(cluster.endpoint);
    await blocking.ping();
    for (const port of cluster.ports) await cluster.node(port).call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
    const outcome = async (command: Promise<unknown>, deadlineMs = 10_000) => {
      const started = Date.now();
      const result = await withDeadline(command, deadlineMs, 'the command').then(
        () => 'answered',
        (error: Error) => (error.message.includes('did not answer within') ? 'still waiting' : 'failed'),
      );
      return { result, ms: Date.now() - started };
    };
    const first = await outcome(redis.get('after-shutdown'));
    expect(first.result).toBe('failed');
    // Once the client knows the whole cluster is away, a command is refused at once.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const later = await outcome(redis.get('later'));
    expect(later).toMatchObject({ result: 'failed' });
    expect(later.ms).toBeLessThan(1_000);
    expect((await checkReadiness([redisCheck(redis)], 1_000)).status).toBe('unready');
    // BullMQ's blocking connection keeps waiting for the cluster instead (maxRetriesPerRequest null).
    expect((await outcome(blocking.get('blocking'), 3_000)).result).toBe('still waiting');
    blocking.disconnect();
  }, 60_000);
});
