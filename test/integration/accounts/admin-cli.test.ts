// The ops CLI as ops run it: dist/scripts/admin-cli.js as a child process against the real MariaDB
// and Redis (build first: npx tsc -p tsconfig.build.json). Checks exit codes, the one-line errors,
// the role in MySQL, and that a printed session verifies with the roles' keys.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { SessionTokens } from '../../../accounts/sessions.js';
import { loadSigningKeys } from '../../../lib/tokens/signing-keys.js';
import { createPrisma, type PrismaClient } from '../../../lib/mysql.js';
import { createRedis, type Redis } from '../../../lib/redis.js';
import { config, uniqueName } from '../platform-env.js';

const CLI = path.join(new URL('../../..', import.meta.url).pathname, 'dist/scripts/admin-cli.js');

function adminCli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('admin CLI: grant-admin, revoke-admin, session (real MariaDB and Redis)', () => {
  let prisma: PrismaClient;
  let redis: Redis;
  const userIds: string[] = [];
  const organizationIds: string[] = [];

  beforeAll(() => {
    prisma = createPrisma(config.DATABASE_URL);
    redis = createRedis(config.REDIS_URL);
  });
  afterAll(async () => {
    await prisma.organization.deleteMany({ where: { id: { in: organizationIds } } });
    await prisma.user.deleteMany({ where: { id: { in: userIds } } });
    await prisma.$disconnect();
    redis.disconnect();
  });

  async function fan(label: string) {
    const user = await prisma.user.create({ data: { email: `${uniqueName(label)}@corral.test` } });
    userIds.push(user.id);
    return user;
  }

  it('answers bad usage with the usage line and exit code 2', async () => {
    for (const args of [[], ['promote', 'someone@example.test'], ['grant-admin'], ['session', 'a@example.test', 'extra']]) {
      const run = await adminCli(...args);
      expect(run).toMatchObject({ code: 2, stdout: '' });
      expect(run.stderr).toMatch(/^usage: node dist\/scripts\/admin-cli\.js grant-admin <email> \| revoke-admin <email> \| session <email>\n$/);
    }
  });

  it('names the unknown or malformed email, exit code 2, for every command', async () => {
    const missing = `${uniqueName('nobody')}@corral.test`;
    for (const command of ['grant-admin', 'revoke-admin', 'session']) {
      expect(await adminCli(command, missing)).toEqual({ code: 2, stdout: '', stderr: `admin: no account with email ${missing} (sign up first)\n` });
    }
    expect(await adminCli('grant-admin', 'not-an-email')).toEqual({ code: 2, stdout: '', stderr: 'admin: "not-an-email" is not an email address\n' });
  });

  it('refuses a session for a non-admin and prints none', async () => {
    const user = await fan('not-admin');
    expect(await adminCli('session', user.email)).toEqual({ code: 2, stdout: '', stderr: `admin: ${user.email} is not an admin (role fan); grant-admin first\n` });
  });

  it('grants the role, prints a 12-hour admin session the roles accept, and revokes the role again', async () => {
    const user = await fan('ops');
    // Emails are matched as sign-up stores them: trimmed and lower-cased.
    const granted = await adminCli('grant-admin', `  ${user.email.toUpperCase()} `);
    expect(granted).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(granted.stdout)).toEqual({ email: user.email, previousRole: 'fan', role: 'admin' });
    expect((await prisma.user.findUniqueOrThrow({ where: { id: user.id } })).role).toBe('admin');

    const issued = await adminCli('session', user.email);
    expect(issued).toMatchObject({ code: 0, stderr: '' });
    const token = issued.stdout.trim();
    const keys = await loadSigningKeys(config, redis);
    const session = await new SessionTokens({ keys, redis }).verify(token);
    expect(session).toMatchObject({ userId: user.id, email: user.email, role: 'admin' });
    expect(Math.abs(session.expiresAtMs - Date.now() - 12 * 3600 * 1000)).toBeLessThan(5 * 60 * 1000);

    const revoked = await adminCli('revoke-admin', user.email);
    expect(revoked).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(revoked.stdout)).toEqual({ email: user.email, previousRole: 'admin', role: 'fan' });
    expect((await prisma.user.findUniqueOrThrow({ where: { id: user.id } })).role).toBe('fan');
    expect((await adminCli('session', user.email)).code).toBe(2);
  });

  it('revokes a member of an organization back to organizer, not fan', async () => {
    const user = await fan('member');
    const organization = await prisma.organization.create({ data: { name: 'CLI Org', memberships: { create: { userId: user.id, role: 'organizer' } } } });
    organizationIds.push(organization.id);
    expect((await adminCli('grant-admin', user.email)).code).toBe(0);
    const revoked = await adminCli('revoke-admin', user.email);
    expect(JSON.parse(revoked.stdout)).toEqual({ email: user.email, previousRole: 'admin', role: 'organizer' });
    // Revoking someone who is no admin changes nothing and says so.
    expect(JSON.parse((await adminCli('revoke-admin', user.email)).stdout)).toEqual({ email: user.email, previousRole: 'organizer', role: 'organizer' });
  });
});
