import { randomUUID } from 'node:crypto';
import { Accounts } from '../../../accounts/accounts.js';
import { ConflictError, RateLimitedError, UnauthorizedError, ValidationError } from '../../../lib/errors.js';
import { createPrisma, type PrismaClient } from '../../../lib/mysql.js';
import { createRedis, type Redis } from '../../../lib/redis.js';
import { config } from '../platform-env.js';

describe('accounts (real MariaDB and Redis)', () => {
  let prisma: PrismaClient;
  let redis: Redis;
  let accounts: Accounts;
  const prefix = `test:${randomUUID()}:`;
  const email = () => `fan-${randomUUID()}@example.test`;

  beforeAll(() => {
    prisma = createPrisma(config.DATABASE_URL);
    redis = createRedis(config.REDIS_URL);
    accounts = new Accounts(prisma, redis, { maxFailures: 3, windowSeconds: 60 }, prefix);
  });
  afterAll(async () => {
    await prisma.$disconnect();
    redis.disconnect();
  });

  it('signs up and signs in with a normalised email, never storing the password', async () => {
    const address = email();
    const created = await accounts.signUp({ email: `  ${address.toUpperCase()} `, password: 'a long enough secret' });
    expect(created).toMatchObject({ email: address, role: 'fan' });
    const row = await prisma.user.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.passwordHash).toMatch(/^scrypt\$/);
    expect(row.passwordHash).not.toContain('a long enough secret');
    expect(await accounts.signIn({ email: address, password: 'a long enough secret' })).toEqual(created);
  });

  it('refuses a duplicate email with a conflict', async () => {
    const address = email();
    await accounts.signUp({ email: address, password: 'a long enough secret' });
    await expect(accounts.signUp({ email: address, password: 'another long secret' })).rejects.toBeInstanceOf(ConflictError);
  });

  it.each([
    [{ email: 'not-an-email', password: 'a long enough secret' }, 'email'],
    [{ email: 'a@b.test', password: 'short' }, 'password'],
    [{ password: 'a long enough secret' }, 'email'],
  ])('refuses invalid sign-up input %j naming the field', async (input, field) => {
    const refusal = await accounts.signUp(input).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ValidationError);
    expect((refusal as ValidationError).toProblem().issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: field })]));
  });

  it('answers a wrong password and an unknown email the same way', async () => {
    const address = email();
    await accounts.signUp({ email: address, password: 'a long enough secret' });
    const wrong = await accounts.signIn({ email: address, password: 'not the secret!' }).catch((error: Error) => error);
    const unknown = await accounts.signIn({ email: email(), password: 'not the secret!' }).catch((error: Error) => error);
    expect(wrong).toBeInstanceOf(UnauthorizedError);
    expect(unknown).toBeInstanceOf(UnauthorizedError);
    expect((wrong as Error).message).toBe((unknown as Error).message);
  });

  it('locks sign-in after repeated failures, even for the right password, with a retry time', async () => {
    const address = email();
    await accounts.signUp({ email: address, password: 'a long enough secret' });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await expect(accounts.signIn({ email: address, password: 'wrong password' })).rejects.toBeInstanceOf(UnauthorizedError);
    }
    const locked = await accounts.signIn({ email: address, password: 'a long enough secret' }).catch((error: unknown) => error);
    expect(locked).toBeInstanceOf(RateLimitedError);
    expect((locked as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
    expect((locked as RateLimitedError).retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it('forgets earlier failures after a successful sign-in', async () => {
    const address = email();
    await accounts.signUp({ email: address, password: 'a long enough secret' });
    for (let round = 0; round < 3; round += 1) {
      await expect(accounts.signIn({ email: address, password: 'wrong password' })).rejects.toBeInstanceOf(UnauthorizedError);
      await expect(accounts.signIn({ email: address, password: 'wrong password' })).rejects.toBeInstanceOf(UnauthorizedError);
      await expect(accounts.signIn({ email: address, password: 'a long enough secret' })).resolves.toMatchObject({ email: address });
    }
  });
});
