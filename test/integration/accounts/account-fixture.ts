// Accounts for suites that drive organizer endpoints: a user row under a unique email with the role
// asked for (an admin by default, for rooms configured directly on events the catalog does not
// know), and its session signed with the suite's keys.
import type { Role } from '../../../accounts/accounts.js';
import type { SessionTokens } from '../../../accounts/sessions.js';
import type { PrismaClient } from '../../../lib/mysql.js';
import { uniqueName } from '../platform-env.js';

export interface TestAccount {
  userId: string;
  email: string;
  /** A session JWT, as `Authorization: Bearer` or the `corral_session` cookie. */
  token: string;
  remove(): Promise<void>;
}

/** `sessions` must hold the signing key ring of the roles under test. */
export async function createTestAccount(prisma: PrismaClient, sessions: SessionTokens, label: string, role: Role): Promise<TestAccount> {
  const email = `${uniqueName(label)}@corral.test`;
  const user = await prisma.user.create({ data: { email, role } });
  const { token } = await sessions.issue({ id: user.id, email, role, displayName: null });
  return {
    userId: user.id,
    email,
    token,
    async remove() {
      await prisma.user.deleteMany({ where: { id: user.id } });
    },
  };
}

export function createTestAdmin(prisma: PrismaClient, sessions: SessionTokens, label = 'admin'): Promise<TestAccount> {
  return createTestAccount(prisma, sessions, label, 'admin');
}
