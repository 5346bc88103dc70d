// Platform admins, managed by ops from the command line (scripts/admin-cli.ts): grant and revoke the
// `admin` role, and issue an admin a session for scripts and curl. The role lives in MySQL only;
// the admission role re-reads it (briefly cached), so a revocation holds without signing anyone out.
import { z } from 'zod';
import { AppError } from '../lib/errors.js';
import type { PrismaClient } from '../lib/mysql.js';
import type { Account, Role } from './accounts.js';
import type { SessionTokens } from './sessions.js';

/** Shorter than a sign-in session: a CLI-issued admin session is a bearer secret pasted into shells. */
export const ADMIN_SESSION_TTL_SECONDS = 12 * 3600;

// Normalized like sign-up (accounts.ts), so `Ops@Example.com` finds the account `ops@example.com`.
const emailSchema = z.string().trim().toLowerCase().pipe(z.email().max(320));

/** Refusals the CLI reports as one line and exit code 2; anything else is a failure (exit 1). */
export class AdminCommandError extends AppError {}

export interface RoleChange {
  email: string;
  previousRole: Role;
  role: Role;
}

function parseEmail(email: string): string {
  const parsed = emailSchema.safeParse(email);
  if (!parsed.success) throw new AdminCommandError(400, 'validation', `"${email}" is not an email address`);
  return parsed.data;
}

async function findAccount(prisma: PrismaClient, rawEmail: string): Promise<Account & { memberships: number }> {
  const email = parseEmail(rawEmail);
  const user = await prisma.user.findUnique({ where: { email }, select: { id: true, email: true, role: true, displayName: true, _count: { select: { memberships: true } } } });
  if (user === null) throw new AdminCommandError(404, 'not-found', `no account with email ${email} (sign up first)`);
  return { id: user.id, email: user.email, role: user.role as Role, displayName: user.displayName, memberships: user._count.memberships };
}

export async function grantAdmin(prisma: PrismaClient, email: string): Promise<RoleChange> {
  const account = await findAccount(prisma, email);
  if (account.role !== 'admin') await prisma.user.update({ where: { id: account.id }, data: { role: 'admin' } });
  return { email: account.email, previousRole: account.role, role: 'admin' };
}

/** Back to what sign-up and organizations would have made them: organizer with a membership, else fan. */
export async function revokeAdmin(prisma: PrismaClient, email: string): Promise<RoleChange> {
  const account = await findAccount(prisma, email);
  if (account.role !== 'admin') return { email: account.email, previousRole: account.role, role: account.role };
  const role: Role = account.memberships > 0 ? 'organizer' : 'fan';
  await prisma.user.update({ where: { id: account.id }, data: { role } });
  return { email: account.email, previousRole: 'admin', role };
}

/** Refused for anyone who is not an admin: the CLI must not mint sessions for fans or organizers. */
export async function issueAdminSession(prisma: PrismaClient, sessions: SessionTokens, email: string): Promise<{ token: string; expiresAtMs: number }> {
  const { memberships: _memberships, ...account } = await findAccount(prisma, email);
  if (account.role !== 'admin') {
    throw new AdminCommandError(403, 'forbidden', `${account.email} is not an admin (role ${account.role}); grant-admin first`);
  }
  return sessions.issue(account);
}
