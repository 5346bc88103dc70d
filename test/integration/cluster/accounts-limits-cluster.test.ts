// Sign-in sessions, sign-in lockout counters, request limits and the shared dev keys on a real
// 3-master Redis Cluster, each used from several clients at once (as several processes would).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Accounts } from '../../../accounts/accounts.js';
import { SessionTokens } from '../../../accounts/sessions.js';
import { exportPassSigningKey, generatePassSigningKey } from '../../../lib/tokens/passes.js';
import { loadSigningKeys, loadVisitorCookieSecret, signingKeysFromJwks } from '../../../lib/tokens/signing-keys.js';
import { RateLimitedError, UnauthorizedError } from '../../../lib/errors.js';
import { createPrisma, type PrismaClient } from '../../../lib/mysql.js';
import { deleteKeysByPrefix, type Cluster } from '../../../lib/redis.js';
import { RequestLimits } from '../../../waiting-room/request-limits.js';
import { config } from '../platform-env.js';
import { startRedisCluster, type RedisClusterFixture } from './redis-cluster.js';

describe('sessions, sign-in lockout and request limits on a Redis Cluster (3 masters)', () => {
  const keyPrefix = `test:${randomUUID()}:`;
  let cluster: RedisClusterFixture;
  let redis: Cluster;
  let prisma: PrismaClient;
  const userIds: string[] = [];

  beforeAll(async () => {
    cluster = await startRedisCluster();
    redis = cluster.connect();
    prisma = createPrisma(config.DATABASE_URL);
  }, 60_000);
  afterAll(async () => {
    await prisma.user.deleteMany({ where: { id: { in: userIds } } });
    await prisma.$disconnect();
    await deleteKeysByPrefix(redis, keyPrefix);
    await cluster.stop();
  });

  it('a signed-out session is refused everywhere, the others stay valid', async () => {
    const key = await generatePassSigningKey('session-key');
    const keys = await signingKeysFromJwks({ keys: [await exportPassSigningKey(key)] }, 'corral-test');
    const api = new SessionTokens({ keys, signer: keys, redis, keyPrefix });
    // Another role (admission) verifies through its own cluster client.
    const admission = new SessionTokens({ keys, redis: cluster.connect(), keyPrefix });
    const account = { id: randomUUID(), email: 'fan@corral.test', role: 'fan' as const, displayName: null };
    const signedOut = await api.issue(account);
    const kept = await api.issue(account);
    const session = await admission.verify(signedOut.token);
    await api.revoke(session);
    await expect(admission.verify(signedOut.token)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(api.verify(signedOut.token)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(await admission.verify(kept.token)).toMatchObject({ userId: account.id });
  });

  it('repeated wrong passwords lock sign-in with a retry time, and a success resets the count', async () => {
    const accounts = new Accounts(prisma, redis, { maxFailures: 3, windowSeconds: 60 }, keyPrefix);
    const email = `fan-${randomUUID()}@example.test`;
    userIds.push((await accounts.signUp({ email, password: 'a long enough secret' })).id);
    await expect(accounts.signIn({ email, password: 'wrong password' })).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(accounts.signIn({ email, password: 'a long enough secret' })).resolves.toMatchObject({ email });
    // Concurrent failures from several api processes all count (INCR + EXPIRE NX in one MULTI).
    const others = [cluster.connect(), cluster.connect()].map((client) => new Accounts(prisma, client, { maxFailures: 3, windowSeconds: 60 }, keyPrefix));
    const failures = await Promise.all([accounts, ...others].map((each) => each.signIn({ email, password: 'wrong password' }).catch((error: unknown) => error)));
    expect(failures.every((failure) => failure instanceof UnauthorizedError)).toBe(true);
    const locked = await accounts.signIn({ email, password: 'a long enough secret' }).catch((error: unknown) => error);
    expect(locked).toBeInstanceOf(RateLimitedError);
    expect((locked as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
    expect((locked as RateLimitedError).retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it('a visitor gets exactly its budget under concurrency, and the per-IP budget stops new visitors', async () => {
    const limitsOn = (client: Cluster) =>
      new RequestLimits({ redis: client, action: 'join', keyPrefix, perIp: { points: 30, durationSeconds: 60 }, perVisitor: { points: 10, durationSeconds: 60 } });
    const processes = [redis, cluster.connect(), cluster.connect()].map(limitsOn);
    const visitor = `v-${randomUUID()}`;
    const ip = `10.0.0.${Math.floor(Math.random() * 250) + 1}`;
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, attempt) =>
        processes[attempt % processes.length]!.check(ip, visitor).then(
          () => 'allowed',
          (error: unknown) => (error instanceof RateLimitedError && error.retryAfterSeconds >= 1 ? 'limited' : error),
        ),
      ),
    );
    expect(outcomes.filter((outcome) => outcome === 'allowed')).toHaveLength(10);
    expect(outcomes.filter((outcome) => outcome === 'limited')).toHaveLength(30);

    // 40 of the IP's 30 points are spent: a new visitor from it is refused, one from elsewhere is not.
    await expect(processes[0]!.check(ip, `v-${randomUUID()}`)).rejects.toBeInstanceOf(RateLimitedError);
    await expect(processes[1]!.check('10.1.1.1', `v-${randomUUID()}`)).resolves.toBeUndefined();
  });

  it('outside production every process shares one dev signing key and cookie secret through the cluster', async () => {
    const devConfig = { ...config, NODE_ENV: 'test' as const, PASS_SIGNING_JWKS: undefined, VISITOR_COOKIE_SECRET: undefined };
    const [first, second] = await Promise.all([loadSigningKeys(devConfig, redis), loadSigningKeys(devConfig, cluster.connect())]);
    expect(second!.current.kid).toBe(first!.current.kid);
    const secrets = await Promise.all([loadVisitorCookieSecret(devConfig, redis), loadVisitorCookieSecret(devConfig, cluster.connect())]);
    expect(secrets[1]).toBe(secrets[0]);
  });
});
