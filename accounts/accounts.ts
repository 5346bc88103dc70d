// Sign-up and sign-in. Emails are unique (the database enforces it), passwords are scrypt-hashed,
// and repeated failures for one email lock sign-in for a while (counted in Redis, so every api
// process sees the same count). Unknown emails cost the same as wrong passwords.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ConflictError, RateLimitedError, UnauthorizedError, type ProblemBody } from '../lib/errors.js';
import { parseInput } from '../lib/validation.js';
import type { PrismaClient } from '../lib/mysql.js';
import type { RedisClient } from '../lib/redis.js';
import { decoyHash, hashPassword, verifyPassword } from './passwords.js';

export const signUpSchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email().max(320)),
  password: z.string().min(10, 'must be at least 10 characters').max(200),
  displayName: z.string().trim().min(1).max(120).optional(),
});
export type SignUp = z.infer<typeof signUpSchema>;

export const signInSchema = z.object({
  email: z.string().trim().toLowerCase().max(320),
  password: z.string().max(200),
});

export type Role = 'fan' | 'organizer' | 'admin';

/** 409 that names the field like a validation issue, so a sign-up form can show it beside `email`. */
export class EmailTakenError extends ConflictError {
  constructor() {
    super('an account with this email already exists', 'email-taken');
  }

  override toProblem(): ProblemBody {
    return { ...super.toProblem(), issues: [{ path: 'email', message: 'is already registered' }] };
  }
}

export interface Account {
  id: string;
  email: string;
  role: Role;
  displayName: string | null;
}

export interface LockoutPolicy {
  maxFailures: number;
  windowSeconds: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = { maxFailures: 5, windowSeconds: 900 };

function toAccount(user: { id: string; email: string; role: string; displayName: string | null }): Account {
  return { id: user.id, email: user.email, role: user.role as Role, displayName: user.displayName };
}

export class Accounts {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly redis: RedisClient,
    private readonly lockout: LockoutPolicy = DEFAULT_LOCKOUT,
    private readonly keyPrefix = 'corral:',
  ) {}

  async signUp(input: unknown, role: Role = 'fan'): Promise<Account> {
    const { email, password, displayName } = parseInput(signUpSchema, input);
    try {
      const user = await this.prisma.user.create({
        data: { email, role, displayName: displayName ?? null, passwordHash: await hashPassword(password) },
      });
      return toAccount(user);
    } catch (error) {
      if ((error as { code?: string }).code === 'P2002') throw new EmailTakenError();
      throw error;
    }
  }

  async signIn(input: unknown): Promise<Account> {
    const { email, password } = parseInput(signInSchema, input);
    const failuresKey = `${this.keyPrefix}{accounts}:sign-in-failures:${createHash('sha256').update(email).digest('hex')}`;
    const failures = Number((await this.redis.get(failuresKey)) ?? 0);
    if (failures >= this.lockout.maxFailures) {
      const ttl = await this.redis.ttl(failuresKey);
      throw new RateLimitedError(Math.max(ttl, 1));
    }
    const user = await this.prisma.user.findUnique({ where: { email } });
    const ok = await verifyPassword(password, user?.passwordHash ?? (await decoyHash()));
    if (!user || !ok) {
      await this.redis.multi().incr(failuresKey).expire(failuresKey, this.lockout.windowSeconds, 'NX').exec();
      throw new UnauthorizedError('email or password is wrong');
    }
    await this.redis.del(failuresKey);
    return toAccount(user);
  }
}
