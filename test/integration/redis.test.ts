import { createRedis, type Redis } from '../../lib/redis.js';
import { defineScripts, runScript } from '../../lib/redis-scripts.js';
import { config, uniqueName } from './platform-env.js';

const compareAndSet = { name: 'testCompareAndSet', file: new URL('./fixtures/lua/compare-and-set.lua', import.meta.url) };

describe('redis (real server)', () => {
  let redis: Redis;

  beforeAll(() => {
    redis = createRedis(config.REDIS_URL);
    defineScripts(redis, [compareAndSet]);
  });
  afterAll(() => redis.disconnect());

  it('runs a Lua script loaded from a file by name, atomically', async () => {
    const key = uniqueName('{test}:cas');
    await redis.set(key, 'a');
    expect(await runScript(redis, compareAndSet.name, [key], ['b', 'c'])).toBe(0);
    expect(await redis.get(key)).toBe('a');
    expect(await runScript(redis, compareAndSet.name, [key], ['a', 'c'])).toBe(1);
    expect(await redis.get(key)).toBe('c');
    await redis.del(key);
  });

  it('lets exactly one of many concurrent callers win a compare-and-set', async () => {
    const key = uniqueName('{test}:race');
    await redis.set(key, 'free');
    const callers = Array.from({ length: 50 }, () => createRedis(config.REDIS_URL));
    for (const caller of callers) defineScripts(caller, [compareAndSet]);
    const results = await Promise.all(callers.map((caller, index) => runScript(caller, compareAndSet.name, [key], ['free', `owner-${index}`])));
    expect(results.filter((won) => won === 1)).toHaveLength(1);
    expect(await redis.get(key)).toBe(`owner-${results.indexOf(1)}`);
    for (const caller of callers) caller.disconnect();
    await redis.del(key);
  });
});
