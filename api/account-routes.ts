// Accounts over HTTP: sign up, sign in (a session JWT in the body and as an httpOnly cookie), sign
// out (the token's id is revoked until it expires) and who-am-I. Sign-up always makes a fan; the
// organizer role comes with creating or joining an organization.
import type { CookieOptions, Express } from 'express';
import type { Accounts } from '../accounts/accounts.js';
import { readSession, requireSession, SESSION_COOKIE, type SessionTokens } from '../accounts/sessions.js';
import { NotFoundError } from '../lib/errors.js';
import type { PrismaClient } from '../lib/mysql.js';

export interface AccountRouteDeps {
  accounts: Accounts;
  sessions: SessionTokens;
  prisma: PrismaClient;
  /** `Secure` cookies in production (HTTPS); local HTTP development needs them off. */
  secureCookies: boolean;
}

export function mountAccountRoutes(app: Express, deps: AccountRouteDeps): void {
  const { accounts, sessions } = deps;
  const withSession = readSession(sessions);
  const cookieOptions: CookieOptions = { httpOnly: true, sameSite: 'lax', secure: deps.secureCookies, path: '/' };

  app.post('/api/accounts', async (req, res) => {
    const account = await accounts.signUp(req.body);
    res.status(201).location(`/api/accounts/${account.id}`).json(account);
  });

  app.post('/api/sessions', async (req, res) => {
    const account = await accounts.signIn(req.body);
    const { token, expiresAtMs } = await sessions.issue(account);
    res.cookie(SESSION_COOKIE, token, { ...cookieOptions, expires: new Date(expiresAtMs) });
    res.status(201).json({ token, expiresAt: new Date(expiresAtMs).toISOString(), account });
  });

  app.delete('/api/sessions', ...withSession, async (_req, res) => {
    await sessions.revoke(requireSession(res.locals));
    res.clearCookie(SESSION_COOKIE, cookieOptions);
    res.status(204).end();
  });

  app.get('/api/sessions/current', ...withSession, async (_req, res) => {
    const session = requireSession(res.locals);
    const user = await deps.prisma.user.findUnique({
      where: { id: session.userId },
      select: { id: true, email: true, role: true, displayName: true, memberships: { select: { organizationId: true, role: true } } },
    });
    if (!user) throw new NotFoundError('the account no longer exists');
    res.json({ account: user, expiresAt: new Date(session.expiresAtMs).toISOString() });
  });
}
